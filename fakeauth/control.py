"""fakeauth's own control API under ``/_fakeauth/``: JSON in and out, for non-Python clients.

A front end's end-to-end tests or a shell script can reset the fake, seed and list accounts,
switch feature flags, read the (redacted) journal and the outbox, move the fake's clock, and fetch
the public keys of the asymmetric tokens and the OpenAPI document of every vendor route. Raw token
strings never leave through it.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from fakeauth.apis.base import INT_DIGITS, JsonConstant, refuse_constant
from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.openapi import openapi_json
from fakeauth.persistence.routes import ROUTES as PERSISTENCE_ROUTES
from fakeauth.persistence.routes import SNAPSHOT_PREFIX, snapshot_route
from fakeauth.seeding import apply_seed
from fakeauth.vendor import Vendor

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = ["ROUTES", "handle"]

_Handler = Callable[["FakeAuth", Request], Response]


def _error(status: int, message: str) -> Response:
    return Response.json(status, {"error": message})


class _NotStandardJson(ValueError):
    """A number standard JSON, or a Python float, cannot hold."""


def _int(text: str) -> int:
    if len(text) > INT_DIGITS:  # int() refuses it (Python's int-str limit): say why
        raise _NotStandardJson(f"an integer of {len(text):,} digits is too long")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise _NotStandardJson(f"{text[:20]} is beyond a 64-bit float")
    return value


def _body(request: Request) -> Any:
    """The request's JSON body (``{}`` when empty): standard JSON only, so no ``NaN``,
    ``Infinity``, overlong integer or overflowing float gets past the control API."""
    if not request.body.strip():
        return {}
    try:
        return json.loads(
            request.body, parse_constant=refuse_constant, parse_int=_int, parse_float=_float
        )
    except JsonConstant as exc:
        raise ConfigurationError(
            f"the body must be standard JSON: {exc.name} is not a JSON number"
        ) from None
    except _NotStandardJson as exc:
        raise ConfigurationError(f"the body must be standard JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"the body must be JSON: {exc.msg} at position {exc.pos}"
        ) from None
    except (ValueError, RecursionError):  # not UTF-8, or nested too deep
        raise ConfigurationError(
            "the body must be JSON in UTF-8, not nested thousands deep"
        ) from None


class _ControlBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class ClockSet(_ControlBody):
    """``{"set": "2030-01-01T00:00:00Z", "frozen": false}``: make that instant the fake's now."""

    set: str
    frozen: bool = False


class ClockShift(_ControlBody):
    """``{"shift": 3600}``: move the fake's clock by that many seconds (negative goes back)."""

    shift: float


class ClockReset(_ControlBody):
    """``{"reset": true}``: follow the system time again."""

    reset: bool


_CLOCK_BODIES: dict[str, type[_ControlBody]] = {
    "set": ClockSet,
    "shift": ClockShift,
    "reset": ClockReset,
}
_FLAGS: TypeAdapter[dict[str, bool]] = TypeAdapter(dict[str, bool], config=ConfigDict(strict=True))
_WANTED = {
    "bool_type": "must be true or false",
    "float_type": "must be a number of seconds",
    "finite_number": "must be a finite number",
    "string_type": "must be a string",
    "missing": "is required",
    "dict_type": "must be an object",
}


def _validated(model: type[_ControlBody], body: Any, example: str) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise ConfigurationError(_sentence(exc, model, example)) from None


def _sentence(exc: ValidationError, model: type[BaseModel] | None, example: str) -> str:
    """The first failure as one sentence naming the field."""
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden" and model is not None:
        fields = ", ".join(f'"{name}"' for name in model.model_fields)
        return f'unknown field "{field}"; the fields are {fields}, as in {example}'
    wanted = _WANTED.get(first["type"], first["msg"].lower())
    subject = f'"{field}"' if field else "the body"
    return f"{subject} {wanted}, as in {example}"


def reset(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/reset``: back to a fresh instance's state."""
    fake.reset()
    return Response.json(200, {"reset": True})


def list_accounts(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/accounts``: every vendor's accounts, without secrets."""
    return Response.json(200, fake.export_accounts())


def seed(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/seed``: add what a seed document describes (see ``fakeauth.seeding``)."""
    return Response.json(200, {"added": apply_seed(fake, _body(request))})


def get_features(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/features``: every flag and whether it is on."""
    return Response.json(200, fake.features.state())


def set_features(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/features`` with ``{"name": true|false, ...}``."""
    try:
        flags = _FLAGS.validate_python(_body(request))
    except ValidationError as exc:
        raise ConfigurationError(
            _sentence(exc, None, '{"account-registration": false}').replace(
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
    body = _body(request)
    kinds = [kind for kind in _CLOCK_BODIES if isinstance(body, dict) and kind in body]
    if len(kinds) != 1:
        raise ConfigurationError(
            'the body is one of {"set": "2030-01-01T00:00:00Z", "frozen": false}, '
            '{"shift": 3600} or {"reset": true}'
        )
    change = _validated(_CLOCK_BODIES[kinds[0]], body, _CLOCK_EXAMPLES[kinds[0]])
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


def _vendor_openapi(vendor: str) -> _Handler:
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


#: ``(method, path) -> handler``, the whole control API.
ROUTES: dict[tuple[str, str], _Handler] = {
    ("POST", "/_fakeauth/reset"): reset,
    ("GET", "/_fakeauth/accounts"): list_accounts,
    ("POST", "/_fakeauth/seed"): seed,
    ("GET", "/_fakeauth/features"): get_features,
    ("POST", "/_fakeauth/features"): set_features,
    ("GET", "/_fakeauth/journal"): get_journal,
    ("DELETE", "/_fakeauth/journal"): clear_journal,
    ("GET", "/_fakeauth/outbox"): get_outbox,
    ("GET", "/_fakeauth/clock"): get_clock,
    ("POST", "/_fakeauth/clock"): set_clock,
    ("GET", "/_fakeauth/jwks.json"): jwks,
    ("GET", "/_fakeauth/openapi.json"): openapi,
    ("GET", "/_fakeauth/fidelity"): fidelity,
    **PERSISTENCE_ROUTES,
}


@functools.lru_cache(maxsize=16)  # one table per vendor set
def routes_of(vendors: tuple[Vendor, ...]) -> dict[tuple[str, str], _Handler]:
    """:data:`ROUTES` and the routes of each of ``vendors`` (its OpenAPI document, its
    accounts on the dashboard)."""
    routes = dict(ROUTES)
    for vendor in vendors:
        routes[("GET", f"/_fakeauth/openapi/{vendor.name}.json")] = _vendor_openapi(vendor.name)
        routes.update(control_dashboard.vendor_routes(vendor.name))
    return routes


def handle(fake: FakeAuth, request: Request) -> Response:
    """Serve one control API request (refused with 403 when a web page may have sent it
    behind the developer's back: see :func:`fakeauth.control_dashboard.refusal`)."""
    refused = control_dashboard.refusal(fake, request)
    if refused is not None:
        return refused
    path = request.path if request.path == "/_fakeauth/" else request.path.rstrip("/") or "/"
    routes = routes_of(fake.vendors)
    handler = routes.get((request.method, path))
    if handler is None and path.startswith(SNAPSHOT_PREFIX):
        answer = snapshot_route(fake, request, path)
        if answer is not None:
            return answer
    allowed = sorted(method for method, known in routes if known == path)
    if handler is None and allowed:  # a known path, another method: 405, as the vendors answer
        return Response.json(
            405,
            {"error": f"fakeauth: {path} takes {' or '.join(allowed)}, not {request.method}"},
            [("Allow", ", ".join(allowed))],
        )
    if handler is None:
        return Response.json(
            404,
            {
                "error": f"fakeauth: the control API has no {request.method} {request.path}",
                "routes": [f"{method} {path}" for method, path in routes],
            },
        )
    try:
        return handler(fake, request)
    except ConfigurationError as exc:
        return _error(400, str(exc))


# The dashboard's routes use this module's helpers, so they come last; importing the module adds
# them to ROUTES (whichever of the two modules is imported first).
from fakeauth import control_dashboard  # noqa: E402
