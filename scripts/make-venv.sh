#!/usr/bin/env bash
# Makes the suite's Python venv: python3 with its venv module, then the pinned requirements from
# PyPI. A fresh Debian machine may have no python3 or lack its venv module (python3-venv): as
# root they are installed from Debian's packages; otherwise the error says what to install.
# Usage: scripts/make-venv.sh VENV
set -euo pipefail
venv=${1:?usage: make-venv.sh VENV}
cd "$(dirname "$0")/.."
say() { printf '[deps] %s\n' "$*" >&2; }

# Two make runs started together share one venv: the second waits, then finds it made.
exec 9>"$venv.lock"
flock 9
if [ -f "$venv/.installed" ] && [ "$venv/.installed" -nt requirements.txt ]; then exit 0; fi

venv_works() { command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; }
if ! venv_works; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "python3 with its venv module is missing: installing python3 and python3-venv from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
  fi
  venv_works || { say "ERROR: python3 with its venv module is needed: install python3 and python3-venv (Debian) and run again"; exit 2; }
fi
say "creating $venv with $(python3 --version) and the pinned requirements"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r requirements.txt
touch "$venv/.installed"
