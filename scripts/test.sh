#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, unit and integration tests (DynamoDB tests
# start their own moto_server), the ASL conformance corpus against sfn-local (when ../shared is
# beside the checkout), and the replay of every sample event through `cargo lambda watch`.
# First run on a fresh machine installs the tools (see scripts/dev-env.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${VIRTUAL_ENV:-}" ] || ! command -v cargo-lambda >/dev/null 2>&1; then
  exec scripts/dev-env.sh --with-cargo-lambda "$0" "$@"
fi

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -j 2 -- -D warnings

step "cargo test (unit, DynamoDB against moto_server, engine)"
cargo test --workspace -j 2

step "ASL conformance corpus (cases recorded against AWS Step Functions)"
scripts/conformance.sh

step "peer-benchmark definitions (each runs on sfn-local to its expected output)"
python3 -m unittest discover -s bench/peers

step "replay events/<function>/ through cargo lambda watch"
scripts/replay-events.sh

step "whole-workflow scenarios: events/orders/ in-process and through cargo lambda watch, checked and identical"
scripts/scenarios.sh

step "cost model: docs/cost.md's counts match local runs of every scenario"
python3 -m unittest discover -s bench -p 'test_cost.py'
python3 bench/cost.py --check docs/cost.md
