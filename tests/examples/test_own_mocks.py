"""fakeauth beside your own responses and respx mocks, as the mocks guide shows them."""

from __future__ import annotations

import httpx
import requests
import responses
import respx

from fakeauth import FakeAuth

PROFILE = "https://profiles.example.test/me"
OVOK_ME = "https://api.dev.ovok.com/auth/me"


def test_your_responses_mock_inside_a_fakeauth_test(fakeauth: FakeAuth) -> None:
    with responses.RequestsMock() as mock:
        mock.get(PROFILE, json={"plan": "pro"})

        profile = requests.get(PROFILE, timeout=10).json()
        vendor = requests.get(OVOK_ME, timeout=10)

    assert profile == {"plan": "pro"}
    assert vendor.status_code == 401  # the fake answered: no token
    fakeauth.calls("ovok.me").assert_called_once()


def test_your_respx_mock_beside_the_fake(fakeauth: FakeAuth, respx_mock: respx.MockRouter) -> None:
    respx_mock.get(PROFILE).respond(json={"plan": "pro"})

    profile = httpx.get(PROFILE).json()
    vendor = httpx.get(OVOK_ME)

    assert profile == {"plan": "pro"}
    assert vendor.status_code == 401
    fakeauth.calls("ovok.me").assert_called_once()
