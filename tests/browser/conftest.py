"""Fixtures of the dashboard's browser tests: Debian's Chromium driven by Playwright for Python.

Nothing downloads a browser or a driver: Playwright launches the system's ``/usr/bin/chromium``
(never ``playwright install``), with a fresh profile directory, headless, with no network of its
own. Without Chromium the tests skip with a reason, and fail instead under ``CI=true``; the same
goes for axe-core (``npm ci`` in ``tests/browser``). One browser per module, one page per test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from browser.browser_support import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, Dashboard, missing
from fakeauth import FakeAuth
from fakeauth.lanes import Lanes
from fakeauth.transports.server import LiveServer


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium with a fresh ``--user-data-dir``, shared by a module's tests."""
    if not CHROMIUM.exists():
        missing("Chromium", "apt-get install -y chromium chromium-driver")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python", "pip install -e '.[test]'")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            timeout=20_000,
        )
        context.set_default_timeout(WAIT_MS)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def dashboard(browser_context: Any) -> Iterator[Dashboard]:
    """A fresh fake on a live loopback server, and a new page of the shared browser."""
    fake = FakeAuth()
    page = browser_context.new_page()
    with fake.serve() as server:
        board = Dashboard(page, fake, server)
        try:
            yield board
        finally:
            page.close()
    assert board.errors == [], f"the page raised: {board.errors}"


@pytest.fixture
def lanes_dashboard(browser_context: Any) -> Iterator[tuple[Dashboard, Lanes]]:
    """A live loopback server with lanes (as ``fakeauth serve`` runs), and a new page: the
    dashboard's ``fake`` is the default lane's."""
    lanes = Lanes(FakeAuth())
    assert lanes.default is not None
    page = browser_context.new_page()
    with LiveServer(lanes.wsgi_app) as server:
        board = Dashboard(page, lanes.default, server)
        try:
            yield board, lanes
        finally:
            page.close()
    assert board.errors == [], f"the page raised: {board.errors}"
