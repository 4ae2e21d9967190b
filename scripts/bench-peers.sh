#!/usr/bin/env bash
# Runs the same state machines on sfn-local, aws-local-stepfunctions (Node 22) and moto and prints
# the ratios (bench/peers/README.md). Installs its peers into target/peers/ (npm) and .venv (moto,
# through scripts/dev-env.sh) on the first run. Arguments go to bench/peers/run.py (--help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cargo build --release -j 2 -p sfn-local >&2
exec "$root/scripts/dev-env.sh" python3 "$root/bench/peers/run.py" "$@"
