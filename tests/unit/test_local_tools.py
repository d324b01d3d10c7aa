"""The local tools never leave a trap behind: no stray backend override, no signal to a reused pid, and
layers that do not depend on where the checkout lives."""

import os
from pathlib import Path

import pytest


def test_each_instance_has_its_own_terraform_working_copy(tmp_path, monkeypatch):
    """Reproduced: `make up` beside a bench stopped at "Providers override file terraform/
    localstack_providers_override.tf already exists"; and an override left in terraform/ would redirect a
    later AWS `terraform init`. Every file Terraform or tflocal writes now lives in the instance's folder."""
    import local_instance
    import local_terraform

    monkeypatch.setattr(local_instance, "LOCAL", tmp_path)
    dev, bench = local_instance.INSTANCES["dev"], local_instance.INSTANCES["bench"]
    work_dev, work_bench = local_terraform.working_dir(dev), local_terraform.working_dir(bench)
    assert work_dev != work_bench
    for work in (work_dev, work_bench):
        assert work.is_relative_to(tmp_path)
        assert (work / "main.tf").resolve() == local_instance.TERRAFORM_DIR / "main.tf"
        assert (work / "modules").resolve() == local_instance.TERRAFORM_DIR / "modules"
        assert 'backend "local"' in (work / local_terraform.LOCAL_BACKEND_OVERRIDE).read_text()
        assert not (work / "bootstrap").exists()
    assert not list(local_instance.TERRAFORM_DIR.glob("*_override.tf"))
    bootstrap = local_terraform.working_dir(dev, local_instance.TERRAFORM_DIR / "bootstrap")
    assert (bootstrap / "main.tf").resolve() == local_instance.TERRAFORM_DIR / "bootstrap" / "main.tf"
    assert not (bootstrap / local_terraform.LOCAL_BACKEND_OVERRIDE).exists()
    # A file removed from terraform/ leaves no dangling link behind.
    (work_dev / "gone.tf").symlink_to(tmp_path / "nowhere.tf")
    local_terraform.working_dir(dev)
    assert not (work_dev / "gone.tf").is_symlink()


SLOW_CREATE = """
Error: creating CloudWatch Logs Log Group (/aws/lambda/tvguide-test-feed-rebuild): operation error \
CloudWatch Logs: CreateLogGroup, https response error StatusCode: 400, RequestID: 1, \
ResourceAlreadyExistsException: The specified log group already exists

  with module.feed_rebuild.module.function.aws_cloudwatch_log_group.this,
  on modules/lambda-function/main.tf line 12, in resource "aws_cloudwatch_log_group" "this":
  12: resource "aws_cloudwatch_log_group" "this" {

Error: creating SQS Queue (tvguide-test-dlq): operation error SQS: CreateQueue, QueueAlreadyExists

  with module.consumer.aws_sqs_queue.dlq,

Error: creating Lambda Function (tvguide-test-consumer): operation error Lambda: CreateFunction, \
ResourceConflictException: Function already exist: tvguide-test-consumer

  with module.consumer.module.function.aws_lambda_function.this["x"],

Error: reading IAM Role (tvguide-test-reference): timeout

  with module.reference.aws_iam_role.this,
""".replace("\\\n", "")


def test_a_create_the_slow_emulator_made_anyway_is_imported_not_failed():
    """Reproduced: `make test` failed with ResourceAlreadyExistsException for a log group the emulator had
    made while the provider's first try timed out. The apply imports such resources and runs again."""
    import local_terraform

    assert local_terraform.already_existing(SLOW_CREATE) == [
        (
            "module.feed_rebuild.module.function.aws_cloudwatch_log_group.this",
            "/aws/lambda/tvguide-test-feed-rebuild",
        ),
        ('module.consumer.module.function.aws_lambda_function.this["x"]', "tvguide-test-consumer"),
    ]  # an SQS queue's import id is its URL, not its name: left to the next pass's error


def test_an_apply_converges_on_a_later_pass_and_gives_up_after_three(tmp_path, monkeypatch):
    import subprocess

    import local_instance
    import local_terraform

    monkeypatch.setattr(local_instance, "LOCAL", tmp_path)
    monkeypatch.setattr(local_terraform.time, "sleep", lambda _: None)
    calls: list[list[str]] = []
    outcomes = [1, 0, 0, 0]  # apply fails, two imports succeed, apply succeeds

    def run(instance, args, directory):
        calls.append(args[:1] + args[-2:])
        return subprocess.CompletedProcess(args, outcomes.pop(0), "", SLOW_CREATE)

    monkeypatch.setattr(local_terraform, "_run", run)
    monkeypatch.setattr(local_terraform, "terraform_vars", lambda instance: [])
    local_terraform.terraform_apply(local_instance.INSTANCES["test"])
    assert [c[0] for c in calls] == ["apply", "import", "import", "apply"]
    assert calls[1][1:] == [
        "module.feed_rebuild.module.function.aws_cloudwatch_log_group.this",
        "/aws/lambda/tvguide-test-feed-rebuild",
    ]
    outcomes[:] = [1] * 10
    calls.clear()
    with pytest.raises(SystemExit):
        local_terraform.terraform_apply(local_instance.INSTANCES["test"])
    assert [c[0] for c in calls].count("apply") == local_terraform.APPLY_ATTEMPTS


def test_a_pid_file_naming_someone_elses_process_is_never_signalled(tmp_path, monkeypatch):
    import local_instance
    import local_processes

    instance = local_instance.Instance("unit", 1, 2, catalogue_size=1, fake_rate_limit=1)
    monkeypatch.setattr(local_instance, "LOCAL", tmp_path)
    instance.state_dir.mkdir(parents=True)
    (instance.state_dir / "emulator.pid").write_text(str(os.getpid()))  # this test runner, not MiniStack
    assert not local_processes.is_ours(os.getpid(), "emulator")
    assert local_processes.stop_process(instance, "emulator") is False  # this process is alive to say so
    assert not (instance.state_dir / "emulator.pid").exists()


def test_console_scripts_are_left_out_of_the_layers_records(tmp_path):
    """Reproduced: RECORD listed ../../bin/* with hashes of scripts that name the virtualenv's path."""
    import build

    info = tmp_path / "idna-3.20.dist-info"
    info.mkdir()
    (info / "RECORD").write_text("idna/__init__.py,sha256=abc,10\n../../bin/idna,sha256=xyz,218\n")
    build._forget_console_scripts(tmp_path)
    assert (info / "RECORD").read_text() == "idna/__init__.py,sha256=abc,10\n"
    assert Path(build.__file__).name == "build.py"


def test_sync_uploads_site_files_with_the_content_types_terraform_gives_them():
    import re

    import local_sync

    website = (Path(local_sync.ROOT) / "terraform" / "modules" / "website" / "main.tf").read_text()
    block = website.split("content_types = {", 1)[1].split("}", 1)[0]
    terraform_types = dict(re.findall(r'(\w+)\s*=\s*"([^"]+)"', block))
    assert terraform_types == local_sync.CONTENT_TYPES


def test_sync_reads_which_zip_each_function_runs_from_the_state(tmp_path, monkeypatch):
    import json

    import local_instance
    import local_sync

    monkeypatch.setattr(local_instance, "LOCAL", tmp_path)
    instance = local_instance.INSTANCES["dev"]
    instance.state_dir.mkdir(parents=True)

    def resource(kind, *attributes):
        return {"mode": "managed", "type": kind, "instances": [{"attributes": a} for a in attributes]}

    state = {
        "resources": [
            resource(
                "aws_lambda_function",
                {"function_name": "p-consumer", "s3_key": "consumer.zip"},
                {"function_name": "p-feed-rebuild", "s3_key": "preferences-api.zip"},
            ),
            resource(
                "aws_lambda_layer_version",
                {
                    "layer_name": "p-shared",
                    "s3_key": "layer.zip",
                    "compatible_runtimes": ["python3.12"],
                    "compatible_architectures": ["x86_64"],
                },
            ),
            resource("aws_s3_bucket", {"bucket": "p-site"}, {"bucket": "p-exports"}),
            {"mode": "data", "type": "aws_lambda_function", "instances": []},
        ]
    }
    (instance.state_dir / "terraform.tfstate").write_text(json.dumps(state))
    deployed = local_sync.deployed_stack(instance)
    dist = local_sync.build.DIST
    assert deployed.functions == {
        "p-consumer": dist / "consumer.zip",
        "p-feed-rebuild": dist / "preferences-api.zip",
    }
    assert (deployed.layer_name, deployed.layer_zip, deployed.site_bucket) == (
        "p-shared",
        dist / "layer.zip",
        "p-site",
    )
    assert local_sync.code_sha256(b"zip") == "SnD+mqZDbgLC3qNA+9HjUuTvLYzmylKtJdS5VHH8i/I="


GATEWAY_CONFLICT = """
Error: creating API Gateway Resource: operation error API Gateway: CreateResource, https response error \
StatusCode: 409, RequestID: 4331, ConflictException: Another resource with the same parent already has this \
name: calendar-feeds

  with module.preferences_api.module.api.aws_api_gateway_resource.public["calendar-feeds"],
  on modules/rest-api/main.tf line 62, in resource "aws_api_gateway_resource" "public":
""".replace("\\\n", "")


def test_an_api_gateway_resource_the_slow_emulator_made_anyway_is_found_by_its_path_and_imported(
    monkeypatch,
):
    """Seen on a bench's apply: the calendar feed's route was created, the answer came too late, the
    provider's retry got 409 "already has this name", and every later pass failed the same way. Its id is
    looked up among the REST API's resources (the API is in the state) and imported."""
    import subprocess

    import local_instance
    import local_terraform

    shown: list[str] = []

    def run(instance, args, directory):
        shown.append(args[-1])
        return subprocess.CompletedProcess(
            args, 0, '# aws_api_gateway_rest_api.this:\n    id = "api123"\n', ""
        )

    class Gateway:
        def get_resources(self, restApiId, limit):
            assert restApiId == "api123"
            return {"items": [
                {"id": "root", "path": "/"},
                {"id": "r1", "parentId": "root", "pathPart": "calendar-feeds"},
                {"id": "r2", "parentId": "r1", "pathPart": "{token}"},
                {"id": "r3", "parentId": "root", "pathPart": "sources"},
            ]}  # fmt: skip

    class Stack:
        def __init__(self, *args):
            pass

        def client(self, service):
            return Gateway()

    monkeypatch.setattr(local_terraform, "_run", run)
    monkeypatch.setattr(local_terraform, "StackClient", Stack)
    found = local_terraform.existing_gateway_resources(local_instance.INSTANCES["test"], GATEWAY_CONFLICT)
    assert found == [
        ('module.preferences_api.module.api.aws_api_gateway_resource.public["calendar-feeds"]', "api123/r1")
    ]
    assert shown == ["module.preferences_api.module.api.aws_api_gateway_rest_api.this"]
