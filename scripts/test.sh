#!/usr/bin/env bash
# Every check, in order: lint, types, the suite on SQLite (today, then a year ahead), the suite
# on PostgreSQL.
# In CI (CI=true) the PostgreSQL pass is mandatory and the browser must be installed; elsewhere a
# missing PostgreSQL server only skips that pass, with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
export PLAYWRIGHT_CHROMIUM_EXECUTABLE="${PLAYWRIGHT_CHROMIUM_EXECUTABLE:-/usr/bin/chromium}"

scripts/ensure-chromium.sh
scripts/ensure-nginx.sh

echo "== ruff"; "$BIN/ruff" check src tests benchmarks
echo "== mypy"; "$BIN/mypy"

echo "== tests on SQLite"
env -u WIREDESK_DATABASE_URL "$BIN/pytest" -q -p no:cacheprovider "$@"

# No test may depend on today's date: the suite runs again with every Python process's wall clock
# a year ahead (tests/support/shifted_clock/sitecustomize.py). time-machine is imported before
# pytest starts, so pytest's note that it cannot rewrite its asserts is expected here.
echo "== tests on SQLite, with the clock a year ahead"
env -u WIREDESK_DATABASE_URL PYTHONPATH="tests/support/shifted_clock${PYTHONPATH:+:$PYTHONPATH}" \
  TEST_CLOCK_SHIFT_DAYS=365 \
  "$BIN/pytest" -q -p no:cacheprovider \
  -W "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning" "$@"

PG_URL="${WIREDESK_TEST_POSTGRESQL_URL:-postgresql://postgres@127.0.0.1:5432/wiredesk}"
if scripts/ensure-postgresql.sh; then
  echo "== tests on PostgreSQL"
  WIREDESK_DATABASE_URL="$PG_URL" WIREDESK_REQUIRE_POSTGRESQL=1 \
    "$BIN/pytest" -q -p no:cacheprovider "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI and could not be started" >&2
  exit 1
else
  echo "== PostgreSQL not available: skipped the PostgreSQL pass (CI runs it)"
fi
