#!/usr/bin/env bash
# Every whole-workflow sample (events/orders/*.json) end to end: sfn-local runs the template's
# state machine, the real functions answer through `cargo lambda watch`, DynamoDB is moto_server;
# each run is checked against its .expect.json (status, error, states passed and not passed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/scripts/dev-env.sh" --with-cargo-lambda python3 "$root/scripts/run_sample_order.py" --scenarios "$@"
