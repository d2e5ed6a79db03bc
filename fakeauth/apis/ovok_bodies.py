"""Ovok request bodies, read as Express and NestJS read them, and Ovok's error body.

A body is read as Express's parsers hand it to Nest: JSON for ``application/json`` (and
``application/*+json``; objects and arrays only, as body-parser's strict mode), form fields for
``application/x-www-form-urlencoded``, nothing for any other content type. It is then validated
with a DTO of :mod:`fakeauth.apis.ovok_models`, and the first failure is worded as
class-validator words it. Every refusal is NestJS's ``HttpException`` body (:func:`error`);
:func:`domain_error` is the one place a domain error becomes a status, and :func:`tokens_body`
the reply body for issued tokens.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError
from werkzeug.http import HTTP_STATUS_CODES

from fakeauth.apis.base import INT_DIGITS, JsonConstant, Notes, constant_position, refuse_constant
from fakeauth.errors import AccountExists, DomainError, InvalidCredentials, NotFound, TokenInvalid
from fakeauth.http import Request, Response
from fakeauth.state.ovok import OvokTokens

__all__ = [
    "BadBody",
    "domain_error",
    "error",
    "read_body",
    "tokens_body",
    "validate",
]


def error(status: int, message: str) -> Response:
    """A NestJS ``HttpException`` body."""
    return Response.json(
        status,
        {"statusCode": status, "message": message, "error": HTTP_STATUS_CODES.get(status, "Error")},
    )


_LENGTH_FIELDS = {"password", "name", "surname"}


def _validation_message(exc: ValidationError) -> str:
    """The first failure, worded as class-validator words it."""
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    loc = first["loc"]
    field = str(loc[0]) if loc else ""
    kind = first["type"]
    if field == "email":
        return "email must be an email"
    if field in ("tenantId", "clientId"):
        return f"{field} must be a UUID"
    if kind == "string_too_long":
        return f"{field} must be shorter than or equal to 128 characters"
    if kind == "string_too_short" and field in _LENGTH_FIELDS:
        return f"{field} must be longer than or equal to 1 characters"
    if kind == "string_too_short" or (kind == "missing" and field not in _LENGTH_FIELDS):
        return f"{field} should not be empty"
    return f"{field} must be a string"


class BadBody(Exception):
    """A body Ovok refuses: ``response`` is the refusal (400 or 422)."""

    def __init__(self, response: Response) -> None:
        self.response = response


_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def read_body(request: Request, notes: Notes) -> Any:
    """The body as Express's ``json()`` and ``urlencoded()`` parsers would hand it to Nest (noted
    in ``notes`` for the journal)."""
    content_type = request.content_type
    if content_type == "application/json" or _JSON_TYPE.match(content_type):
        text = request.body.decode("utf-8", "replace")
        stripped = text.lstrip(" \t\n\r")
        if not stripped:
            return {}
        if stripped[0] not in "{[":  # body-parser's strict mode: objects and arrays only
            raise BadBody(error(400, _json_error_message(stripped, 0)))
        try:
            value = _decoded(text, stripped)
        except json.JSONDecodeError as exc:
            raise BadBody(error(400, _json_error_message(text, exc.pos))) from None
        except JsonConstant:  # JSON.parse knows no NaN or Infinity
            raise BadBody(error(400, _json_error_message(text, constant_position(text)))) from None
        except RecursionError:
            raise BadBody(error(400, "Maximum call stack size exceeded")) from None
        return notes.parsed(value)
    if content_type == "application/x-www-form-urlencoded":
        value = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        return notes.parsed(value)
    return {}


def _decoded(text: str, stripped: str) -> Any:
    """``_DECODER.decode(text)``, where ``stripped`` is ``text`` without its leading JSON
    whitespace: the document read from there by ``raw_decode`` (the same value; ``decode`` adds
    two whitespace matches and a frame), and ``decode`` itself for any text it would refuse,
    so that its error (and its position in ``text``) is the same."""
    try:
        value, end = _DECODER.raw_decode(stripped)
    except json.JSONDecodeError:
        return _DECODER.decode(text)
    if end != len(stripped) and stripped[end:].strip(" \t\n\r"):
        return _DECODER.decode(text)  # more than whitespace after the document: its error
    return value


def _js_number(text: str) -> int | float:
    # JSON.parse reads any integer as a double: past Python's int-str limit, a float (Infinity
    # when it overflows, as in JavaScript), which the DTOs then refuse as they refuse a number
    return int(text) if len(text) <= INT_DIGITS else float(text)


# One decoder for every request: json.loads with options builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=refuse_constant, parse_int=_js_number)


def _json_error_message(text: str, position: int) -> str:
    if position >= len(text):
        return "Unexpected end of JSON input"
    return f"Unexpected token {text[position]} in JSON at position {position}"


def validate(model: type[BaseModel], request: Request, notes: Notes) -> Any:
    """``request``'s body as ``model``; raises :class:`BadBody` with the refusal otherwise (the
    body and its password are noted in ``notes`` for the journal first)."""
    body = read_body(request, notes)
    if not isinstance(body, dict):
        raise BadBody(error(422, "an unknown value was passed to the validate function"))
    password = body.get("password")
    if isinstance(password, str):
        notes.secret(password)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise BadBody(error(422, _validation_message(exc))) from None


# -- error rendering: the one place domain errors become statuses -------------------------------


def domain_error(exc: DomainError) -> Response:
    """The one place an Ovok domain error becomes a status and a NestJS error body."""
    if isinstance(exc, NotFound):
        return error(404, exc.message)
    if isinstance(exc, AccountExists):
        return error(400, exc.message)
    if isinstance(exc, InvalidCredentials):
        return error(401, exc.message)
    if isinstance(exc, TokenInvalid):
        return error(401, "Unauthorized")
    return error(400, exc.message)


def tokens_body(tokens: OvokTokens) -> dict[str, Any]:
    """The login/register/refresh reply body for issued tokens."""
    return {
        "accessToken": tokens.access_token,
        "refreshToken": tokens.refresh_token,
        "expiresIn": tokens.expires_in,
        "project": {
            "reference": tokens.tenant.project_reference,
            "display": tokens.tenant.display,
        },
        "profile": {
            "reference": tokens.account.profile_reference,
            "display": tokens.account.display,
        },
    }
