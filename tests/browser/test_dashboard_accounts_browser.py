"""The Accounts view in a real headless Chromium (issue 24 §3): every vendor's accounts in one
table with a vendor filter, and the edit form each vendor's record declares. Every wait is for a
condition (Playwright's ``expect``, at most ``WAIT_MS``), never a fixed sleep."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests

from browser.browser_support import Dashboard

if os.environ.get("CI") != "true":  # under CI a missing Playwright fails the import instead
    pytest.importorskip("playwright", reason="Playwright for Python: pip install -e '.[test]'")
from playwright.sync_api import expect

#: A real browser takes seconds: `pytest` alone leaves these out, `.ci/run` runs them.
pytestmark = pytest.mark.slow

TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
PASSWORD = "first-pass-123"
NEW_PASSWORD = "second-pass-456"
OVOK_EMAIL = "ann@example.test"
B2CORE_EMAIL = "trader@example.test"
WALTID_EMAIL = "issuer@example.org"


def row(page: Any, email: str) -> Any:
    """The accounts table's row of ``email``."""
    return page.locator("#account-rows tr", has_text=email)


def edit_form(page: Any) -> Any:
    return page.locator("#account-edit")


def ovok_login(base: str, password: str) -> int:
    body = {"email": OVOK_EMAIL, "password": password, "tenantId": TENANT, "clientId": TENANT}
    return requests.post(f"{base}/ovok/auth/b2b/login", json=body, timeout=5).status_code


def b2core_login(base: str, password: str) -> dict[str, Any]:
    """A B2Core sign-in through the live server: the wizard's last answer."""
    wizard = requests.get(f"{base}/b2core/api/v2/my/signin/wizard", timeout=5).json()
    form = {
        "uuid": wizard["uuid"],
        "email": B2CORE_EMAIL,
        "password": password,
        "device_fingerprint": "browser-test",
    }
    answer: dict[str, Any] = requests.post(
        f"{base}/b2core/api/v2/my/signin", json=form, timeout=5
    ).json()
    return answer


def waltid_login(base: str, password: str) -> int:
    body = {"type": "email", "email": WALTID_EMAIL, "password": password}
    return requests.post(f"{base}/waltid/auth/account/emailpass", json=body, timeout=5).status_code


def seed_every_vendor(dashboard: Dashboard) -> None:
    fake = dashboard.fake
    fake.ovok.add_account(email=OVOK_EMAIL, password=PASSWORD, name="Ann", surname="Lee")
    fake.b2core.add_account(email=B2CORE_EMAIL, password=PASSWORD)
    fake.waltid.add_organization("acme")
    fake.waltid.add_role("acme", "viewer")
    fake.waltid.add_account(email=WALTID_EMAIL, password=PASSWORD, name="Iss Uer")


def test_every_vendors_accounts_are_in_one_table_and_the_filter_hides_a_vendor(
    dashboard: Dashboard,
) -> None:
    seed_every_vendor(dashboard)
    page = dashboard.open()
    rows = page.locator("#account-rows tr[data-account]")

    expect(rows).to_have_count(3)
    expect(row(page, OVOK_EMAIL).locator("td").first).to_have_text("Ovok")
    expect(row(page, B2CORE_EMAIL).locator("td").first).to_have_text("B2Core")
    expect(row(page, WALTID_EMAIL).locator("td").first).to_have_text("walt.id")
    filters = page.get_by_role("group", name="Vendors shown")
    expect(filters.get_by_label("B2Core")).to_be_checked()
    expect(filters).to_contain_text("B2Core (1)")

    filters.get_by_label("Ovok").uncheck()
    expect(rows).to_have_count(2)
    expect(row(page, OVOK_EMAIL)).to_have_count(0)
    expect(page.locator("#accounts-caption")).to_have_text("Accounts of B2Core, walt.id")
    filters.get_by_label("walt.id").focus()
    page.keyboard.press("Space")  # the filter works by keyboard
    expect(rows).to_have_count(1)
    expect(row(page, B2CORE_EMAIL)).to_be_visible()

    filters.get_by_label("Ovok").check()
    filters.get_by_label("walt.id").check()
    expect(rows).to_have_count(3)
    expect(page.locator("#accounts-caption")).to_have_text("Accounts of every vendor")


def test_an_ovok_account_is_edited_and_logs_in_with_its_new_password(
    dashboard: Dashboard,
) -> None:
    seed_every_vendor(dashboard)
    page = dashboard.open()
    form = edit_form(page)

    page.get_by_role("button", name=f"Edit {OVOK_EMAIL} (Ovok)").click()
    expect(form.get_by_label("Name", exact=True)).to_have_value("Ann")
    expect(form.get_by_label("Email verified")).to_be_checked()
    form.get_by_label("Name", exact=True).fill("Anna")
    form.get_by_label("Surname").fill("Berg")
    form.get_by_label("Email verified").uncheck()
    form.get_by_label("New password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Save changes").click()

    expect(page.locator("#notice")).to_have_text(
        f"Saved name, surname, password, email_verified of {OVOK_EMAIL} (Ovok)."
    )
    expect(form).to_be_hidden()
    expect(row(page, OVOK_EMAIL)).to_contain_text("Anna Berg")
    account = dashboard.fake.ovok.get_account(OVOK_EMAIL)
    assert (account.name, account.surname, account.email_verified) == ("Anna", "Berg", False)
    assert ovok_login(dashboard.server.url, NEW_PASSWORD) == 200
    assert ovok_login(dashboard.server.url, PASSWORD) == 401


def test_a_b2core_accounts_names_password_and_2fa_kind_and_phone_are_edited(
    dashboard: Dashboard,
) -> None:
    seed_every_vendor(dashboard)
    page = dashboard.open()
    form = edit_form(page)
    edit = page.get_by_role("button", name=f"Edit {B2CORE_EMAIL} (B2Core)")

    edit.click()
    form.get_by_label("New password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Save changes").click()
    expect(page.locator("#notice")).to_have_text(f"Saved password of {B2CORE_EMAIL} (B2Core).")
    expect(edit).to_be_focused()  # back where the user was
    assert b2core_login(dashboard.server.url, NEW_PASSWORD)["done"] is True
    assert b2core_login(dashboard.server.url, PASSWORD)["done"] is False

    edit.click()
    expect(form.get_by_label("Given name")).to_have_value("John")
    expect(form.get_by_label("2FA")).to_have_value("")
    form.get_by_label("Given name").fill("Tess")
    form.get_by_label("Family name").fill("Trader")
    form.get_by_label("2FA").select_option("sms")
    form.get_by_label("Phone").fill("+15550100")
    form.get_by_role("button", name="Save changes").click()

    expect(row(page, B2CORE_EMAIL)).to_contain_text("sms")
    expect(row(page, B2CORE_EMAIL)).to_contain_text("Tess Trader")
    account = dashboard.fake.b2core.get_account(B2CORE_EMAIL)
    assert (account.given_name, account.family_name) == ("Tess", "Trader")
    assert (account.two_factor, account.phone) == ("sms", "+15550100")
    assert b2core_login(dashboard.server.url, NEW_PASSWORD)["workflow"] == "2fa_sms_auth"


def test_a_waltid_accounts_name_roles_and_password_are_edited(dashboard: Dashboard) -> None:
    seed_every_vendor(dashboard)
    page = dashboard.open()
    form = edit_form(page)

    page.get_by_role("button", name=f"Edit {WALTID_EMAIL} (walt.id)").click()
    roles = form.get_by_role("group", name="Roles")
    expect(roles.get_by_label("acme.admin")).not_to_be_checked()
    form.get_by_label("Name", exact=True).fill("Isa Issuer")
    roles.get_by_label("acme.viewer").check()
    form.get_by_label("New password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Save changes").click()

    expect(row(page, WALTID_EMAIL)).to_contain_text("acme: acme.viewer")
    expect(row(page, WALTID_EMAIL)).to_contain_text("Isa Issuer")
    account = dashboard.fake.waltid.get_account(WALTID_EMAIL)
    assert dict(account.roles) == {"acme": ("acme.viewer",)}
    assert waltid_login(dashboard.server.url, NEW_PASSWORD) == 200
    assert waltid_login(dashboard.server.url, PASSWORD) == 401


def test_a_refused_edit_shows_the_servers_sentence_and_keeps_the_form(
    dashboard: Dashboard,
) -> None:
    seed_every_vendor(dashboard)
    page = dashboard.open()
    form = edit_form(page)

    page.get_by_role("button", name=f"Edit {WALTID_EMAIL} (walt.id)").click()
    form.get_by_label("Name", exact=True).fill("")
    form.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("alert")).to_have_text(
        "fakeauth: fake.waltid.update_account needs a non-empty name"
    )
    expect(form).to_be_visible()
    assert dashboard.fake.waltid.get_account(WALTID_EMAIL).profile["name"] == "Iss Uer"

    form.get_by_role("button", name="Cancel").click()
    expect(form).to_be_hidden()
    expect(page.get_by_role("button", name=f"Edit {WALTID_EMAIL} (walt.id)")).to_be_focused()
