"""A reset never brings an old credential back to life.

State goes back to a fresh fake's, but generated values continue from a new random epoch: under a
frozen clock with a seed (the worst case: the very same inputs before and after), every token,
refresh token, wizard uuid and 2FA code issued before ``fake.reset()`` or ``POST /_fakeauth/reset``
is refused after it, on every vendor, and none is issued again to the next account. Two runs with
the same seed and the same calls, resets included, still answer byte for byte alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from freezegun import freeze_time
from werkzeug.test import Client

from fakeauth import FakeAuth
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.state.waltid import (
    DEFAULT_SUPERADMIN_EMAIL,
    DEFAULT_SUPERADMIN_PASSWORD,
    DEFAULT_SUPERADMIN_TOKEN,
)
from fakeauth.vendors import DEFAULT_HOSTS

FROZEN = "2026-05-04T10:00:00Z"
PASSWORD = "s3cret-Pa55word"
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"
HOSTS = {vendor: urls[0] for vendor, urls in DEFAULT_HOSTS.items()}
IDS = {"tenantId": DEFAULT_TENANT_ID, "clientId": DEFAULT_CLIENT_ID}


@dataclass
class Wire:
    """Sends requests to one fake, in process (by vendor host) or to its live server (by path),
    and keeps every answer's bytes."""

    fake: FakeAuth
    server_url: str | None = None
    answers: list[tuple[int, bytes]] = field(default_factory=list)

    def send(
        self, vendor: str, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if self.server_url is None:
            response = Client(self.fake.wsgi_app).open(
                path, method=method, base_url=HOSTS[vendor], json=body, headers=headers
            )
            status, data = response.status_code, response.data
        else:
            reply = requests.request(
                method, f"{self.server_url}{path}", json=body, headers=headers, timeout=10
            )
            status, data = reply.status_code, reply.content
        self.answers.append((status, data))
        try:
            return status, json.loads(data)
        except ValueError:  # walt.id answers some errors in plain text
            return status, data.decode()

    def reset(self) -> None:
        if self.server_url is None:
            self.fake.reset()
        else:
            reply = requests.post(f"{self.server_url}/_fakeauth/reset", timeout=10)
            assert reply.status_code == 200


@dataclass
class Credentials:
    """What one account was handed: token name -> value."""

    values: dict[str, str] = field(default_factory=dict)


def ovok_session(wire: Wire, email: str) -> Credentials:
    body = {"email": email, "password": PASSWORD, "name": "N", "surname": "S", **IDS}
    status, _ = wire.send("ovok", "POST", "/auth/b2b/register", body)
    assert status == 200
    status, login = wire.send(
        "ovok", "POST", "/auth/b2b/login", {"email": email, "password": PASSWORD, **IDS}
    )
    assert status == 200
    return Credentials({"access": login["accessToken"], "refresh": login["refreshToken"]})


def ovok_refusals(wire: Wire, old: Credentials) -> dict[str, int]:
    me, _ = wire.send("ovok", "GET", "/auth/me", token=old.values["access"])
    refresh, _ = wire.send(
        "ovok", "POST", "/auth/refresh-token", {"refresh_token": old.values["refresh"]}
    )
    return {"access": me, "refresh": refresh}


def b2core_session(wire: Wire, email: str) -> Credentials:
    wire.fake.b2core.add_account(email=email, password=PASSWORD, two_factor="sms")
    status, wizard = wire.send("b2core", "POST", "/api/v2/my/signin/wizard", {})
    assert status == 200
    uuid = wizard["uuid"]
    signin = {"uuid": uuid, "email": email, "password": PASSWORD, "device_fingerprint": FINGERPRINT}
    status, _ = wire.send("b2core", "POST", "/api/v2/my/signin", signin)
    assert status == 200
    code = wire.fake.b2core.two_factor_code(email)
    status, done = wire.send("b2core", "POST", "/api/v2/my/2fa/sms", {"uuid": uuid, "code": code})
    assert status == 200, done
    tokens = done["data"]
    return Credentials(
        {
            "uuid": uuid,
            "code": code,
            "access": tokens["accessToken"]["token"],
            "refresh": tokens["refreshToken"]["token"],
        }
    )


def b2core_refusals(wire: Wire, old: Credentials, email: str) -> dict[str, int]:
    settings, _ = wire.send("b2core", "GET", "/api/v2/my/2fa", token=old.values["access"])
    refresh, _ = wire.send(
        "b2core", "POST", "/api/v2/my/refresh", {"refreshToken": old.values["refresh"]}
    )
    signin = {
        "uuid": old.values["uuid"],
        "email": email,
        "password": PASSWORD,
        "device_fingerprint": FINGERPRINT,
    }
    wizard, _ = wire.send("b2core", "POST", "/api/v2/my/signin", signin)
    # The old code, on a fresh wizard that reached the SMS step after the reset:
    status, fresh = wire.send("b2core", "POST", "/api/v2/my/signin/wizard", {})
    assert status == 200
    step = {**signin, "uuid": fresh["uuid"]}
    status, _ = wire.send("b2core", "POST", "/api/v2/my/signin", step)
    assert status == 200
    code, _ = wire.send(
        "b2core", "POST", "/api/v2/my/2fa/sms", {"uuid": fresh["uuid"], "code": old.values["code"]}
    )
    return {"access": settings, "refresh": refresh, "uuid": wizard, "code": code}


def waltid_session(wire: Wire) -> Credentials:
    status, _ = wire.send(
        "waltid", "POST", "/v1/superadmin/create-by-token", {"token": DEFAULT_SUPERADMIN_TOKEN}
    )
    assert status in (200, 201)
    credentials = {"email": DEFAULT_SUPERADMIN_EMAIL, "password": DEFAULT_SUPERADMIN_PASSWORD}
    status, login = wire.send("waltid", "POST", "/auth/account/emailpass", credentials)
    assert status == 200
    return Credentials({"token": login["token"]})


def waltid_refusals(wire: Wire, old: Credentials) -> dict[str, int]:
    status, _ = wire.send("waltid", "GET", "/v1/admin/accounts", token=old.values["token"])
    return {"token": status}


Scenario = Callable[[Wire], tuple[list[Credentials], dict[str, int]]]


def ovok_scenario(wire: Wire) -> tuple[list[Credentials], dict[str, int]]:
    alice = ovok_session(wire, "alice@example.test")
    wire.reset()
    mallory = ovok_session(wire, "mallory@example.test")
    return [alice, mallory], ovok_refusals(wire, alice)


def b2core_scenario(wire: Wire) -> tuple[list[Credentials], dict[str, int]]:
    alice = b2core_session(wire, "alice@example.test")
    wire.reset()
    mallory = b2core_session(wire, "alice@example.test")  # the same email, re-created
    return [alice, mallory], b2core_refusals(wire, alice, "alice@example.test")


def waltid_scenario(wire: Wire) -> tuple[list[Credentials], dict[str, int]]:
    before = waltid_session(wire)
    wire.reset()
    after = waltid_session(wire)  # the Super Admin re-created from the same registration token
    return [before, after], waltid_refusals(wire, before)


REFUSED = {
    "ovok": {"access": 401, "refresh": 401},
    "b2core": {"access": 401, "refresh": 401, "uuid": 400, "code": 400},
    "waltid": {"token": 401},
}
SCENARIOS: dict[str, Scenario] = {
    "ovok": ovok_scenario,
    "b2core": b2core_scenario,
    "waltid": waltid_scenario,
}


@pytest.fixture(params=["in process", "live server"])
def wire_for(request: pytest.FixtureRequest) -> Iterator[Callable[[FakeAuth], Wire]]:
    servers: list[Any] = []

    def make(fake: FakeAuth) -> Wire:
        if request.param == "in process":
            return Wire(fake)
        server = fake.serve()
        servers.append(server)
        return Wire(fake, server.url)

    yield make
    for server in servers:
        server.stop()


@pytest.mark.parametrize("seed", [7, None], ids=["seeded", "unseeded"])
@pytest.mark.parametrize("vendor", list(SCENARIOS))
def test_no_credential_from_before_a_reset_is_accepted_or_issued_again(
    vendor: str, seed: int | None, wire_for: Callable[[FakeAuth], Wire]
) -> None:
    fake = FakeAuth(seed=seed)

    with freeze_time(FROZEN):
        (before, after), refusals = SCENARIOS[vendor](wire_for(fake))

    assert refusals == REFUSED[vendor]
    reissued = {
        name
        for name, value in before.values.items()
        if after.values.get(name) == value and (name != "code" or seed is not None)
    }
    assert reissued == set()


@pytest.mark.parametrize("vendor", list(SCENARIOS))
def test_the_same_seed_and_calls_with_resets_give_the_same_answers(vendor: str) -> None:
    runs = []
    for _ in range(2):
        wire = Wire(FakeAuth(seed=11))
        with freeze_time(FROZEN):
            SCENARIOS[vendor](wire)
        runs.append(wire.answers)

    assert runs[0] == runs[1]
    assert len(runs[0]) >= 4


def test_a_fresh_fake_still_issues_what_it_issued_before_epochs_existed() -> None:
    # Epoch 0 derives its streams as before: a seeded fake's first values are unchanged, and a
    # reset fake's are not those of a fresh one.
    fresh, reset = FakeAuth(seed=3), FakeAuth(seed=3)
    reset.reset()

    with freeze_time(FROZEN):
        first = ovok_session(Wire(fresh), "ann@example.test").values
        again = ovok_session(Wire(FakeAuth(seed=3)), "ann@example.test").values
        after_reset = ovok_session(Wire(reset), "ann@example.test").values

    assert first == again
    assert first["access"] != after_reset["access"]
    assert first["refresh"] != after_reset["refresh"]


def test_one_accounts_token_never_authenticates_another_across_a_reset() -> None:
    fake = FakeAuth(seed=5)
    wire = Wire(fake)

    with freeze_time(FROZEN):
        alice = ovok_session(wire, "alice@example.test")
        fake.reset()
        ovok_session(wire, "alice@example.test")  # the same email, a new account
        status, _ = wire.send("ovok", "GET", "/auth/me", token=alice.values["access"])

    assert status == 401


def test_the_signing_keys_change_with_a_reset() -> None:
    fake = FakeAuth(seed=9)
    before = fake.jwks()

    fake.reset()

    assert before["keys"]
    assert fake.jwks()["keys"]
    assert before != fake.jwks()
