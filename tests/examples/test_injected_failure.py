"""Your client's error handling: make the next call fail, then succeed."""

from __future__ import annotations

import pytest
import requests

from fakeauth import FakeAuth
from fakeauth.testing import SeededUser

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"


def login_with_one_retry(email: str, password: str) -> requests.Response:
    """The code under test: retries once on a 5xx."""
    body = {"email": email, "password": password, "tenantId": TENANT, "clientId": TENANT}
    response = requests.post(f"{OVOK}/auth/b2b/login", json=body, timeout=10)
    if response.status_code >= 500:
        response = requests.post(f"{OVOK}/auth/b2b/login", json=body, timeout=10)
    return response


def test_a_500_is_retried(fakeauth: FakeAuth, fakeauth_ovok_user: SeededUser) -> None:
    fakeauth.fail_next("ovok.b2b_login", 500)

    response = login_with_one_retry(fakeauth_ovok_user.email, fakeauth_ovok_user.password)

    assert response.status_code == 200
    assert [e.status for e in fakeauth.calls("ovok.b2b_login").entries] == [500, 200]


def test_a_dropped_connection_reaches_the_client(
    fakeauth: FakeAuth, fakeauth_ovok_user: SeededUser
) -> None:
    fakeauth.drop_next("ovok.b2b_login")

    with pytest.raises(requests.ConnectionError):
        login_with_one_retry(fakeauth_ovok_user.email, fakeauth_ovok_user.password)
