"""Writes (or, with --check, verifies) the APIs' OpenAPI documents from their code.   make openapi

- docs/openapi.json: the viewer API (services/preferences-api)
- docs/openapi-admin.json: the admin API (services/admin-api)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "openapi.json"
ADMIN_DOCUMENT = ROOT / "docs" / "openapi-admin.json"
# The APIs validate their settings when imported; generating the document needs placeholders only.
PLACEHOLDER_SETTINGS = {
    "TABLE_NAME": "openapi",
    "TITLE_STREAM_NAME": "openapi",
    "FUNCTIONS": "{}",
    "DLQ_URLS": "{}",
    "WATCHMODE_API_KEY": "openapi",
    "WEB_PUSH_SECRET_ARN": "openapi",  # nosec B105 (a placeholder name, not a secret)
    "PUSH_SERVICE_ORIGINS": "https://push.example",
}


def generate() -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
    for name, value in PLACEHOLDER_SETTINGS.items():
        os.environ.setdefault(name, value)
    for folder in ("libs", "services/preferences-api"):
        sys.path.insert(0, str(ROOT / folder))
    from tvguide_preferences_api.handler import openapi_document

    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def generate_admin() -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
    for name, value in PLACEHOLDER_SETTINGS.items():
        os.environ.setdefault(name, value)
    for folder in ("libs", "services/admin-api"):
        sys.path.insert(0, str(ROOT / folder))
    from tvguide_admin_api.handler import openapi_document

    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a document is out of date")
    args = parser.parse_args()
    for document, text in ((DOCUMENT, generate()), (ADMIN_DOCUMENT, generate_admin())):
        if args.check:
            if not document.exists() or document.read_text() != text:
                sys.exit(f"{document.relative_to(ROOT)} is out of date: run `make openapi`")
            continue
        document.parent.mkdir(exist_ok=True)
        document.write_text(text)
        print(f"wrote {document.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
