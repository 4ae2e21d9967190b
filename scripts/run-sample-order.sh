#!/usr/bin/env bash
# The main job: one sample order through the whole workflow, locally, with the real functions
# (cargo lambda watch) and a local DynamoDB-compatible server (moto_server), run by sfn-local.
# Usage: scripts/run-sample-order.sh [events/orders/<scenario>.json]
# First run on a fresh machine installs the tools (see scripts/dev-env.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/scripts/dev-env.sh" --with-cargo-lambda python3 "$root/scripts/run_sample_order.py" "$@"
