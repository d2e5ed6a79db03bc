"""The dashboard's page and the control routes it uses (issue 16), through the WSGI app.

The browser tests (``tests/browser``) drive the page itself; these check each route's answer,
its errors and the state it changes, without a browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.cli import banner
from fakeauth.dashboard import ASSETS

TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
PASSWORD = "s3cret-pass"
ROOT = Path(__file__).parents[1]


def new() -> tuple[FakeAuth, Client]:
    fake = FakeAuth()
    return fake, Client(fake.wsgi_app)


def ovok_login(client: Client, email: str) -> Any:
    body = {"email": email, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}
    return client.post("/auth/b2b/login", json=body, base_url="https://api.dev.ovok.com")


def ovok_register(client: Client, email: str) -> Any:
    body = {
        "email": email,
        "password": PASSWORD,
        "name": "A",
        "surname": "B",
        "tenantId": TENANT,
        "clientId": TENANT,
    }
    return client.post("/auth/b2b/register", json=body, base_url="https://api.dev.ovok.com")


# -- the page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/_fakeauth/", "text/html; charset=utf-8"),
        ("/_fakeauth/index.html", "text/html; charset=utf-8"),
        ("/_fakeauth/static/app.js", "text/javascript; charset=utf-8"),
        ("/_fakeauth/static/app.css", "text/css; charset=utf-8"),
    ],
)
def test_the_page_and_its_assets_are_served_with_a_strict_policy(
    path: str, media_type: str
) -> None:
    _, client = new()

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_loads_nothing_from_elsewhere_and_fetches_relative_urls() -> None:
    page = (ROOT / "fakeauth" / "dashboard" / "index.html").read_text()
    script = (ROOT / "fakeauth" / "dashboard" / "app.js").read_text()

    assert "http://" not in page
    assert "https://" not in page
    assert "<script>" not in page  # no inline script: the policy would refuse it anyway
    assert "innerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert 'api("/' not in script  # every fetch is relative to the page: a lane is a base path


def test_the_dashboard_files_ship_in_the_wheel() -> None:
    config = (ROOT / "pyproject.toml").read_text()

    line = next(line for line in config.splitlines() if line.startswith('"fakeauth.dashboard"'))

    assert sorted(re.findall(r'"([^"]+)"', line.partition("=")[2])) == sorted(ASSETS)


def test_the_banner_prints_the_dashboard_url() -> None:
    fake = FakeAuth()

    text = banner(fake, "http://127.0.0.1:8080")

    assert "Dashboard (open it in a browser): http://127.0.0.1:8080/_fakeauth/" in text.splitlines()


# -- status, outbox ----------------------------------------------------------------------------


def test_status_says_what_changed() -> None:
    fake, client = new()
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    ovok_login(client, "ann@example.test")
    ovok_register(client, "new@example.test")

    status = client.get("/_fakeauth/status").get_json()

    assert status["journal"] == 2
    assert status["outbox"] == 1
    assert "ovok.b2b_login" in status["operations"]
    other = Client(FakeAuth().wsgi_app).get("/_fakeauth/status").get_json()
    assert status["instance"] != other["instance"]  # a restarted server is told apart


def test_the_outbox_pages_after_a_sequence_number() -> None:
    _, client = new()
    for name in ("one", "two", "three"):
        ovok_register(client, f"{name}@example.test")

    first = client.get("/_fakeauth/outbox?limit=2")
    rest = client.get(f"/_fakeauth/outbox?after={first.headers['X-Fakeauth-Outbox-Next']}")
    none = client.get("/_fakeauth/outbox?after=3")

    assert [(m["seq"], m["to"]) for m in first.get_json()] == [
        (1, "one@example.test"),
        (2, "two@example.test"),
    ]
    assert first.headers["X-Fakeauth-Outbox-Next"] == "2"
    assert [m["seq"] for m in rest.get_json()] == [3]
    assert none.get_json() == []
    assert none.headers["X-Fakeauth-Outbox-Next"] == "3"


def test_after_a_reset_the_outbox_next_number_goes_back() -> None:
    _, client = new()
    ovok_register(client, "one@example.test")
    client.post("/_fakeauth/reset")

    response = client.get("/_fakeauth/outbox?after=1")

    assert response.headers["X-Fakeauth-Outbox-Next"] == "0"  # below after: start over


def test_a_bad_outbox_query_is_refused() -> None:
    _, client = new()

    response = client.get("/_fakeauth/outbox?after=-1")

    assert response.status_code == 400
    assert response.get_json() == {
        "error": "fakeauth: 'after' must be one whole number, 0 or more, not '-1': for example "
        "GET /_fakeauth/outbox?after=120&limit=50"
    }


# -- accounts ----------------------------------------------------------------------------------


def test_accounts_of_each_vendor_with_their_scope_roles_2fa_and_sessions() -> None:
    fake, client = new()
    ann = fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    fake.b2core.add_account(email="t@example.test", password=PASSWORD, two_factor="google")
    fake.waltid.superadmin()
    ovok_login(client, "ann@example.test")
    ovok_login(client, "ann@example.test")

    ovok = client.get("/_fakeauth/accounts/ovok").get_json()
    b2core = client.get("/_fakeauth/accounts/b2core").get_json()
    waltid = client.get("/_fakeauth/accounts/waltid?email=SUPER").get_json()

    assert [(a["id"], a["scope"], a["live_sessions"]) for a in ovok] == [
        (ann.id, f"tenant {TENANT}", 2)
    ]
    assert [(a["two_factor"], a["scope"]) for a in b2core] == [
        ("google", "broker https://host.name")
    ]
    assert [(a["email"], a["roles"][0], a["live_sessions"]) for a in waltid] == [
        ("superadmin@walt.id", "superadmin", 1)
    ]


def test_the_email_search_is_a_case_insensitive_substring() -> None:
    fake, client = new()
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    fake.ovok.add_account(email="bob@example.test", password=PASSWORD)

    found = client.get("/_fakeauth/accounts/ovok?email=BO").get_json()

    assert [a["email"] for a in found] == ["bob@example.test"]


def test_an_account_is_created_with_the_seeding_methods_fields() -> None:
    fake, client = new()

    response = client.post(
        "/_fakeauth/accounts/b2core",
        json={"email": "t@example.test", "password": PASSWORD, "two_factor": "sms", "phone": "+1"},
    )

    assert response.status_code == 201
    assert response.get_json()["account"]["two_factor"] == "sms"
    assert fake.b2core.get_account("t@example.test").phone == "+1"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            [1],
            'fakeauth: the body is the fields of fake.ovok.add_account, as in {"email": '
            '"ann@example.test", "password": "s3cret"}',
        ),
        (
            {"email": "x@example.test", "password": 5},
            "fakeauth: fake.ovok.add_account: password must be a string, not int",
        ),
        (
            {"email": "x@example.test", "password": PASSWORD, "role": "admin"},
            "fakeauth: unknown field(s) 'role'; the fields are: email, email_verified, name, "
            "password, surname, tenant_id",
        ),
        ({"email": "x@example.test"}, "fakeauth: missing field(s) 'password'"),
        (
            {"email": "x@example.test", "password": PASSWORD, "tenant_id": "nope"},
            "fakeauth: no Ovok tenant 'nope'; add it with fake.ovok.add_tenant('nope') or use "
            "the default tenant '87ea5dfc-8b8e-384d-8489-79496e706390'",
        ),
    ],
)
def test_a_bad_account_is_refused_and_adds_nothing(body: Any, error: str) -> None:
    fake, client = new()

    response = client.post("/_fakeauth/accounts/ovok", json=body)

    assert response.status_code == 400
    assert response.get_json() == {"error": error}
    assert fake.ovok.accounts == []


@pytest.mark.parametrize("vendor", ["ovok", "waltid"])
def test_signing_out_every_session_revokes_the_live_tokens(vendor: str) -> None:
    fake, client = new()
    state: Any = getattr(fake, vendor)
    account = (
        fake.waltid.superadmin().account
        if vendor == "waltid"
        else state.add_account(email="ann@example.test", password=PASSWORD)
    )
    if vendor == "ovok":
        ovok_login(client, "ann@example.test")

    response = client.post(f"/_fakeauth/accounts/{vendor}/sign-out", json={"id": account.id})

    assert response.status_code == 200
    assert response.get_json()["revoked"] >= 1
    assert state.tokens.live(account.id) == []


@pytest.mark.parametrize("vendor", ["ovok", "b2core", "waltid"])
def test_deleting_an_account_removes_it_and_its_sessions(vendor: str) -> None:
    fake, client = new()
    state: Any = getattr(fake, vendor)
    password = "password123456"
    account = state.add_account(email="ann@example.test", password=password)

    response = client.post(f"/_fakeauth/accounts/{vendor}/delete", json={"id": account.id})
    again = client.post(f"/_fakeauth/accounts/{vendor}/delete", json={"id": account.id})

    assert response.get_json() == {"deleted": account.id}
    assert [a.email for a in state.accounts if a.email == "ann@example.test"] == []
    assert again.status_code == 404
    assert again.get_json() == {
        "error": f"fakeauth: no {vendor} account with id {account.id!r}; "
        f"GET /_fakeauth/accounts/{vendor} lists them"
    }
    state.add_account(email="ann@example.test", password=password)  # the email is free again


def test_a_deleted_ovok_accounts_token_is_refused_not_an_error() -> None:
    fake, client = new()
    ann = fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    token = ovok_login(client, "ann@example.test").get_json()["accessToken"]
    client.post("/_fakeauth/accounts/ovok/delete", json={"id": ann.id})

    me = client.get(
        "/auth/me",
        base_url="https://api.dev.ovok.com",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert me.status_code == 401


def test_a_bad_account_id_body_is_refused() -> None:
    _, client = new()

    response = client.post("/_fakeauth/accounts/ovok/sign-out", json={"id": 5})

    assert response.status_code == 400
    assert response.get_json() == {
        "error": 'fakeauth: "id" must be a string, as in {"id": "<the account id>"}'
    }


# -- tokens, faults ----------------------------------------------------------------------------


def test_the_live_tokens_expiry_is_listed_without_the_tokens() -> None:
    fake, client = new()
    fake.ovok.add_account(email="ann@example.test", password=PASSWORD)
    tokens = ovok_login(client, "ann@example.test").get_json()
    fake.clock.set(fake.clock.now(), frozen=True)

    response = client.get("/_fakeauth/tokens")

    rows = response.get_json()
    assert sorted((r["kind"], r["email"]) for r in rows) == [
        ("access", "ann@example.test"),
        ("refresh", "ann@example.test"),
    ]
    assert 3590 < min(r["expires_in"] for r in rows) <= 3600
    assert tokens["accessToken"] not in response.text
    assert tokens["refreshToken"] not in response.text


def test_faults_are_queued_listed_and_cleared() -> None:
    fake, client = new()

    client.post("/_fakeauth/faults", json={"operation": "ovok.b2b_login", "kind": "fail"})
    client.post("/_fakeauth/faults", json={"operation": "ovok.me", "kind": "drop", "times": 2})
    listed = client.post(
        "/_fakeauth/faults", json={"operation": "ovok.me", "kind": "delay", "seconds": 0.5}
    )
    cleared = client.delete("/_fakeauth/faults")

    assert listed.get_json() == [
        {
            "operation": "ovok.b2b_login",
            "kind": "fail",
            "status": 500,
            "seconds": 0.0,
            "remaining": 1,
        },
        {"operation": "ovok.me", "kind": "drop", "status": None, "seconds": 0.0, "remaining": 2},
        {"operation": "ovok.me", "kind": "delay", "status": None, "seconds": 0.5, "remaining": 1},
    ]
    assert cleared.status_code == 204
    assert fake.faults.pending == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"operation": "ovok.nope", "kind": "fail"},
            "fakeauth: no operation 'ovok.nope'; did you mean 'ovok.me', 'ovok.logout', "
            "'ovok.b2b_login'?",
        ),
        (
            {"operation": "ovok.me", "kind": "delay", "seconds": 601},
            'fakeauth: "seconds" input should be less than or equal to 600, as in '
            '{"operation": "ovok.b2b_login", "kind": "fail", "status": 503}',
        ),
        (
            {"operation": "ovok.me", "kind": "fail", "status": True},
            'fakeauth: "status" input should be a valid integer, as in '
            '{"operation": "ovok.b2b_login", "kind": "fail", "status": 503}',
        ),
    ],
)
def test_a_bad_fault_is_refused_and_queues_nothing(body: Any, error: str) -> None:
    fake, client = new()

    response = client.post("/_fakeauth/faults", json=body)

    assert response.status_code == 400
    assert response.get_json() == {"error": error}
    assert fake.faults.pending == []
