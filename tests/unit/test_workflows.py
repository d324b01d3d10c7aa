"""GitHub Actions workflows: they parse, pass actionlint, pin actions and use OIDC with least privilege."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

WORKFLOWS = sorted(Path(".github/workflows").glob("*.yml"))
ACTIONLINT = Path(".local/scan-venv/bin/actionlint")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path):
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(workflow):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def test_the_expected_workflows_exist():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "deploy.yml", "teardown.yml"]


def test_every_workflow_passes_actionlint():
    if not ACTIONLINT.exists():
        pytest.fail("actionlint is missing: `make lint` (or make .local/scan-venv/.installed) installs it")
    result = subprocess.run(
        [str(ACTIONLINT), *map(str, WORKFLOWS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_full_commit_shas(path):
    uses = [step["uses"] for step in steps(load(path)) if "uses" in step]
    assert uses
    for action in uses:
        assert PINNED.match(action), f"{path.name}: {action} is not pinned to a commit SHA"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_minimal_and_per_job(path):
    workflow = load(path)
    top = workflow.get("permissions")
    assert top in ({}, {"contents": "read"}), f"{path.name}: workflow-level permissions {top}"
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", top)
        assert granted is not None, f"{path.name}:{name} has no permissions"
        assert "write-all" not in str(granted)
        writes = {k for k, v in (granted or {}).items() if v == "write"}
        assert writes <= {"id-token", "pull-requests"}, f"{path.name}:{name} writes {writes}"


def test_deploy_assumes_roles_through_oidc_in_a_protected_environment():
    workflow = load(Path(".github/workflows/deploy.yml"))
    plan, build, deploy = (workflow["jobs"][k] for k in ("plan", "build", "deploy"))
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert plan["if"] == "github.event_name == 'pull_request'"
    assert plan["permissions"]["id-token"] == "write" and plan["permissions"]["pull-requests"] == "write"
    assert deploy["needs"] == "build" and "environment" in deploy
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    assert "id-token" not in build["permissions"]  # building needs no cloud access
    roles = {
        job: next(
            s["with"]["role-to-assume"]
            for s in workflow["jobs"][job]["steps"]
            if "configure-aws-credentials" in s.get("uses", "")
        )
        for job in ("plan", "deploy")
    }
    assert roles == {"plan": "${{ vars.AWS_PLAN_ROLE_ARN }}", "deploy": "${{ vars.AWS_DEPLOY_ROLE_ARN }}"}
    text = Path(".github/workflows/deploy.yml").read_text()
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    deploy_runs = " ".join(s.get("run", "") for s in deploy["steps"])
    assert (
        "terraform apply" in deploy_runs
        and "smoke_test.py" in deploy_runs
        and "make build" not in deploy_runs
    )


def test_teardown_is_manual_and_needs_the_environment_name_twice():
    workflow = load(Path(".github/workflows/teardown.yml"))
    assert list(workflow["on"]) == ["workflow_dispatch"]
    assert workflow["jobs"]["destroy"]["if"].startswith("inputs.environment == inputs.confirm && ")
    assert workflow["jobs"]["destroy"]["environment"]["name"] == "${{ inputs.environment }}"


def test_dependabot_watches_pip_actions_and_terraform():
    config = yaml.safe_load(Path(".github/dependabot.yml").read_text())
    assert {u["package-ecosystem"] for u in config["updates"]} == {"pip", "github-actions", "terraform"}


def test_pull_request_plans_see_no_secret():
    """Reproduced: the PR plan job ran with the repository's GOOGLE_CLIENT_SECRET; a plan needs none."""
    deploy = load(Path(".github/workflows/deploy.yml"))
    plan_jobs = [job for job in deploy["jobs"].values() if "pull_request" in str(job.get("if", ""))]
    assert plan_jobs
    for job in plan_jobs:
        assert "secrets." not in yaml.safe_dump(job), job


def test_apply_and_destroy_run_only_from_main():
    """Reproduced (issue 19): deploy.yml accepted workflow_dispatch on any branch and gated the apply only on
    the event name; teardown ran on the chosen ref. Every job that assumes the deploy role runs on main."""
    for path in (Path(".github/workflows/deploy.yml"), Path(".github/workflows/teardown.yml")):
        for name, job in load(path)["jobs"].items():
            uses_deploy_role = "AWS_DEPLOY_ROLE_ARN" in yaml.safe_dump(job) or name == "build"
            if uses_deploy_role:
                assert "github.ref == 'refs/heads/main'" in str(job.get("if")), f"{path.name}:{name}"
