"""What `make up` puts into a fresh local stack: the fake Watchmode key, local users with their preferences,
and one pipeline run as a tracked job."""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from local_instance import FAKE_API_KEY, step
from stack_client import StackClient, StackError, wait_for_demand_checked, wait_for_job

# Users created in every local stack's Cognito pool (local-only passwords), with realistic, overlapping
# preferences seeded for them.
LOCAL_USERS: list[dict[str, Any]] = [
    {
        "role": "viewer",
        "email": "viewer@tvguide.local",
        # bandit B105: local emulator credentials only
        "password": "Viewer-Local-2026!",  # nosec B105
        "groups": [],
        "sources": ["203", "409", "26"],
        "genres": ["4", "5", "7"],
    },
    {
        "role": "admin",
        "email": "admin@tvguide.local",
        # bandit B105: local emulator credentials only
        "password": "Admin-Local-2026!",  # nosec B105
        "groups": ["SecurityAdmins"],
        "sources": ["372", "413", "409"],
        "genres": ["8", "3", "13"],
    },
]


# --- AWS (emulator) ------------------------------------------------------------------------------------


def put_watchmode_key(stack: StackClient, secret_name: str) -> None:
    stack.client("secretsmanager").put_secret_value(
        SecretId=secret_name, SecretString=json.dumps({"api_key": FAKE_API_KEY})
    )


def create_users(stack: StackClient, user_pool_id: str) -> list[dict[str, Any]]:
    """Create (or reset) the local users, with permanent passwords and groups; returns them with their sub."""
    cognito = stack.client("cognito-idp")
    users = []
    for spec in LOCAL_USERS:
        with suppress(cognito.exceptions.UsernameExistsException):
            cognito.admin_create_user(
                UserPoolId=user_pool_id,
                Username=spec["email"],
                UserAttributes=[
                    {"Name": "email", "Value": spec["email"]},
                    {"Name": "email_verified", "Value": "true"},
                ],
                MessageAction="SUPPRESS",
            )
        cognito.admin_set_user_password(
            UserPoolId=user_pool_id, Username=spec["email"], Password=spec["password"], Permanent=True
        )
        for group in spec["groups"]:
            cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=spec["email"], GroupName=group)
        attributes = cognito.admin_get_user(UserPoolId=user_pool_id, Username=spec["email"])["UserAttributes"]
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
        users.append({**spec, "user_id": sub})
    return users


def seed_preferences(stack: StackClient, table: str, users: list[dict[str, Any]]) -> None:
    from tvguide.models import Preferences

    repository = stack.preferences(table)
    for user in users:
        repository.put(user["user_id"], Preferences(sources=user["sources"], genres=user["genres"]))


def run_pipeline_once(stack: StackClient, requested_by: str) -> dict[str, Any]:
    """Reference, then a titles refresh, each a tracked job (as the schedules run them); wait for the
    refresh job to succeed: its titles stored and enriched."""
    functions = stack.info["functions"]
    event = {"requested_by": requested_by}
    with step("Waiting for the new-demand function to see the seeded preferences (no sources yet: no crawl)"):
        wait_for_demand_checked(stack, len(stack.info["seeded_viewers"]))
    with step("Running the reference function (sources and genres)"):
        print("    ", stack.invoke(functions["reference"], event), flush=True)
    with step("Running the ingestion function"):
        report = stack.invoke(functions["ingestion"], event)
        print("    ", report, flush=True)
    if report.get("status") != "succeeded":
        raise StackError(f"ingestion did not run: {report}")
    with step(f"Waiting for job {report['job_id']}: {report['titles_published']} titles stored and enriched"):
        job = wait_for_job(stack, report["job_id"])
        if job.status != "succeeded":
            raise StackError(f"job {job.job_id} {job.status}: {job.error}")
        print("    ", json.dumps(job.progress), flush=True)
    return {"ingestion": report, "job": job.view(), "titles": stack.title_counts()}
