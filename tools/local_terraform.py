"""Terraform against the local emulator (tflocal): offline provider mirror, per-instance state, variables,
plans for the plan-level tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local_instance import EMULATOR, INSTANCES, LOCAL, ROOT, TERRAFORM_DIR, Instance, fail
from stack_client import REGION

MIRROR_CANDIDATES = [
    Path(os.environ.get("TF_PROVIDER_MIRROR", "/nonexistent")),
    Path("/opt/tf-plugins"),
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/share/terraform/plugins"),
    Path("/usr/local/share/terraform/plugins"),
]


# --- terraform -----------------------------------------------------------------------------------------


def terraform_env(instance: Instance) -> dict[str, str]:
    """Environment for tflocal: the emulator endpoint, test credentials, offline provider mirror if any."""
    if not shutil.which("terraform"):
        fail("terraform (>= 1.10) is not on PATH")
    env = dict(os.environ)
    env |= {
        "AWS_ENDPOINT_URL": instance.endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        # bandit B105: local emulator credentials only
        "AWS_SECRET_ACCESS_KEY": "test",  # nosec B105
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "S3_HOSTNAME": "localhost",
        "DISABLE_DEPRECATION_NOTICE": "1",
        "TF_DATA_DIR": str(instance.state_dir / "terraform-data"),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
    }
    mirror = next(
        (m for m in MIRROR_CANDIDATES if (m / "registry.terraform.io" / "hashicorp" / "aws").is_dir()), None
    )
    config = LOCAL / "terraformrc"
    if mirror:
        LOCAL.mkdir(exist_ok=True)
        config.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
            '    include = ["registry.terraform.io/*/*"]\n  }\n'
            '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
        )
        env["TF_CLI_CONFIG_FILE"] = str(config)
    elif env.get("TF_CLI_CONFIG_FILE") and not Path(env["TF_CLI_CONFIG_FILE"]).exists():
        env.pop("TF_CLI_CONFIG_FILE")
    return env


def tflocal() -> str:
    path = Path(sys.executable).parent / "tflocal"
    if not path.exists():
        fail("tflocal is missing from the project virtualenv: run `make venv`")
    return str(path)


def terraform_vars(instance: Instance) -> list[str]:
    # LocalStack runs functions in Docker containers, which reach the host by this name.
    fake_url = instance.fake_url
    if EMULATOR == "localstack":
        fake_url = fake_url.replace("localhost", "host.docker.internal")
    host = f"localhost:{instance.emulator_port}"
    return [
        "-var-file=environments/local.tfvars",
        f"-var=name_prefix={instance.name_prefix}",
        f"-var=watchmode_base_url={fake_url}/v1/",
        f"-var=watchmode_rate_limit_per_minute={instance.fake_rate_limit}",
        f"-var=watchmode_monthly_credit_budget={instance.credit_budget}",
        f"-var=artifacts_dir={ROOT / 'build' / 'dist'}",
        f"-var=site_dir={ROOT / 'build' / 'site'}",
        # The emulator serves the CDN at <label>.cloudfront.<host>, the APIs and Cognito at its endpoint,
        # posters and logos from the fake Watchmode.
        f"-var=site_cdn_local_host={host}",
        f'-var=site_connect_sources=["{instance.endpoint}"]',
        f'-var=site_image_sources=["{instance.fake_url}"]',
    ]


def run_terraform(
    instance: Instance, *args: str, capture: bool = False, directory: Path = TERRAFORM_DIR
) -> str:
    """tflocal in `directory` (the root config, or the bootstrap), with this instance's state and data."""
    name = "terraform" if directory == TERRAFORM_DIR else directory.name
    env = terraform_env(instance) | {"TF_DATA_DIR": str(instance.state_dir / f"{name}-data")}
    state = instance.state_dir / f"{name}.tfstate"
    command = [tflocal(), *args]
    if args[0] == "init" and directory == TERRAFORM_DIR:
        command += ["-reconfigure", f"-backend-config=path={state}"]
    elif args[0] in ("plan", "apply", "destroy", "output") and directory != TERRAFORM_DIR:
        command.insert(2, f"-state={state}")
    with local_backend(directory == TERRAFORM_DIR):
        result = subprocess.run(
            command, cwd=directory, env=env, text=True, capture_output=capture, check=False
        )
    if result.returncode != 0:
        if capture:
            print(result.stdout[-5000:], result.stderr[-5000:], file=sys.stderr)
        fail(f"terraform {args[0]} failed (exit {result.returncode})")
    return result.stdout if capture else ""


LOCAL_BACKEND_OVERRIDE = TERRAFORM_DIR / "zz_local_backend_override.tf"


@contextmanager
def local_backend(wanted: bool) -> Iterator[None]:
    """Local stacks keep their state in .local/<instance>/ instead of the S3 backend used on AWS. The
    override exists only while a local terraform command runs, so a later `terraform init` for AWS from the
    same checkout is never redirected to a local backend. It sorts after tflocal's own override."""
    if not wanted:
        yield
        return
    LOCAL_BACKEND_OVERRIDE.write_text(
        "# Written by tools/local_cloud.py while a local terraform command runs, then removed.\n"
        'terraform {\n  backend "local" {}\n}\n'
    )
    try:
        yield
    finally:
        LOCAL_BACKEND_OVERRIDE.unlink(missing_ok=True)


def terraform_init(instance: Instance) -> None:
    run_terraform(instance, "init", "-input=false", "-no-color", capture=True)


def terraform_validate() -> None:
    """`terraform validate` of the root configuration and the bootstrap (no backend, no emulator)."""
    for directory in (TERRAFORM_DIR, TERRAFORM_DIR / "bootstrap"):
        data = LOCAL / "validate" / directory.name
        env = terraform_env(INSTANCES["test"]) | {"TF_DATA_DIR": str(data)}
        for args in (["init", "-backend=false", "-input=false", "-no-color"], ["validate", "-no-color"]):
            result = subprocess.run(
                ["terraform", *args], cwd=directory, env=env, text=True, capture_output=True, check=False
            )
            if result.returncode != 0:
                print(result.stdout[-5000:], result.stderr[-5000:], file=sys.stderr)
                fail(f"terraform {args[0]} failed in {directory.relative_to(ROOT)}")
        print(f"{directory.relative_to(ROOT)}: {result.stdout.strip()}")


def terraform_apply(instance: Instance) -> None:
    run_terraform(
        instance,
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        *terraform_vars(instance),
        capture=True,
    )


def terraform_plan_json(instance: Instance, out: Path) -> None:
    """Plan against the applied stack (so every value is known) and write it as JSON for plan tests."""
    plan = instance.state_dir / "plan.tfplan"
    run_terraform(
        instance, "plan", "-input=false", "-no-color", f"-out={plan}", *terraform_vars(instance), capture=True
    )
    text = run_terraform(instance, "show", "-json", str(plan), capture=True)
    out.write_text(text)


def bootstrap_plan_json(instance: Instance, out: Path) -> None:
    """Plan the one-off bootstrap (state bucket, GitHub OIDC, deploy and plan roles) for plan-level tests."""
    directory = TERRAFORM_DIR / "bootstrap"
    plan = instance.state_dir / "bootstrap.tfplan"
    run_terraform(instance, "init", "-input=false", "-no-color", capture=True, directory=directory)
    variables = [
        "-var=github_owner=example-org",
        "-var=github_repository=uk-tv-guide",
        "-var=deploy_environment=production",
        f"-var=name_prefix={instance.name_prefix}",
        f"-var=state_bucket_name={instance.name_prefix}-terraform-state",
    ]
    run_terraform(
        instance,
        "plan",
        "-input=false",
        "-no-color",
        f"-out={plan}",
        *variables,
        capture=True,
        directory=directory,
    )
    out.write_text(run_terraform(instance, "show", "-json", str(plan), capture=True, directory=directory))


def terraform_outputs(instance: Instance) -> dict[str, Any]:
    text = run_terraform(instance, "output", "-json", capture=True)
    return {k: v["value"] for k, v in json.loads(text).items()}
