"""walt.id's public registration, switched off by its feature flag for one test."""

from __future__ import annotations

import requests

from fakeauth import FakeAuth

WALTID = "https://enterprise-sandbox.waltid.dev"
ACCOUNT = {
    "profile": {"name": "Max Mustermann", "email": "max.mustermann@example.org"},
    "preferences": {"timeZone": "UTC", "languagePreference": "EN"},
    "initialAuth": {
        "type": "email",
        "identifier": {"type": "email", "email": "max.mustermann@example.org"},
        "data": {"type": "email", "password": "password123456"},
    },
}


def test_public_registration_is_off(fakeauth_registration_disabled: FakeAuth) -> None:
    response = requests.post(f"{WALTID}/v1/account/register", json=ACCOUNT, timeout=10)

    assert response.status_code == 404
    assert response.content == b""
    assert fakeauth_registration_disabled.waltid.accounts == []


def test_public_registration_is_on_by_default(fakeauth: FakeAuth) -> None:
    response = requests.post(f"{WALTID}/v1/account/register", json=ACCOUNT, timeout=10)

    assert response.status_code == 201
    assert response.json()["profile"]["email"] == "max.mustermann@example.org"
