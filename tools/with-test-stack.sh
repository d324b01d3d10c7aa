#!/usr/bin/env bash
# Runs a command against the isolated *test* instance of the local stack and always stops it afterwards,
# leaving no process behind.   Usage: tools/with-test-stack.sh apply|up COMMAND...
#   apply — the stack applied and seeded, pipeline not run
#   up    — the stack applied, seeded and the pipeline run once (as `make up` does)
# Either way the plan of the applied stack (every value known) is written to .local/test/plan.json.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=$1; shift
py=.venv/bin/python
cleanup() { "$py" tools/local_cloud.py down --instance test >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
case "$mode" in
  apply) "$py" tools/local_cloud.py apply --instance test ;;
  up)    "$py" tools/local_cloud.py up --instance test ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
"$py" tools/local_cloud.py plan-json --instance test --out .local/test/plan.json
export TVGUIDE_STACK_FILE=.local/test/stack.json TVGUIDE_PLAN_FILE=.local/test/plan.json
"$@"
