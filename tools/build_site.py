"""Builds the static site into build/site, deterministically: the site's own files from web/ (index.html,
css/, js/, img/) and the pinned third-party assets from web/node_modules (installed from the npm registry by
`npm ci` against web/package-lock.json; see the Makefile), under vendor/. No bundler: the JavaScript is plain
ES modules. Fails when the site's JavaScript + CSS weigh more than the budget (gzipped).

    python tools/build_site.py            # writes build/site and build/site-manifest.json
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
OUT = ROOT / "build" / "site"
OWN = ("index.html", "manifest.webmanifest", "css", "js", "img")
SERVICE_WORKER = "sw.js"  # written last: it names every other file and the build's hash
VENDOR = {
    "vendor/bootstrap.min.css": "node_modules/bootstrap/dist/css/bootstrap.min.css",
    "vendor/amazon-cognito-identity.min.js": (
        "node_modules/amazon-cognito-identity-js/dist/amazon-cognito-identity.min.js"
    ),
}
BUDGET_GZIPPED_BYTES = 120 * 1024  # the site's JS + CSS


def site_files() -> dict[str, Path]:
    """Archive name -> source file, sorted."""
    files: dict[str, Path] = {}
    for entry in OWN:
        source = WEB / entry
        if source.is_file():
            files[entry] = source
        else:
            for path in sorted(p for p in source.rglob("*") if p.is_file()):
                files[path.relative_to(WEB).as_posix()] = path
    for name, relative in VENDOR.items():
        source = WEB / relative
        if not source.is_file():
            sys.exit(f"{source.relative_to(ROOT)} is missing: run `make build` (it runs npm ci in web/)")
        files[name] = source
    return dict(sorted(files.items()))


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def service_worker(build: str, shell: list[str]) -> bytes:
    """web/sw.js with this build's hash and its files (the app shell it caches) filled in."""
    source = (WEB / SERVICE_WORKER).read_text()
    lines = {
        'const BUILD = "dev";': f"const BUILD = {json.dumps(build[:16])};",
        "const SHELL = [];": f"const SHELL = {json.dumps(sorted(shell))};",
    }
    for placeholder, value in lines.items():
        if placeholder not in source:
            sys.exit(f"web/{SERVICE_WORKER} has no `{placeholder}` line for the build to fill in")
        source = source.replace(placeholder, value, 1)
    return source.encode()


def build() -> tuple[int, int]:
    """Returns (files, gzipped bytes of JS + CSS)."""
    shutil.rmtree(OUT, ignore_errors=True)
    sizes: dict[str, dict[str, int]] = {}
    digest = hashlib.sha256()
    for name, source in site_files().items():
        data = source.read_bytes()
        target = OUT / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        digest.update(name.encode() + b"\0" + data)
        sizes[name] = {"bytes": len(data), "gzipped": gzipped_size(data)}
    worker = service_worker(digest.hexdigest(), list(sizes))
    (OUT / SERVICE_WORKER).write_bytes(worker)
    sizes[SERVICE_WORKER] = {"bytes": len(worker), "gzipped": gzipped_size(worker)}
    weight = sum(s["gzipped"] for n, s in sizes.items() if n.endswith((".js", ".css")))
    manifest = {
        "files": sizes,
        "js_css_gzipped_bytes": weight,
        "budget_gzipped_bytes": BUDGET_GZIPPED_BYTES,
        "sha256": digest.hexdigest(),
    }
    (ROOT / "build" / "site-manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    if weight > BUDGET_GZIPPED_BYTES:
        sys.exit(f"the site's JS + CSS weigh {weight} bytes gzipped, over the {BUDGET_GZIPPED_BYTES} budget")
    return len(sizes), weight


def main() -> None:
    files, weight = build()
    print(
        f"  site        {files} files, JS + CSS {weight / 1024:.1f} KiB gzipped "
        f"(budget {BUDGET_GZIPPED_BYTES // 1024} KiB)"
    )


if __name__ == "__main__":
    main()
