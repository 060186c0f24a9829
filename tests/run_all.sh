#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine, then runs all of it.
# This is the README's test command; .ci/run calls it and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m pip install -q -e '.[test]'
# torch only for run.watch() and tensor inputs; pinned so pip takes the CPU build.
python3 -m pip install -q torch==2.13.0
python3 -m pytest -q -p no:cacheprovider "$@"
