#!/usr/bin/env bash
# Builds the Go programs the project runs from the Go module proxy, once per machine, into
# a cache outside the repository (one folder per tool and version, so changing one pin
# rebuilds only that tool). Usage: scripts/toolchain.sh [pulumi|kubernetes-provider|control-plane|node|all]
# Sourced variables: scripts/env.sh (KEYBUZZ_TOOLS_DIR and the versions).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/scripts/env.sh"

# The proxy serves modules; the checksum database is not reachable here, so the committed
# go.sum files are what pin the module contents.
export GOSUMDB=off GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

# build <label> <output dir> <wrapper module dir> <ldflags> <package>...
# Builds into a temporary folder beside the output and renames it into place, so an
# interrupted build never leaves a half-written tool that later runs would trust.
build() {
  local label="$1" out="$2" module="$3" ldflags="$4"; shift 4
  if [ -f "$out/.complete" ]; then return 0; fi
  # One build per tool at a time: a second setup (a test run beside an npm run up) waits
  # for the first and then finds the tool built.
  mkdir -p "$(dirname "$out")"
  exec 9>"$out.lock"
  flock 9
  if [ -f "$out/.complete" ]; then exec 9>&-; return 0; fi
  if ! command -v go >/dev/null; then
    echo "setup: $label is not built and Go is not available to build it; install Go >= 1.25 and re-run npm run setup." >&2
    exit 2
  fi
  echo "setup: building $label from Go modules (once per machine; see README for cold times)" >&2
  local start tmp
  start=$(date +%s)
  tmp="$(mktemp -d "$(dirname "$out")/.building-XXXXXX")"
  (cd "$module" && go build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w $ldflags" -o "$tmp/" "$@") >&2
  echo "built in $(( $(date +%s) - start ))s on $(date -u +%FT%TZ)" > "$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
  exec 9>&-
  echo "setup: built $label in $(( $(date +%s) - start ))s" >&2
}

build_pulumi() {
  build "Pulumi CLI v$PULUMI_VERSION" "$KEYBUZZ_PULUMI_DIR" "$ROOT/tools/go/pulumi" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

build_kubernetes_provider() {
  [ -f "$KEYBUZZ_KUBERNETES_PROVIDER_DIR/.complete" ] && return 0
  local module="$ROOT/tools/go/kubernetes" dir
  dir="$(cd "$module" && go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$PULUMI_KUBERNETES_MODULE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  node "$module/generate-embeds.mjs" "$dir" "$PULUMI_KUBERNETES_PROVIDER_VERSION"
  build "kubernetes provider $PULUMI_KUBERNETES_PROVIDER_VERSION" "$KEYBUZZ_KUBERNETES_PROVIDER_DIR" "$module" \
    "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_PROVIDER_VERSION" .
}

kube_ldflags() {
  local minor="${KUBERNETES_VERSION#*.}"; minor="${minor%%.*}"
  local v="k8s.io/component-base/version"
  echo "-X $v.gitVersion=v$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
}

# The real node's Kubernetes half (kubelet, kube-proxy): the same module and version as the
# control plane, in a folder of its own so a machine that has the control plane built
# compiles only what the node adds (the Go build cache is shared).
build_node() {
  build "kubelet, kube-proxy v$KUBERNETES_VERSION" "$KEYBUZZ_KUBE_NODE_DIR" "$ROOT/tools/go/kube" \
    "$(kube_ldflags)" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
}

build_control_plane() {
  build "kube-apiserver, kube-controller-manager, kube-scheduler v$KUBERNETES_VERSION" "$KEYBUZZ_KUBE_DIR" "$ROOT/tools/go/kube" \
    "$(kube_ldflags)" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
  build "etcd v$ETCD_VERSION" "$KEYBUZZ_ETCD_DIR" "$ROOT/tools/go/etcd" "" .
  build "kwok v$KWOK_VERSION" "$KEYBUZZ_KWOK_DIR" "$ROOT/tools/go/kwok" \
    "" sigs.k8s.io/kwok/cmd/kwok
  # kwok v0.8 has no built-in stages: its stage configs ship as data in the module.
  if [ ! -f "$KEYBUZZ_KWOK_DIR/stages/.complete" ]; then
    local dir s="kustomize/stage"
    dir="$(cd "$ROOT/tools/go/kwok" && go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
    mkdir -p "$KEYBUZZ_KWOK_DIR/stages"
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
      volume/fast/pvc-provision.yaml volume/fast/pv-bind.yaml volume/fast/pvc-delete.yaml volume/fast/pv-delete.yaml; do
      install -m 0644 "$dir/$s/$f" "$KEYBUZZ_KWOK_DIR/stages/$(basename "$f")"
    done
    touch "$KEYBUZZ_KWOK_DIR/stages/.complete"
  fi
}

case "${1:-all}" in
  pulumi) build_pulumi ;;
  kubernetes-provider) build_kubernetes_provider ;;
  control-plane) build_control_plane ;;
  node) build_node ;;
  all) build_pulumi; build_kubernetes_provider; build_control_plane; build_node ;;
  *) echo "usage: scripts/toolchain.sh [pulumi|kubernetes-provider|control-plane|node|all]" >&2; exit 2 ;;
esac
