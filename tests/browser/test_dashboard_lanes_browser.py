"""The dashboard's Lanes view and its state export and import, in a real headless Chromium on a
server with lanes (as ``fakeauth serve`` runs): seed lanes over HTTP, act in the page, check the
server's state changed. Every wait is for a condition (Playwright's ``expect``), never a sleep."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
import requests

from browser.browser_support import Dashboard
from fakeauth import FakeAuth
from fakeauth.lanes import Lanes

if os.environ.get("CI") != "true":  # under CI a missing Playwright fails the import instead
    pytest.importorskip("playwright", reason="Playwright for Python: pip install -e '.[test]'")
from playwright.sync_api import expect

#: A real browser takes seconds: `pytest` alone leaves these out, `.ci/run` runs them.
pytestmark = pytest.mark.slow

PASSWORD = "s3cret-pass"
MARKUP_LANE = "<img src=x onerror=alert(1)>"
LaneBoard = tuple[Dashboard, Lanes]


def seed_lane(base: str, lane: str, email: str) -> None:
    """Add an Ovok account to ``lane`` over HTTP, with the lane header."""
    response = requests.post(
        f"{base}/_fakeauth/accounts/ovok",
        json={"email": email, "password": PASSWORD},
        headers={"X-Fakeauth-Lane": lane, "X-Fakeauth-Control": "1"},
        timeout=1,
    )
    assert response.status_code == 201, response.text


def lane_row(page: Any, name: str) -> Any:
    """The Lanes table's row of lane ``name``."""
    return page.locator(f'#lane-rows tr[data-lane="{name}"]')


def account_emails(lanes: Lanes, name: str) -> list[str]:
    """The Ovok accounts of lane ``name`` (which must exist)."""
    return [a.email for a in lanes.get(name, create=False).ovok.accounts]


def test_the_lanes_view_lists_lanes_and_opens_each_lanes_own_dashboard(
    lanes_dashboard: LaneBoard,
) -> None:
    board, _ = lanes_dashboard
    board.fake.ovok.add_account(email="root@example.test", password=PASSWORD)
    seed_lane(board.server.url, "red", "red@example.test")
    seed_lane(board.server.url, "blue", "blue@example.test")
    seed_lane(board.server.url, "blue", "blue2@example.test")
    page = board.open()

    expect(page.locator("#lane-name")).to_have_text("default")
    expect(page.locator("#lane-rows tr[data-lane]")).to_have_count(2)
    expect(lane_row(page, "red").locator(".counts")).to_have_text("1, 0, 0")
    expect(lane_row(page, "blue").locator(".counts")).to_have_text("2, 0, 0")
    expect(lane_row(page, "blue")).to_contain_text("2")  # requests the lane served
    board.screenshot("lanes")

    page.get_by_role("link", name="red", exact=True).click()

    expect(page).to_have_url(f"{board.server.url}/_lanes/red/_fakeauth/")
    expect(page.locator("#connection")).to_have_text("Connected")
    expect(page.locator("#lane-name")).to_have_text("red")
    expect(page.locator("#account-rows")).to_contain_text("red@example.test")
    expect(page.locator("#account-rows")).not_to_contain_text("root@example.test")
    expect(page.locator("#account-rows")).not_to_contain_text("blue@example.test")
    expect(lane_row(page, "red")).to_contain_text("(this page)")
    expect(page.locator("#lanes-here")).to_contain_text("This page shows lane red.")
    page.get_by_role("link", name="Default lane's dashboard").click()
    expect(page).to_have_url(board.url)
    expect(page.locator("#account-rows")).to_contain_text("root@example.test")


def test_a_lane_is_reset_and_deleted_from_the_page(lanes_dashboard: LaneBoard) -> None:
    board, lanes = lanes_dashboard
    seed_lane(board.server.url, "red", "red@example.test")
    seed_lane(board.server.url, "blue", "blue@example.test")
    page = board.open()
    expect(lane_row(page, "red").locator(".counts")).to_have_text("1, 0, 0")

    page.get_by_role("button", name="Reset lane red").click()
    expect(lane_row(page, "red").locator(".counts")).to_have_text("0, 0, 0")
    assert account_emails(lanes, "red") == []
    assert account_emails(lanes, "blue") == ["blue@example.test"]

    page.get_by_role("button", name="Delete lane blue").focus()
    page.keyboard.press("Enter")
    expect(lane_row(page, "blue")).to_have_count(0)
    expect(page.locator("#notice")).to_have_text("Deleted lane blue.")
    assert lanes.names() == ["default", "red"]

    page.get_by_role("link", name="red", exact=True).click()
    expect(page.locator("#lane-name")).to_have_text("red")
    page.get_by_role("button", name="Delete lane red").click()
    expect(page).to_have_url(board.url)  # its own dashboard would create it again
    expect(page.locator("#lane-rows")).to_contain_text("No lane besides the default one yet.")
    assert lanes.names() == ["default"]


def test_a_lane_is_opened_by_name_and_a_bad_name_shows_the_servers_sentence(
    lanes_dashboard: LaneBoard,
) -> None:
    board, lanes = lanes_dashboard
    page = board.open()

    page.get_by_label("Lane name").fill(MARKUP_LANE)
    page.get_by_role("button", name="Open or create lane").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{MARKUP_LANE!r} is not a lane name")
    expect(page).to_have_url(board.url)
    assert lanes.names() == ["default"]
    assert page.locator("img").count() == 0

    page.get_by_label("Lane name").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("green")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{board.server.url}/_lanes/green/_fakeauth/")
    expect(page.locator("#lane-name")).to_have_text("green")
    assert lanes.names() == ["default", "green"]


def test_a_server_without_lanes_says_so(dashboard: Dashboard) -> None:
    page = dashboard.open()

    expect(page.locator("#lanes-here")).to_contain_text("without lanes")
    expect(page.locator("#lane-rows")).to_contain_text("No lanes on this server.")
    expect(page.locator("#connection")).to_have_text("Connected")


def test_export_downloads_the_lanes_state_as_a_json_file(
    lanes_dashboard: LaneBoard, tmp_path: Any
) -> None:
    board, _ = lanes_dashboard
    seed_lane(board.server.url, "red", "red@example.test")
    page = board.page
    page.goto(f"{board.server.url}/_lanes/red/_fakeauth/")
    expect(page.locator("#connection")).to_have_text("Connected")
    expect(page.locator("#export-warning")).to_contain_text("signing keys")
    expect(page.locator("#export-warning")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export the state").click()
    download = download_info.value
    path = tmp_path / "state.json"
    download.save_as(str(path))

    assert download.suggested_filename == "fakeauth-state.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "fakeauth-state"
    emails = [a["email"] for a in document["lanes"]["default"]["ovok"]["accounts"]]
    assert emails == ["red@example.test"]  # the page's lane, through its own control API
    expect(page.locator("#notice")).to_contain_text("never to be used anywhere real")


def test_import_takes_a_state_file_and_refuses_a_corrupted_one(
    lanes_dashboard: LaneBoard,
) -> None:
    board, _ = lanes_dashboard
    fake = board.fake
    fake.ovok.add_account(email="kept@example.test", password=PASSWORD)
    page = board.open()
    expect(page.locator("#account-rows")).to_contain_text("kept@example.test")
    before = json.dumps(fake.export_state(), sort_keys=True)
    file_input = page.get_by_label("State file")

    corrupted = {"name": "broken.json", "mimeType": "application/json", "buffer": b'{"format":'}
    file_input.set_input_files(corrupted)
    page.get_by_role("button", name="Import the state").click()

    expect(page.get_by_role("alert")).to_contain_text(re.compile("is not JSON.*nothing was loaded"))
    assert json.dumps(fake.export_state(), sort_keys=True) == before

    other = FakeAuth()
    other.ovok.add_account(email="imported@example.test", password=PASSWORD)
    good = json.dumps(other.export_state()).encode()
    file_input.set_input_files(dict(corrupted, name="good.json", buffer=good))
    page.get_by_role("button", name="Import the state").click()

    expect(page.locator("#notice")).to_have_text(
        "Imported good.json: 1 Ovok, 0 B2Core and 0 walt.id accounts."
    )
    expect(page.get_by_role("alert")).to_be_hidden()
    assert [a.email for a in fake.ovok.accounts] == ["imported@example.test"]
    expect(page.locator("#account-rows")).to_contain_text("imported@example.test")
