#!/usr/bin/env bash
# Installs (once) and activates what local runs and tests need, then runs the given command.
# Idempotent: a second run only checks. Usage: scripts/dev-env.sh [--with-cargo-lambda] CMD...
#   - .venv with requirements-dev.txt (moto_server, sam, cfn-lint, ziglang, boto3)
#   - a `zig` wrapper on PATH (cargo-lambda finds zig there)
#   - with --with-cargo-lambda: cargo-lambda (the prebuilt binary from requirements-dev.txt's
#     wheel; `cargo install` only if it is missing, ~15 min) and the
#     aarch64-unknown-linux-gnu rustup target
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

need_cargo_lambda=0
if [ "${1:-}" = "--with-cargo-lambda" ]; then need_cargo_lambda=1; shift; fi

stamp="$venv/.requirements.sha"
want=$(sha256sum "$root/requirements-dev.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "dev-env: installing Python tools into .venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/requirements-dev.txt" >&2
  echo "$want" > "$stamp"
fi
cat > "$venv/bin/zig" <<ZIG
#!/usr/bin/env bash
exec "$venv/bin/python" -m ziglang "\$@"
ZIG
chmod +x "$venv/bin/zig"
export PATH="$venv/bin:$HOME/.cargo/bin:$PATH"
export VIRTUAL_ENV="$venv"

if [ "$need_cargo_lambda" = 1 ]; then
  if ! command -v cargo-lambda >/dev/null 2>&1; then
    echo "dev-env: installing cargo-lambda (cargo install, takes ~15 minutes once)" >&2
    cargo install cargo-lambda --locked --version 1.9.2 -j 2 >&2
  fi
  rustup target list --installed | grep -qx aarch64-unknown-linux-gnu \
    || rustup target add aarch64-unknown-linux-gnu >&2
fi

if [ "$#" -gt 0 ]; then exec "$@"; fi
