"""Browser tests: Playwright (Python) driving Debian's Chromium against the site on the local stack.

Every page a test opens is watched: console errors, page errors and Content-Security-Policy violations fail
the test when it ends (a test that expects one, e.g. a refused request, says so with `allow_console`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from stack_client import StackClient

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AXE = Path("web/node_modules/axe-core/axe.min.js")
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ".local/test/screenshots"))
# As root, headless, on a machine with no internet (Chromium's own connections are refused, many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def stack() -> StackClient:
    path = Path(os.environ.get("TVGUIDE_STACK_FILE", ".local/test/stack.json"))
    if not path.exists():
        pytest.fail(f"{path} is missing: run the browser tests through `make test`")
    return StackClient.from_file(path)


@pytest.fixture(scope="session")
def site(stack: StackClient) -> str:
    return str(stack.info["site"]["url"])


@pytest.fixture(scope="session")
def users(stack: StackClient) -> dict[str, dict[str, str]]:
    return {u["role"]: u for u in stack.info["users"]}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


class Watched:
    """A page and what it complained about."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.allowed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("dialog", self._dialog)

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def allow_console(self, fragment: str) -> None:
        self.allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a in p for a in self.allowed)]


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Generous: on a loaded machine (CI beside other stacks) the emulator's answers slow down a lot; a
    # wait only takes this long when something is wrong.
    page.set_default_timeout(60_000)
    watch = Watched(page)
    yield watch
    context.close()
    assert not watch.unexpected(), watch.unexpected()
    assert not watch.dialogs, f"a dialog fired: {watch.dialogs}"


@pytest.fixture
def page(watched: Watched) -> Page:
    return watched.page


def sign_in(page: Page, site: str, user: dict[str, str]) -> None:
    page.goto(site)
    page.fill("#signInEmail", user["email"])
    page.fill("#signInPassword", user["password"])
    page.click("#signInSubmit")
    page.wait_for_selector("#user-greeting:not(.d-none)")


def accessibility_violations(browser: Browser, url: str, prepare=None) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical violations on a page (in a context that lets the test inject axe)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(url)
        if prepare:
            prepare(page)
        page.add_script_tag(content=AXE.read_text())
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    finally:
        context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky bar is drawn where the page was scrolled to
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def token_of(page: Page) -> str:
    return str(page.evaluate("() => localStorage.getItem('id_token')"))


def api_json(stack: StackClient, token: str, path: str, admin: bool = False) -> tuple[object, dict[str, str]]:
    import requests

    base = stack.info["admin_api" if admin else "preferences_api"]["url"]
    response = requests.get(base + path, headers={"Authorization": token}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json(), dict(response.headers)


__all__ = ["accessibility_violations", "api_json", "json", "screenshot", "sign_in", "token_of"]
