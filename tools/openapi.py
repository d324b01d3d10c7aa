"""Writes (or, with --check, verifies) docs/openapi.json from the viewer API's code.   make openapi"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "openapi.json"


def generate() -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
    for folder in ("libs", "services/preferences-api"):
        sys.path.insert(0, str(ROOT / folder))
    from tvguide_preferences_api.handler import openapi_document

    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/openapi.json is out of date")
    args = parser.parse_args()
    text = generate()
    if args.check:
        if not DOCUMENT.exists() or DOCUMENT.read_text() != text:
            sys.exit("docs/openapi.json is out of date: run `make openapi`")
        return
    DOCUMENT.parent.mkdir(exist_ok=True)
    DOCUMENT.write_text(text)
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
