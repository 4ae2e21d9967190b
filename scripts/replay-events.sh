#!/usr/bin/env bash
# Replays every sample event in events/<function>/ through `cargo lambda watch` +
# `cargo lambda invoke` against a moto_server it starts itself, and checks each answer against
# its .expect.json (see scripts/replay_events.py). Prints "N passed, M failed"; non-zero on failure.
# Usage: scripts/replay-events.sh [--only FUNCTION ...] [--keep-logs]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v moto_server >/dev/null 2>&1 || ! command -v cargo-lambda >/dev/null 2>&1; then
  exec scripts/dev-env.sh --with-cargo-lambda python3 scripts/replay_events.py "$@"
fi
exec python3 scripts/replay_events.py "$@"
