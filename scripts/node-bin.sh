#!/usr/bin/env bash
# Runs a tool from node_modules/.bin with the project's Node (>= 22).
set -euo pipefail
. "$(dirname "$0")/env.sh"
exec "$@"
