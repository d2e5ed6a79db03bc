"""A live server for clients that need a real socket: here curl, exactly as Ovok documents it."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from fakeauth.testing import FakeauthServer

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def test_the_documented_curl_request(fakeauth_server: FakeauthServer) -> None:
    body = json.dumps(
        {
            "email": "max.mustermann@example.com",
            "password": "A[.DmUv]2vE|n_+]",
            "name": "Max",
            "surname": "Mustermann",
            "tenantId": "87ea5dfc-8b8e-384d-8489-79496e706390",
            "clientId": "87ea5dfc-8b8e-384d-8489-79496e706390",
        }
    )

    result = subprocess.run(
        [
            "curl", "-sS", "-X", "POST",
            "--url", f"{fakeauth_server.url}/auth/b2b/register",
            "-H", "Content-Type: application/json",
            "-d", body,
        ],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip

    assert json.loads(result.stdout)["project"]["display"] == "My Medical Project"
    assert fakeauth_server.fake.ovok.get_account("max.mustermann@example.com").name == "Max"
