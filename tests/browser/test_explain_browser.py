"""Why a credential was refused, in the dashboard: the reason beside each refused request of the
journal, and the paste box that asks ``POST /_fakeauth/explain``. Every wait is for a condition
(Playwright's ``expect``), never a fixed sleep."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
import requests

from browser.browser_support import Dashboard

if os.environ.get("CI") != "true":  # under CI a missing Playwright fails the import instead
    pytest.importorskip("playwright", reason="Playwright for Python: pip install -e '.[test]'")
from playwright.sync_api import expect

from fakeauth.explain import fingerprint

#: A real browser takes seconds: `pytest` alone leaves these out, `.ci/run` runs them.
pytestmark = pytest.mark.slow

TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
EMAIL = "ann@example.test"
PASSWORD = "s3cret-pass"
NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def logged_out_token(dashboard: Dashboard) -> str:
    """An Ovok access token, logged out, then refused by ``GET /auth/me``; the clock frozen."""
    fake, base = dashboard.fake, dashboard.server.url
    fake.clock.set(NOON, frozen=True)
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    body = {"email": EMAIL, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}
    token: str = requests.post(f"{base}/ovok/auth/b2b/login", json=body, timeout=1).json()[
        "accessToken"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        requests.post(f"{base}/ovok/v1/auth/logout", headers=bearer, timeout=1).status_code == 204
    )
    assert requests.get(f"{base}/ovok/auth/me", headers=bearer, timeout=1).status_code == 401
    return token


def test_the_journal_shows_why_a_request_was_refused(dashboard: Dashboard) -> None:
    token = logged_out_token(dashboard)
    refused = dashboard.fake.journal[-1]
    assert refused.refusal is not None
    page = dashboard.open()

    rows = page.locator("#journal-rows tr[data-seq]")
    expect(rows).to_have_count(3)
    reason = page.locator(f'#journal-rows tr[data-seq="{refused.seq}"] [data-part=refusal]')
    expect(reason).to_have_text(f"revoked: {refused.refusal.sentence}")
    expect(page.locator("#journal-rows [data-part=refusal]")).to_have_count(1)
    expect(page.locator("#journal")).not_to_contain_text(token)


def test_a_pasted_token_is_explained_and_never_shown_whole(dashboard: Dashboard) -> None:
    token = logged_out_token(dashboard)
    expected = dashboard.fake.explain(token)
    page = dashboard.open()

    page.get_by_label("Credential", exact=True).fill(token)
    page.get_by_label("Sent to").select_option("ovok")
    page.get_by_role("button", name="Explain").click()

    result = page.locator("#explain-result")
    expect(result.locator("[data-part=verdict]")).to_have_text("revoked")
    expect(result.locator("[data-part=sentence]")).to_have_text(expected.sentence)
    expect(result).to_contain_text(f"Ovok access token {fingerprint(token)}")
    expect(result).to_contain_text("ovok.logout")
    assert token not in result.inner_text()


def test_the_paste_box_works_by_keyboard(dashboard: Dashboard) -> None:
    page = dashboard.open()

    page.get_by_label("Credential", exact=True).focus()
    page.keyboard.type("not a token")
    page.keyboard.press("Enter")

    expect(page.locator("#explain-result [data-part=verdict]")).to_have_text("malformed")
    expect(page.locator("#explain-result [data-part=sentence]")).to_have_text(
        dashboard.fake.explain("not a token").sentence
    )
