#!/bin/sh
# Entrypoint of the Codefleet worker image (runs under tini, see Dockerfile.worker).
#
# Adds `--config /etc/a2a-worker/config.json` when that file exists and no --config/-c was
# given, so a mounted config file and command-line flags (--codebase name:path, ...) and the
# A2A_* environment all combine. Then replaces itself with node, so node is tini's direct
# child and receives SIGTERM: the worker lets running agents finish (grace period), cancels
# the rest, unregisters and exits 0.
set -eu

# Any other command (`docker run -it IMAGE claude login`, `... IMAGE bash`) runs as given.
case "${1:-}" in
  ''|-*) ;;
  *) exec "$@" ;;
esac

CONFIG_FILE="${A2A_CONFIG_FILE:-/etc/a2a-worker/config.json}"
MAIN=/app/dist/apps/worker/src/main.js

has_config=false
for arg in "$@"; do
  case "$arg" in
    -c|--config|--config=*) has_config=true ;;
  esac
done

if [ "$has_config" = false ] && [ -f "$CONFIG_FILE" ]; then
  set -- --config "$CONFIG_FILE" "$@"
fi

exec node "$MAIN" "$@"
