"""B2Core request bodies, read as PHP reads them, and the wizard envelope B2Core answers with.

A body is read as JSON whatever the content type (the documentation's own curl examples send
JSON as ``application/x-www-form-urlencoded``), and as form fields only when it is a real form
body; it is then validated with a model of :mod:`fakeauth.apis.b2core_models`. Every answer,
refusals included, is the wizard envelope ``{code, data, done, uuid, workflow}``
(:func:`envelope`); :func:`domain_error` is the one place a domain error becomes a status.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError

from fakeauth.apis.b2core_models import field_errors
from fakeauth.apis.base import Notes, refuse_constant
from fakeauth.apis.docs import FORM
from fakeauth.errors import TokenInvalid
from fakeauth.http import Request, Response
from fakeauth.state.b2core import (
    LOGIN_DONE_WORKFLOW,
    B2CoreError,
    B2CoreTokens,
    FieldErrors,
    IssuedToken,
    LockedOut,
)

__all__ = [
    "domain_error",
    "envelope",
    "error",
    "read_body",
    "signed_in",
    "tokens_body",
    "unauthorized",
    "validate",
]

_FORM_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])+)")
_Model = TypeVar("_Model", bound=BaseModel)


# -- rendering: the one place domain errors become statuses --------------------------------------


def envelope(
    status: int,
    code: int,
    data: dict[str, Any] | None,
    *,
    done: bool,
    uuid: str | None,
    workflow: str | None,
    headers: tuple[tuple[str, str], ...] = (),
    **extra: Any,
) -> Response:
    """The wizard envelope ``{code, data, done, uuid, workflow}`` at an HTTP status."""
    document = {"code": code, "data": data, "done": done, "uuid": _echo(uuid), "workflow": workflow}
    return Response.json(status, {**document, **extra}, headers)


def error(status: int, message: str) -> Response:
    """The wizard envelope of an error the seam answers (413, 500, 501)."""
    return envelope(status, status, {"message": message}, done=False, uuid=None, workflow=None)


def unauthorized() -> Response:
    """The 401 a missing or refused bearer token answers (no envelope, as B2Core answers it)."""
    return Response.json(401, {"message": "Unauthorized"}, [("WWW-Authenticate", "Bearer")])


def domain_error(exc: B2CoreError | TokenInvalid) -> Response:
    """The one place a B2Core domain error becomes a status and an envelope."""
    if isinstance(exc, TokenInvalid):
        return unauthorized()
    headers: tuple[tuple[str, str], ...] = ()
    data: dict[str, Any]
    if isinstance(exc, FieldErrors):
        status, data = 400, {"errors": exc.errors}
    elif isinstance(exc, LockedOut):
        status, data = 429, {"message": exc.message}
        headers = (("Retry-After", str(exc.retry_after)),)
    else:  # wrong credentials
        status, data = 400, {"message": exc.message}
    return envelope(
        status, status, data, done=False, uuid=exc.uuid, workflow=exc.workflow, headers=headers
    )


def _echo(uuid: str | None) -> str | None:
    # a lone surrogate cannot be written as UTF-8: such a uuid is not echoed
    if uuid is None or uuid.isascii():
        return uuid
    try:
        uuid.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return uuid


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _token(issued: IssuedToken) -> dict[str, str]:
    created, expires = _timestamp(issued.created_at), _timestamp(issued.expires_at)
    return {"token": issued.token, "createdAt": created, "expiresAt": expires}


def tokens_body(tokens: B2CoreTokens) -> dict[str, Any]:
    """An access and a refresh token as B2Core writes them (token, createdAt, expiresAt)."""
    return {
        "accessToken": _token(tokens.access_token),
        "refreshToken": _token(tokens.refresh_token),
    }


def signed_in(tokens: B2CoreTokens) -> Response:
    """The sign-in wizard's last step: done (202), with the tokens and no 2FA providers."""
    data = {**tokens_body(tokens), "tfaProviders": []}
    return envelope(200, 202, data, done=True, uuid=tokens.uuid, workflow=LOGIN_DONE_WORKFLOW)


# -- reading bodies -------------------------------------------------------------------------------


def read_body(request: Request, workflow: str, notes: Notes) -> dict[str, Any]:
    """The body as a JSON object (any content type), or a real form body's fields (noted in
    ``notes`` for the journal); an empty body is no fields (a body of whitespace alone is not
    JSON, as PHP's json_decode says)."""
    if not request.body:
        return {}
    text = request.text()
    if text is None:
        raise _bad_body("The request body is not valid UTF-8.", workflow)
    try:
        # PHP's json_decode refuses NaN and Infinity; a number past what a double (or Python's
        # int-str limit) holds is refused with them, as a body fakeauth cannot hold
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        if request.content_type != FORM or text.lstrip()[:1] in ("{", "["):
            raise _bad_body("The request body is not valid JSON.", workflow) from None
        value = _form_fields(text, workflow)
    notes.parsed(value)
    if not isinstance(value, dict):
        raise _bad_body("The request body must be a JSON object.", workflow)
    return value


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text[:20]} overflows a double")
    return value


# One decoder for every request: json.loads with options builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=refuse_constant, parse_float=_finite)


def _bad_body(message: str, workflow: str) -> FieldErrors:
    return FieldErrors({"body": [message]}, uuid=None, workflow=workflow)


def _form_fields(text: str, workflow: str) -> dict[str, Any]:
    """PHP's reading of a form: ``info[givenName]=John`` is ``{"info": {"givenName": "John"}}``."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=1000)
    except ValueError:
        raise _bad_body("The request body has too many fields.", workflow) from None
    fields: dict[str, Any] = {}
    for key, value in pairs:
        match = _FORM_KEY.fullmatch(key)
        parts = [match[1], *match[2][1:-1].split("][")] if match else [key]
        target = fields
        for part in parts[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[parts[-1]] = value
    return fields


def validate(
    model: type[_Model], request: Request, workflow: str, notes: Notes
) -> tuple[_Model, dict[str, Any]]:
    """The body read and validated with ``model``; a refusal raises :class:`FieldErrors`."""
    body = read_body(request, workflow, notes)
    try:
        return model.model_validate(body), body
    except ValidationError as exc:
        uuid = body.get("uuid")
        uuid = uuid if isinstance(uuid, str) else None
        raise FieldErrors(field_errors(exc), uuid=uuid, workflow=workflow) from None
