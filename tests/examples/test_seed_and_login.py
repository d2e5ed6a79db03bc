"""Seed an account in one line, log in through your own HTTP client code, assert on the traffic."""

from __future__ import annotations

import requests

from fakeauth import FakeAuth

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"  # the documentation's tenant and client


def login(email: str, password: str) -> str:
    """The code under test: your application's own login call."""
    response = requests.post(
        f"{OVOK}/auth/b2b/login",
        json={"email": email, "password": password, "tenantId": TENANT, "clientId": TENANT},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["accessToken"])


def test_seeded_account_logs_in(fakeauth: FakeAuth) -> None:
    fakeauth.ovok.add_account(email="ann@example.test", password="s3cret")

    token = login("ann@example.test", "s3cret")

    assert token.count(".") == 2  # a real JWT
    fakeauth.calls("ovok.b2b_login").assert_called_once()
    assert fakeauth.calls("ovok.b2b_login").last.request["email"] == "ann@example.test"
