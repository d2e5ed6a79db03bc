"""The plugin's fixtures and its marker, as the fixtures guide shows them."""

from __future__ import annotations

import pytest
import requests

from fakeauth import FakeAuth
from fakeauth.state.waltid import WaltidLogin
from fakeauth.testing import FakeauthServer, SeededUser

B2CORE = "https://host.name"
WALTID = "https://enterprise-sandbox.waltid.dev"
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"  # the documentation's device fingerprint


def test_a_seeded_user_signs_in(fakeauth_b2core_user: SeededUser) -> None:
    wizard = requests.get(f"{B2CORE}/api/v2/my/signin/wizard", timeout=10).json()

    reply = requests.post(
        f"{B2CORE}/api/v2/my/signin",
        json={
            "uuid": wizard["uuid"],
            "email": fakeauth_b2core_user.email,
            "password": fakeauth_b2core_user.password,
            "device_fingerprint": FINGERPRINT,
        },
        timeout=10,
    )

    assert (reply.status_code, reply.json()["code"]) == (200, 202)  # 202: signed in


def test_the_superadmin_bearer_lists_accounts(fakeauth_waltid_superadmin: WaltidLogin) -> None:
    token = fakeauth_waltid_superadmin.token

    reply = requests.get(
        f"{WALTID}/v1/admin/accounts", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )

    assert reply.status_code == 200


@pytest.mark.fakeauth(seed=7, ovok_access_token_ttl=60, features={"account-registration": False})
def test_the_marker_configures_the_fake(fakeauth: FakeAuth) -> None:
    assert fakeauth.features.is_enabled("account-registration") is False


@pytest.mark.fakeauth(assert_all_served=False)
def test_an_unserved_path_is_allowed_here(fakeauth: FakeAuth) -> None:
    reply = requests.get("https://api.dev.ovok.com/auth/not-served", timeout=10)

    assert reply.status_code == 501
    assert len(fakeauth.journal.unserved) == 1


def test_the_live_server_serves_the_same_state(
    fakeauth: FakeAuth, fakeauth_server: FakeauthServer
) -> None:
    fakeauth.ovok.add_account(email="ann@example.test", password="s3cret")

    reply = requests.get(f"{fakeauth_server.url}/_fakeauth/accounts", timeout=10)

    assert "ann@example.test" in reply.text
    assert fakeauth_server.fake is fakeauth
