#!/usr/bin/env bash
# Runs a command against an isolated instance (STACK_INSTANCE, default: test) of the local stack and always stops it afterwards,
# leaving no process behind.   Usage: tools/with-test-stack.sh apply|up COMMAND...
#   apply — the stack applied and seeded, pipeline not run
#   up    — the stack applied, seeded and the pipeline run once (as `make up` does)
# Either way the plan of the applied stack (every value known) is written to .local/test/plan.json.
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
case "$mode" in
  apply) "$py" tools/local_cloud.py apply --instance "$instance" "${extra[@]}" ;;
  up)    "$py" tools/local_cloud.py up --instance "$instance" "${extra[@]}" ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
if [ "${WRITE_PLAN:-1}" = 1 ]; then
  "$py" tools/local_cloud.py plan-json --instance "$instance" "${extra[@]}" --out ".local/$instance/plan.json"
  "$py" tools/local_cloud.py bootstrap-plan-json --instance "$instance" --out ".local/$instance/bootstrap-plan.json"
fi
export TVGUIDE_STACK_FILE=".local/$instance/stack.json" TVGUIDE_PLAN_FILE=".local/$instance/plan.json"
export TVGUIDE_BOOTSTRAP_PLAN_FILE=".local/$instance/bootstrap-plan.json"
"$@"
