#!/bin/sh
# The official curlimages/curl entrypoint: arguments that start with an option,
# or whose first word is no command in PATH (a URL, say), are curl's.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ]; then
  set -- curl "$@"
fi
exec "$@"
