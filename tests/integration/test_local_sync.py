"""`make sync` on the running stack: an edited handler answers with its new code without an apply, and the
site's edited files are served; then the original code is put back the same way."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import requests

import local_sync

HANDLER = "tvguide_preferences_api/handler.py"
ORIGINAL = '    """Active streaming sources in the configured regions (public)."""\n'
EDITED = ORIGINAL + '    return [{"id": "edited-by-sync", "name": "live"}]\n'


def _edited_zip(original: Path, target: Path) -> Path:
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == HANDLER:
                text = data.decode()
                assert ORIGINAL in text, "the edit this test makes no longer applies to the handler"
                data = text.replace(ORIGINAL, EDITED).encode()
            copy.writestr(info, data)
    return target


def _sources(url: str) -> list[dict[str, str]]:
    response = requests.get(url + "/sources", timeout=30)
    assert response.status_code == 200, response.text
    return list(response.json())


def _answer_within(url: str, wanted: bool, seconds: float = 30) -> list[dict[str, str]]:
    """The answer, once it is (or is no longer) the edited one; the last answer after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        answer = _sources(url)
        edited = answer == [{"id": "edited-by-sync", "name": "live"}]
        if edited == wanted or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_an_edited_handler_answers_with_its_new_code_and_goes_back(stack, tmp_path):
    lam = stack.client("lambda")
    name = stack.info["functions"]["preferences_api"]
    url = stack.info["preferences_api"]["url"]
    deployed = local_sync.deployed_stack(local_sync.INSTANCES[stack.info["instance"]])
    original = deployed.functions[name]
    assert original.name == "preferences-api.zip"
    before = _sources(url)
    assert before and all(s["id"] != "edited-by-sync" for s in before)

    edited = _edited_zip(original, tmp_path / "preferences-api.zip")
    try:
        assert local_sync.sync_function(lam, name, edited) is True
        local_sync.wait_until_updated(lam, name)
        assert _answer_within(url, wanted=True) == [{"id": "edited-by-sync", "name": "live"}]
        assert local_sync.sync_function(lam, name, edited) is False  # nothing changed: nothing sent
    finally:
        local_sync.sync_function(lam, name, original)
        local_sync.wait_until_updated(lam, name)
    assert _answer_within(url, wanted=False) == before


def test_an_edited_site_file_is_served_and_a_stale_one_removed(stack):
    s3 = stack.client("s3")
    bucket = stack.info["site"]["bucket"]
    assert local_sync.sync_site(s3, bucket) == []  # the applied site is the built one
    css = "css/app.css"
    s3.put_object(Bucket=bucket, Key=css, Body=b"/* stale */", ContentType="text/css; charset=utf-8")
    s3.put_object(Bucket=bucket, Key="js/removed.js", Body=b"", ContentType="text/javascript")
    assert local_sync.sync_site(s3, bucket) == [css, "js/removed.js (deleted)"]
    served = s3.get_object(Bucket=bucket, Key=css)
    assert served["Body"].read() == (local_sync.build_site.OUT / css).read_bytes()
    assert served["ContentType"] == "text/css; charset=utf-8"
    assert io.BytesIO(s3.get_object(Bucket=bucket, Key="config.js")["Body"].read()).read()  # left alone
