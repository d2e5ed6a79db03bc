"""The control API's own routes: reset, accounts, seed, flags, journal, outbox, clock, keys,
OpenAPI documents and the fidelity registry (the table is in :mod:`fakeauth.control`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from pydantic import ConfigDict, TypeAdapter, ValidationError

from fakeauth.control.body import ControlBody, json_body, sentence, validated
from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.openapi import openapi_json
from fakeauth.seeding import apply_seed

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = [
    "Handler",
    "clear_journal",
    "explain",
    "fidelity",
    "get_clock",
    "get_features",
    "get_journal",
    "get_outbox",
    "jwks",
    "list_accounts",
    "openapi",
    "openapi_of",
    "reset",
    "seed",
    "set_clock",
    "set_features",
]

#: A control route's handler: the fake and the request in, the answer out.
Handler = Callable[["FakeAuth", Request], Response]


class ClockSet(ControlBody):
    """``{"set": "2030-01-01T00:00:00Z", "frozen": false}``: make that instant the fake's now."""

    set: str
    frozen: bool = False


class ClockShift(ControlBody):
    """``{"shift": 3600}``: move the fake's clock by that many seconds (negative goes back)."""

    shift: float


class ClockReset(ControlBody):
    """``{"reset": true}``: follow the system time again."""

    reset: bool


_CLOCK_BODIES: dict[str, type[ControlBody]] = {
    "set": ClockSet,
    "shift": ClockShift,
    "reset": ClockReset,
}
_FLAGS: TypeAdapter[dict[str, bool]] = TypeAdapter(dict[str, bool], config=ConfigDict(strict=True))


def reset(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/reset``: back to a fresh instance's state."""
    fake.reset()
    return Response.json(200, {"reset": True})


def list_accounts(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/accounts``: every vendor's accounts, without secrets."""
    return Response.json(200, fake.export_accounts())


def seed(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/seed``: add what a seed document describes (see ``fakeauth.seeding``)."""
    return Response.json(200, {"added": apply_seed(fake, json_body(request))})


def get_features(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/features``: every flag and whether it is on."""
    return Response.json(200, fake.features.state())


def set_features(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/features`` with ``{"name": true|false, ...}``."""
    try:
        flags = _FLAGS.validate_python(json_body(request))
    except ValidationError as exc:
        raise ConfigurationError(
            sentence(exc, None, '{"account-registration": false}').replace(
                "the body must be an object", "the body maps flag names to true or false"
            )
        ) from None
    fake.features.apply(flags)
    return Response.json(200, fake.features.state())


def get_journal(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/journal[?after=SEQ][&limit=N]``: the kept vendor requests, oldest first,
    bodies redacted; each entry has its ``seq``.

    ``after`` skips the entries numbered up to it, ``limit`` caps the page. The header
    ``X-Fakeauth-Journal-Next`` is the ``after`` of the next page (the last entry's ``seq``);
    ``X-Fakeauth-Journal-Dropped`` says how many older entries the bound dropped.
    """
    after, limit = _journal_query(request.query)
    entries = fake.journal.page(after=after, limit=limit)
    next_after = entries[-1].seq if entries else after
    headers = [
        ("X-Fakeauth-Journal-Next", str(next_after)),
        ("X-Fakeauth-Journal-Dropped", str(fake.journal.dropped)),
        ("Access-Control-Expose-Headers", _JOURNAL_HEADERS),
    ]
    return Response.json(200, [entry.to_dict() for entry in entries], headers)


_JOURNAL_HEADERS = "X-Fakeauth-Journal-Next, X-Fakeauth-Journal-Dropped"
_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: int() would also take "١٢" and "1_000"


def _journal_query(query: str, route: str = "journal") -> tuple[int, int | None]:
    """``after`` and ``limit`` of the journal's (or outbox's) query string; other parameters
    are ignored."""
    values = parse_qs(query, keep_blank_values=True)
    after, limit = 0, None
    for name, smallest in (("after", 0), ("limit", 1)):
        given = values.get(name)
        if given is None:
            continue
        if len(given) != 1 or not _DIGITS.fullmatch(given[0]) or int(given[0]) < smallest:
            raise ConfigurationError(
                f"{name!r} must be one whole number, {smallest} or more, not "
                f"{', '.join(map(repr, given))}: for example "
                f"GET /_fakeauth/{route}?after=120&limit=50"
            )
        if name == "after":
            after = int(given[0])
        else:
            limit = int(given[0])
    return after, limit


def clear_journal(fake: FakeAuth, request: Request) -> Response:
    """``DELETE /_fakeauth/journal``: forget the entries and the call counts (the sequence
    numbers go on: the next entry gets the next one)."""
    fake.journal.clear()
    return Response.empty(204)


class ExplainBody(ControlBody):
    """``{"token": "...", "vendor": "ovok", "kind": "access"}``: the credential to explain, where
    it was sent and what was expected there (both optional)."""

    token: str
    vendor: str | None = None
    kind: str | None = None


_EXPLAIN_EXAMPLE = '{"token": "eyJ...", "vendor": "ovok", "kind": "access"}'


def explain(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/explain`` with ``{"token": ...}``: what ``fake.explain`` says of it
    (its ``to_dict()``). The token travels in the body only: one in the URL, which logs keep,
    is refused."""
    if "token" in parse_qs(request.query, keep_blank_values=True):
        raise ConfigurationError(
            f"send the token in the body, as in POST /_fakeauth/explain {_EXPLAIN_EXAMPLE}, "
            "never in the URL, which logs keep"
        )
    body = validated(ExplainBody, json_body(request), _EXPLAIN_EXAMPLE)
    return Response.json(
        200, fake.explain(body.token, vendor=body.vendor, kind=body.kind).to_dict()
    )


def get_outbox(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/outbox[?after=SEQ][&limit=N]``: the messages the vendors sent, oldest
    first, each with its ``seq`` (from 1, counting the ones the bound dropped; a reset starts
    over); ``X-Fakeauth-Outbox-Next`` is the ``after`` of the next page."""
    after, limit = _journal_query(request.query, "outbox")
    outbox = fake.outbox
    first = outbox.dropped + 1
    page = [
        {"seq": seq, **message.to_dict()}
        for seq, message in enumerate(outbox, first)
        if seq > after
    ][:limit]
    next_after = page[-1]["seq"] if page else min(after, first + len(outbox) - 1)
    headers = [
        ("X-Fakeauth-Outbox-Next", str(next_after)),
        ("Access-Control-Expose-Headers", "X-Fakeauth-Outbox-Next"),
    ]
    return Response.json(200, page, headers)


def get_clock(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/clock``."""
    return Response.json(200, _clock(fake))


def set_clock(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/clock``: ``{"set": ISO-8601, "frozen": bool}``, ``{"shift": s}``
    or ``{"reset": true}``."""
    body = json_body(request)
    kinds = [kind for kind in _CLOCK_BODIES if isinstance(body, dict) and kind in body]
    if len(kinds) != 1:
        raise ConfigurationError(
            'the body is one of {"set": "2030-01-01T00:00:00Z", "frozen": false}, '
            '{"shift": 3600} or {"reset": true}'
        )
    change = validated(_CLOCK_BODIES[kinds[0]], body, _CLOCK_EXAMPLES[kinds[0]])
    if isinstance(change, ClockSet):
        fake.clock.set(_instant(change.set), frozen=change.frozen)
    elif isinstance(change, ClockShift):
        fake.clock.shift(change.shift)
    elif change.reset:
        fake.clock.reset()
    else:  # Literal[True] would take 1 (1 == True): a bool, then its value
        raise ConfigurationError(f'"reset" must be true, as in {_CLOCK_EXAMPLES["reset"]}')
    return Response.json(200, _clock(fake))


_CLOCK_EXAMPLES = {
    "set": '{"set": "2030-01-01T00:00:00Z", "frozen": false}',
    "shift": '{"shift": 3600}',
    "reset": '{"reset": true}',
}


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigurationError(
            f'"set" must be an ISO-8601 instant such as "2030-01-01T00:00:00Z", not {text[:40]!r}'
        ) from None


def _clock(fake: FakeAuth) -> dict[str, Any]:
    return {"now": fake.clock.now().isoformat(), "shifted": fake.clock.is_shifted}


def jwks(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/jwks.json``: the public keys of the fake's asymmetric tokens."""
    return Response.json(200, fake.jwks())


def openapi(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/openapi.json``: the OpenAPI 3.1 document of what the root serves."""
    return Response(
        200, openapi_json(None, fake.vendors), [("Content-Type", "application/json; charset=utf-8")]
    )


def openapi_of(vendor: str) -> Handler:
    def handler(fake: FakeAuth, request: Request) -> Response:
        return Response(
            200,
            openapi_json(vendor, fake.vendors),
            [("Content-Type", "application/json; charset=utf-8")],
        )

    handler.__doc__ = f"``GET /_fakeauth/openapi/{vendor}.json``: the document of its routes."
    return handler


def fidelity(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/fidelity[?vendor=ovok]``: the fidelity registry's entries (every place
    where fakeauth may differ from the real services), or one vendor's (``all``, ``ovok``,
    or a vendor's name)."""
    given = parse_qs(request.query, keep_blank_values=True).get("vendor")
    if given is not None and len(given) != 1:
        raise ConfigurationError(
            "give 'vendor' once, for example GET /_fakeauth/fidelity?vendor=ovok"
        )
    try:
        return Response.json(200, fake.fidelity(given[0] if given else None))
    except ConfigurationError as exc:  # its sentence, plus the request to send
        message = str(exc).removeprefix("fakeauth: ")
        raise ConfigurationError(f"{message}, as in GET /_fakeauth/fidelity?vendor=ovok") from None
