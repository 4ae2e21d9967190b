#!/usr/bin/env bash
# Builds every function of template.yaml with `sam build` (BuildMethod rust-cargolambda: a
# release build for arm64, cross-compiled by cargo-lambda with zig as the linker) into .aws-sam/.
# Needs: sam, cargo-lambda, the rustup target aarch64-unknown-linux-gnu, and zig — either on
# PATH or from the ziglang Python package (a `zig` wrapper is put on PATH for it here).
# scripts/dev-env.sh --with-cargo-lambda installs all of them. Extra arguments go to sam build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export SAM_CLI_TELEMETRY=0
export PATH="$HOME/.cargo/bin:$PATH"
# The machines have 2 cores; cargo-lambda passes this on to cargo.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
# SAM_BUILD_CHECK_ONLY=1 (CI): prove every function builds for arm64 without the release
# profile's fat LTO and single codegen unit, which cost ~2 min per function on 2 cores (a full
# release `sam build` took 54 min on a busy 2-core machine). Deploy builds leave it unset.
if [ "${SAM_BUILD_CHECK_ONLY:-0}" = 1 ]; then
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  echo "sam-build: check-only build (no LTO): not for deployment" >&2
fi

if ! command -v zig >/dev/null 2>&1; then
  python3 -c "import ziglang" 2>/dev/null \
    || { echo "sam-build: zig not found: pip install ziglang (or run scripts/dev-env.sh)" >&2; exit 1; }
  wrapper_dir=$(mktemp -d)
  trap 'rm -rf "$wrapper_dir"' EXIT
  printf '#!/usr/bin/env bash\nexec %q -m ziglang "$@"\n' "$(command -v python3)" > "$wrapper_dir/zig"
  chmod +x "$wrapper_dir/zig"
  export PATH="$wrapper_dir:$PATH"
fi
for tool in sam cargo-lambda; do
  command -v "$tool" >/dev/null 2>&1 \
    || { echo "sam-build: $tool not found (scripts/dev-env.sh --with-cargo-lambda installs it)" >&2; exit 1; }
done
rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu \
  || { echo "sam-build: rustup target aarch64-unknown-linux-gnu missing" >&2; exit 1; }

sam build --template-file template.yaml "$@"

# Every function must have produced its bootstrap binary for arm64.
missing=0
for fn in $(sed -n 's/^  \([A-Z][A-Za-z]*Function\):$/\1/p' template.yaml); do
  bin=".aws-sam/build/$fn/bootstrap"
  if [ ! -x "$bin" ]; then echo "sam-build: $fn has no $bin" >&2; missing=1; fi
done
[ "$missing" = 0 ] || exit 1
echo "sam-build: every function built (.aws-sam/build/*/bootstrap)"
