"""The speed paths give exactly what the plain paths they replace gave (see benchmarks/)."""

from __future__ import annotations

import dataclasses
import hmac
import json
import random
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
import requests
from hardening import new_fake, well_formed
from werkzeug.test import Client as WsgiClient

from fakeauth import FakeAuth, redacted
from fakeauth.apis import ovok as ovok_api
from fakeauth.apis.base import Handled
from fakeauth.emails import _Patterns, _patterns, is_email
from fakeauth.http import Request, Response, dumps
from fakeauth.journal import Journal, JournalEntry, body_value
from fakeauth.jwt_signer import _hmac_sha256_states
from fakeauth.randomness import Randomness
from fakeauth.redaction import (
    MAX_DEPTH,
    REQUEST_SECRET_KEYS,
    SECRET_KEYS,
    TOO_DEEP,
    redact,
    scrub_text,
)
from fakeauth.routing import RouteMap
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from fakeauth.state.ovok_records import uuid4_text
from fakeauth.tokens import JwtSigner
from fakeauth.transports.base import UnservedRequestsError, check_all_served
from fakeauth.transports.requests_mock import _VendorHosts
from fakeauth.vendors import VENDORS
from fakeauth.wsgi import WsgiApp, route_table, routing_for
from fakeauth.wsgi import _journal_request as journal_request

ROUTING = routing_for(VENDORS)

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
OVOK_PASSWORD = "ovok-Secret-4f9c2a71"
CLAIMS = [
    {"sub": "a", "iat": 1, "exp": 2, "jti": "j"},
    {"sub": "é☃ 😀", "none": None, "float": 1.5, "list": [1, {"b": True}], "iss": "me"},
    {},
]


# -- tokens: the HS256 path writes PyJWT's very bytes ---------------------------------------------


@pytest.mark.parametrize("kid", [None, "key-1"])
@pytest.mark.parametrize("claims", CLAIMS)
def test_hs256_tokens_are_the_bytes_pyjwt_writes(kid: str | None, claims: dict[str, Any]) -> None:
    signer = JwtSigner("HS256", Randomness(seed=3).stream("k"), kid=kid)
    key = Randomness(seed=3).stream("k").bytes(32)

    token = signer.encode(claims)

    headers = {"kid": kid} if kid is not None else None
    assert token == jwt.encode(claims, key, algorithm="HS256", headers=headers)


@pytest.mark.parametrize(
    ("claims", "headers"),
    [
        ({"sub": "a", "exp": datetime(2030, 1, 1, tzinfo=timezone.utc)}, None),
        ({"sub": "a"}, {"cty": "x"}),
    ],
)
def test_what_the_hs256_path_leaves_to_pyjwt_is_still_pyjwt(
    claims: dict[str, Any], headers: dict[str, Any] | None
) -> None:
    signer = JwtSigner("HS256", Randomness(seed=3).stream("k"))
    key = Randomness(seed=3).stream("k").bytes(32)

    token = signer.encode(claims, headers=headers)

    assert token == jwt.encode(claims, key, algorithm="HS256", headers=headers)


def test_a_bad_issuer_is_refused_as_pyjwt_refuses_it() -> None:
    signer = JwtSigner("HS256", Randomness(seed=3).stream("k"))

    with pytest.raises(TypeError, match="Issuer"):
        signer.encode({"iss": 1})


@pytest.mark.parametrize("algorithm", ["HS256", "EdDSA"])
def test_a_signer_given_a_stream_factory_makes_it_once_for_the_same_key(algorithm: str) -> None:
    made: list[str] = []

    def factory() -> Any:
        made.append("stream")
        return Randomness(seed=3).stream("k")

    lazy = JwtSigner(algorithm, factory)
    eager = JwtSigner(algorithm, Randomness(seed=3).stream("k"))

    assert made == []
    assert lazy.encode({"sub": "a"}) == eager.encode({"sub": "a"})
    assert lazy.decode(eager.encode({"sub": "b"})) == {"sub": "b"}
    assert made == ["stream"]


# -- Ovok state: ids and keys drawn lazily, the same values ---------------------------------------


def test_ovok_uuid4_is_the_streams_own_uuid4() -> None:
    fast, plain = Randomness(seed=4).stream("ids"), Randomness(seed=4).stream("ids")

    drawn = [uuid4_text(fast.bytes(16)) for _ in range(2000)]

    assert drawn == [plain.uuid4() for _ in range(2000)]


def test_a_seeded_fake_draws_its_ovok_ids_in_the_order_of_one_draw_each() -> None:
    fake = FakeAuth(seed=5)
    ids = Randomness(seed=5).stream("ovok.ids")

    account = fake.ovok.add_account(email="max@example.test", password="pw")
    tokens = fake.ovok.authenticate(
        email="max@example.test", password="pw", tenant_id=TENANT, client_id=TENANT
    )

    assert [account.id, account.profile_id, account.membership_id] == [
        ids.uuid4() for _ in range(3)
    ]
    ids.bytes(16)  # the password's salt
    access = jwt.decode(tokens.access_token, options={"verify_signature": False})
    refresh = jwt.decode(tokens.refresh_token, options={"verify_signature": False})
    assert tokens.session.id == ids.uuid4()
    assert (access["jti"], refresh["jti"]) == (ids.uuid4(), ids.uuid4())
    assert refresh["refresh_secret"] == ids.hex(16)


def test_a_seeded_fake_under_a_frozen_clock_issues_the_same_tokens_twice() -> None:
    issued = []
    for _ in range(2):
        fake = FakeAuth(seed=5)
        fake.clock.set(datetime(2026, 5, 4, tzinfo=timezone.utc), frozen=True)
        fake.ovok.add_account(email="max@example.test", password="pw")
        tokens = fake.ovok.authenticate(
            email="max@example.test", password="pw", tenant_id=TENANT, client_id=TENANT
        )
        issued.append((tokens.access_token, tokens.refresh_token))

    assert issued[0] == issued[1]


def test_after_a_reset_the_lazy_ovok_ids_are_the_new_epochs() -> None:
    used, untouched = FakeAuth(seed=6), FakeAuth(seed=6)
    first = used.ovok.add_account(email="max@example.test", password="pw").id

    used.reset()
    untouched.reset()  # its Ovok state (and id stream) not built before the reset

    after = used.ovok.add_account(email="max@example.test", password="pw").id
    assert after != first
    assert untouched.ovok.add_account(email="max@example.test", password="pw").id == after


# -- the Ovok email check: cached, same verdicts --------------------------------------------------


@pytest.mark.parametrize(
    "value", ["max@example.test", "not an email", "a" * 250 + "@x.io", "x@" + "a" * 300 + ".io"]
)
def test_the_cached_email_check_agrees_with_is_email(value: str) -> None:
    expected = is_email(value)

    verdicts = []
    for _ in range(2):
        try:
            verdicts.append(ovok_api._email(value) == value)
        except ValueError:
            verdicts.append(False)

    assert verdicts == [expected, expected]


# -- redaction: the same copy as the plain recursive walk -----------------------------------------


def _reference_redact(value: Any, secrets: list[str], depth: int = 0) -> Any:
    """The plain recursive walk that redact() is a faster form of."""
    if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return {
            key: (
                _reference_redact_all(item, depth + 1)
                if str(key).lower() in SECRET_KEYS
                else _reference_redact(item, secrets, depth + 1)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_reference_redact(item, secrets, depth + 1) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, redacted(secret))
        value = re.sub(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", _redacted, value)
    return value


def _reference_redact_all(value: Any, depth: int) -> Any:
    if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return {key: _reference_redact_all(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_reference_redact_all(item, depth + 1) for item in value]
    if value is None or isinstance(value, bool):
        return value
    return redacted(str(value))


def _redacted(match: re.Match[str]) -> str:
    return redacted(match.group(0))


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 80 and roll < 0.2:
        keys = ["password", "accessToken", "note", 7, "pw"]
        return {rng.choice(keys): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if depth < 80 and roll < 0.35:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if depth < 3 and roll < 0.4:
        deep = _random_value(rng, 70)
        for _ in range(70):
            deep = [deep] if rng.random() < 0.5 else {"k": deep}
        return deep
    return rng.choice(
        ["pw", "a pw b", "tok", "", 5, None, 1.5, True, ("pw",), "x eyJh.eyJp.sig pw"]
    )


@pytest.mark.parametrize("secrets", [[], ["pw"], ["pw", "tok", "", "pw"]])
def test_redact_gives_the_copy_the_plain_walk_gave(secrets: list[str]) -> None:
    rng = random.Random(7)
    known = sorted({s for s in secrets if s}, key=len, reverse=True)

    for _ in range(500):
        value = _random_value(rng)
        assert redact(value, secrets) == _reference_redact(value, known)


class _ShownAs(str):
    """A key that is not exactly a str, and whose str() is another text."""

    def __str__(self) -> str:
        return "password"


@pytest.mark.parametrize("secrets", [[], ["v"]])
def test_a_key_that_is_not_exactly_a_str_is_read_through_str(secrets: list[str]) -> None:
    value = {_ShownAs("memo"): "v", 7: "v", "Password": "v", "note": "a v"}

    assert redact(value, secrets) == _reference_redact(value, secrets)
    assert redact(value, secrets)["memo"] == redacted("v")


# -- routing: cached matches, the adapter's answers -----------------------------------------------


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/auth/b2b/login", "POST"),
        ("/auth/b2b/login/", "POST"),
        ("/auth/b2b/login", "GET"),
        ("/no/such/path", "GET"),
        ("/v1/admin/account/register", "POST"),
    ],
)
@pytest.mark.parametrize("routes", [ROUTING.root, *ROUTING.by_vendor.values()])
def test_a_cached_match_is_the_routers_plain_match(
    path: str, method: str, routes: RouteMap
) -> None:
    expected = routes.router.resolve(path, method)

    assert routes.router.match(path, method) == expected
    hits = routes.router.match.cache_info().hits
    assert routes.router.match(path, method) == expected
    assert routes.router.match.cache_info().hits == hits + 1


def test_the_match_caches_are_bounded() -> None:
    for routes in (ROUTING.root, *ROUTING.by_vendor.values()):
        assert routes.router.match.cache_info().maxsize == 4096


# -- JSON bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [{"a": [1, "é", None]}, "\ud800", {"k": "\x7f\u2028"}])
def test_dumps_writes_what_json_dumps_writes(value: Any) -> None:
    try:
        expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        expected = json.dumps(value, separators=(",", ":")).encode()

    assert dumps(value) == expected


def test_a_journal_cleared_inside_an_interception_still_shows_unserved_requests() -> None:
    journal = Journal()
    entry = JournalEntry(None, "ovok", "GET", "https://x/y", "/y", 501, datetime.now(), None, None)
    mark = journal.mark()
    journal.record(entry)
    journal.clear()

    check_all_served(journal, journal.mark())
    journal.record(entry)
    with pytest.raises(UnservedRequestsError) as info:
        check_all_served(journal, mark)

    assert "1 request(s) to a vendor host" in str(info.value)


# -- the journal: a response kept as the bytes sent, redacted when read --------------------------


@pytest.mark.parametrize("operation", [op for op, _, _ in route_table()])
def test_a_journal_response_read_later_is_what_redacting_it_at_once_gave(
    operation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = new_fake()
    expected: list[Any] = []
    record = WsgiApp._record

    def record_and_redact_at_once(
        app: WsgiApp,
        when: datetime,
        request: Request,
        op: Any,
        api: Any,
        response: Any,
        handled: Handled | None = None,
        *rest: Any,
    ) -> None:
        # What the journal kept before: the document (or body) redacted while it was recorded.
        if response is not None:
            document = response.document
            value = document if document is not None else body_value(response.body)
            expected.append(redact(value, handled.secrets if handled is not None else ()))
        record(app, when, request, op, api, response, handled, *rest)

    monkeypatch.setattr(WsgiApp, "_record", record_and_redact_at_once)
    well_formed(operation, fake).send(fake)
    entries = list(fake.journal)
    fake.reset()  # the state changes after the call; what the entries show must not
    assert expected, f"{operation}: nothing was recorded"
    assert [entry.response for entry in entries] == expected


def _redacted_at_once(request: Request, handled: Handled | None, secrets: tuple[str, ...]) -> Any:
    """What the journal kept of a request before: its body redacted while it was recorded."""
    parsed = handled.body if handled is not None else None
    if parsed is not None:
        return redact(parsed, secrets, keys=REQUEST_SECRET_KEYS)
    value = body_value(request.body, lambda text: scrub_text(text, secrets))
    return value if isinstance(value, str) else redact(value, secrets, keys=REQUEST_SECRET_KEYS)


ECHO = "<the password of the body>"  # stands for it in BODIES

BODIES = {
    "well-formed": None,
    "numbers and a nested value": {"password": 123456, "email": ["a@example.test"], "n": 1.5},
    "a token in a field": {"refresh_token": "eyJhbGciOi.eyJzdWIiOi.c2ln", "x": None, "ok": True},
    "the password echoed in another field": {"note": ECHO},
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("operation", [op for op, _, _ in route_table()])
def test_a_journal_request_read_later_is_what_redacting_it_at_once_gave(
    operation: str, body: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = new_fake()
    expected: list[Any] = []
    record = WsgiApp._record

    def record_and_redact_at_once(
        app: WsgiApp,
        when: datetime,
        request: Request,
        op: Any,
        api: Any,
        response: Any,
        handled: Handled | None = None,
        *rest: Any,
    ) -> None:
        secrets = list(handled.secrets) if handled is not None else []
        if request.bearer() is not None:
            secrets.append(request.bearer() or "")
        secrets += [v for v in request.cookies().values() if v]
        expected.append(_redacted_at_once(request, handled, tuple(secrets)))
        record(app, when, request, op, api, response, handled, *rest)

    monkeypatch.setattr(WsgiApp, "_record", record_and_redact_at_once)
    call = well_formed(operation, fake)
    if body is not None and isinstance(call.body, (dict, type(None))):
        password = (call.body or {}).get("password")
        if body.get("note") == ECHO:  # the handler notes the password: redacted where it stands
            body = {"note": f"my password is {password}"} if isinstance(password, str) else {}
        call = dataclasses.replace(call, body={**(call.body or {}), **body})
    call.send(fake)
    entries = list(fake.journal)
    fake.reset()  # the state changes after the call; what the entries show must not
    assert expected, f"{operation}: nothing was recorded"
    assert [entry.request for entry in entries] == expected


def test_a_request_body_kept_to_redact_later_shows_no_secret_before_it_is_read() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email="max@example.test", password=OVOK_PASSWORD)
    login = {"email": "max@example.test", "password": OVOK_PASSWORD, "tenantId": TENANT}
    WsgiClient(fake.wsgi_app).post(
        "/auth/b2b/login", base_url=OVOK, json={**login, "clientId": TENANT}
    )
    entry = fake.journal[0]

    shown = [repr(entry), str(entry), json.dumps(entry.to_dict(), default=str)]
    shown.append(fake.journal.format(bodies=True))

    assert all(OVOK_PASSWORD not in text for text in shown)
    assert entry.request["password"] == redacted(OVOK_PASSWORD)


def test_a_request_body_kept_to_redact_later_is_a_copy_of_the_one_parsed() -> None:
    fake = FakeAuth()
    parsed = {"email": "max@example.test", "password": OVOK_PASSWORD}
    request = Request("POST", f"{OVOK}/auth/b2b/login", "/auth/b2b/login", "", {}, b"")
    kept, secrets = journal_request(request, parsed, (OVOK_PASSWORD,))
    entry = JournalEntry(
        "ovok.b2b_login", "ovok", "POST", request.url, request.path, 200,
        datetime.now(timezone.utc), kept, None, None, False, None, None, secrets,
    )  # fmt: skip
    fake.journal.record(entry)

    parsed["email"] = "changed-after-the-call@example.test"

    assert entry.request == {"email": "max@example.test", "password": redacted(OVOK_PASSWORD)}


def test_a_journal_response_is_a_snapshot_of_what_was_sent() -> None:
    fake = FakeAuth()
    account = fake.waltid.add_account(email="max@example.test", password="s3cret-s3cret")
    secret = "t0ken-th4t-must-n0t-show"
    profile = dict(account.profile)  # the record's own profile is read-only
    response = Response.json(200, {"profile": profile, "token": secret})
    entry = JournalEntry(
        "waltid.account", "waltid", "GET", "https://x/y", "/y", 200,
        datetime.now(timezone.utc), None, response.body, (secret,), True,
    )  # fmt: skip
    profile["name"] = "changed after the answer was sent"
    assert entry.response["profile"]["name"] != "changed after the answer was sent"
    assert entry.response["token"] == redacted(secret)
    assert secret not in repr(entry)
    assert redacted(secret) in repr(entry)


# -- the seam: the routed copy of a request -------------------------------------------------------


def test_a_routed_request_is_what_replace_gives() -> None:
    request = Request(
        "POST", f"{OVOK}/x/1?a=b", "/x/1", "a=b", {"host": "api.dev.ovok.com"}, b"{}",
        remote_addr="10.0.0.1", declared_length=2, mount="/_lanes/a",
    )  # fmt: skip
    params = {"id": "1"}

    routed = request.routed(params, "ovok.b2b_login")

    expected = dataclasses.replace(request, path_params=params, operation="ovok.b2b_login")
    assert [getattr(routed, f.name) for f in dataclasses.fields(Request)] == [
        getattr(expected, f.name) for f in dataclasses.fields(Request)
    ]


# -- requests: headers read through requests' own lowercased view ---------------------------------


def test_a_prepared_request_with_plain_dict_headers_is_served_too() -> None:
    fake = FakeAuth()
    fake.ovok.add_account(email="max@example.test", password="pw")
    body = {"email": "max@example.test", "password": "pw", "tenantId": TENANT, "clientId": TENANT}
    prepared = requests.Request("POST", f"{OVOK}/auth/b2b/login", json=body).prepare()
    prepared.headers = dict(prepared.headers)  # type: ignore[assignment]

    status, _, _ = _VendorHosts(fake).callback(prepared)

    assert status == 200


@pytest.mark.parametrize("length", [0, 1, 32, 64, 65, 200])
def test_the_kept_hmac_states_sign_as_hmac_does(length: int) -> None:
    key = bytes(range(length % 256)) * (length // 256 + 1)
    key = key[:length]
    inner, outer = _hmac_sha256_states(key)

    for message in (b"", b"header.payload", b"x" * 1000):
        first = inner.copy()
        first.update(message)
        second = outer.copy()
        second.update(first.digest())
        assert second.digest() == hmac.digest(key, message, "sha256")


def test_one_draw_of_many_bytes_is_the_bytes_of_many_draws() -> None:
    # The Ovok state draws 48 bytes where it used to draw 16 three times: the same values.
    batched, single = Randomness(seed=9).stream("ids"), Randomness(seed=9).stream("ids")

    drawn = [batched.bytes(48) for _ in range(200)]

    assert b"".join(drawn) == b"".join(single.bytes(16) for _ in range(600))


# -- e-mail syntax: ASCII addresses use the ASCII characters of validator.js's patterns ---------

ASCII = [chr(code) for code in range(128)]


@pytest.mark.parametrize("field", _Patterns._fields)
def test_the_ascii_patterns_match_ascii_text_exactly_as_the_full_patterns(field: str) -> None:
    ascii_only, full = getattr(_patterns(False), field), getattr(_patterns(True), field)
    texts = ["", *ASCII, *(a + b for a in ASCII for b in ASCII), "xn--abc", "ab.cd", "a b"]

    for text in texts:
        assert bool(ascii_only.fullmatch(text)) == bool(full.fullmatch(text)), (field, text)
        assert bool(ascii_only.search(text)) == bool(full.search(text)), (field, text)


def test_an_ascii_address_compiles_only_the_ascii_patterns() -> None:
    code = (
        "from fakeauth.emails import is_email, _patterns\n"
        "assert is_email('max@example.test') and not is_email('max@@example')\n"
        "print(_patterns.cache_info().currsize)\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout == "1\n"


def test_a_refresh_touches_its_session_as_dataclasses_replace_would() -> None:
    fake = FakeAuth(seed=7)
    fake.clock.set(datetime(2026, 1, 1, 10, tzinfo=timezone.utc), frozen=True)
    fake.ovok.add_account(email="ann@example.test", password="Secret123")
    tokens = fake.ovok.authenticate(
        email="ann@example.test",
        password="Secret123",
        tenant_id=DEFAULT_TENANT_ID,
        client_id=DEFAULT_CLIENT_ID,
    )
    before = fake.ovok.sessions[tokens.session.id]
    fake.clock.shift(90)

    fake.ovok.refresh(tokens.refresh_token)

    after = fake.ovok.sessions[tokens.session.id]
    assert after == dataclasses.replace(before, last_updated=after.last_updated)
    assert after.last_updated == before.last_updated + timedelta(seconds=90)


def test_the_liveness_of_many_sessions_at_once_is_each_ones_own() -> None:
    fake = FakeAuth(seed=7)
    fake.clock.set(datetime(2026, 1, 1, 10, tzinfo=timezone.utc), frozen=True)
    fake.ovok.add_account(email="ann@example.test", password="Secret123")

    def log_in() -> Any:
        return fake.ovok.authenticate(
            email="ann@example.test",
            password="Secret123",
            tenant_id=DEFAULT_TENANT_ID,
            client_id=DEFAULT_CLIENT_ID,
        )

    early = log_in()
    fake.clock.shift(3000)
    revoked, logged_out, refreshed, live = log_in(), log_in(), log_in(), log_in()
    fake.ovok.tokens.revoke_session(revoked.session.id)
    fake.ovok.logout(logged_out.access_token)  # its refresh token stays usable
    fake.ovok.refresh(refreshed.refresh_token)
    fake.clock.shift(700)  # the early session's access token has expired, its refresh has not
    tokens = (early, revoked, logged_out, refreshed, live)
    ids = [t.session.id for t in tokens] + ["no-such-session"]

    at_once = fake.ovok.tokens.session_liveness()

    assert [at_once(session) for session in ids] == [
        fake.ovok.tokens.session_live(session) for session in ids
    ]
    assert [at_once(session) for session in ids] == [True, False, True, True, True, False]


def test_a_journal_entry_hashes_as_it_did_before_its_body_was_held_out_of_sight() -> None:
    fake = FakeAuth()
    client = WsgiClient(fake.wsgi_app)
    client.get("/auth/me", base_url=OVOK)  # no body sent: the entry hashes
    client.post("/auth/b2b/login", base_url=OVOK, json={"email": "x@example.test"})

    bodiless, with_body = fake.journal

    assert hash(bodiless) == hash(dataclasses.replace(bodiless))
    with pytest.raises(TypeError):  # a parsed JSON body is a dict, as it always was
        hash(with_body)
