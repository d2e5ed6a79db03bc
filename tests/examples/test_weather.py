"""Weather for clients: the good client of ``weather_clients.py`` under every condition."""

from __future__ import annotations

import pytest

from fakeauth import FakeAuth
from fakeauth.weather import Condition

from weather_clients import AccountLocked, GoodClient

OVOK = "https://api.dev.ovok.com"
EMAIL = "ann@example.test"
PASSWORD = "s3cret"


@pytest.mark.fakeauth_weather  # every condition; or name some: fakeauth_weather("expired_access")
def test_profile_survives(fakeauth: FakeAuth, fakeauth_weather: Condition) -> None:
    fakeauth.ovok.add_account(email=EMAIL, password=PASSWORD)
    client = GoodClient(OVOK, EMAIL, PASSWORD)

    try:
        emails = [client.profile()["email"], client.profile()["email"]]
        client.refresh()  # as the app does when it resumes
        emails.append(client.profile()["email"])
    except AccountLocked as locked:  # the one condition no client gets through
        assert fakeauth_weather.name == "locked_out"
        assert locked.retry_after > 0
        return

    assert emails == [EMAIL, EMAIL, EMAIL]
