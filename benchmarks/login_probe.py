"""A login in one function: what target 3's limit leaves for the fake's own design.

Target 3 compares an Ovok login through ``mock_requests()`` with a ``responses`` callback that
answers fixed bytes. This probe is the same login written as one function that does only what a
login cannot skip: read the JSON body, validate it with fakeauth's own pydantic model, check a
salted password digest, sign two HS256 tokens (HMAC states made once, JSON by pydantic-core),
keep two token records under a lock, write the reply and append one tuple to a bounded list. It
has no routing, no request or response objects, no journal entry, no frozen records, no fault or
listener check. Its row shows how far below the limit such a login sits; the difference to the
fake's own row is what the seam, the state's records and the journal cost (benchmarks/README.md,
"Issue 25, session 9").
"""

from __future__ import annotations

import binascii
import collections
import hashlib
import hmac
import json
import os
import threading
import time
from typing import Any

from contenders import (
    JSON_TYPE,
    LOGIN,
    LOGIN_PATH,
    OVOK,
    PASSWORD,
    Contender,
    Suite,
    expect,
    post_json,
    responses_login,
)
from pydantic_core import to_json

from fakeauth.apis.ovok_models import LoginRequest
from fakeauth.state.ovok_records import uuid4_of_hex

__all__ = ["PROBE_ROW", "minimal_login", "probe_lines", "probe_rows"]

#: The probe's row name (in the ``requests`` group, against the same floor as the fake's login).
PROBE_ROW = "requests.minimal_login"
_FLOOR_ROW = "requests.floor"
_FAKE_ROW = "requests.ovok_login"

_URLSAFE = bytes.maketrans(b"+/", b"-_")
_HEADER = binascii.b2a_base64(b'{"alg":"HS256","typ":"JWT"}', newline=False)


ACCOUNT = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
PROFILE = f"Practitioner/{ACCOUNT}"
PROJECT = "Project/f6f4da8d-93e8-8a08-220e-03b7810451d3"


def _b64(data: bytes) -> bytes:
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=")


def minimal_login() -> Any:
    """A ``responses`` callback: the Ovok login reduced to the work it cannot skip."""
    salt, key = os.urandom(16), os.urandom(32)
    digest = hashlib.blake2b(PASSWORD.encode(), salt=salt, person=b"fakeauth").digest()
    block = key.ljust(64, b"\0")
    inner = hashlib.sha256(block.translate(bytes(b ^ 0x36 for b in range(256))))
    outer = hashlib.sha256(block.translate(bytes(b ^ 0x5C for b in range(256))))
    prefix = _HEADER.translate(_URLSAFE).rstrip(b"=") + b"."
    records: dict[str, tuple[str, str, int]] = {}
    journal: collections.deque[tuple[Any, ...]] = collections.deque(maxlen=1000)
    lock = threading.Lock()
    decoder = json.JSONDecoder()

    def sign(claims: dict[str, Any]) -> str:
        signing_input = prefix + _b64(to_json(claims))
        first = inner.copy()
        first.update(signing_input)
        second = outer.copy()
        second.update(first.digest())
        return (signing_input + b"." + _b64(second.digest())).decode()

    def callback(request: Any) -> tuple[int, dict[str, str], bytes]:
        body, _ = decoder.raw_decode(request.body.decode())
        login = LoginRequest.model_validate(body)
        given = hashlib.blake2b(login.password.encode(), salt=salt, person=b"fakeauth").digest()
        if not hmac.compare_digest(given, digest):
            return 401, {"Content-Type": JSON_TYPE}, b'{"statusCode":401}'
        drawn, now = os.urandom(64).hex(), int(time.time())
        session, access_id, refresh_id = (uuid4_of_hex(drawn[at:]) for at in (0, 32, 64))
        # the claims and the reply of the fake's login, key for key
        common = {"sub": ACCOUNT, "iat": now, "client_id": login.clientId, "login_id": session}
        access = sign(
            {**common, "exp": now + 3600, "jti": access_id, "username": ACCOUNT,
             "scope": "openid", "profile": PROFILE, "project": PROJECT}
        )  # fmt: skip
        refresh = sign({**common, "exp": now + 36000, "jti": refresh_id, "refresh_secret": drawn})
        with lock:
            records[access_id] = ("access", session, now + 3600)
            records[refresh_id] = ("refresh", session, now + 36000)
        reply = to_json(
            {"accessToken": access, "refreshToken": refresh, "expiresIn": 3600,
             "project": {"reference": PROJECT, "display": "My Medical Project"},
             "profile": {"reference": PROFILE, "display": "Max Mustermann"}}
        )  # fmt: skip
        journal.append((request.method, request.url, 200, body, reply))
        return 200, {"Content-Type": JSON_TYPE}, reply

    return callback


def probe_rows(suite: Suite) -> list[Contender]:
    """The probe's row: the login in one function, through the same ``requests`` call."""
    del suite  # the probe keeps its own account and key
    enter, exit_ = responses_login(minimal_login)

    def call() -> None:
        expect(post_json(OVOK + LOGIN_PATH, LOGIN), 200, "the one-function login")

    return [
        Contender(
            PROBE_ROW,
            "requests",
            "probe: a login in one function (no seam, journal or records)",
            call,
            ref=_FLOOR_ROW,
            enter=enter,
            exit=exit_,
        )
    ]


def probe_lines(documents: list[dict[str, Any]], limit: float) -> list[str]:
    """What the probe shows, for the printed report: its ratio to the floor, the fake's, and
    what target 3's ``limit`` leaves for everything the probe leaves out."""
    median = {doc["name"]: doc["median_us"] for doc in documents if doc["median_us"]}
    floor, fake, probe = (median.get(name) for name in (_FLOOR_ROW, _FAKE_ROW, PROBE_ROW))
    if floor is None or fake is None or probe is None:
        return []
    room = limit * floor - probe
    return [
        f"a login in one function: {probe / floor:.2f}x the responses floor (the fake's login "
        f"{fake / floor:.2f}x); the limit {limit} leaves {room:.0f} us a login for the seam, "
        f"the records and the journal, which take {fake - probe:.0f} us"
    ]
