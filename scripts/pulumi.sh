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
    stack_file=
    while [ $# -gt 0 ]; do
      case "$1" in
        --stack|-s) stack="${2:?--stack needs a name}"; shift 2 ;;
        --stack=*) stack="${1#--stack=}"; shift ;;
        # Passed on to pulumi, and read here too: the file the stack's settings come from.
        --config-file) stack_file="${2:?--config-file needs a file}"; rest+=("$1" "$2"); shift 2 ;;
        --config-file=*) stack_file="${1#--config-file=}"; rest+=("$1"); shift ;;
        *) rest+=("$1"); shift ;;
      esac
    done
    stack_file="${stack_file:-Pulumi.$stack.yaml}"
    # Running the program needs the language host and the resource plugins; say exactly
    # which are missing rather than let the engine try a download.
    missing=()
    for p in pulumi-language-nodejs pulumi-resource-kubernetes pulumi-resource-random; do
      command -v "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
      echo "pulumi $cmd: cannot run the program: not installed: ${missing[*]}; run npm run setup (it builds them from Go modules)." >&2
      exit 2
    fi
    # A stack that targets the local cluster (kubeconfig context keybuzz-local) gets it
    # started when it is not running, and its kubeconfig.
    local_cluster=
    if grep -qE '^ +context: *keybuzz-local *$' "$stack_file" 2>/dev/null; then
      kubeconfig_line="$(bash scripts/node.sh cli/cluster.ts up | tail -1)" || { echo "pulumi $cmd: the local cluster did not start (npm run cluster:up says why)" >&2; exit 2; }
      export "${kubeconfig_line?}"
      local_cluster=1
      # The local stack runs the images this checkout builds: built (reproducibly: the same
      # source gives the same digests, so a second run changes nothing), pushed to the
      # cluster's registry and pinned by digest in its stack file.
      if [ "$stack" = local ] && [ "$cmd" != destroy ]; then
        bash scripts/node.sh cli/images.ts build --variant good --pin-stack-file "$stack_file" >/dev/null \
          || { echo "pulumi $cmd: could not build the local images (npm run images -- build says why)" >&2; exit 2; }
      fi
      # The stack's image pull Secret is an account of the cluster's registry.
      bash scripts/node.sh cli/cluster.ts grant --stack-file "$stack_file" >/dev/null \
        || echo "pulumi $cmd: the stack's registry credentials were not granted on the local registry (above); its pods pull from elsewhere" >&2
    fi
    extra=()
    # The throw-away embedded default runs to the end without a prompt, in a terminal or not;
    # every other stack keeps Pulumi's confirmation. The cluster under it may be new since
    # the last run (cluster:down removes it), so the state is refreshed first.
    if [ "$stack" = local ]; then
      case "$cmd" in
        up) extra=(--yes --refresh) ;;
        destroy) extra=(--yes) ;;
        preview) extra=(--refresh) ;;
      esac
    fi
    pulumi stack select --create "$stack" >/dev/null
    pulumi "$cmd" --stack "$stack" ${extra[@]+"${extra[@]}"} ${rest[@]+"${rest[@]}"} || exit $?
    if [ "$cmd" = up ] && [ -n "$local_cluster" ]; then
      ns="$(sed -n 's/^ *keybuzz-platform:namespace: *//p' "$stack_file" | head -1)"
      echo
      echo "Deployed stack $stack into the local cluster. Look at it with:"
      echo "  kubectl --kubeconfig $KUBECONFIG get all,ingress,secret,networkpolicy,pdb -n ${ns:-keybuzz-$stack}"
      echo "  kubectl --kubeconfig $KUBECONFIG logs -n ${ns:-keybuzz-$stack} deploy/keybuzz-api"
      echo "  npm run audit -- --stack $stack"
    fi
    ;;
  *) exec pulumi "$cmd" "$@" ;;
esac
