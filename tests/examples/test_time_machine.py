"""Token expiry under time-machine, and the fake's own clock, as the time guide shows them."""

from __future__ import annotations

from datetime import datetime, timezone

import requests
import time_machine

from fakeauth import FakeAuth
from fakeauth.testing import SeededUser

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
START = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)


def login(user: SeededUser) -> str:
    body = {"email": user.email, "password": user.password, "tenantId": TENANT, "clientId": TENANT}
    return str(requests.post(f"{OVOK}/auth/b2b/login", json=body, timeout=10).json()["accessToken"])


def me(token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(f"{OVOK}/auth/me", headers=headers, timeout=10).status_code


def test_time_machine_moves_the_fake_too(fakeauth_ovok_user: SeededUser) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        token = login(fakeauth_ovok_user)

        traveller.shift(3599)
        assert me(token) == 200
        traveller.shift(1)
        assert me(token) == 401


def test_the_fake_moves_its_own_clock(fakeauth: FakeAuth, fakeauth_ovok_user: SeededUser) -> None:
    fakeauth.clock.set(START, frozen=True)
    token = login(fakeauth_ovok_user)

    fakeauth.clock.shift(3600)

    assert me(token) == 401
