"""State bounded by live credentials: expired tokens and sessions pruned lazily, answers kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from fakeauth import FakeAuth
from fakeauth.clock import Clock
from fakeauth.errors import TokenExpired, TokenInvalid
from fakeauth.state.b2core import WIZARD_RETENTION, WIZARD_TTL
from fakeauth.state.ovok import DEFAULT_TENANT_ID
from fakeauth.tokens import SWEEP_AT, TokenRecord, TokenStore

START = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)
MONTH = 31 * 24 * 3600  # past every default lifetime (B2Core's refresh token: 30 days)
OVOK = "https://api.dev.ovok.com"
B2CORE = "https://host.name"
WALTID = "https://enterprise-sandbox.waltid.dev"
EMAIL = "ann@example.test"
PASSWORD = "s3cret-pass-123"


def frozen_fake() -> FakeAuth:
    fake = FakeAuth(seed=1)
    fake.clock.set(START, frozen=True)
    return fake


def send(
    fake: FakeAuth, method: str, base: str, path: str, token: str | None, body: Any = None
) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(fake.wsgi_app).open(
        path, method=method, base_url=base, headers=headers, json=body
    )


def answer(response: TestResponse) -> tuple[int, bytes, str | None]:
    return response.status_code, response.data, response.headers.get("WWW-Authenticate")


def ovok_login(fake: FakeAuth) -> Any:
    if not fake.ovok.accounts:
        fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    return fake.ovok.authenticate(
        email=EMAIL, password=PASSWORD, tenant_id=DEFAULT_TENANT_ID, client_id=DEFAULT_TENANT_ID
    )


def b2core_tokens(fake: FakeAuth) -> tuple[str, str]:
    fake.b2core.add_account(EMAIL, PASSWORD)
    uuid = send(fake, "GET", B2CORE, "/api/v2/my/signin/wizard", None).json["uuid"]  # type: ignore[index]
    form = {"uuid": uuid, "email": EMAIL, "password": PASSWORD, "device_fingerprint": "x"}
    data = send(fake, "POST", B2CORE, "/api/v2/my/signin", None, form).json["data"]  # type: ignore[index]
    return data["accessToken"]["token"], data["refreshToken"]["token"]


# Each case: a token, then one request that uses it, for every kind of token each vendor issues.
Use = Callable[[FakeAuth], Callable[[], TestResponse]]


def ovok_access(fake: FakeAuth) -> Callable[[], TestResponse]:
    token = ovok_login(fake).access_token
    return lambda: send(fake, "GET", OVOK, "/auth/me", token)


def ovok_refresh(fake: FakeAuth) -> Callable[[], TestResponse]:
    body = {"refresh_token": ovok_login(fake).refresh_token}
    return lambda: send(fake, "POST", OVOK, "/auth/refresh-token", None, body)


def b2core_access(fake: FakeAuth) -> Callable[[], TestResponse]:
    token, _ = b2core_tokens(fake)
    return lambda: send(fake, "GET", B2CORE, "/api/v2/my/2fa", token)


def b2core_refresh(fake: FakeAuth) -> Callable[[], TestResponse]:
    _, refresh = b2core_tokens(fake)
    return lambda: send(fake, "POST", B2CORE, "/api/v2/my/refresh", None, {"refreshToken": refresh})


def waltid_login(fake: FakeAuth) -> Callable[[], TestResponse]:
    token = fake.waltid.superadmin().token
    return lambda: send(fake, "GET", WALTID, "/v1/admin/accounts", token)


def waltid_logged_out(fake: FakeAuth) -> Callable[[], TestResponse]:
    token = fake.waltid.superadmin().token
    assert send(fake, "POST", WALTID, "/auth/logout", token).status_code == 200
    return lambda: send(fake, "GET", WALTID, "/v1/admin/accounts", token)


USES: list[Use] = [
    ovok_access,
    ovok_refresh,
    b2core_access,
    b2core_refresh,
    waltid_login,
    waltid_logged_out,
]


def stores(fake: FakeAuth) -> list[TokenStore]:
    return [fake.ovok.tokens, fake.b2core.tokens, fake.waltid.tokens]


# -- the token store ---------------------------------------------------------------------------


def test_a_token_store_sweeps_its_expired_records_when_it_doubles() -> None:
    clock = Clock()
    clock.set(START, frozen=True)
    store = TokenStore(clock, sweep_at=4)
    now = clock.time()
    for index in range(3):
        store.add(TokenRecord(f"old{index}", "access", "sub", f"s{index}", now, now + 10))
    clock.shift(10)

    store.add(TokenRecord("new", "access", "sub", "s9", now + 10, now + 20))

    assert len(store) == 1
    assert store.pruned == 3
    assert store.check("new", "access").id == "new"


def test_the_sweep_tells_which_sessions_lost_their_last_record() -> None:
    clock = Clock()
    clock.set(START, frozen=True)
    gone: list[list[str]] = []
    store = TokenStore(clock, on_sessions_pruned=gone.append)
    now = clock.time()
    store.add(TokenRecord("a1", "access", "sub", "a", now, now + 10))
    store.add(TokenRecord("a2", "refresh", "sub", "a", now, now + 100))
    store.add(TokenRecord("b1", "access", "sub", "b", now, now + 10))
    clock.shift(10)

    dropped = store.prune()

    assert dropped == 2
    assert gone == [["b"]]
    assert store.session_live("a")
    assert not store.session_live("b")


def test_a_pruned_record_answers_expired_from_the_tokens_own_expiry() -> None:
    clock = Clock()
    clock.set(START, frozen=True)
    store = TokenStore(clock)
    now = clock.time()
    store.add(TokenRecord("t", "access", "sub", "s", now, now + 10))
    clock.shift(15)
    store.prune()

    with pytest.raises(TokenExpired) as expired:
        store.check("t", "access", expires_at=now + 10)
    clock.shift(-15)  # moved back: the pruned token does not come back
    with pytest.raises(TokenInvalid) as unknown:
        store.check("t", "access", expires_at=now + 10)

    assert expired.value.expired_at == now + 10
    assert type(unknown.value) is TokenInvalid


# -- through the APIs: a pruned token answers as an expired one did ---------------------------


@pytest.mark.parametrize("use", USES, ids=lambda use: use.__name__)
def test_a_pruned_token_gets_the_answer_it_got_once_expired(use: Use) -> None:
    fake = frozen_fake()
    request = use(fake)
    fake.clock.shift(MONTH)
    expired = answer(request())

    pruned = sum(store.prune() for store in stores(fake))
    after = answer(request())

    assert expired[0] == 401
    assert pruned >= 1
    assert after == expired


@pytest.mark.parametrize("use", USES, ids=lambda use: use.__name__)
def test_a_pruned_token_stays_refused_when_the_clock_moves_back(use: Use) -> None:
    fake = frozen_fake()
    request = use(fake)
    fake.clock.shift(MONTH)
    for store in stores(fake):
        store.prune()

    fake.clock.set(START, frozen=True)

    assert request().status_code == 401


def test_a_logged_out_token_that_expired_answers_as_expired_before_and_after_a_sweep() -> None:
    fake = frozen_fake()
    request = waltid_logged_out(fake)
    revoked = request()
    fake.clock.shift(MONTH)

    expired = request()
    fake.waltid.tokens.prune()

    assert (revoked.status_code, revoked.data) == (401, b"Unauthorized (InvalidCredentials)")
    assert expired.json is not None
    assert expired.json["id"] == "ExpiredTokenException"
    assert request().data == expired.data


# -- the states stay bounded --------------------------------------------------------------------


def test_ovok_logins_across_expiries_keep_the_state_bounded() -> None:
    fake = frozen_fake()
    rounds, per_round = 4, SWEEP_AT

    for _ in range(rounds):
        for _ in range(per_round):
            ovok_login(fake)
        fake.clock.shift(MONTH)
    ovok_login(fake)

    assert fake.ovok.tokens.pruned >= 2 * per_round * (rounds - 2)
    assert len(fake.ovok.tokens) <= 4 * per_round  # at most about twice the live records
    assert len(fake.ovok.sessions) <= 2 * per_round


def test_walt_id_sessions_go_with_their_pruned_tokens() -> None:
    fake = frozen_fake()
    for _ in range(3):
        fake.waltid.superadmin()
    fake.clock.shift(MONTH)

    fake.waltid.tokens.prune()

    assert fake.waltid.sessions == {}
    assert len(fake.waltid.tokens) == 0


def test_b2core_wizard_sessions_past_their_retention_are_gone_and_swept() -> None:
    fake = frozen_fake()
    old = send(fake, "GET", B2CORE, "/api/v2/my/signin/wizard", None).json["uuid"]  # type: ignore[index]
    form = {"uuid": old, "email": EMAIL, "password": PASSWORD, "device_fingerprint": "x"}
    fake.clock.shift(WIZARD_TTL)
    expired = send(fake, "POST", B2CORE, "/api/v2/my/signin", None, form).json
    fake.clock.shift(WIZARD_RETENTION)

    gone = send(fake, "POST", B2CORE, "/api/v2/my/signin", None, form).json
    for _ in range(SWEEP_AT):
        fake.b2core.start_signin(fake.b2core.broker())

    assert expired["data"]["errors"] == {"uuid": ["This wizard session has expired."]}  # type: ignore[index]
    assert gone["data"]["errors"] == {"uuid": ["This wizard session does not exist."]}  # type: ignore[index]
    assert old not in fake.b2core.sessions
    assert len(fake.b2core.sessions) == SWEEP_AT


# -- /auth/me: the current session and at most the ten newest others ---------------------------


def me_sessions(fake: FakeAuth, token: str) -> list[str]:
    body = send(fake, "GET", OVOK, "/auth/me", token).json
    assert body is not None
    return [s["id"] for s in body["security"]["sessions"]]


def test_auth_me_lists_the_current_session_and_the_ten_newest_live_ones() -> None:
    fake = frozen_fake()
    logins = [ovok_login(fake) for _ in range(15)]
    ids = [login.session.id for login in logins]

    from_oldest = me_sessions(fake, logins[0].access_token)
    from_newest = me_sessions(fake, logins[-1].access_token)
    from_middle = me_sessions(fake, logins[7].access_token)

    assert from_oldest == [ids[0], *ids[5:]]
    assert from_newest == ids[4:]
    assert from_middle == ids[4:]  # the current session is not one of the ten


def test_auth_me_counts_only_sessions_that_hold_a_usable_token() -> None:
    fake = frozen_fake()
    fake.ovok.access_token_ttl, fake.ovok.refresh_token_ttl = 60, 120
    old = ovok_login(fake)
    fake.clock.shift(120)
    fresh = [ovok_login(fake) for _ in range(12)]

    listed = me_sessions(fake, fresh[0].access_token)

    assert old.session.id not in listed
    assert listed == [login.session.id for login in (fresh[0], *fresh[2:])]


def test_auth_me_stays_small_for_an_account_with_thousands_of_sessions() -> None:
    fake = frozen_fake()
    logins = [ovok_login(fake) for _ in range(2000)]

    response = send(fake, "GET", OVOK, "/auth/me", logins[0].access_token)

    assert response.status_code == 200
    assert len(response.json["security"]["sessions"]) == 11  # type: ignore[index]
    assert len(response.data) < 4096
