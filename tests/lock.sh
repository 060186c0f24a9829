#!/usr/bin/env bash
# Re-pins tests/requirements.lock from pyproject.toml's `test` extra and tests/requirements.in,
# with hashes, for the Python running it (CI's: 3.11). Keeps existing pins unless asked:
#   bash tests/lock.sh              # after changing a requirement
#   bash tests/lock.sh --upgrade    # move every pin to its newest allowed release
# package-lock.json is npm's: `npm install` refreshes it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links --extra test \
  --output-file tests/requirements.lock "$@" pyproject.toml tests/requirements.in
