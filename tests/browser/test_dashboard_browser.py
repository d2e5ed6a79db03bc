"""The dashboard in a real headless Chromium: seed through Python or HTTP, see it in the page, act
in the page, check the fake's state changed. Every wait is for a condition (Playwright's
``expect``, at most ``WAIT_MS``), never a fixed sleep."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from browser.browser_support import AXE, WAIT_MS, Dashboard, missing
from fakeauth import FakeAuth
from fakeauth.lanes import Lanes

if os.environ.get("CI") != "true":  # under CI a missing Playwright fails the import instead
    pytest.importorskip("playwright", reason="Playwright for Python: pip install -e '.[test]'")
from playwright.sync_api import expect

#: A real browser takes seconds: `pytest` alone leaves these out, `.ci/run` runs them.
pytestmark = pytest.mark.slow

TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
PASSWORD = "s3cret-pass"
MARKUP_NAME = "<img src=x onerror=alert(1)>"
MARKUP_BODY = "<script>alert(2)</script>"
DOCS_PNG = Path(__file__).parents[2] / "docs" / "dashboard.png"


def ovok_login(base: str, email: str, password: str = PASSWORD) -> requests.Response:
    """An Ovok login through the live server."""
    body = {"email": email, "password": password, "tenantId": TENANT, "clientId": TENANT}
    return requests.post(f"{base}/ovok/auth/b2b/login", json=body, timeout=1)


def ovok_register(base: str, email: str) -> requests.Response:
    """An Ovok registration, which sends a verification email."""
    body = {
        "email": email,
        "password": PASSWORD,
        "name": "Reg",
        "surname": "Ister",
        "tenantId": TENANT,
        "clientId": TENANT,
    }
    return requests.post(f"{base}/ovok/auth/b2b/register", json=body, timeout=1)


def row(page: Any, email: str) -> Any:
    """The accounts table's row of ``email``."""
    return page.locator("#account-rows tr", has_text=email)


def test_accounts_are_listed_searched_created_signed_out_and_deleted(
    dashboard: Dashboard,
) -> None:
    fake = dashboard.fake
    ann = fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    fake.ovok.add_account(email="bob@example.test", password=PASSWORD)
    assert ovok_login(dashboard.server.url, "ann@example.test").status_code == 200
    page = dashboard.open()

    expect(row(page, "ann@example.test").locator(".sessions")).to_have_text("1")
    expect(row(page, "ann@example.test")).to_contain_text(ann.id)
    expect(row(page, "ann@example.test")).to_contain_text(f"tenant {TENANT}")
    page.get_by_label("Search by email").fill("BOB")
    expect(page.locator("#account-rows tr")).to_have_count(1)
    expect(row(page, "bob@example.test")).to_be_visible()
    page.get_by_label("Search by email").fill("")
    dashboard.screenshot("accounts")

    page.get_by_role("button", name="Sign out all sessions of ann@example.test").click()
    expect(row(page, "ann@example.test").locator(".sessions")).to_have_text("0")
    assert fake.ovok.tokens.live(ann.id) == []

    page.get_by_role("button", name="Delete bob@example.test").click()
    expect(row(page, "bob@example.test")).to_have_count(0)
    assert [a.email for a in fake.ovok.accounts] == ["ann@example.test"]

    page.locator("#account-vendor").select_option("b2core")
    page.get_by_label("Email", exact=True).fill("trader@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("2FA", exact=True).select_option("sms")
    page.get_by_label("Phone", exact=True).fill("+15550100")
    page.get_by_role("button", name="Create account").click()
    expect(row(page, "trader@example.test")).to_contain_text("sms")
    assert fake.b2core.get_account("trader@example.test").two_factor == "sms"


def test_a_refused_action_shows_the_servers_sentence(dashboard: Dashboard) -> None:
    dashboard.fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    page = dashboard.open()

    page.get_by_label("Email", exact=True).fill("ann@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("alert")).to_contain_text("ann@example.test")
    assert len(dashboard.fake.ovok.accounts) == 1


def test_the_outbox_shows_codes_newest_first_as_they_arrive(dashboard: Dashboard) -> None:
    page = dashboard.open()
    expect(page.locator("#outbox-list")).to_contain_text("No message sent yet.")

    assert ovok_register(dashboard.server.url, "first@example.test").status_code == 200
    expect(page.locator("#outbox-list li")).to_have_count(1)
    assert ovok_register(dashboard.server.url, "second@example.test").status_code == 200

    newest = page.locator("#outbox-list li").first
    expect(newest).to_contain_text("second@example.test")
    code = dashboard.fake.outbox.last().data["code"]
    expect(newest.locator("[data-secret]")).to_have_text(code)
    expect(
        page.get_by_role("button", name="Copy the code sent to first@example.test")
    ).to_be_visible()
    dashboard.screenshot("outbox")


def test_the_journal_filters_and_opens_a_redacted_entry(dashboard: Dashboard) -> None:
    fake = dashboard.fake
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    base = dashboard.server.url
    assert ovok_login(base, "ann@example.test").status_code == 200
    assert ovok_login(base, "ann@example.test", "wrong-password").status_code == 401
    page = dashboard.open()
    rows = page.locator("#journal-rows tr[data-seq]")
    expect(rows).to_have_count(2)

    page.locator("#journal-status").fill("4xx")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("401")
    page.locator("#journal-status").fill("")
    page.locator("#journal-vendor").select_option("waltid")
    expect(page.locator("#journal-rows")).to_contain_text("No request matches.")
    page.locator("#journal-vendor").select_option("ovok")
    page.locator("#journal-operation").fill("b2b_login")
    expect(rows).to_have_count(2)

    seq = fake.journal[-1].seq
    details = page.get_by_role("button", name=f"Show details of request {seq}")
    details.click()
    hide = page.get_by_role("button", name=f"Hide details of request {seq}")
    expect(hide).to_have_attribute("aria-expanded", "true")
    request_part = page.locator(f"#detail-{seq} [data-part=request]")
    expect(request_part).to_contain_text("ann@example.test")
    expect(request_part).not_to_contain_text("wrong-password")
    expect(page.locator(f"#detail-{seq} [data-part=response]")).to_contain_text("Unauthorized")
    dashboard.screenshot("journal")


def test_a_feature_flag_switches_in_the_page(dashboard: Dashboard) -> None:
    page = dashboard.open()
    flag = page.get_by_label("account-registration")
    expect(flag).to_be_checked()
    assert page.locator("#feature-list li").first.inner_text() == "account-registration"

    flag.uncheck()

    expect(page.locator("#notice")).to_have_text("account-registration is off.")
    assert dashboard.fake.features.is_enabled("account-registration") is False
    dashboard.screenshot("features")


def test_the_clock_shifts_sets_freezes_and_shows_token_expiry(dashboard: Dashboard) -> None:
    fake = dashboard.fake
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    assert ovok_login(dashboard.server.url, "ann@example.test").status_code == 200
    page = dashboard.open()
    tokens = page.locator("#token-rows tr")
    expect(tokens.filter(has_text="access")).to_contain_text("59 min")

    before = fake.clock.time()
    page.get_by_role("button", name="+1 h").click()
    expect(page.locator("#notice")).to_have_text("Moved the clock by 1 h.")
    assert fake.clock.time() - before == pytest.approx(3600, abs=30)
    expect(tokens.filter(has_text="access")).to_have_count(0)  # an Ovok access token: 3,600 s

    page.get_by_role("button", name="+1 day").click()
    expect(page.locator("#notice")).to_have_text("Moved the clock by 1 day.")
    page.locator("#clock-seconds").fill("-90000")
    page.get_by_role("button", name="Shift by seconds").click()
    expect(page.locator("#notice")).to_have_text("Moved the clock by -90000 s.")
    assert fake.clock.time() - before == pytest.approx(0, abs=30)

    page.get_by_label("Instant").fill("2030-01-01T00:00:00Z")
    page.get_by_label("Frozen").check()
    page.get_by_role("button", name="Set the time").click()
    expect(page.locator("#clock-now")).to_have_text("2030-01-01T00:00:00+00:00")
    assert fake.clock.now().isoformat() == "2030-01-01T00:00:00+00:00"

    page.get_by_role("button", name="Follow the system time").click()
    expect(page.locator("#clock-shifted")).to_have_text("(the system time)")
    page.get_by_role("button", name="Freeze now").click()
    expect(page.locator("#notice")).to_have_text("Froze the clock.")
    assert "frozen" in repr(fake.clock)
    dashboard.screenshot("clock")


def test_faults_are_queued_listed_taken_and_cleared(dashboard: Dashboard) -> None:
    fake = dashboard.fake
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    page = dashboard.open()

    page.locator("#fault-operation").fill("ovok.b2b_login")
    page.get_by_label("Kind").select_option("fail")
    page.locator("#fault-status").fill("503")
    page.get_by_role("button", name="Queue fault").click()
    expect(page.locator("#fault-rows")).to_contain_text("ovok.b2b_login")
    assert [(f.operation, f.status) for f in fake.faults.pending] == [("ovok.b2b_login", 503)]
    dashboard.screenshot("faults")

    assert ovok_login(dashboard.server.url, "ann@example.test").status_code == 503
    expect(page.locator("#fault-rows")).to_contain_text("No fault queued.")

    page.get_by_label("Kind").select_option("drop")
    page.get_by_label("Times").fill("2")
    page.get_by_role("button", name="Queue fault").click()
    expect(page.locator("#fault-rows")).to_contain_text("drop")
    page.get_by_role("button", name="Clear queued faults").click()
    expect(page.locator("#fault-rows")).to_contain_text("No fault queued.")
    assert fake.faults.pending == []


def test_injected_markup_renders_as_text(dashboard: Dashboard) -> None:
    fake = dashboard.fake
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD, name=MARKUP_NAME)
    body = {"email": MARKUP_BODY, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}
    requests.post(f"{dashboard.server.url}/ovok/auth/b2b/login", json=body, timeout=1)
    page = dashboard.open()
    seq = fake.journal[-1].seq

    expect(row(page, "ann@example.test")).to_contain_text(MARKUP_NAME)
    page.get_by_role("button", name=f"Show details of request {seq}").click()
    expect(page.locator(f"#detail-{seq} [data-part=request]")).to_contain_text(MARKUP_BODY)

    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1  # the page's own app.js
    assert dashboard.dialogs == []


def test_a_cross_origin_page_cannot_change_state(dashboard: Dashboard) -> None:
    fake = dashboard.fake
    page = dashboard.page
    # localhost:PORT and 127.0.0.1:PORT are two origins: the page stands in for another site.
    page.goto(f"http://localhost:{dashboard.server.port}/_fakeauth/")
    target = f"{dashboard.server.url}/_fakeauth/seed"
    seed = '{"ovok": {"accounts": [{"email": "evil@example.test", "password": "x"}]}}'

    outcome = page.evaluate(
        """async ([target, seed]) => {
            const outcome = {};
            try {  // what a cross-site form can send: a simple request, no preflight
                await fetch(target, {method: "POST", mode: "no-cors",
                    headers: {"Content-Type": "text/plain"}, body: seed});
                outcome.simple = "answered";
            } catch (error) { outcome.simple = "failed"; }
            try {  // the control header needs a preflight, which the control API refuses
                await fetch(target, {method: "POST", body: seed,
                    headers: {"X-Fakeauth-Control": "1", "Content-Type": "application/json"}});
                outcome.custom = "sent";
            } catch (error) { outcome.custom = "blocked"; }
            return outcome;
        }""",
        [target, seed],
    )

    assert outcome["custom"] == "blocked"
    assert fake.ovok.accounts == []  # neither request added the account


def test_every_action_works_by_keyboard(dashboard: Dashboard) -> None:
    fake = dashboard.fake
    page = dashboard.open()

    page.get_by_label("Email", exact=True).focus()
    page.keyboard.type("keys@example.test")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(row(page, "keys@example.test")).to_be_visible()
    assert fake.ovok.get_account("keys@example.test").email == "keys@example.test"

    page.get_by_role("button", name="Delete keys@example.test").focus()
    page.keyboard.press("Enter")
    expect(row(page, "keys@example.test")).to_have_count(0)
    assert fake.ovok.accounts == []

    page.get_by_label("account-registration").focus()
    page.keyboard.press("Space")
    expect(page.locator("#notice")).to_have_text("account-registration is off.")
    assert fake.features.is_enabled("account-registration") is False

    page.get_by_role("button", name="+1 h").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_have_text("Moved the clock by 1 h.")
    assert fake.clock.is_shifted


def test_the_page_recovers_within_5_s_of_a_restart(dashboard: Dashboard) -> None:
    dashboard.fake.ovok.add_account(email="before@example.test", password=PASSWORD)
    page = dashboard.open()
    expect(row(page, "before@example.test")).to_be_visible()
    port = dashboard.server.port

    dashboard.server.stop()
    expect(page.locator("#connection")).to_contain_text("Server unreachable")
    after = FakeAuth()
    after.ovok.add_account(email="after@example.test", password=PASSWORD)
    with after.serve(port=port):
        started = time.monotonic()
        expect(row(page, "after@example.test")).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("#connection")).to_have_text("Connected", timeout=WAIT_MS)
        assert time.monotonic() - started < 5
        expect(row(page, "before@example.test")).to_have_count(0)


def test_the_accounts_view_for_the_readme(dashboard: Dashboard) -> None:
    fake = dashboard.fake
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD, name="Ann", surname="Lee")
    fake.ovok.add_account(email="bob@example.test", password=PASSWORD, name="Bob", surname="Hill")
    fake.b2core.add_account(email="trader@example.test", password=PASSWORD, two_factor="google")
    fake.b2core.add_account(
        email="sms@example.test", password=PASSWORD, two_factor="sms", phone="+15550100"
    )
    fake.waltid.add_organization("acme")
    fake.waltid.add_role("acme", "viewer")
    issuer = fake.waltid.add_account(email="issuer@example.org", password=PASSWORD, name="Isa")
    fake.waltid.update_account(issuer.id, roles=["acme.admin"])
    assert ovok_login(dashboard.server.url, "ann@example.test").status_code == 200
    page = dashboard.open()
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("#account-rows tr[data-account]")).to_have_count(5)
    page.get_by_role("button", name="Edit trader@example.test (B2Core)").click()
    expect(page.locator("#account-edit")).to_be_visible()

    path = Path(__file__).parent / "screenshots" / "dashboard.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path))

    assert path.stat().st_size > 10_000
    if not DOCS_PNG.exists():  # docs/dashboard.png is committed; regenerate by deleting it
        shutil.copyfile(path, DOCS_PNG)


def test_axe_core_reports_no_serious_or_critical_violation(
    lanes_dashboard: tuple[Dashboard, Lanes],
) -> None:
    if not AXE.exists():
        missing("axe-core", "cd tests/browser && npm ci")
    dashboard, lanes = lanes_dashboard
    fake = dashboard.fake
    for lane in ("red", "blue"):  # the Lanes view with rows, their links and buttons
        lanes.get(lane).ovok.add_account(email=f"{lane}@example.test", password=PASSWORD)
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    assert ovok_login(dashboard.server.url, "ann@example.test").status_code == 200
    assert ovok_register(dashboard.server.url, "new@example.test").status_code == 200
    fake.fail_next("ovok.me", 503)
    fake.b2core.add_account(email="trader@example.test", password=PASSWORD, two_factor="sms")
    fake.waltid.add_organization("acme")
    fake.waltid.add_account(email="issuer@example.org", password=PASSWORD)
    page = dashboard.open()
    # the edit form open, with every kind of input: text, password, checkboxes, choices
    page.get_by_role("button", name="Edit issuer@example.org (walt.id)").click()
    expect(page.locator("#account-edit").get_by_role("group", name="Roles")).to_be_visible()
    seq = fake.journal[-1].seq
    page.get_by_role("button", name=f"Show details of request {seq}").click()
    expect(page.locator(f"#detail-{seq}")).to_be_visible()
    expect(page.locator("#lane-rows tr[data-lane]")).to_have_count(2)
    expect(page.locator("#state")).to_be_visible()

    page.evaluate(AXE.read_text(encoding="utf-8"))  # devtools evaluation: the page's CSP stays
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document);
            return result.violations.map((v) => ({id: v.id, impact: v.impact,
                nodes: v.nodes.map((n) => n.target.join(" "))}));
        }"""
    )

    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []
