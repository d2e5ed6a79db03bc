"""The login path's fast paths give exactly what the plain paths they replace gave (issue 25,
target 3: a login through ``mock_requests()``; see benchmarks/README.md)."""

from __future__ import annotations

import enum
import io
import json
import uuid
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
import requests
from werkzeug.test import Client as WsgiClient

from fakeauth import FakeAuth
from fakeauth.apis import ovok as ovok_api
from fakeauth.apis import ovok_bodies
from fakeauth.http import Request, dumps
from fakeauth.journal import JournalEntry
from fakeauth.journal.unread import Unread
from fakeauth.json_text import plain_json
from fakeauth.randomness import Randomness
from fakeauth.state.ovok_records import uuid4_of_hex
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore
from fakeauth.wsgi import request_from_environ, request_from_parts

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
WHEN = datetime(2026, 5, 4, 12, 30, tzinfo=timezone.utc)


class Colour(enum.IntEnum):
    RED = 1


# -- JSON: pydantic-core writes json's bytes for every plain value ---------------------------------

PLAIN = [
    {},
    [],
    (),
    "",
    0,
    None,
    True,
    {"a": [1, (2, 3), {"b": []}], "c": None, "d": False, "e": True},
    {"controls": "".join(chr(code) for code in range(32)) + '"\\/\x7f'},
    {"unicode": "é☃ 😀 \u2028\u2029 \ufeff", "ключ": "значение"},
    {"big": 2**100, "negative": -(2**63), "u64": 2**64, "digits": 10**60},
    {"accessToken": "eyJ" + "x" * 300, "expiresIn": 3600, "project": {"reference": "Project/1"}},
    [[[[["deep"]]]]],
]


@pytest.mark.parametrize("value", PLAIN)
def test_a_plain_value_is_written_as_json_writes_it(value: Any) -> None:
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()

    assert plain_json(value) == expected
    assert dumps(value) == expected


NOT_PLAIN = {
    "a float": {"n": 1e16},
    "a float in a list": [1, 2.5],
    "NaN": {"n": float("nan")},
    "an int key": {1: "a"},
    "a datetime": {"at": WHEN},
    "a lone surrogate": {"s": "\ud800"},
    "a dict subclass": OrderedDict(a=1),
    "an int subclass": {"colour": Colour.RED},
    "a str subclass": {"s": type("Text", (str,), {})("x")},
    "bytes": {"b": b"x"},
    "a set": {"s": {1}},
    "an int past the int-str limit": {"n": 10**4300},
    "a document over 4,300 bytes": {"text": "x" * 4300},
}


@pytest.mark.parametrize("value", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_any_other_value_is_left_to_json(value: Any) -> None:
    assert plain_json(value) is None


def test_a_value_deeper_than_the_interpreter_goes_is_left_to_json() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]

    assert plain_json(deep) is None


@pytest.mark.parametrize(
    "value",
    [
        {"n": 1e16, "s": "é"},
        {"s": "\ud800", "n": [1, 2]},
        {"n": float("inf")},
        {"k": 2.5},
        {"text": "é" * 5000},
    ],
)
def test_dumps_of_a_value_left_to_json_is_what_it_was(value: Any) -> None:
    try:
        expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        written = expected.encode()
    except UnicodeEncodeError:
        written = json.dumps(value, separators=(",", ":")).encode()
    except ValueError:  # not finite: written as null
        written = b'{"n":null}'

    assert dumps(value) == written


CLAIMS = [
    {"sub": "a", "iat": 1, "exp": 2, "jti": "j", "scope": "openid"},
    {"sub": 'ctl\n\t\x01"\\/', "big": 2**70, "none": None, "yes": True},
    {"sub": "é☃ 😀", "iat": 1},  # not ASCII: json's escapes, as PyJWT writes
    {"sub": "a", "ratio": 1.5},  # a float: json's text
    {"sub": "a", "exp": 10**30},
]


@pytest.mark.parametrize("claims", CLAIMS)
def test_a_signed_payload_is_the_bytes_pyjwt_writes(claims: dict[str, Any]) -> None:
    signer = JwtSigner("HS256", Randomness(seed=3).stream("k"))
    key = Randomness(seed=3).stream("k").bytes(32)

    token = signer.encode(claims)

    assert token == jwt.encode(claims, key, algorithm="HS256")


# -- the journal entry: one dict written whole is the frozen dataclass's entry --------------------

ENTRIES = [
    ("ovok.b2b_login", "ovok", "POST", "https://x/a", "/a", 200, WHEN, {"email": "e"}),
    (
        "ovok.b2b_login",
        "ovok",
        "POST",
        "https://x/a",
        "/a",
        200,
        WHEN,
        {"password": "p"},
        b'{"ok":1}',
        ("tok",),
        True,
        None,
        None,
        ("p",),
    ),
    (
        "ovok.me",
        "ovok",
        "GET",
        "https://x/b",
        "/b",
        401,
        WHEN,
        None,
        b"{}",
        (),
        True,
        "'a' is missing",
        None,
        None,
    ),
    (None, None, "GET", "https://x/c", "/c", 501, WHEN, "text", "plain text", None, False),
    (
        "ovok.logout",
        "ovok",
        "POST",
        "https://x/d",
        "/d",
        0,
        WHEN,
        None,
        "<connection dropped by an injected fault>",
        None,
        False,
        None,
        None,
        (),
    ),
    (
        "ovok.me",
        "ovok",
        "GET",
        "https://x/e",
        "/e",
        200,
        WHEN,
        Unread({"k": 1}, ("s",)),
        Unread(b"{}", ()),
        (),
        True,
        None,
        None,
        (),
    ),
]


@pytest.mark.parametrize("fields", ENTRIES)
def test_a_journal_entry_made_in_one_step_is_the_constructors(fields: tuple[Any, ...]) -> None:
    made = JournalEntry.made(*fields)

    built = JournalEntry(*fields)

    assert vars(made) == vars(built)
    assert list(vars(made)) == list(vars(built))  # the same fields, in the same order
    assert made == built
    assert (repr(made), made.request, made.response) == (repr(built), built.request, built.response)


# -- the token pair: added in one step as one by one ---------------------------------------------


def _store_state(store: TokenStore) -> tuple[Any, ...]:
    snapshot = store.snapshot()
    return (
        dict(snapshot.records),
        {key: list(value) for key, value in snapshot.by_session.items()},
        dict(snapshot.issued),
        snapshot.pruned,
        [store.issued_claims(token) for token in snapshot.issued],
    )


def _pairs(count: int, sessions: int) -> list[tuple[tuple[TokenRecord, str, dict[str, Any]], ...]]:
    pairs = []
    for number in range(count):
        session = f"s{number % sessions}"
        expires = 10.0 if number % 3 else 1e12  # a third live, the rest expired by the sweep
        pairs.append(
            tuple(
                (
                    TokenRecord(f"{kind}{number}", kind, "sub", session, 0.0, expires),
                    f"token-{kind}-{number}",
                    {"jti": f"{kind}{number}", "n": number}
                    if number % 4
                    else {"jti": f"{kind}{number}", "float": 1.5},  # not exact: not kept
                )
                for kind in ("access", "refresh")
            )
        )
    return pairs


@pytest.mark.parametrize("sessions", [1, 3])
def test_a_token_pair_added_in_one_step_is_the_two_added_one_by_one(sessions: int) -> None:
    fake = FakeAuth()
    fake.clock.set(100.0, frozen=True)
    paired, single = (TokenStore(fake.clock, sweep_at=8) for _ in range(2))
    mixed = (("access", 1), ("refresh", 2))

    for pair in _pairs(40, sessions):
        paired.add_issued(pair)
        for record, token, claims in pair:
            single.add(record, token=token, claims=claims)
    for kind, number in mixed:  # two sessions in one call: each record in its own session
        record = TokenRecord(f"x{kind}", kind, "sub", f"other{number}", 0.0, 1e12)
        paired.add_issued(((record, f"x-{kind}", {"jti": kind}),))
        single.add(record, token=f"x-{kind}", claims={"jti": kind})

    assert paired.pruned > 0  # the sweeps ran, at the same records
    assert _store_state(paired) == _store_state(single)


def test_a_pair_added_after_a_snapshot_leaves_the_snapshot_as_it_was() -> None:
    fake = FakeAuth()
    store = TokenStore(fake.clock)
    first, second = _pairs(2, 1)
    store.add_issued(first)
    snapshot = store.snapshot()
    held = (dict(snapshot.records), dict(snapshot.issued), list(snapshot.by_session["s0"]))

    store.add_issued(second)

    assert (dict(snapshot.records), dict(snapshot.issued), list(snapshot.by_session["s0"])) == held
    assert len(store.snapshot().records) == 4


# -- a login's draws: the session id and the pair's 48 bytes in one draw ---------------------------


def test_one_draw_of_64_bytes_is_a_draw_of_16_then_one_of_48() -> None:
    batched, single = Randomness(seed=9).stream("ids"), Randomness(seed=9).stream("ids")

    drawn = [batched.bytes(64) for _ in range(200)]

    assert b"".join(drawn) == b"".join(single.bytes(16) + single.bytes(48) for _ in range(200))


def test_a_seeded_login_issues_what_it_issued_before_the_single_draw() -> None:
    # The values a seeded fake gave with one draw for the session id and one for the pair.
    fake = FakeAuth(seed=5)
    fake.clock.set(WHEN, frozen=True)
    fake.ovok.add_account(email="max@example.test", password="pw")
    ids = Randomness(seed=5).stream("ovok.ids")
    for _ in range(3):
        ids.uuid4()  # the account's id, profile and membership
    ids.bytes(16)  # the password's salt

    tokens = fake.ovok.authenticate(
        email="max@example.test", password="pw", tenant_id=TENANT, client_id=TENANT
    )
    again = fake.ovok.authenticate(
        email="max@example.test", password="pw", tenant_id=TENANT, client_id=TENANT
    )

    for issued in (tokens, again):
        access = jwt.decode(issued.access_token, options={"verify_signature": False})
        refresh = jwt.decode(issued.refresh_token, options={"verify_signature": False})
        assert issued.session.id == ids.uuid4()
        assert (access["jti"], refresh["jti"]) == (ids.uuid4(), ids.uuid4())
        assert refresh["refresh_secret"] == ids.hex(16)
        assert access["login_id"] == refresh["login_id"] == issued.session.id


# -- the request: requests' lowercased header view taken as it is ----------------------------------


SLOTS = ("method", "url", "path", "query", "body", "remote_addr", "path_params", "mount")


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json", "User-Agent": "python-requests/2.32", "X-A": "1"},
        {"HOST": "api.dev.ovok.com:443", "Authorization": "Bearer t", "Cookie": "a=b"},
        {},
    ],
)
def test_a_request_from_requests_lowercased_view_is_the_plain_paths(
    headers: dict[str, str],
) -> None:
    prepared = requests.Request(
        "post", "https://api.dev.ovok.com/auth/b2b/lo%67in?x=1", headers=headers, data=b"{}"
    ).prepare()
    fields = ("POST" if prepared.method is None else prepared.method, prepared.url or "")

    fast = request_from_parts(*fields, prepared.headers.lower_items(), b"{}", lowercase=True)
    plain = request_from_parts(*fields, prepared.headers.items(), b"{}")

    assert dict(fast.headers) == dict(plain.headers)
    assert list(fast.headers) == list(plain.headers)
    assert [getattr(fast, name) for name in SLOTS] == [getattr(plain, name) for name in SLOTS]


# -- /auth/me: a UTC time's text kept, bounded, never another time's ------------------------------

TIMES = [
    datetime(2026, 5, 4, 12, 30, tzinfo=timezone.utc),
    datetime(2026, 5, 4, 12, 30, 0, 1, tzinfo=timezone.utc),
    datetime(2026, 5, 4, 13, 30, tzinfo=timezone(timedelta(hours=1))),  # equal to the first
    datetime(2026, 5, 4, 12, 30, tzinfo=timezone(timedelta(0))),  # UTC, another tzinfo object
    datetime(2026, 5, 4, 12, 30),  # naive
]


def test_a_kept_time_text_is_the_isoformat_of_that_very_time() -> None:
    texts = [ovok_api._iso_z(when) for when in TIMES + TIMES]

    assert texts == [when.isoformat().replace("+00:00", "Z") for when in TIMES + TIMES]
    assert texts[0] != texts[2]  # equal instants, another offset: never the kept text


def test_the_kept_time_texts_are_bounded() -> None:
    assert ovok_api._utc_text.cache_info().maxsize == 4096


def test_auth_me_lists_a_refreshed_sessions_new_time() -> None:
    fake = FakeAuth()
    fake.clock.set(WHEN, frozen=True)
    fake.ovok.add_account(email="max@example.test", password="pw")
    tokens = fake.ovok.authenticate(
        email="max@example.test", password="pw", tenant_id=TENANT, client_id=TENANT
    )
    client = WsgiClient(fake.wsgi_app)
    bearer = {"Authorization": f"Bearer {tokens.access_token}"}
    before = json.loads(client.get("/auth/me", base_url=OVOK, headers=bearer).data)

    fake.clock.shift(90)
    fake.ovok.refresh(tokens.refresh_token)
    after = json.loads(client.get("/auth/me", base_url=OVOK, headers=bearer).data)

    assert before["security"]["sessions"][0]["lastUpdated"] == "2026-05-04T12:30:00Z"
    assert after["security"]["sessions"][0]["lastUpdated"] == "2026-05-04T12:31:30Z"


# -- the WSGI request: the environ read as the plain reading read it -------------------------------


def _plain_request_from_environ(environ: dict[str, Any]) -> tuple[Any, ...]:
    """The fields the reading gave before its fast paths (each string through latin-1, the
    declared length read twice)."""

    def wsgi_str(value: str) -> str:
        return value.encode("latin-1", "replace").decode("utf-8", "replace")

    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    path = wsgi_str(environ.get("PATH_INFO", "")) or "/"
    script = wsgi_str(environ.get("SCRIPT_NAME", "")).rstrip("/")
    query = wsgi_str(environ.get("QUERY_STRING", ""))
    host = headers.get("host") or environ.get("SERVER_NAME", "localhost")
    url = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{script}{path}" + (
        f"?{query}" if query else ""
    )
    length_text = environ.get("CONTENT_LENGTH") or ""
    declared = int(length_text) if length_text.strip().isdigit() else 0
    stream = environ.get("wsgi.input")
    if stream is None:
        body = b""
    elif length_text.strip().isdigit():
        body = b"" if declared > 64 * 1024 * 1024 else (stream.read(declared) if declared else b"")
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    method = environ.get("REQUEST_METHOD", "GET").upper()
    remote = environ.get("REMOTE_ADDR") or "127.0.0.1"
    return (method, url, path, query, headers, bytes(body), remote, {}, declared, script, "")


LATIN1_PATH = "/auth/caf\xc3\xa9"  # PEP 3333: "/auth/café" as UTF-8 bytes read as latin-1
ENVIRONS = {
    "a login": {"PATH_INFO": "/auth/b2b/login", "CONTENT_LENGTH": "2", "body": b"{}"},
    "a UTF-8 path, query and prefix": {
        "PATH_INFO": LATIN1_PATH,
        "QUERY_STRING": "q=\xc3\xa9",
        "SCRIPT_NAME": "/_lanes/\xc3\xa9/",
    },
    "no length, a terminated input": {"wsgi.input_terminated": True, "body": b"abc"},
    "no length, no terminated input": {"body": b"abc"},
    "a length over the hard limit": {"CONTENT_LENGTH": str(64 * 1024 * 1024 + 1)},
    "a length that is no number": {"CONTENT_LENGTH": " 12x", "body": b"{}"},
    "a padded length": {"CONTENT_LENGTH": " 2 ", "body": b"{}"},
    "no input stream": {"CONTENT_LENGTH": "5", "body": None},
    "lowercase method, no host header": {"REQUEST_METHOD": "post", "HTTP_HOST": ""},
}


@pytest.mark.parametrize("overrides", ENVIRONS.values(), ids=ENVIRONS.keys())
def test_a_request_from_an_environ_is_what_the_plain_reading_gave(
    overrides: dict[str, Any],
) -> None:
    def environ() -> dict[str, Any]:
        fields: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": "/",
            "QUERY_STRING": "",
            "SERVER_NAME": "api.dev.ovok.com",
            "REMOTE_ADDR": "10.0.0.7",
            "HTTP_HOST": "api.dev.ovok.com",
            "HTTP_X_TRACE_ID": "t-1",
            "CONTENT_TYPE": "application/json",
            "wsgi.url_scheme": "https",
        }
        fields.update({key: value for key, value in overrides.items() if key != "body"})
        body = overrides.get("body", b"")
        if body is not None:
            fields["wsgi.input"] = io.BytesIO(body)
        return fields

    request = request_from_environ(environ())

    fields = tuple(getattr(request, name) for name in Request.__slots__)
    assert fields == _plain_request_from_environ(environ())


# -- an Ovok body: read from where its whitespace ends, refused by json's own words ---------------

BODY_TEXTS = [
    '{"email":"max@example.test","password":"pw"}',
    ' \t\n\r{"a": [1, 2.5, "x", null, true]} \n',
    '[1, {"b": {}}]',
    '{"a": 1} x',
    '{"a": 1}{"b": 2}',
    '{"a": }',
    '{"a": 1',
    '{"a": NaN}',
    '{"a": "\\ud800"}',
    '{"n": ' + "9" * 5000 + "}",
    "[" * 100_000 + "]" * 100_000,
]


def _outcome(read: Any) -> tuple[Any, ...]:
    try:
        return ("value", read())
    except json.JSONDecodeError as exc:
        return ("error", type(exc), str(exc), exc.pos)
    except Exception as exc:
        return ("raised", type(exc), str(exc))


@pytest.mark.parametrize("text", BODY_TEXTS)
def test_a_body_read_from_its_first_character_is_what_decode_gives(text: str) -> None:
    stripped = text.lstrip(" \t\n\r")

    fast = _outcome(lambda: ovok_bodies._decoded(text, stripped))

    assert fast == _outcome(lambda: ovok_bodies._DECODER.decode(text))


def test_a_uuid_of_the_draws_hex_is_the_uuid_of_its_bytes() -> None:
    drawn = Randomness(seed=11).stream("ids").bytes(16 * 500)
    chunks = [drawn[start : start + 16] for start in range(0, len(drawn), 16)]

    of_hex = [uuid4_of_hex(chunk.hex() + "ff" * 8) for chunk in chunks]  # what follows: unread

    assert of_hex == [str(uuid.UUID(bytes=chunk, version=4)) for chunk in chunks]
