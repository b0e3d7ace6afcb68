#!/usr/bin/env bash
# `make test`: the whole suite on SQLite, then again on PostgreSQL when a server answers; the
# second run repeats only the tests that reach a database (tests/database_only.py).
# PostgreSQL is never required: TEST_DATABASE_URL chooses a server; without it, one on
# 127.0.0.1:5432 is used when it answers. Arguments are passed to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
DEFAULT_PG_URL="postgresql://postgres@127.0.0.1:5432/postgres"
CHROMIUM=/usr/bin/chromium

# Browser tests use Debian's Chromium. Install it when we can; if we cannot, they skip.
install_chromium() {
    [ -x "$CHROMIUM" ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "Chromium is not installed at $CHROMIUM (needs root and apt-get): browser tests will be skipped."
        return 0
    fi
    echo "Installing Debian's chromium for the browser tests..."
    if ! timeout 600 bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium' \
            </dev/null >/tmp/salus-chromium-install.log 2>&1; then
        echo "Could not install chromium (see /tmp/salus-chromium-install.log): browser tests will be skipped."
    fi
}

postgres_answers() {
    "$PY" - "$1" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL at {sys.argv[1]} did not answer: {error}".strip(), file=sys.stderr)
    sys.exit(1)
PY
}

run_suite() {
    local label=$1 started=$SECONDS status
    shift
    echo
    echo "=== Tests on $label ==="
    "$@" "$PY" -m pytest "${PARALLEL[@]}" "${PYTEST_ARGV[@]}"
    status=$?
    echo "=== $label: $( [ $status -eq 0 ] && echo passed || echo "FAILED (pytest exit code $status)" ) in $((SECONDS - started)) s ==="
    return $status
}

PYTEST_ARGV=("$@")
# One pytest worker per core (at most four; TEST_WORKERS=1 runs in one process). Each worker has
# its own database, mail server and upload folder; a test file stays on one worker, so that its
# module fixtures are built once.
workers=${TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}
[ "$workers" -gt 4 ] && workers=4
PARALLEL=()
[ "$workers" -gt 1 ] && PARALLEL=(-n "$workers" --dist loadfile)
install_chromium

failed=0
run_suite "SQLite" env -u TEST_DATABASE_URL || failed=1

pg_url=${TEST_DATABASE_URL:-}
if [ -n "$pg_url" ]; then
    # Asked for explicitly: a server that does not answer is a failure, not a skip.
    run_suite "PostgreSQL ($pg_url)" env TEST_DATABASE_URL="$pg_url" SALUS_DATABASE_TESTS_ONLY=1 || failed=1
elif postgres_answers "$DEFAULT_PG_URL" 2>/dev/null; then
    run_suite "PostgreSQL ($DEFAULT_PG_URL)" env TEST_DATABASE_URL="$DEFAULT_PG_URL" SALUS_DATABASE_TESTS_ONLY=1 || failed=1
else
    echo
    echo "=== PostgreSQL: no server answers on 127.0.0.1:5432 and TEST_DATABASE_URL is not set; skipped ==="
fi

exit $failed
