"""Puts edited code live on a running local stack in seconds, without a Terraform apply.

    python tools/local_sync.py [--instance dev]            # build, then update only what changed
    python tools/local_sync.py [--instance dev] --watch    # the same whenever a source file is saved

What changed is decided against the emulator itself: a function whose deployed code (its CodeSha256)
differs from its freshly built zip gets UpdateFunctionCode; a new layer zip is published as a new layer
version and the functions that use the layer are pointed at it; site files whose MD5 differs from the
bucket's ETag are uploaded with the content type and cache header Terraform gives them. Which zip belongs to
which function comes from the instance's Terraform state (the function's key in the artifacts bucket). Each
sync ends with "live in N s": from its start (or, watching, from the save) until every updated function
reports LastUpdateStatus Successful.

The next `make up` re-applies: Terraform then finds the functions' code as its configuration says, or updates
them again to the same bytes. This is a local development tool only; AWS deploys go through Terraform.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import json
import mimetypes
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import build
import build_site
from local_instance import INSTANCES, ROOT, Instance, fail
from stack_client import REGION, StackClient

WATCHED = [ROOT / "services", ROOT / "libs" / "tvguide", ROOT / "web"]
IGNORED_PARTS = {"__pycache__", "node_modules", "tests", ".mypy_cache", ".ruff_cache"}
# As terraform/modules/website gives them (a unit test keeps the two in step).
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ico": "image/x-icon",
    "json": "application/json",
    "map": "application/json",
    "webmanifest": "application/manifest+json",
}
REVALIDATED = (".html", "sw.js", ".webmanifest")  # as terraform/modules/website: never cached stale
GENERATED_SITE_FILES = {"config.js"}  # published by tools/publish_site.py, never by the build


@dataclass
class DeployedStack:
    """What the instance's Terraform state says was deployed: functions and the zip each runs, the layer."""

    functions: dict[str, Path]  # function name -> its zip in build/dist
    layer_name: str
    layer_zip: Path
    layer_runtimes: list[str]
    layer_architectures: list[str]
    site_bucket: str


@dataclass
class SyncReport:
    functions: list[str] = field(default_factory=list)
    layer_version: str | None = None
    site_files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.functions or self.layer_version or self.site_files)


def _resources(state: dict[str, Any], kind: str) -> Iterator[dict[str, Any]]:
    for resource in state.get("resources", []):
        if resource.get("mode") == "managed" and resource.get("type") == kind:
            for item in resource.get("instances", []):
                yield item["attributes"]


def deployed_stack(instance: Instance) -> DeployedStack:
    state_file = instance.state_dir / "terraform.tfstate"
    if not state_file.exists():
        fail(f"no local stack for {instance.name}: run `make up` first")
    state = json.loads(state_file.read_text())
    # Functions and the layer read their zips from the artifacts bucket, under the zip's file name.
    functions = {
        f["function_name"]: build.DIST / f["s3_key"] for f in _resources(state, "aws_lambda_function")
    }
    layers = list(_resources(state, "aws_lambda_layer_version"))
    buckets = [b["bucket"] for b in _resources(state, "aws_s3_bucket") if b["bucket"].endswith("-site")]
    if not functions or len(layers) != 1 or len(buckets) != 1:
        fail(f"the state in {state_file} does not describe a whole stack: run `make up`")
    layer = layers[0]
    return DeployedStack(
        functions=functions,
        layer_name=layer["layer_name"],
        layer_zip=build.DIST / layer["s3_key"],
        layer_runtimes=list(layer.get("compatible_runtimes") or []),
        layer_architectures=list(layer.get("compatible_architectures") or []),
        site_bucket=buckets[0],
    )


def code_sha256(data: bytes) -> str:
    """Lambda's CodeSha256: the base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@contextmanager
def build_lock() -> Iterator[None]:
    """The lock `make build` takes too, so a sync never reads a zip another build is writing."""
    path = ROOT / "build" / ".lock"
    path.parent.mkdir(exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_everything(architecture: str) -> None:
    with build_lock():
        build.build(architecture)
        build_site.build()


def sync_layer(lam: Any, stack: DeployedStack, function_names: list[str]) -> str | None:
    """Publish the layer zip as a new version when it differs from the one the functions use; point every
    function that uses this layer at it. Returns the new version's ARN, or None when nothing changed."""
    data = stack.layer_zip.read_bytes()
    wanted = code_sha256(data)
    users: dict[str, list[str]] = {}
    for name in function_names:
        config = lam.get_function_configuration(FunctionName=name)
        users[name] = [entry["Arn"] for entry in config.get("Layers", [])]
    current = {arn for arns in users.values() for arn in arns if f":layer:{stack.layer_name}:" in arn}
    if current and all(
        lam.get_layer_version_by_arn(Arn=arn)["Content"]["CodeSha256"] == wanted for arn in current
    ):
        return None
    published = lam.publish_layer_version(
        LayerName=stack.layer_name,
        Description="local sync (tools/local_sync.py)",
        Content={"ZipFile": data},
        CompatibleRuntimes=stack.layer_runtimes,
        CompatibleArchitectures=stack.layer_architectures,
    )
    new_arn = str(published["LayerVersionArn"])
    updated = []
    for name, layers in users.items():
        if any(f":layer:{stack.layer_name}:" in arn for arn in layers):
            replaced = [new_arn if f":layer:{stack.layer_name}:" in arn else arn for arn in layers]
            lam.update_function_configuration(FunctionName=name, Layers=replaced)
            updated.append(name)
    for name in updated:  # all updates first, then the waits: they settle side by side
        wait_until_updated(lam, name)
    return new_arn


def sync_function(lam: Any, name: str, zip_path: Path) -> bool:
    """UpdateFunctionCode when the deployed code differs from the zip. Returns True when it did."""
    data = zip_path.read_bytes()
    if lam.get_function_configuration(FunctionName=name)["CodeSha256"] == code_sha256(data):
        return False
    lam.update_function_code(FunctionName=name, ZipFile=data)
    return True


def wait_until_updated(lam: Any, name: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        config = lam.get_function_configuration(FunctionName=name)
        if config.get("LastUpdateStatus") in (None, "Successful"):
            return
        if config.get("LastUpdateStatus") == "Failed":
            fail(f"{name}: update failed: {config.get('LastUpdateStatusReason')}")
        time.sleep(0.1)
    fail(f"{name} was not updated within {seconds:.0f}s")


def sync_site(s3: Any, bucket: str) -> list[str]:
    """Upload the built site's files whose content differs from the bucket's; delete ones no longer built."""
    site = build_site.OUT
    remote: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            remote[item["Key"]] = item["ETag"].strip('"')
    changed = []
    local = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}
    for key, path in local.items():
        data = path.read_bytes()
        if remote.get(key) == hashlib.md5(data, usedforsecurity=False).hexdigest():
            continue
        extension = key.rsplit(".", 1)[-1]
        content_type = CONTENT_TYPES.get(extension) or mimetypes.guess_type(key)[0] or "binary/octet-stream"
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl="no-cache" if key.endswith(REVALIDATED) else "public, max-age=300",
        )
        changed.append(key)
    for key in sorted(set(remote) - set(local) - GENERATED_SITE_FILES):
        s3.delete_object(Bucket=bucket, Key=key)
        changed.append(f"{key} (deleted)")
    return changed


def sync(instance: Instance, architecture: str, started: float | None = None) -> SyncReport:
    started = time.monotonic() if started is None else started
    stack = deployed_stack(instance)
    build_everything(architecture)
    client = StackClient(instance.endpoint, REGION)
    lam = client.client("lambda")
    report = SyncReport()
    names = sorted(stack.functions)
    report.layer_version = sync_layer(lam, stack, names)
    report.functions = [name for name in names if sync_function(lam, name, stack.functions[name])]
    for name in report.functions:
        wait_until_updated(lam, name)
    report.site_files = sync_site(client.client("s3"), stack.site_bucket)
    report.seconds = time.monotonic() - started
    return report


def describe(report: SyncReport, since: str) -> str:
    if not report.changed:
        return f"nothing changed ({report.seconds:.1f}s)"
    parts = []
    if report.layer_version:
        parts.append(f"layer → {report.layer_version.rsplit(':', 1)[-1]}")
    if report.functions:
        parts.append(f"{len(report.functions)} function(s): {', '.join(report.functions)}")
    if report.site_files:
        parts.append(f"{len(report.site_files)} site file(s): {', '.join(report.site_files[:5])}")
    return f"live in {report.seconds:.1f}s {since}: " + "; ".join(parts)


def fingerprint() -> tuple[float, int]:
    """The newest modification time and the number of files under the watched folders."""
    newest, count = 0.0, 0
    for folder in WATCHED:
        for path in folder.rglob("*"):
            if IGNORED_PARTS.intersection(path.relative_to(ROOT).parts) or not path.is_file():
                continue
            count += 1
            newest = max(newest, path.stat().st_mtime)
    return newest, count


def watch(instance: Instance, architecture: str, interval: float = 0.5) -> None:
    print(f"Watching {', '.join(str(w.relative_to(ROOT)) for w in WATCHED)} (Ctrl-C stops)", flush=True)
    seen = fingerprint()
    while True:
        time.sleep(interval)
        current = fingerprint()
        if current == seen:
            continue
        time.sleep(0.2)  # let an editor finish writing
        seen = fingerprint()
        # From the save, as the monotonic clock counts it.
        started = time.monotonic() - max(0.0, time.time() - seen[0])
        try:
            report = sync(instance, architecture, started)
        except (SystemExit, Exception) as exc:  # a broken edit must not end the watch
            print(f"sync failed: {exc}", file=sys.stderr, flush=True)
            continue
        print(describe(report, "after the save"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instance", choices=sorted(INSTANCES), default="dev")
    parser.add_argument("--architecture", choices=sorted(build.PLATFORMS), default="x86_64")
    parser.add_argument("--watch", action="store_true", help="sync whenever a watched file changes")
    args = parser.parse_args()
    instance = INSTANCES[args.instance]
    if args.watch:
        try:
            watch(instance, args.architecture)
        except KeyboardInterrupt:
            print("stopped watching")
        return
    report = sync(instance, args.architecture)
    print(describe(report, "after the command started"), flush=True)


if __name__ == "__main__":
    main()
