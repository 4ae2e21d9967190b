#!/usr/bin/env bash
# The main job: one sample order through the whole workflow, offline, with the real functions
# (in-process by default, or as processes under `cargo lambda watch` with --cargo-lambda) and a
# local DynamoDB-compatible server (moto_server), run by sfn-local on a virtual clock.
# Usage: scripts/run-sample-order.sh [events/orders/<scenario>.json] [--approve|--reject|--timeout]
#          [--cargo-lambda] [--lambda-endpoint URL] [--template FILE] [--quiet] [--history FILE]
# Default order: events/orders/standard.json. The first run on a fresh machine installs moto
# into .venv (and cargo-lambda when --cargo-lambda is given); see scripts/dev-env.sh.
# Set ORDER_LOCAL_PROFILE=release to run the release build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

with=()
has_order=0
for arg in "$@"; do
  case "$arg" in
    --cargo-lambda) with=(--with-cargo-lambda) ;;
    *.json) has_order=1 ;;
  esac
done
if [ "$has_order" = 0 ]; then set -- "$root/events/orders/standard.json" "$@"; fi

profile=()
if [ "${ORDER_LOCAL_PROFILE:-dev}" = release ]; then profile=(--release); fi

cd "$root"
exec "$root/scripts/dev-env.sh" "${with[@]}" \
  cargo run -q -j 2 "${profile[@]}" -p order-local -- run "$@"
