#!/usr/bin/env bash
# Every whole-workflow scenario (events/orders/*.json; the approval one three times: approve,
# reject, timeout) end to end with the real functions and moto_server, checked against its
# .expect.json (status, path, retries, order record, inventory, payments, status event), twice:
#   1. the handlers in-process            (order-local scenarios)
#   2. the functions as real processes    (order-local scenarios --cargo-lambda: `cargo lambda
#      watch`'s Invoke API, the real Lambda runtime protocol)
# and then the proof that both are the same workflow: their normalized reports (generated ids,
# timestamps and ARNs replaced) must be identical. Fails if either run or the comparison fails.
# Reports: $CARGO_TARGET_DIR/scenarios/{in-process,cargo-lambda}.json (default target/).
# Usage: scripts/scenarios.sh [order-local scenarios options, e.g. --only standard]
# First run on a fresh machine installs the tools (see scripts/dev-env.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${VIRTUAL_ENV:-}" ] || ! command -v cargo-lambda >/dev/null 2>&1; then
  exec "$root/scripts/dev-env.sh" --with-cargo-lambda "$0" "$@"
fi
cd "$root"
out="${CARGO_TARGET_DIR:-$root/target}/scenarios"
mkdir -p "$out"
scenarios() { cargo run -q -j 2 -p order-local -- scenarios "$@"; }

printf '\n==> scenarios, handlers in-process\n'
scenarios "$@" --report "$out/in-process.json"

printf '\n==> scenarios, functions under cargo lambda watch\n'
scenarios --cargo-lambda "$@" --report "$out/cargo-lambda.json"

printf '\n==> in-process and cargo-lambda runs compared\n'
if diff -u "$out/in-process.json" "$out/cargo-lambda.json" >"$out/difference.diff"; then
  runs=$(grep -c '"scenario":' "$out/in-process.json")
  echo "scenarios: identical ($runs runs): $out/in-process.json = $out/cargo-lambda.json"
else
  cat "$out/difference.diff"
  echo "scenarios: in-process and cargo-lambda runs differ (see $out/difference.diff)" >&2
  exit 1
fi
