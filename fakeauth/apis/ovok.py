"""Ovok B2B auth over HTTP: NestJS-shaped bodies, statuses and errors.

Bodies are read as Express's body parsers do (JSON for ``application/json``, form fields for
``application/x-www-form-urlencoded``, nothing otherwise) and validated with pydantic models of the
documented DTOs; failures are rendered as class-validator would word them.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Annotated, Any
from urllib.parse import parse_qsl

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from werkzeug.http import HTTP_STATUS_CODES

from fakeauth.apis.base import (
    INT_DIGITS,
    JsonConstant,
    Route,
    VendorApi,
    constant_position,
    refuse_constant,
)
from fakeauth.apis.fields import TextLength
from fakeauth.emails import is_email
from fakeauth.errors import AccountExists, DomainError, InvalidCredentials, NotFound, TokenInvalid
from fakeauth.http import Request, Response
from fakeauth.state.ovok import OvokState, OvokTokens

__all__ = [
    "API",
    "LoginRequest",
    "MeResponse",
    "RefreshTokenRequest",
    "RegisterLoginResponse",
    "RegisterRequest",
    "TokenResponse",
]

_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


# A client logs in with the same few addresses over and over, and the check is pure: cached (only
# for lengths an address can have, 254 at most, so the cache stays small).
_is_email = functools.lru_cache(maxsize=1024)(is_email)


def _email(value: str) -> str:
    if len(value) > 254 or not _is_email(value):
        raise ValueError("not an email")
    return value


Email = Annotated[str, AfterValidator(_email), Field(json_schema_extra={"format": "email"})]
Text = Annotated[str, TextLength(1, 128)]
Uuid = Annotated[str, Field(pattern=_UUID, json_schema_extra={"format": "uuid"})]


class _Dto(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class RegisterRequest(_Dto):
    """``RequestRegisterV2Dto``: ``POST /auth/b2b/register``."""

    email: Email
    password: Text
    name: Text
    surname: Text
    tenantId: Uuid
    clientId: Uuid


class LoginRequest(_Dto):
    """``RequestLoginV2Dto``: ``POST /auth/b2b/login``."""

    email: Email
    password: Text
    clientId: Uuid
    tenantId: Uuid


class RefreshTokenRequest(_Dto):
    """``RefreshTokenDto``: ``POST /auth/refresh-token`` (snake_case, as documented)."""

    refresh_token: Annotated[str, TextLength(1)]


class Reference(BaseModel):
    """A FHIR reference with its display."""

    reference: str
    display: str


class RegisterLoginResponse(BaseModel):
    """``ResponseRegisterLoginDto``."""

    accessToken: str
    refreshToken: str | None = None
    expiresIn: int = 3600
    project: Reference
    profile: Reference


class TokenResponse(BaseModel):
    """``ResponseTokenDto`` (snake_case)."""

    access_token: str
    refresh_token: str | None = None
    expires_in: int


class ErrorResponse(BaseModel):
    """NestJS's ``HttpException`` body."""

    statusCode: int
    message: str
    error: str | None = None


class MeResponse(BaseModel):
    """``ResponseMeDto``: ``GET /auth/me``."""

    project: dict[str, Any]
    membership: dict[str, Any]
    profile: dict[str, Any]
    config: dict[str, Any]
    accessPolicy: dict[str, Any]
    security: dict[str, Any]


# -- error rendering: the one place domain errors become statuses -------------------------------


def error(status: int, message: str) -> Response:
    """A NestJS ``HttpException`` body."""
    return Response.json(
        status,
        {"statusCode": status, "message": message, "error": HTTP_STATUS_CODES.get(status, "Error")},
    )


def _domain_error(exc: DomainError) -> Response:
    if isinstance(exc, NotFound):
        return error(404, exc.message)
    if isinstance(exc, AccountExists):
        return error(400, exc.message)
    if isinstance(exc, InvalidCredentials):
        return error(401, exc.message)
    if isinstance(exc, TokenInvalid):
        return error(401, "Unauthorized")
    return error(400, exc.message)


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


class _BadBody(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


_JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")


def _read_body(request: Request) -> Any:
    """The body as Express's ``json()`` and ``urlencoded()`` parsers would hand it to Nest."""
    content_type = request.content_type
    if content_type == "application/json" or _JSON_TYPE.match(content_type):
        text = request.body.decode("utf-8", "replace")
        stripped = text.lstrip(" \t\n\r")
        if not stripped:
            return {}
        if stripped[0] not in "{[":  # body-parser's strict mode: objects and arrays only
            raise _BadBody(error(400, _json_error_message(stripped, 0)))
        try:
            value = _DECODER.decode(text)
        except json.JSONDecodeError as exc:
            raise _BadBody(error(400, _json_error_message(text, exc.pos))) from None
        except JsonConstant:  # JSON.parse knows no NaN or Infinity
            raise _BadBody(error(400, _json_error_message(text, constant_position(text)))) from None
        except RecursionError:
            raise _BadBody(error(400, "Maximum call stack size exceeded")) from None
        request.parsed_body = value
        return value
    if content_type == "application/x-www-form-urlencoded":
        value = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        request.parsed_body = value
        return value
    return {}


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


def _validate(model: type[_Dto], request: Request) -> Any:
    body = _read_body(request)
    if not isinstance(body, dict):
        raise _BadBody(error(422, "an unknown value was passed to the validate function"))
    password = body.get("password")
    if isinstance(password, str):
        request.secrets.append(password)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise _BadBody(error(422, _validation_message(exc))) from None


def _tokens_body(tokens: OvokTokens) -> dict[str, Any]:
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


# -- handlers, named after the wire operations ----------------------------------------------------


def b2b_register(state: OvokState, request: Request) -> Response:
    """``POST /auth/b2b/register``: create the account and log it in (200, as documented)."""
    try:
        dto: RegisterRequest = _validate(RegisterRequest, request)
        tokens = state.register(
            email=dto.email,
            password=dto.password,
            name=dto.name,
            surname=dto.surname,
            tenant_id=dto.tenantId,
            client_id=dto.clientId,
            remote_address=request.remote_addr,
            user_agent=request.header("user-agent") or "",
        )
    except _BadBody as bad:
        return bad.response
    except DomainError as exc:
        return _domain_error(exc)
    return Response.json(200, _tokens_body(tokens))


def b2b_login(state: OvokState, request: Request) -> Response:
    """``POST /auth/b2b/login``."""
    try:
        dto: LoginRequest = _validate(LoginRequest, request)
        tokens = state.authenticate(
            email=dto.email,
            password=dto.password,
            tenant_id=dto.tenantId,
            client_id=dto.clientId,
            remote_address=request.remote_addr,
            user_agent=request.header("user-agent") or "",
        )
    except _BadBody as bad:
        return bad.response
    except DomainError as exc:
        return _domain_error(exc)
    return Response.json(200, _tokens_body(tokens))


def refresh_token(state: OvokState, request: Request) -> Response:
    """``POST /auth/refresh-token``: snake_case in and out; the refresh token rotates."""
    try:
        dto: RefreshTokenRequest = _validate(RefreshTokenRequest, request)
        request.secrets.append(dto.refresh_token)
        tokens = state.refresh(dto.refresh_token)
    except _BadBody as bad:
        return bad.response
    except DomainError as exc:
        return _domain_error(exc)
    return Response.json(
        200,
        {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_in": tokens.expires_in,
        },
    )


def logout(state: OvokState, request: Request) -> Response:
    """``POST /v1/auth/logout``: 204; the access token is refused from now on."""
    token = request.bearer()
    if token is None:
        return error(401, "Unauthorized")
    try:
        state.logout(token)
    except DomainError as exc:
        return _domain_error(exc)
    return Response.empty(204)


#: ``/auth/me`` lists the caller's own session and at most this many newest other live ones.
ME_SESSIONS = 10


def me(state: OvokState, request: Request) -> Response:
    """``GET /auth/me``: the caller's project, membership, profile and sessions (its own and
    the :data:`ME_SESSIONS` newest other live ones, oldest first)."""
    token = request.bearer()
    if token is None:
        return error(401, "Unauthorized")
    try:
        account, current, _ = state.authorize(token)
    except DomainError as exc:
        return _domain_error(exc)
    tenant = state.tenants[account.tenant_id]
    sessions = [
        {
            "id": s.id,
            "lastUpdated": s.last_updated.isoformat().replace("+00:00", "Z"),
            "authMethod": "password",
            "remoteAddress": s.remote_address,
            "browser": s.user_agent,
            "os": "",
        }
        for s in state.live_sessions(account, current=current, newest=ME_SESSIONS)
    ]
    return Response.json(
        200,
        {
            "project": {
                "resourceType": "Project",
                "id": tenant.project_id,
                "name": tenant.display,
                "strictMode": tenant.strict_mode,
            },
            "membership": {
                "resourceType": "ProjectMembership",
                "id": account.membership_id,
                "user": {"reference": f"User/{account.id}", "display": account.email},
            },
            "profile": {
                "resourceType": "Patient",
                "id": account.profile_id,
                "name": [{"given": [account.name], "family": account.surname}],
                "telecom": [{"system": "email", "use": "work", "value": account.email}],
            },
            "config": {"resourceType": "UserConfiguration", "menu": []},
            "accessPolicy": {"resourceType": "AccessPolicy", "resource": [], "ipAccessRule": []},
            "security": {"mfaEnrolled": False, "sessions": sessions},
        },
    )


API = VendorApi(
    name="ovok",
    routes=(
        Route("ovok.b2b_register", "POST", "/auth/b2b/register", b2b_register),
        Route("ovok.b2b_login", "POST", "/auth/b2b/login", b2b_login),
        Route("ovok.refresh_token", "POST", "/auth/refresh-token", refresh_token),
        Route("ovok.logout", "POST", "/v1/auth/logout", logout),
        Route("ovok.me", "GET", "/auth/me", me),
    ),
    path_prefixes=("/auth/", "/v1/auth/", "/v2/auth/"),
    error=error,
    max_body=100 * 1024,
    # Express's own words (NestJS answers them with 404: see docs/fidelity.md)
    not_allowed=lambda method, path, allowed: f"Cannot {method} {path}",
)
