"""Smoke test of a deployed (or local) viewer API: stdlib only, so it runs on a bare CI runner.

    python3 tools/smoke_test.py --outputs build/outputs.json     # after `terraform output -json`
    python3 tools/smoke_test.py --url http://localhost:4566/_aws/execute-api/<id>/v1 --origin http://localhost:4566

Checks that the public routes answer JSON arrays, that a signed-in route refuses a missing token with a JSON
401 carrying CORS headers, and that preflight answers. Exits non-zero, saying what failed, otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def request(method: str, url: str, origin: str) -> tuple[int, dict[str, str], Any]:
    req = urllib.request.Request(
        url, method=method, headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
    )
    try:
        # bandit B310: http(s) only
        with urllib.request.urlopen(req, timeout=30) as response:  # nosec B310
            status, headers, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = body.decode(errors="replace")
    return status, {k.lower(): v for k, v in headers.items()}, parsed


def smoke(base_url: str, origin: str) -> list[str]:
    problems = []
    base = base_url.rstrip("/")
    for path in ("/sources", "/genres"):
        status, _, body = request("GET", base + path, origin)
        if status != 200 or not isinstance(body, list):
            problems.append(f"GET {path}: expected 200 with a JSON array, got {status} {str(body)[:200]}")
    status, headers, body = request("GET", base + "/preferences", origin)
    if status != 401 or not isinstance(body, dict) or "message" not in body:
        problems.append(
            f"GET /preferences without a token: expected a JSON 401, got {status} {str(body)[:200]}"
        )
    if "access-control-allow-origin" not in headers:
        problems.append("GET /preferences without a token: the 401 has no CORS headers")
    status, headers, _ = request("OPTIONS", base + "/titles", origin)
    if status not in (200, 204) or "GET" not in headers.get("access-control-allow-methods", ""):
        problems.append(f"OPTIONS /titles: expected a CORS preflight answer, got {status} {headers}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--outputs", type=Path, help="terraform output -json of the stack")
    parser.add_argument("--url", help="viewer API base URL (instead of --outputs)")
    parser.add_argument("--origin", help="Origin header to send (default: the first allowed origin)")
    args = parser.parse_args()
    if args.outputs:
        outputs = {k: v["value"] for k, v in json.loads(args.outputs.read_text()).items()}
        url = outputs["preferences_api"]["invoke_url"]
        origin = args.origin or outputs["cors_allowed_origins"][0]
    elif args.url:
        url, origin = args.url, args.origin or "http://localhost:4566"
    else:
        parser.error("give --outputs or --url")
    problems = smoke(url, origin)
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        sys.exit(1)
    print(f"smoke test passed against {url}")


if __name__ == "__main__":
    main()
