#!/usr/bin/env bash
# test.sh — the whole test suite: sets up what it needs (scripts/setup.sh), then runs every
# test and ends with the line `N passed, N failed`. Arguments select test files by path.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node scripts/run-tests.mjs "$@"
