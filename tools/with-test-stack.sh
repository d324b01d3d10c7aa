#!/usr/bin/env bash
# Runs a command against the isolated *test* instance of the local stack and always stops it afterwards,
# leaving no process behind.   Usage: tools/with-test-stack.sh plan|apply|up COMMAND...
#   plan  — a fresh emulator with nothing applied; writes .local/test/plan.json first
#   apply — the stack applied and seeded, pipeline not run
#   up    — the stack applied, seeded and the pipeline run once (as `make up` does)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=$1; shift
py=.venv/bin/python
cleanup() { "$py" tools/local_cloud.py down --instance test >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
case "$mode" in
  plan)  "$py" tools/local_cloud.py plan-json --instance test --out .local/test/plan.json ;;
  apply) "$py" tools/local_cloud.py apply --instance test ;;
  up)    "$py" tools/local_cloud.py up --instance test ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
export TVGUIDE_STACK_FILE=.local/test/stack.json TVGUIDE_PLAN_FILE=.local/test/plan.json
"$@"
