#!/usr/bin/env bash
# npm run pulumi|up|preview|destroy: the pinned Pulumi CLI with the project's environment
# (local file backend, passphrase secrets, offline). up/preview/destroy default to --stack local.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"
# Setup is idempotent and takes under a second when everything is in place; on a fresh
# clone it installs the npm dependencies (the language host runs from them) and the CLI.
bash scripts/setup.sh >&2 || exit 2
. "$ROOT/scripts/env.sh"
command -v pulumi >/dev/null 2>&1 || { echo "pulumi: the Pulumi CLI is not installed; run npm run setup" >&2; exit 2; }
mkdir -p "$ROOT/.pulumi-state"
if [ $# -eq 0 ]; then exec pulumi; fi
cmd="$1"; shift
case "$cmd" in
  up|preview|destroy|refresh)
    stack=local
    rest=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --stack|-s) stack="${2:?--stack needs a name}"; shift 2 ;;
        --stack=*) stack="${1#--stack=}"; shift ;;
        *) rest+=("$1"); shift ;;
      esac
    done
    # Running the program needs the language host and the resource plugins; say exactly
    # which are missing rather than let the engine try a download.
    missing=()
    # (the project ships its own language host and stand-ins for the two providers; see README)
    for p in pulumi-language-nodejs pulumi-resource-kubernetes pulumi-resource-random; do
      command -v "$p" >/dev/null 2>&1 || ls "$PULUMI_HOME"/plugins/*-"${p#pulumi-}"-v* >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "pulumi $cmd: cannot run the program: not installed: ${missing[*]}." >&2
      echo "pulumi $cmd: the Go module proxy here does not serve them (see README, 'The real engine'); install them with the official Pulumi installer on a connected machine (pulumi plugin install resource kubernetes 4.32.0; random 4.21.1), or run npm run check:config / npm run policy:check, which need no engine." >&2
      exit 2
    fi
    pulumi stack select --create "$stack" >/dev/null
    pulumi "$cmd" --stack "$stack" ${rest[@]+"${rest[@]}"} || exit $?
    render_dir="$(sed -n 's/^ *renderToDirectory: *//p' "Pulumi.$stack.yaml" 2>/dev/null | head -1)"
    if [ "$cmd" = up ] && [ -n "$render_dir" ]; then
      echo "manifests rendered in $(cd "$ROOT" && realpath -m "$render_dir")/1-manifest (Secret values are not rendered: they stay in the stack's encrypted state)"
    fi
    ;;
  *) exec pulumi "$cmd" "$@" ;;
esac
