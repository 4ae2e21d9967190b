#!/usr/bin/env bash
# Fuzzes sfn-local (definition + input → parse, validate, execute) for a bounded time.
# Usage: scripts/fuzz.sh [SECONDS]   (default 60). Seeds the corpus from the conformance cases
# beside the checkout when they are there. Needs cargo-fuzz (installed here if missing); the
# sanitizer flags libFuzzer needs are unstable, so the stable toolchain runs with RUSTC_BOOTSTRAP=1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2 -j 2
corpus="$root/target/fuzz-corpus/execute"
mkdir -p "$corpus"
cases="$root/../shared/conformance/cases"
if [ -d "$cases" ] && [ -z "$(ls -A "$corpus")" ]; then
  python3 - "$cases" "$corpus" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    case = json.load(open(os.path.join(src, name), encoding="utf-8"))
    blob = json.dumps(case["definition"]) + "\0" + json.dumps(case.get("input"))
    open(os.path.join(dst, name[:-5]), "w", encoding="utf-8").write(blob)
PY
fi
cd "$root/sfn-local"
RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$root/target/fuzz" cargo fuzz run execute "$corpus" -j 1 -- \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048
