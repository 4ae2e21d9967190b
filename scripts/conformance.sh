#!/usr/bin/env bash
# Runs the AWS-recorded ASL conformance cases (../shared/conformance, beside the checkout) against
# a release build of sfn-local, and fails if fewer cases pass than the floor recorded in
# sfn-local/conformance-floor.txt (a ratchet: raise it as the engine improves, never lower it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runner="$root/../shared/conformance/run.py"
if [ ! -f "$runner" ]; then
  echo "conformance: $runner not found (the corpus lives beside the checkout); nothing to run"
  exit 0
fi
cargo build --release -j 2 -p sfn-local
floor=$(tr -dc '0-9' < sfn-local/conformance-floor.txt)
out=$(python3 "$runner" --engine "$root/target/release/sfn-local execute {definition} --input {input}" \
      -j 2 --timeout 20 --json target/conformance.json "$@" || true)
printf '%s\n' "$out" | tail -n 60
passed=$(printf '%s\n' "$out" | tail -n 1 | sed -n 's/^\([0-9]*\) passed.*/\1/p')
if [ -z "$passed" ] || [ "$passed" -lt "$floor" ]; then
  echo "conformance: ${passed:-no} cases passed, below the floor of $floor" >&2
  exit 1
fi
echo "conformance: $passed cases passed (floor $floor)"
