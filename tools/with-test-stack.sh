#!/usr/bin/env bash
# Runs a command against an isolated instance (STACK_INSTANCE, default: test) of the local stack and always stops it afterwards,
# leaving no process behind.   Usage: tools/with-test-stack.sh apply|up COMMAND...
#   apply — the stack applied and seeded, pipeline not run
#   up    — the stack applied, seeded and the pipeline run once (as `make up` does)
# Either way the plan of the applied stack (every value known) is written to .local/test/plan.json.
# ALONGSIDE="command": run it while the stack is set up (most of a set-up is waiting on the emulator);
# its output is shown when both are done, and the run fails if it failed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=$1; shift
py=.venv/bin/python
instance=${STACK_INSTANCE:-test}
extra=()
[ -n "${RATE_LIMIT:-}" ] && extra+=(--rate-limit "$RATE_LIMIT")
[ -n "${CATALOGUE:-}" ] && extra+=(--catalogue "$CATALOGUE")
[ -n "${CREDIT_BUDGET:-}" ] && extra+=(--credit-budget "$CREDIT_BUDGET")
cleanup() { "$py" tools/local_cloud.py down --instance "$instance" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
alongside_pid=""
if [ -n "${ALONGSIDE:-}" ]; then
  mkdir -p ".local/$instance"
  alongside_log=".local/$instance/alongside.log"
  bash -c "$ALONGSIDE" >"$alongside_log" 2>&1 &
  alongside_pid=$!
  echo "==> Running alongside the stack's set-up: $ALONGSIDE (output below when done)"
fi
set_up() {
  case "$mode" in
    apply) "$py" tools/local_cloud.py apply --instance "$instance" "${extra[@]}" ;;
    up)    "$py" tools/local_cloud.py up --instance "$instance" "${extra[@]}" ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
  esac
  if [ "${WRITE_PLAN:-1}" = 1 ]; then
    "$py" tools/local_cloud.py plan-json --instance "$instance" "${extra[@]}" --out ".local/$instance/plan.json"
    "$py" tools/local_cloud.py bootstrap-plan-json --instance "$instance" --out ".local/$instance/bootstrap-plan.json"
  fi
}
set_up_status=0
set_up || set_up_status=$?
if [ -n "$alongside_pid" ]; then
  alongside_status=0
  wait "$alongside_pid" || alongside_status=$?
  echo "==> Alongside the set-up ($ALONGSIDE):"
  cat "$alongside_log"
  if [ "$alongside_status" != 0 ]; then
    echo "error: $ALONGSIDE failed (exit $alongside_status)" >&2
    exit "$alongside_status"
  fi
fi
[ "$set_up_status" = 0 ] || exit "$set_up_status"
export TVGUIDE_STACK_FILE=".local/$instance/stack.json" TVGUIDE_PLAN_FILE=".local/$instance/plan.json"
export TVGUIDE_BOOTSTRAP_PLAN_FILE=".local/$instance/bootstrap-plan.json"
"$@"
