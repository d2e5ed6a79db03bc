"""Weather for clients: the good client of ``test_weather_clients.py`` under every condition."""

from __future__ import annotations

import pytest
from test_weather_clients import AccountLocked, GoodClient

from fakeauth import FakeAuth
from fakeauth.weather import Condition

OVOK = "https://api.dev.ovok.com"
EMAIL = "ann@example.test"
PASSWORD = "s3cret"


@pytest.mark.fakeauth_weather  # every condition; or name some: fakeauth_weather("expired_access")
def test_profile_survives(fakeauth: FakeAuth, fakeauth_weather: Condition) -> None:
    fakeauth.ovok.add_account(email=EMAIL, password=PASSWORD)
    client = GoodClient(OVOK, EMAIL, PASSWORD)

    if fakeauth_weather.name == "locked_out":  # the one condition no client gets through
        with pytest.raises(AccountLocked):
            client.profile()
        return

    emails = [client.profile()["email"], client.profile()["email"]]
    client.refresh()  # as the app does when it resumes
    emails.append(client.profile()["email"])

    assert emails == [EMAIL, EMAIL, EMAIL]
