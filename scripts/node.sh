#!/usr/bin/env bash
# Runs a TypeScript entry point with the project's Node (>= 22) and environment.
set -euo pipefail
. "$(dirname "$0")/env.sh"
[ -x "$ROOT/node_modules/.bin/tsx" ] || bash "$ROOT/scripts/setup.sh" --npm-only >&2
entry="$1"; shift
exec node --import tsx "$ROOT/$entry" "$@"
