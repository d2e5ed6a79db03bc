"""fakeauth's own control API under ``/_fakeauth/``: JSON in and out, for non-Python clients.

A front end's end-to-end tests or a shell script can reset the fake, seed and list accounts,
switch feature flags, read the (redacted) journal and the outbox, move the fake's clock, and fetch
the public keys of the asymmetric tokens and the OpenAPI document of every vendor route. Raw token
strings never leave through it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.openapi import openapi_json
from fakeauth.seeding import apply_seed

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = ["ROUTES", "handle"]

_Handler = Callable[["FakeAuth", Request], Response]


def _error(status: int, message: str) -> Response:
    return Response.json(status, {"error": message})


def _body(request: Request) -> Any:
    if not request.body.strip():
        return {}
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError):
        raise ConfigurationError("the body must be JSON") from None


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
    body = _body(request)
    if not isinstance(body, dict) or not all(isinstance(v, bool) for v in body.values()):
        raise ConfigurationError('the body maps flag names to true or false: {"name": false}')
    fake.features.apply(body)
    return Response.json(200, fake.features.state())


def get_journal(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/journal``: every vendor request, bodies redacted."""
    return Response.json(200, [entry.to_dict() for entry in fake.journal])


def clear_journal(fake: FakeAuth, request: Request) -> Response:
    """``DELETE /_fakeauth/journal``."""
    fake.journal.clear()
    return Response.empty(204)


def get_outbox(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/outbox``: the messages the vendors sent."""
    return Response.json(200, [message.to_dict() for message in fake.outbox])


def get_clock(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/clock``."""
    return Response.json(200, _clock(fake))


def set_clock(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/clock``: ``{"set": ISO-8601, "frozen": bool}``, ``{"shift": s}``
    or ``{"reset": true}``."""
    body = _body(request)
    if not isinstance(body, dict) or len({"set", "shift", "reset"} & set(body)) != 1:
        raise ConfigurationError(
            'the body is one of {"set": "2030-01-01T00:00:00Z", "frozen": false}, '
            '{"shift": 3600} or {"reset": true}'
        )
    if "set" in body:
        try:
            when = datetime.fromisoformat(str(body["set"]).replace("Z", "+00:00"))
        except ValueError:
            raise ConfigurationError(f"{body['set']!r} is not an ISO-8601 instant") from None
        fake.clock.set(when, frozen=bool(body.get("frozen", False)))
    elif "shift" in body:
        shift = body["shift"]
        if not isinstance(shift, (int, float)) or isinstance(shift, bool):
            raise ConfigurationError('"shift" is a number of seconds')
        fake.clock.shift(shift)
    else:
        fake.clock.reset()
    return Response.json(200, _clock(fake))


def _clock(fake: FakeAuth) -> dict[str, Any]:
    return {"now": fake.clock.now().isoformat(), "shifted": fake.clock.is_shifted}


def jwks(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/jwks.json``: the public keys of the fake's asymmetric tokens."""
    return Response.json(200, fake.jwks())


def openapi(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/openapi.json``: the OpenAPI 3.1 document of every vendor route."""
    return Response(200, openapi_json(), [("Content-Type", "application/json; charset=utf-8")])


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
}


def handle(fake: FakeAuth, request: Request) -> Response:
    """Serve one control API request."""
    handler = ROUTES.get((request.method, request.path.rstrip("/") or "/"))
    if handler is None:
        return Response.json(
            404,
            {
                "error": f"fakeauth: the control API has no {request.method} {request.path}",
                "routes": [f"{method} {path}" for method, path in ROUTES],
            },
        )
    try:
        return handler(fake, request)
    except ConfigurationError as exc:
        return _error(400, str(exc))
