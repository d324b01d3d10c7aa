"""Runs the whole product locally and offline: emulator, fake Watchmode, Terraform, seed data, pipeline.

    python tools/local_cloud.py up   [--instance dev|test]   # start what is missing, apply, seed, run
    python tools/local_cloud.py down [--instance dev|test]   # stop everything this instance started
    python tools/local_cloud.py status [--instance dev|test]

Each instance has its own ports, name prefix and state folder (.local/<instance>/), so `make test` never
touches the stack `make up` runs. What is where is written to the instance's stack.json
(`.local/stack.json` for dev).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from local_instance import EMULATOR, FAKE_API_KEY, INSTANCES, ROOT, Instance, fail, step
from local_processes import (
    MINISTACK_VERSION,
    check_localstack,
    http_ok,
    start_emulator,
    start_fake_watchmode,
    stop_process,
)
from local_seed import create_users, put_watchmode_key, run_pipeline_once, seed_preferences
from local_terraform import (
    bootstrap_plan_json,
    terraform_apply,
    terraform_init,
    terraform_outputs,
    terraform_plan_json,
    terraform_validate,
)
from publish_site import publish as publish_site
from stack_client import REGION, StackClient, StackError

# --- commands ------------------------------------------------------------------------------------------


def up(instance: Instance, run_pipeline: bool | None = None) -> dict[str, Any]:
    """Start what is missing and converge the stack. The pipeline runs when `run_pipeline` says so, or,
    when it is None, only on a stack with no titles yet (a re-run of `make up` is a quick converge)."""
    started = time.monotonic()
    instance.state_dir.mkdir(parents=True, exist_ok=True)
    label = "Checking LocalStack" if EMULATOR == "localstack" else f"Starting MiniStack {MINISTACK_VERSION}"
    with step(f"{label} on {instance.endpoint}"):
        fresh = check_localstack(instance) if EMULATOR == "localstack" else start_emulator(instance)
        if fresh:
            for stale in ("terraform.tfstate", "terraform.tfstate.backup"):
                (instance.state_dir / stale).unlink(missing_ok=True)
    with step(f"Starting the fake Watchmode server on {instance.fake_url}"):
        start_fake_watchmode(instance)
    with step("terraform init (offline provider mirror when present)"):
        terraform_init(instance)
    with step(f"tflocal apply (name prefix {instance.name_prefix})"):
        terraform_apply(instance)
    outputs = terraform_outputs(instance)
    client = StackClient(instance.endpoint, REGION)
    with step("Storing the fake Watchmode key; creating local users and seeding their preferences"):
        put_watchmode_key(client, outputs["watchmode_secret_name"])
        users = create_users(client, outputs["cognito"]["user_pool_id"])
        seed_preferences(client, outputs["table_name"], users)
    with step("Publishing the site's config.js (generated from the outputs)"):
        publish_site(outputs, client.client("s3"), None, local_endpoint=instance.endpoint)
    stack = write_stack(instance, outputs, users)
    client.stack = stack
    if run_pipeline is None:
        titles = sum(client.title_counts().values())
        run_pipeline = titles == 0
        if not run_pipeline:
            print(f"==> {titles} titles stored already: the pipeline is not re-run (`make refresh` runs it)")
    if run_pipeline:
        try:
            result = run_pipeline_once(client, requested_by=f"make up ({instance.name})")
        except StackError as exc:
            fail(str(exc))
        stack["titles"] = result["titles"]
        instance.stack_file.write_text(json.dumps(stack, indent=2) + "\n")
        enriched = result["titles"].get("ENRICHED", 0)
        print(f"\nReady in {time.monotonic() - started:.0f}s: {enriched} titles enriched", flush=True)
    print(f"Stack description: {instance.stack_file.relative_to(ROOT)}")
    shown = ("endpoint", "preferences_api", "admin_api", "table", "functions", "watchmode")
    print(json.dumps({k: stack[k] for k in shown}, indent=2))
    print(f"Site:       {stack['site']['url']}  (open it in a browser)")
    print(f"Viewer API: {stack['preferences_api']['url']}  (preferences-api)")
    print(f"Admin API:  {stack['admin_api']['url']}")
    for user in stack["users"]:
        print(f"  sign in as {user['role']}: {user['email']} / {user['password']}")
    return stack


def write_stack(instance: Instance, outputs: dict[str, Any], users: list[dict[str, Any]]) -> dict[str, Any]:
    stack = {
        "instance": instance.name,
        "emulator": EMULATOR,
        "endpoint": instance.endpoint,
        "region": REGION,
        "name_prefix": instance.name_prefix,
        "table": outputs["table_name"],
        "title_stream": outputs["title_stream_name"],
        "dlq_urls": outputs["dlq_urls"],
        "functions": outputs["functions"],
        "log_groups": outputs["log_groups"],
        "watchmode": {
            "url": f"{instance.fake_url}/v1/",
            "api_key": FAKE_API_KEY,
            "stats_url": f"{instance.fake_url}/_fake/stats",
            "catalogue_size": instance.catalogue_size,
            "catalogue_seed": 20261121,
            "rate_limit_per_minute": instance.fake_rate_limit,
            "monthly_credit_budget": instance.credit_budget,
        },
        "preferences_api": {
            "url": f"{instance.endpoint}/_aws/execute-api/{outputs['preferences_api']['rest_api_id']}"
            f"/{outputs['preferences_api']['stage']}",
            "rest_api_id": outputs["preferences_api"]["rest_api_id"],
        },
        "admin_api": {
            "url": f"{instance.endpoint}/_aws/execute-api/{outputs['admin_api']['rest_api_id']}"
            f"/{outputs['admin_api']['stage']}",
            "rest_api_id": outputs["admin_api"]["rest_api_id"],
        },
        "cognito": outputs["cognito"] | {"endpoint": instance.endpoint},
        "site": outputs["site"],
        "users": users,
        "seeded_viewers": [
            {"user_id": u["user_id"], "sources": u["sources"], "genres": u["genres"]} for u in users
        ],
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    # The old names, kept for one release so scripts written against them keep working.
    stack["viewer_api"] = stack["preferences_api"]
    stack["functions"] = stack["functions"] | {"viewer_api": stack["functions"]["preferences_api"]}
    stack["log_groups"] = stack["log_groups"] | {"viewer_api": stack["log_groups"]["preferences_api"]}
    instance.stack_file.parent.mkdir(parents=True, exist_ok=True)
    instance.stack_file.write_text(json.dumps(stack, indent=2) + "\n")
    return stack


def refresh(instance: Instance) -> None:
    """One tracked titles refresh on the running stack, as `make up` runs on a new one."""
    if not instance.stack_file.exists():
        fail(f"no local stack for {instance.name}: run `make up` first")
    started = time.monotonic()
    client = StackClient.from_file(instance.stack_file)
    try:
        result = run_pipeline_once(client, requested_by=f"make refresh ({instance.name})")
    except StackError as exc:
        fail(str(exc))
    print(f"Refreshed in {time.monotonic() - started:.0f}s: {result['titles']}")


def down(instance: Instance) -> None:
    for name in ("fake-watchmode", "emulator"):
        stopped = stop_process(instance, name)
        print(f"==> {name}: {'stopped' if stopped else 'not running'}")
    for stale in ("terraform.tfstate", "terraform.tfstate.backup", "emulator"):
        path = instance.state_dir / stale
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    instance.stack_file.unlink(missing_ok=True)


def status(instance: Instance) -> None:
    emulator_up = http_ok(instance.endpoint + "/_ministack/health")
    fake_up = http_ok(instance.fake_url + "/_fake/health")
    print(f"emulator   {instance.endpoint}: {'up' if emulator_up else 'down'}")
    print(f"watchmode  {instance.fake_url}: {'up' if fake_up else 'down'}")
    if instance.stack_file.exists():
        stack = json.loads(instance.stack_file.read_text())
        print(f"table      {stack['table']}: {StackClient(instance.endpoint, REGION, stack).title_counts()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command",
        choices=["up", "refresh", "down", "status", "apply", "plan-json", "bootstrap-plan-json", "validate"],
    )
    parser.add_argument("--instance", choices=sorted(INSTANCES), default="dev")
    parser.add_argument("--refresh", action="store_true", help="up: run the pipeline even on a seeded stack")
    parser.add_argument("--out", type=Path, help="plan-json: where to write the plan")
    parser.add_argument(
        "--rate-limit", type=int, help="Watchmode rate limit (requests/minute) for the fake and the stack"
    )
    parser.add_argument("--catalogue", type=int, help="titles in the fake Watchmode's catalogue")
    parser.add_argument("--credit-budget", type=int, help="Watchmode credits per month (0: no budget)")
    args = parser.parse_args()
    instance = INSTANCES[args.instance]
    if args.rate_limit:
        instance = replace(instance, fake_rate_limit=args.rate_limit)
    if args.catalogue:
        instance = replace(instance, catalogue_size=args.catalogue)
    if args.credit_budget is not None:
        instance = replace(instance, credit_budget=args.credit_budget)
    if args.command == "up":
        up(instance, run_pipeline=True if args.refresh else None)
    elif args.command == "refresh":
        refresh(instance)
    elif args.command == "apply":
        up(instance, run_pipeline=False)
    elif args.command == "down":
        down(instance)
    elif args.command == "status":
        status(instance)
    elif args.command == "validate":
        terraform_validate()
    elif args.command == "bootstrap-plan-json":
        bootstrap_plan_json(instance, args.out or instance.state_dir / "bootstrap-plan.json")
    elif args.command == "plan-json":
        terraform_plan_json(instance, args.out or instance.state_dir / "plan.json")


if __name__ == "__main__":
    main()
