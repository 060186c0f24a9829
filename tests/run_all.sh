#!/usr/bin/env bash
# Installs exactly what the locks pin, runs the static checks, then the test suite; arguments
# go to pytest (e.g. `bash tests/run_all.sh -x tests/test_store.py`).
# This is the README's test command; .ci/run calls it and nothing else. Run it in a venv.
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
  npm ci --no-audit --no-fund --loglevel=error >/dev/null  # errors still go to stderr
  cp package-lock.json node_modules/.wbnb-lock-stamp
fi
# Every Python package, the build backend and torch's CPU build included, exactly as locked
# and checked against the lock's hashes (tests/lock.sh writes it); wheels only, so no
# unpinned build step runs. A no-op when the environment already matches.
python3 -m pip install -q --require-hashes --only-binary :all: -r tests/requirements.lock
# Then wbnb itself, built by the locked hatchling (no isolated build env with unpinned
# packages); its hook bundles js/ into wbnb/static/ (npm run build) when js/ changed.
python3 -m pip install -q --no-deps --no-build-isolation -e .
test -f wbnb/static/curves.js -a -f wbnb/static/vega.js || { echo "widget bundles were not built" >&2; exit 1; }
# Static checks, before any test (configured in pyproject.toml and tsconfig.json): each one
# runs and says what it found; any finding stops the run here.
failed=""
python3 -m ruff check -q --output-format concise wbnb tests benchmarks || failed="$failed ruff-check"
python3 -m ruff format -q --check wbnb tests benchmarks || failed="$failed ruff-format"
python3 -m mypy --no-error-summary || failed="$failed mypy"
lint-imports --no-cache || failed="$failed lint-imports"  # the layers contract in pyproject.toml
npx --no-install tsc --noEmit -p tsconfig.json || failed="$failed tsc"
[ -z "$failed" ] || { echo "static checks failed:$failed" >&2; exit 1; }
# pytest exits non-zero when it collects nothing, and conftest.py fails a session in which
# no test passed; -rs names the reason of any skip.
python3 -m pytest -q -rs -p no:cacheprovider "$@"
