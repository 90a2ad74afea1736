#!/usr/bin/env bash
# Everything CI checks, in order: ruff, ruff format, mypy, then the test suite on SQLite
# (browser tests included) and, when DATABASE_URL is set, once more on PostgreSQL without the
# tests marked one_database (browser tests, API fuzzing). Every step runs even if an earlier
# one failed; the exit status is non-zero if any failed. Extra arguments go to both pytest
# runs, e.g. `scripts/test.sh tests/core`.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=.venv/bin
[ -x "$BIN/pytest" ] || {
  echo "No $BIN/pytest: run scripts/setup.sh test (or make test) first." >&2
  exit 1
}

if [ -n "${CI:-}" ]; then
  export HYPOTHESIS_PROFILE=ci
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/linju-test.XXXXXX")"
trap 'rm -rf "$workdir"' EXIT

summary=()
failed=0
total_passed=0
total_failed=0
total_skipped=0

count_of() { # $1: word, $2: pytest closing line; prints the number before the word, or 0
  local n
  n="$(grep -oE "[0-9]+ $1" <<<"$2" | head -n 1 | cut -d' ' -f1)"
  echo "${n:-0}"
}

record() { # $1: step name, $2: exit status, $3: detail
  local status=PASS
  if [ "$2" -ne 0 ]; then
    status=FAIL
    failed=1
  fi
  summary+=("$(printf '%-4s  %-26s %s' "$status" "$1" "$3")")
}

run_step() { # $1: step name, then the command
  local name="$1"
  shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  "$@"
  local rc=$?
  record "$name" "$rc" "$([ "$rc" -eq 0 ] || echo "(exit $rc)")"
}

run_pytest() { # $1: step name, $2: database URL or "", then pytest arguments
  local name="$1" url="$2"
  shift 2
  local data_dir log
  data_dir="$(mktemp -d "$workdir/data.XXXXXX")"
  log="$workdir/pytest.$RANDOM.log"
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  if [ -n "$url" ]; then
    LINJU_DATA_DIR="$data_dir" DATABASE_URL="$url" "$BIN/pytest" -n auto "$@" 2>&1 | tee "$log"
  else
    env -u DATABASE_URL LINJU_DATA_DIR="$data_dir" "$BIN/pytest" -n auto "$@" 2>&1 | tee "$log"
  fi
  local rc=${PIPESTATUS[0]}
  # pytest's own closing line, e.g. "==== 120 passed, 2 skipped in 31.0s ====".
  local result
  result="$(grep -E '^=+ .*(passed|failed|error|no tests ran|deselected|skipped).* =+$' "$log" |
    tail -n 1 | sed -E 's/^=+ //; s/ =+$//')"
  total_passed=$((total_passed + $(count_of passed "$result")))
  total_failed=$((total_failed + $(count_of failed "$result") + $(count_of errors? "$result")))
  total_skipped=$((total_skipped + $(count_of skipped "$result")))
  case "$rc" in
    0) ;;
    5) result="no tests were collected (pytest exit 5)" ;;
    *) result="${result:-pytest exit $rc} (exit $rc)" ;;
  esac
  record "$name" "$rc" "$result"
}

run_step "ruff check" "$BIN/ruff" check .
run_step "ruff format --check" "$BIN/ruff" format --check .
run_step "mypy linju" "$BIN/mypy" linju

run_pytest "pytest (SQLite)" "" "$@"

if [ -n "${DATABASE_URL:-}" ]; then
  run_pytest "pytest (PostgreSQL)" "$DATABASE_URL" -m "not one_database" "$@"
else
  summary+=("$(printf '%-4s  %-26s %s' SKIP "pytest (PostgreSQL)" "DATABASE_URL is not set")")
fi

printf '\n\033[1m==> Summary\033[0m\n'
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  printf '\033[31mFAILED\033[0m\n'
else
  printf '\033[32mAll checks passed.\033[0m\n'
fi
echo "tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$failed"
