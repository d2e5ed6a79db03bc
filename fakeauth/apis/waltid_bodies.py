"""walt.id request bodies, read as Ktor and kotlinx read them.

Ktor hands a JSON body to kotlinx.serialization, which reads it in document order and stops at
the first problem: an unknown key (walt.id rejects them), a value of the wrong type, then, when an
object ends, every required field it lacked. :func:`decode` walks a body the same way, driven by
the pydantic models of :mod:`fakeauth.apis.waltid_models`, and raises :class:`RequestBodyError`
worded as walt.id's commons ``RequestBodyErrorMessages`` humanize it; the model is then built
from the checked body.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import types
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, TypeVar, Union, get_args, get_origin
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError

from fakeauth.apis.base import INT_DIGITS, Notes
from fakeauth.http import Request

__all__ = [
    "RequestBodyError",
    "decode",
    "is_json",
    "read_credentials",
    "read_json",
    "read_registration_token",
    "registration_token",
]

Model = TypeVar("Model", bound=BaseModel)


@dataclass(eq=False)
class RequestBodyError(Exception):
    """A body the real service refuses: the parts of a commons error body."""

    message: str
    exception_id: str = "BadRequestException"
    status: int = 400
    details: dict[str, Any] = field(default_factory=dict)


_EXPLANATION = (
    "Pass authentication credential either as 1) Basic Auth header (`Authorization: Basic "
    '<credentials>`) as per RFC 7617; OR 2) JSON document (`{"email": "<email>", "password": '
    '"<password>"}`); OR 3) Form post (email=<email>&password=<password>)!'
)
_JSON_TYPE = re.compile(r"^application/json$", re.IGNORECASE)


def is_json(request: Request) -> bool:
    """Whether Ktor's JSON converter takes this request's body (``application/json``)."""
    return _JSON_TYPE.match(request.content_type) is not None


def read_json(request: Request, expected_type: str, notes: Notes) -> Any:
    """The JSON value of the body (noted in ``notes`` for the journal); 415 unless it is
    ``application/json``, 400 if it is broken."""
    if not is_json(request):
        declared = request.header("content-type") or "*/*"
        raise RequestBodyError(
            f"Content type {declared} is not supported", "UnsupportedMediaTypeException", 415
        )
    text = request.body.decode("utf-8", "replace")
    try:
        # kotlinx reads an unquoted NaN, Infinity or long number as a literal: so does fakeauth,
        # and the field it lands in refuses it ("Expected quotation mark")
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        if not text.strip():
            message = "Expected start of the object '{', but had 'EOF' instead at path: $"
        else:
            # Python words some errors "... at" (the offset follows): say it once
            message = f"{exc.msg.removesuffix(' at')} at path: $"
        raise _token_error(
            f"Unexpected JSON token at offset {exc.pos}: {message}", expected_type
        ) from None
    except RecursionError:
        raise _token_error("Unexpected JSON token: nesting too deep", expected_type) from None
    return notes.parsed(value)


class _Unrepresentable(float):
    """A number literal Python cannot hold (an overlong integer, ``1e400``): ±inf, and its text."""

    text: str


def _literal_number(text: str) -> float:
    if "." not in text and "e" not in text.lower() and len(text) <= INT_DIGITS:
        return int(text)
    value = float(text)
    if math.isfinite(value):
        return value
    number = _Unrepresentable(value)
    number.text = text
    return number


# One decoder for every request: json.loads with options builds a new one per call.
_DECODER = json.JSONDecoder(parse_int=_literal_number, parse_float=_literal_number)


def decode(model: type[Model], value: Any, expected_type: str) -> Model:
    """``value`` as ``model``, checked in document order as kotlinx checks it."""
    _check(model, value, "$", expected_type)
    try:
        return model.model_validate(value)
    except ValidationError:  # pragma: no cover - _check refuses everything pydantic would
        raise RequestBodyError(f"Failed to convert request body to {expected_type}") from None


def _token_error(detail: str, expected_type: str) -> RequestBodyError:
    return RequestBodyError(detail, details={"expectedType": expected_type})


@dataclass(frozen=True)
class _Field:
    key: str
    kind: Literal["string", "object", "discriminator"]
    nullable: bool
    required: bool
    model: type[BaseModel] | None = None
    values: tuple[str, ...] = ()


@cache
def _fields(model: type[BaseModel]) -> dict[str, _Field]:
    fields: dict[str, _Field] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        annotation: Any = info.annotation
        nullable = False
        if get_origin(annotation) in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            nullable, annotation = True, args[0]
        required = info.is_required()
        if get_origin(annotation) is Literal:
            fields[key] = _Field(key, "discriminator", False, True, values=get_args(annotation))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields[key] = _Field(key, "object", nullable, required, model=annotation)
        else:
            fields[key] = _Field(key, "string", nullable, required)
    return fields


def _token(value: Any) -> str:
    if isinstance(value, _Unrepresentable):
        return value.text[:1]
    return "null" if value is None else json.dumps(value, ensure_ascii=False)[:1]


def _check(model: type[BaseModel], value: Any, path: str, expected_type: str) -> None:
    if not isinstance(value, dict):
        raise _token_error(
            "Unexpected JSON token: Expected start of the object '{', "
            f"but had '{_token(value)}' instead at path: {path}",
            expected_type,
        )
    fields = _fields(model)
    for spec in fields.values():
        # kotlinx finds a polymorphic object's discriminator before it reads anything else
        if spec.kind == "discriminator":
            _check_discriminator(model, spec, value, path, expected_type)
    for key, item in value.items():
        known = fields.get(key)
        where = f"{path}.{key}"
        if known is None:
            raise RequestBodyError(
                f"Request body contains unknown field(s): {key}",
                details={"unknownFields": [key], "expectedType": expected_type},
            )
        if item is None and known.nullable:
            continue
        if known.kind == "object" and known.model is not None:
            _check(known.model, item, where, expected_type)
        elif known.kind == "string" and not isinstance(item, str):
            detail = (
                "Expected string literal but 'null' literal was found"
                if item is None
                else f"Expected quotation mark '\"', but had '{_token(item)}' instead"
            )
            raise _token_error(f"Unexpected JSON token: {detail} at path: {where}", expected_type)
    missing = [key for key, spec in fields.items() if spec.required and key not in value]
    if missing:
        raise RequestBodyError(
            f"Request body is missing required field(s): {', '.join(missing)}",
            details={"missingFields": missing, "expectedType": expected_type},
        )


def _check_discriminator(
    model: type[BaseModel], spec: _Field, value: dict[str, Any], path: str, expected_type: str
) -> None:
    tag = value.get(spec.key)
    if tag is None:
        raise RequestBodyError(
            f"Request body is missing required class discriminator for {expected_type}",
            details={"expectedType": expected_type},
        )
    if tag not in spec.values:
        shown = tag if isinstance(tag, str) else json.dumps(tag)
        raise _token_error(
            f"Serializer for subclass '{shown}' is not found in the polymorphic scope of "
            f"'{model.__name__}' at path: {path}.{spec.key}",
            expected_type,
        )


def read_credentials(request: Request, notes: Notes) -> tuple[str, str]:
    """ktor-authnz's email and password: a JSON document, a form post, or a Basic header (the
    body noted in ``notes`` for the journal)."""
    if is_json(request):
        body = read_json(request, "JsonObject", notes)
        if not isinstance(body, dict):
            shown = _token(body)
            raise RequestBodyError(
                "Unexpected JSON token at offset 0: Expected start of the object '{', "
                f"but had '{shown}' instead at path: $",
                details={"expectedType": "JsonObject"},
            )
        fields: dict[str, Any] = body
        where = "JSON request"
    elif request.content_type == "application/x-www-form-urlencoded":
        fields = {}
        for key, value in parse_qsl(request.body.decode("utf-8", "replace"), True):
            fields.setdefault(key, value)
        notes.parsed(fields)
        where = "form post request"
    else:
        basic = _basic_credentials(request.header("authorization"))
        if basic is None:
            raise _illegal(f"No basic auth credential header found. {_EXPLANATION}")
        return basic
    # ktor-authnz reads "email", else the generic "username"
    email = fields.get("email")
    if email is None or isinstance(email, (dict, list)):
        email = fields.get("username")
    password = fields.get("password")
    if not isinstance(email, str):
        raise _illegal(f"Invalid or missing email in {where}. {_EXPLANATION}")
    if not isinstance(password, str):
        raise _illegal(f"Invalid or missing password in {where}. {_EXPLANATION}")
    return email, password


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    scheme, _, blob = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(blob.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    email, colon, password = text.partition(":")
    return (email, password) if colon else None


def _illegal(message: str) -> RequestBodyError:
    return RequestBodyError(message, "IllegalArgumentException")


def read_registration_token(request: Request, notes: Notes) -> str:
    """The token of ``create-by-token``: raw text, JSON ``{"token": ...}``, or ``{ <token> }``
    (the body and the token noted in ``notes`` for the journal)."""
    token, value = _registration_body(request)
    if value is not None:
        notes.parsed(value)
    if token:
        notes.secret(token)
    return token


def registration_token(request: Request, body: Any) -> str | None:
    """The token :func:`read_registration_token` reads from ``request``, without noting it
    anywhere (a ``Credential.find``); ``None`` when the body holds none. Read from the request's
    bytes, not from ``body`` (the parsed body): a raw-text token parses to no body."""
    return _registration_body(request)[0] or None


def _registration_body(request: Request) -> tuple[str, Any]:
    """The registration token of the body, and the JSON value it was read from (``None``:
    raw text, or JSON that does not parse)."""
    text = (request.text() or "").strip()
    token = text
    value: Any = None
    if text[:1] in ("{", '"'):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            value = None
            if text.startswith("{") and text.endswith("}"):
                token = text[1:-1].strip()  # the documentation's `{ <super-admin-token> }`
        if isinstance(value, dict) and isinstance(value.get("token"), str):
            token = value["token"]
        elif isinstance(value, str):
            token = value
    return token, value
