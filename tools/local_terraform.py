"""Terraform against the local emulator (tflocal): offline provider mirror, per-instance state, variables,
plans for the plan-level tests."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from local_instance import EMULATOR, INSTANCES, ROOT, TERRAFORM_DIR, Instance, fail
from stack_client import REGION, StackClient

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
    config = instance.state_dir / "terraformrc"
    if mirror:
        instance.state_dir.mkdir(parents=True, exist_ok=True)
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


def working_dir(instance: Instance, source: Path = TERRAFORM_DIR) -> Path:
    """This instance's own working copy of a root configuration: a folder of symlinks to every entry of
    `source`, so the files Terraform and tflocal write (tflocal's provider override, the local backend
    override, the lock file) live in .local/<instance>/, never in terraform/. Instances apply side by side,
    and an AWS `terraform init` in terraform/ is never redirected to a local backend."""
    work = instance.state_dir / "tf" / ("root" if source == TERRAFORM_DIR else source.name)
    work.mkdir(parents=True, exist_ok=True)
    wanted = {
        entry.name: entry
        for entry in source.iterdir()
        if not entry.name.startswith(".")
        and not entry.name.endswith(("_override.tf", ".tfstate", ".tfplan"))
        and entry.name != "bootstrap"
    }
    for entry in work.iterdir():
        if entry.is_symlink() and (entry.name not in wanted or entry.resolve() != wanted[entry.name]):
            entry.unlink()
    for name, target in wanted.items():
        if not (work / name).is_symlink():
            (work / name).symlink_to(target)
    if source == TERRAFORM_DIR:
        (work / LOCAL_BACKEND_OVERRIDE).write_text(
            "# Written by tools/local_terraform.py: local stacks keep their state in .local/<instance>/.\n"
            'terraform {\n  backend "local" {}\n}\n'
        )
    return work


def run_terraform(
    instance: Instance, *args: str, capture: bool = False, directory: Path = TERRAFORM_DIR
) -> str:
    """tflocal in this instance's working copy of `directory` (the root config, or the bootstrap)."""
    result = _run(instance, list(args), directory)
    if result.returncode != 0:
        if capture:
            print(result.stdout[-5000:], result.stderr[-5000:], file=sys.stderr)
        fail(f"terraform {args[0]} failed (exit {result.returncode})")
    return result.stdout if capture else ""


def _run(instance: Instance, args: list[str], directory: Path) -> subprocess.CompletedProcess[str]:
    name = "terraform" if directory == TERRAFORM_DIR else directory.name
    env = terraform_env(instance) | {"TF_DATA_DIR": str(instance.state_dir / f"{name}-data")}
    state = instance.state_dir / f"{name}.tfstate"
    command = [tflocal(), *args]
    if args[0] == "init" and directory == TERRAFORM_DIR:
        command += ["-reconfigure", f"-backend-config=path={state}"]
    elif args[0] in ("plan", "apply", "destroy", "output", "import") and directory != TERRAFORM_DIR:
        command.insert(2, f"-state={state}")
    return subprocess.run(
        command,
        cwd=working_dir(instance, directory),
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )


# The file name of the local backend override, in each instance's working copy (sorts after tflocal's).
LOCAL_BACKEND_OVERRIDE = "zz_local_backend_override.tf"


def terraform_init(instance: Instance) -> None:
    run_terraform(instance, "init", "-input=false", "-no-color", capture=True)


def terraform_validate() -> None:
    """`terraform validate` of the root configuration and the bootstrap (no backend, no emulator)."""
    instance = replace(INSTANCES["test"], name="validate")
    for directory in (TERRAFORM_DIR, TERRAFORM_DIR / "bootstrap"):
        env = terraform_env(instance) | {"TF_DATA_DIR": str(instance.state_dir / f"{directory.name}-data")}
        for args in (["init", "-backend=false", "-input=false", "-no-color"], ["validate", "-no-color"]):
            result = subprocess.run(
                ["terraform", *args],
                cwd=working_dir(instance, directory),
                env=env,
                text=True,
                capture_output=True,
                check=False,
            )
            if result.returncode != 0:
                print(result.stdout[-5000:], result.stderr[-5000:], file=sys.stderr)
                fail(f"terraform {args[0]} failed in {directory.relative_to(ROOT)}")
        print(f"{directory.relative_to(ROOT)}: {result.stdout.strip()}")


# A create that the emulator carried out but answered too slowly: the provider's retry of it then finds
# what its first try made ("already exists"), and the resource is missing from the state. For these types
# the id in the provider's message ("creating <what> (<id>): ...") is also the import id.
IMPORTABLE_BY_MESSAGE_ID = {
    "aws_cloudwatch_log_group",
    "aws_lambda_function",
    "aws_iam_role",
    "aws_dynamodb_table",
    "aws_kinesis_stream",
    "aws_s3_bucket",
}
ALREADY_EXISTS = re.compile(
    r"Error: creating [^(\n]*\((?P<id>[^)\n]+)\):[^\n]*(?:AlreadyExists|already exists?|ResourceConflict)"
    r".*?\n\s*with (?P<address>[^,\n]+),",
    re.DOTALL,
)
# The same for an API Gateway resource, whose message names its path part, not its id: the id is found
# by asking the emulator for the REST API's resources (the API itself is in the state by then).
GATEWAY_RESOURCE_EXISTS = re.compile(
    r"Error: creating API Gateway Resource:[^\n]*already has this name: (?P<part>[^\s]+)"
    r".*?\n\s*with (?P<address>[^,\n]+aws_api_gateway_resource\.[^,\n]+),",
    re.DOTALL,
)
APPLY_ATTEMPTS = 3


def already_existing(output: str) -> list[tuple[str, str]]:
    """(resource address, import id) for each create that failed because its resource already exists,
    when the id can be read from the provider's message."""
    found = []
    for block in re.split(r"(?=Error: )", output):
        match = ALREADY_EXISTS.search(block)
        if not match:
            continue
        address = match["address"].strip()
        resource_type = address.split(".")[-2] if "." in address else ""
        if resource_type.split("[")[0] in IMPORTABLE_BY_MESSAGE_ID:
            found.append((address, match["id"].strip()))
    return found


def existing_gateway_resources(instance: Instance, output: str) -> list[tuple[str, str]]:
    """(resource address, import id `<api id>/<resource id>`) for each API Gateway resource a timed-out
    create made anyway."""
    found = []
    for block in re.split(r"(?=Error: )", output):
        match = GATEWAY_RESOURCE_EXISTS.search(block)
        if not match:
            continue
        address = match["address"].strip()
        api_address = address.split(".aws_api_gateway_resource.")[0] + ".aws_api_gateway_rest_api.this"
        shown = _run(instance, ["state", "show", "-no-color", api_address], TERRAFORM_DIR).stdout
        api_id = re.search(r'^\s*id\s*=\s*"([^"]+)"', shown, re.MULTILINE)
        if not api_id:
            continue
        client = StackClient(instance.endpoint, REGION, {}).client("apigateway")
        items = client.get_resources(restApiId=api_id[1], limit=500)["items"]
        part = match["part"]
        # The path part alone can repeat under other parents ({token} under two routes): the address's key
        # (public["calendar-feeds"]) is the top-level route, so prefer the match whose parent is that route.
        matches = [r for r in items if r.get("pathPart") == part]
        key = re.search(r'\["([^"]+)"\]', address)
        parents = {r["id"]: r.get("pathPart") for r in items}
        chosen = [r for r in matches if key and parents.get(r.get("parentId")) == key[1]] or matches
        if len(chosen) == 1:
            found.append((address, f"{api_id[1]}/{chosen[0]['id']}"))
    return found


def terraform_apply(instance: Instance) -> None:
    """Apply, converging on a later pass when the emulator was slow: what a timed-out create made anyway
    is imported into the state, and the apply runs again (at most APPLY_ATTEMPTS in all). On AWS the
    deploy workflow applies once; this tolerance is for the local emulator only."""
    arguments = ["apply", "-auto-approve", "-input=false", "-no-color", *terraform_vars(instance)]
    instance.state_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, APPLY_ATTEMPTS + 1):
        result = _run(instance, arguments, TERRAFORM_DIR)
        output = result.stdout + result.stderr
        (instance.state_dir / f"apply-{attempt}.log").write_text(output)
        if result.returncode == 0:
            return
        errors = [line for line in output.splitlines() if line.startswith("Error: ")]
        if attempt == APPLY_ATTEMPTS:
            print(result.stdout[-5000:], result.stderr[-5000:], file=sys.stderr)
            fail(f"terraform apply failed {attempt} times (exit {result.returncode})")
        print(f"    apply attempt {attempt} failed: {errors[0] if errors else 'no error line'}", flush=True)
        for address, import_id in already_existing(output) + existing_gateway_resources(instance, output):
            print(f"    importing {address} ({import_id}), which the emulator created", flush=True)
            variables = terraform_vars(instance)
            imported = _run(
                instance,
                ["import", "-input=false", "-no-color", *variables, address, import_id],
                TERRAFORM_DIR,
            )
            if imported.returncode != 0:
                print(imported.stderr[-2000:], file=sys.stderr)
        time.sleep(2 * attempt)


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
