"""Exact token expiry under freezegun: valid until the second before ``exp``, refused from it."""

from __future__ import annotations

import pytest
import requests
from freezegun import freeze_time

from fakeauth import FakeAuth
from fakeauth.testing import SeededUser

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"


def me(token: str) -> int:
    response = requests.get(
        f"{OVOK}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return response.status_code


def test_access_token_lives_exactly_one_hour(fakeauth_ovok_user: SeededUser) -> None:
    with freeze_time("2026-05-04T10:00:00Z") as frozen:
        token = requests.post(
            f"{OVOK}/auth/b2b/login",
            json={
                "email": fakeauth_ovok_user.email,
                "password": fakeauth_ovok_user.password,
                "tenantId": TENANT,
                "clientId": TENANT,
            },
            timeout=10,
        ).json()["accessToken"]

        frozen.tick(3599)
        assert me(token) == 200
        frozen.tick(1)
        assert me(token) == 401


@pytest.mark.fakeauth(seed=7)
def test_a_seed_makes_ids_repeatable(fakeauth: FakeAuth) -> None:
    first = FakeAuth(seed=7).ovok.add_account(email="a@example.test", password="pw")

    second = fakeauth.ovok.add_account(email="a@example.test", password="pw")

    assert first.id == second.id
