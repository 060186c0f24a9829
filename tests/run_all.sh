#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine, then runs all of it.
# This is the README's test command; .ci/run calls it and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
# Widget browser tests drive Debian's chromium through playwright (no browser download).
# Server tests start a throwaway PostgreSQL from Debian's binaries.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq $missing >/dev/null
fi
# The widgets' JS dependencies, exactly as locked (again only when the lock changed).
if ! cmp -s package-lock.json node_modules/.wbnb-lock-stamp; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.wbnb-lock-stamp
fi
# Builds wbnb/static/*.js through hatch-jupyter-builder (npm run build) when js/ changed.
python3 -m pip install -q -e '.[test]'
test -f wbnb/static/curves.js -a -f wbnb/static/vega.js || { echo "widget bundles were not built" >&2; exit 1; }
# torch only for run.watch() and tensor inputs; pinned so pip takes the CPU build.
python3 -m pip install -q torch==2.13.0
python3 -m pytest -q -p no:cacheprovider "$@"
