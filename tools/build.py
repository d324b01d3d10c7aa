"""Builds the Lambda artifacts deterministically: an unchanged build gives byte-identical zips (and hashes).

- `build/dist/layer.zip`: the shared `tvguide` package plus its third-party dependencies
  (requirements/layer.txt) as wheels for the Lambda runtime (CPython 3.12, manylinux, the chosen
  architecture), under `python/` as Lambda layers expect.
- `build/dist/<service>.zip`: only that service's own package (`tvguide_<service>/`, hyphens as underscores).

Zips have sorted entries, fixed timestamps and fixed permissions. The pip step is cached on the hash of
its inputs, so a rebuild after a code change takes well under a second.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DIST = BUILD / "dist"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
PLATFORMS = {
    "x86_64": ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"],
    "arm64": ["manylinux2014_aarch64", "manylinux_2_17_aarch64", "manylinux_2_28_aarch64"],
}
EXCLUDED_PARTS = {"__pycache__", "tests"}
# Layer packages published as source only: pure Python (no compiled code, so any platform's build is the
# Lambda's), built into wheels here first, then installed with the others.
SOURCE_ONLY = {"http-ece"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}


def _files(base: Path) -> list[Path]:
    return sorted(
        p
        for p in base.rglob("*")
        if p.is_file()
        and not EXCLUDED_PARTS.intersection(p.relative_to(base).parts)
        and p.suffix not in EXCLUDED_SUFFIXES
    )


def deterministic_zip(target: Path, entries: list[tuple[Path, str]]) -> str:
    """Write `entries` (source file, archive name) to `target`; return the sha256 of the zip."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for source, name in sorted(entries, key=lambda e: e[1]):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes())
    tmp.replace(target)
    return hashlib.sha256(target.read_bytes()).hexdigest()


def _layer_inputs_hash(architecture: str) -> str:
    digest = hashlib.sha256()
    digest.update(architecture.encode())
    digest.update((ROOT / "requirements" / "layer.txt").read_bytes())
    return digest.hexdigest()


def _forget_console_scripts(site: Path) -> None:
    """Console scripts are not shipped in the layer (pip wrote them outside it, with this virtualenv's
    path in their first line): drop them from the wheels' RECORD files too, so two checkouts build the
    same layer."""
    for record in sorted(site.glob("*.dist-info/RECORD")):
        lines = record.read_text().splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith("../../bin/")]
        if kept != lines:
            record.write_text("".join(kept))


def build_layer_dependencies(architecture: str) -> Path:
    """pip-install the layer's third-party wheels for the Lambda platform (cached on its inputs)."""
    deps = BUILD / f"layer-deps-{architecture}"
    stamp = deps / ".inputs"
    wanted = _layer_inputs_hash(architecture)
    if stamp.exists() and stamp.read_text() == wanted:
        _forget_console_scripts(deps / "python")  # a cache made before this rule
        return deps
    shutil.rmtree(deps, ignore_errors=True)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(deps / "python"), "--implementation", "cp", "--python-version", "3.12",
        "--only-binary=:all:", "--no-compile",
        "-r", str(ROOT / "requirements" / "layer.txt"),
    ]  # fmt: skip
    for platform in PLATFORMS[architecture]:
        command += ["--platform", platform]
    pins = [
        line.split("#")[0].strip() for line in (ROOT / "requirements" / "layer.txt").read_text().splitlines()
    ]
    source_only = [pin for pin in pins if pin.split("==")[0].lower() in SOURCE_ONLY]
    if source_only:
        wheels = deps / "wheels"
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--wheel-dir", str(wheels), *source_only],
            check=True,
        )  # fmt: skip
        command += ["--find-links", str(wheels)]
    subprocess.run(command, check=True)
    for leftover in (deps / "python").glob("bin"):
        shutil.rmtree(leftover)
    _forget_console_scripts(deps / "python")
    stamp.write_text(wanted)
    return deps


def services() -> list[str]:
    """Every folder of services/ holding its package (tvguide_<name>): adding a service is one folder."""
    return sorted(
        d.name
        for d in (ROOT / "services").iterdir()
        if (d / f"tvguide_{d.name.replace('-', '_')}" / "__init__.py").is_file()
    )


def build(architecture: str) -> dict[str, str]:
    hashes: dict[str, str] = {}
    deps = build_layer_dependencies(architecture) / "python"
    layer_entries = [(p, f"python/{p.relative_to(deps).as_posix()}") for p in _files(deps)]
    lib = ROOT / "libs" / "tvguide"
    layer_entries += [(p, f"python/tvguide/{p.relative_to(lib).as_posix()}") for p in _files(lib)]
    hashes["layer"] = deterministic_zip(DIST / "layer.zip", layer_entries)
    for service in services():
        name = f"tvguide_{service.replace('-', '_')}"
        package = ROOT / "services" / service / name
        entries = [(p, f"{name}/{p.relative_to(package).as_posix()}") for p in _files(package)]
        hashes[service] = deterministic_zip(DIST / f"{service}.zip", entries)
    (DIST / "manifest.json").write_text(
        json.dumps({"architecture": architecture, "sha256": hashes}, indent=2, sort_keys=True) + "\n"
    )
    return hashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--architecture", choices=sorted(PLATFORMS), default="x86_64")
    args = parser.parse_args()
    hashes = build(args.architecture)
    for name, digest in hashes.items():
        size = (DIST / f"{name}.zip").stat().st_size
        print(f"  {name:<11} {size / 1024:8.0f} KiB  sha256 {digest[:16]}")


if __name__ == "__main__":
    main()
