#!/usr/bin/env bash
# Runs the suite on SQLite, then again on PostgreSQL and with Redis when their URLs are set,
# and says which legs ran. Any failing leg fails the whole run.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export MAINTHING_RATE_LIMITS=on
ran=()
failed=()

leg() {
  local name=$1; shift
  echo "=== leg: $name ==="
  if env "$@" "$BIN/pytest" -q -p no:cacheprovider -n 2 --dist loadfile; then
    ran+=("$name")
  else
    failed+=("$name")
  fi
}

leg sqlite MAINTHING_DATA_DIR="$PWD/var/test/sqlite" MAINTHING_DATABASE_URL=
if [ -n "${MAINTHING_TEST_POSTGRES_URL:-}" ]; then
  leg postgres MAINTHING_DATA_DIR="$PWD/var/test/postgres" \
    MAINTHING_DATABASE_URL="$MAINTHING_TEST_POSTGRES_URL"
else
  echo "PostgreSQL leg skipped: set MAINTHING_TEST_POSTGRES_URL to run it."
fi
if [ -n "${MAINTHING_TEST_REDIS_URL:-}" ]; then
  echo "=== leg: redis ==="
  if MAINTHING_DATA_DIR="$PWD/var/test/redis" MAINTHING_DATABASE_URL= \
     MAINTHING_REDIS_URL="$MAINTHING_TEST_REDIS_URL" \
     "$BIN/pytest" -q -p no:cacheprovider -m redis; then ran+=(redis); else failed+=(redis); fi
else
  echo "Redis leg skipped: set MAINTHING_TEST_REDIS_URL to run it."
fi

echo "Legs passed: ${ran[*]:-none}${failed:+; failed: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
