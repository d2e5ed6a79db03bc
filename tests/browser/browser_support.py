"""What the dashboard's browser tests share: where Chromium and axe-core are, and
:class:`Dashboard`, one page on one live fake."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fakeauth import FakeAuth
from fakeauth.transports.server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"
#: What every browser test waits for a condition at most (Playwright's expect), milliseconds.
WAIT_MS = 5000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing(what: str, how: str) -> None:
    """Skip the test with a reason, or fail it under CI=true (CI must run every browser test)."""
    message = f"{what} is not installed: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)


class Dashboard:
    """One page on one live fake: the fake, its server and what the page did wrong."""

    def __init__(self, page: Any, fake: FakeAuth, server: LiveServer) -> None:
        self.page = page
        self.fake = fake
        self.server = server
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    @property
    def url(self) -> str:
        """The dashboard's URL on this server."""
        return f"{self.server.url}/_fakeauth/"

    def open(self) -> Any:
        """Load the dashboard and wait until its first poll has answered."""
        from playwright.sync_api import expect

        self.page.goto(self.url)
        expect(self.page.locator("#connection")).to_have_text("Connected")
        return self.page

    def screenshot(self, view: str) -> Path:
        """Save a screenshot of one view (a section id) under ``tests/browser/screenshots``."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{view}.png"
        self.page.locator(f"#{view}").screenshot(path=str(path))
        return path
