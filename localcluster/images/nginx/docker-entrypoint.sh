#!/bin/sh
# Like the official image's entrypoint, minus its configuration scripts:
# say so when starting nginx, then run the command.
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  echo "$0: Configuration complete; ready for start up"
fi
exec "$@"
