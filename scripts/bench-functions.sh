#!/usr/bin/env bash
# The functions' performance budget (issue 6), measured in one command:
#   1. builds the 14 function binaries and fn-bench for this machine (release profile: the one
#      `sam build` uses) for timing and RSS, and the arm64 bootstraps with
#      `cargo lambda build --release --arm64` for the package sizes;
#   2. starts moto_server on a free loopback port, creates the three tables and seeds the
#      inventory (scripts/replay_events.py, the same set-up as the event replay);
#   3. runs fn-bench (bench/plan.json): cold init, first/warm latency, no-I/O latency, peak RSS,
#      bootstrap and zip size; prints the table and the budgets, writes bench/results/<date>.json.
# Usage: scripts/bench-functions.sh [--no-build] [--no-arm64] [--only FUNCTION]... [--json FILE]
#                                   [--arm64-dir DIR]   (bootstraps as DIR/<function>/bootstrap;
#                                   default: cargo lambda's output, $CARGO_TARGET_DIR/lambda)
# Release builds use fat LTO and one codegen unit: the first run takes long on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${VIRTUAL_ENV:-}" ]; then
  exec scripts/dev-env.sh --with-cargo-lambda "$0" "$@"
fi

build=1 arm64=1 only=() json="bench/results/$(date -u +%Y-%m-%d).json" arm64_dir=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --no-arm64) arm64=0 ;;
    --only) only+=("$2"); shift ;;
    --json) json="$2"; shift ;;
    --arm64-dir) arm64_dir="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench-functions: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

target="${CARGO_TARGET_DIR:-$root/target}"
arm64_dir="${arm64_dir:-$target/lambda}"
jobs="${CARGO_BUILD_JOBS:-2}"
mapfile -t functions < <(python3 -c '
import json, sys
print("\n".join(f["function"] for f in json.load(open("bench/plan.json"))["functions"]))')
if [ "${#only[@]}" -gt 0 ]; then functions=("${only[@]}"); fi
packages=(); for f in "${functions[@]}"; do packages+=(-p "$f"); done

if [ "$build" = 1 ]; then
  echo "bench-functions: release build for $(uname -m) (${#functions[@]} functions + fn-bench, -j $jobs)" >&2
  # Separate builds: built together, fn-bench's features (axum's server side of hyper, ...)
  # would be unified into the functions' dependencies and change the binaries measured.
  cargo build --release -j "$jobs" "${packages[@]}"
  cargo build --release -j "$jobs" -p fn-bench
  if [ "$arm64" = 1 ]; then
    echo "bench-functions: arm64 release build (cargo lambda, as sam build)" >&2
    CARGO_BUILD_JOBS="$jobs" cargo lambda build --release --arm64 "${packages[@]}"
  fi
fi

logs=$(mktemp -d)
moto_pid=""
cleanup() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  rm -rf "$logs"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" > "$logs/moto.log" 2>&1 &
moto_pid=$!
endpoint="http://127.0.0.1:$port"
# Tables and inventory as the replay sets them up; the variables the functions read come back.
env_lines=$(PYTHONPATH="$root/scripts" python3 - "$endpoint" <<'PY'
import sys, time, urllib.request
from replay_events import set_up_aws
endpoint = sys.argv[1]
for _ in range(300):
    try:
        urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=5).close()
        break
    except OSError:
        time.sleep(0.1)
env, _ = set_up_aws(endpoint, "bench")
for key, value in sorted(env.items()):
    print(f"{key}={value}")
PY
)
while IFS='=' read -r key value; do export "$key=$value"; done <<< "$env_lines"
export AWS_ENDPOINT_URL_DYNAMODB="$endpoint" AWS_ENDPOINT_URL_SFN="$endpoint"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN

only_args=(); for f in "${functions[@]}"; do only_args+=(--only "$f"); done
mkdir -p "$(dirname "$json")"
"$target/release/fn-bench" --plan bench/plan.json --bin-dir "$target/release" \
  --arm64-dir "$arm64_dir" --sam-build-dir "$arm64_dir" --json "$json" "${only_args[@]}" \
  --note "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')" \
  --note "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" \
  --note "DynamoDB: moto_server $(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null) on loopback"
