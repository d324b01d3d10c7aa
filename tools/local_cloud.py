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
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from publish_site import publish as publish_site
from stack_client import REGION, StackClient, StackError, wait_for_job

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
TERRAFORM_DIR = ROOT / "terraform"
MINISTACK_VERSION = "1.5.33"
EMULATOR = os.environ.get("EMULATOR", "ministack")
FAKE_API_KEY = "local-fake-watchmode-key"
MIRROR_CANDIDATES = [
    Path(os.environ.get("TF_PROVIDER_MIRROR", "/nonexistent")),
    Path("/opt/tf-plugins"),
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/share/terraform/plugins"),
    Path("/usr/local/share/terraform/plugins"),
]

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


@dataclass(frozen=True)
class Instance:
    name: str
    emulator_port: int
    fake_port: int
    catalogue_size: int
    fake_rate_limit: int

    @property
    def state_dir(self) -> Path:
        return LOCAL / self.name

    @property
    def stack_file(self) -> Path:
        return LOCAL / "stack.json" if self.name == "dev" else self.state_dir / "stack.json"

    @property
    def endpoint(self) -> str:
        return f"http://localhost:{self.emulator_port}"

    @property
    def fake_url(self) -> str:
        return f"http://localhost:{self.fake_port}"

    @property
    def name_prefix(self) -> str:
        return f"tvguide-{self.name}"


INSTANCES = {
    "dev": Instance("dev", 4566, 8566, catalogue_size=3000, fake_rate_limit=3000),
    "test": Instance("test", 4567, 8567, catalogue_size=3000, fake_rate_limit=3000),
    "bench": Instance("bench", 4568, 8568, catalogue_size=3000, fake_rate_limit=1200),
}


# --- output --------------------------------------------------------------------------------------------


@contextmanager
def step(message: str) -> Iterator[None]:
    print(f"==> {message} ...", flush=True)
    started = time.monotonic()
    yield
    print(f"    done in {time.monotonic() - started:.1f}s", flush=True)


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


# --- processes -----------------------------------------------------------------------------------------


def _http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        # bandit B310: http(s) only
        with urllib.request.urlopen(url, timeout=timeout) as response:  # nosec B310
            return bool(response.status == 200)
    except OSError:
        return False


def _wait_for(url: str, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _http_ok(url):
            return
        time.sleep(0.2)
    fail(f"{what} did not become healthy at {url} within {seconds:.0f}s")


def _pid_file(instance: Instance, name: str) -> Path:
    return instance.state_dir / f"{name}.pid"


def _start(instance: Instance, name: str, command: list[str], env: dict[str, str]) -> None:
    instance.state_dir.mkdir(parents=True, exist_ok=True)
    log = open(instance.state_dir / f"{name}.log", "ab")  # noqa: SIM115 (handed to the child)
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
    )
    _pid_file(instance, name).write_text(str(process.pid))


# What each started process's command line contains: a pid file whose process is something else now
# (the pid was reused after a reboot) is never signalled.
PROCESS_MARKERS = {"emulator": "ministack", "fake-watchmode": "fake_watchmode"}


def _is_ours(pid: int, name: str) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return PROCESS_MARKERS[name] in command


def _stop(instance: Instance, name: str) -> bool:
    pid_file = _pid_file(instance, name)
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    if not _is_ours(pid, name):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    for _ in range(50):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    return True


def emulator_python() -> Path:
    python = LOCAL / "emulator-venv" / "bin" / "python"
    if not python.exists():
        fail("the emulator's virtualenv is missing: run `make emulator-venv` (make up does it for you)")
    return python


def start_emulator(instance: Instance) -> bool:
    """Start MiniStack unless it is already healthy. Returns True when a fresh emulator was started."""
    health = f"{instance.endpoint}/_ministack/health"
    if _http_ok(health, timeout=3):
        return False
    pid_file = _pid_file(instance, "emulator")
    if pid_file.exists() and _is_ours(int(pid_file.read_text()), "emulator"):
        # Running but slow to answer (busy with a large apply or a soak): wait for it, never wipe its state.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _http_ok(health, timeout=3):
                return False
            time.sleep(1)
    _stop(instance, "emulator")
    data = instance.state_dir / "emulator"
    shutil.rmtree(data, ignore_errors=True)
    (data / "tmp").mkdir(parents=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "GATEWAY_PORT": str(instance.emulator_port),
        "BIND_HOST": "127.0.0.1",
        "IOT_MTLS_ENABLED": "0",
        "SFTP_ENABLED": "0",
        "MINISTACK_REGION": REGION,
        "TMPDIR": str(data / "tmp"),
        "STATE_DIR": str(data / "state"),
        "S3_DATA_DIR": str(data / "s3"),
        "LOG_LEVEL": "WARNING",
    }
    _start(instance, "emulator", [str(emulator_python()), "-m", "ministack"], env)
    _wait_for(health, 30, "MiniStack")
    return True


def check_localstack(instance: Instance) -> bool:
    """LocalStack (EMULATOR=localstack) is started by its own CLI, with Docker and an auth token; we only
    check it is there. Untested on the project's machines (no Docker there): see README."""
    if not _http_ok(f"{instance.endpoint}/_localstack/health"):
        fail(
            "LocalStack is not running on "
            f"{instance.endpoint}. Start it first: `LOCALSTACK_AUTH_TOKEN=... localstack start -d` "
            "(needs Docker and a LocalStack account; Cognito and API Gateway v2 need a paid edition)."
        )
    return not (instance.state_dir / "terraform.tfstate").exists()


def start_fake_watchmode(instance: Instance) -> None:
    if _http_ok(f"{instance.fake_url}/_fake/health"):
        return
    _stop(instance, "fake-watchmode")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tools"))
    command = [
        sys.executable, "-m", "fake_watchmode",
        "--port", str(instance.fake_port),
        "--api-key", FAKE_API_KEY,
        "--rate-limit", str(instance.fake_rate_limit),
        "--size", str(instance.catalogue_size),
    ]  # fmt: skip
    _start(instance, "fake-watchmode", command, env)
    _wait_for(f"{instance.fake_url}/_fake/health", 20, "the fake Watchmode server")


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


# --- commands ------------------------------------------------------------------------------------------


def up(instance: Instance, run_pipeline: bool = True) -> dict[str, Any]:
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
    shown = ("endpoint", "viewer_api", "admin_api", "table", "functions", "watchmode")
    print(json.dumps({k: stack[k] for k in shown}, indent=2))
    print(f"Site:       {stack['site']['url']}  (open it in a browser)")
    print(f"Viewer API: {stack['viewer_api']['url']}")
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
        },
        "viewer_api": {
            "url": f"{instance.endpoint}/_aws/execute-api/{outputs['viewer_api']['rest_api_id']}"
            f"/{outputs['viewer_api']['stage']}",
            "rest_api_id": outputs["viewer_api"]["rest_api_id"],
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
    instance.stack_file.parent.mkdir(parents=True, exist_ok=True)
    instance.stack_file.write_text(json.dumps(stack, indent=2) + "\n")
    return stack


def down(instance: Instance) -> None:
    for name in ("fake-watchmode", "emulator"):
        stopped = _stop(instance, name)
        print(f"==> {name}: {'stopped' if stopped else 'not running'}")
    for stale in ("terraform.tfstate", "terraform.tfstate.backup", "emulator"):
        path = instance.state_dir / stale
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    instance.stack_file.unlink(missing_ok=True)


def status(instance: Instance) -> None:
    emulator_up = _http_ok(instance.endpoint + "/_ministack/health")
    fake_up = _http_ok(instance.fake_url + "/_fake/health")
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
        "command", choices=["up", "down", "status", "apply", "plan-json", "bootstrap-plan-json", "validate"]
    )
    parser.add_argument("--instance", choices=sorted(INSTANCES), default="dev")
    parser.add_argument("--out", type=Path, help="plan-json: where to write the plan")
    parser.add_argument(
        "--rate-limit", type=int, help="Watchmode rate limit (requests/minute) for the fake and the stack"
    )
    args = parser.parse_args()
    instance = INSTANCES[args.instance]
    if args.rate_limit:
        instance = replace(instance, fake_rate_limit=args.rate_limit)
    if args.command == "up":
        up(instance)
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
