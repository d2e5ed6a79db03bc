"""Ovok B2B auth over HTTP: NestJS-shaped bodies, statuses and errors.

Bodies are read as Express's body parsers hand them to Nest and validated with the pydantic
models of the DTOs Ovok's own OpenAPI document describes (:mod:`fakeauth.apis.ovok_bodies`,
:mod:`fakeauth.apis.ovok_models`); failures are worded as class-validator words them.
``POST /auth/logout``, which Ovok's document lists as the same logout as ``POST /v1/auth/logout``,
is its own route (``ovok.auth_logout``), served on Ovok's hosts and under the live server's
``/ovok`` only: walt.id owns that path at the root.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from fakeauth.apis.base import Credential, Handled, Notes, Route, VendorApi, body_field
from fakeauth.apis.docs import FORM, JSON, ExamplesRef, OperationDoc, Reply, SchemaRef, VendorDoc
from fakeauth.apis.ovok_bodies import BadBody, domain_error, error, tokens_body, validate
from fakeauth.apis.ovok_models import LoginRequest, RefreshTokenRequest, RegisterRequest, email
from fakeauth.errors import DomainError
from fakeauth.http import Request, Response
from fakeauth.lazy import lazy_names
from fakeauth.state.ovok import ACCESS, REFRESH, OvokState

if TYPE_CHECKING:
    from fakeauth.apis.ovok_replies import MeResponse, RegisterLoginResponse, TokenResponse

__all__ = [
    "API",
    "ME_SESSIONS",
    "LoginRequest",
    "MeResponse",
    "RefreshTokenRequest",
    "RegisterLoginResponse",
    "RegisterRequest",
    "TokenResponse",
    "error",
]


#: The email check the DTOs run (class-validator's ``isEmail``, cached).
_email = email

#: Where the reply models live: only the OpenAPI documents read them (the handlers write plain
#: JSON), so the route table names them and a request never imports them. They stay importable
#: from here, imported on first read.
_REPLIES = "fakeauth.apis.ovok_replies"
#: Where the examples live: the pages, the documents and their tests read them, a request never.
_EXAMPLES = "fakeauth.apis.ovok_examples"
__getattr__, __dir__ = lazy_names(
    __name__, dict.fromkeys(("MeResponse", "RegisterLoginResponse", "TokenResponse"), _REPLIES)
)


# -- handlers, named after the wire operations ----------------------------------------------------


def b2b_register(state: OvokState, request: Request) -> Handled:
    """``POST /auth/b2b/register``: create the account and log it in (200, as documented)."""
    notes = Notes()
    try:
        dto: RegisterRequest = validate(RegisterRequest, request, notes)
        tokens = state.register(
            email=dto.email,
            password=dto.password,
            name=dto.name,
            surname=dto.surname,
            tenant_id=dto.tenantId,
            client_id=dto.clientId,
            remote_address=request.remote_addr,
            user_agent=request.headers.get("user-agent") or "",
        )
    except BadBody as bad:
        return notes.answer(bad.response)
    except DomainError as exc:
        return notes.answer(domain_error(exc))
    return notes.answer(Response.json(200, tokens_body(tokens)))


def b2b_login(state: OvokState, request: Request) -> Handled:
    """``POST /auth/b2b/login``."""
    notes = Notes()
    try:
        dto: LoginRequest = validate(LoginRequest, request, notes)
        tokens = state.authenticate(
            email=dto.email,
            password=dto.password,
            tenant_id=dto.tenantId,
            client_id=dto.clientId,
            remote_address=request.remote_addr,
            user_agent=request.headers.get("user-agent") or "",
        )
    except BadBody as bad:
        return notes.answer(bad.response)
    except DomainError as exc:
        return notes.answer(domain_error(exc))
    return notes.answer(Response.json(200, tokens_body(tokens)))


def refresh_token(state: OvokState, request: Request) -> Handled:
    """``POST /auth/refresh-token``: snake_case in and out; the refresh token rotates."""
    notes = Notes()
    try:
        dto: RefreshTokenRequest = validate(RefreshTokenRequest, request, notes)
        notes.secret(dto.refresh_token)
        tokens = state.refresh(dto.refresh_token, by=request.operation)
    except BadBody as bad:
        return notes.answer(bad.response)
    except DomainError as exc:
        return notes.answer(domain_error(exc))
    pair = {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
    }
    return notes.answer(Response.json(200, pair))


def logout(state: OvokState, request: Request) -> Handled:
    """``POST /v1/auth/logout`` (and ``POST /auth/logout`` on Ovok's hosts): 204, no body.

    The bearer's access token is denied from now on. Idempotent, as Ovok's document states: a
    repeated logout with the same (denied, unexpired) token answers 204 again and changes
    nothing. A missing, malformed, forged, expired or refresh token answers 401.
    """
    token = request.bearer()
    if token is None:
        return Handled(error(401, "Unauthorized"))
    try:
        state.logout(token, by=request.operation)
    except DomainError as exc:
        return Handled(domain_error(exc))
    return Handled(Response.empty(204))


#: ``/auth/me`` lists the caller's own session and at most this many newest other live ones.
ME_SESSIONS = 10


@functools.lru_cache(maxsize=4096)
def _utc_text(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _iso_z(when: datetime) -> str:
    """``when.isoformat()`` with ``Z`` for UTC: each ``/auth/me`` lists up to eleven sessions
    whose times most earlier calls listed too, so a UTC time's text is kept (at most 4,096;
    equal UTC times have equal text, so a kept one is never another's)."""
    if when.tzinfo is timezone.utc:
        return _utc_text(when)
    return when.isoformat().replace("+00:00", "Z")


def me(state: OvokState, request: Request) -> Handled:
    """``GET /auth/me``: the caller's project, membership, profile and sessions (its own and
    the :data:`ME_SESSIONS` newest other live ones, oldest first), in ``ResponseMeDto``'s shape
    with every nested required key; a denied (logged-out) token answers 401."""
    token = request.bearer()
    if token is None:
        return Handled(error(401, "Unauthorized"))
    try:
        account, current, _ = state.authorize(token)
    except DomainError as exc:
        return Handled(domain_error(exc))
    tenant = state.tenants[account.tenant_id]
    sessions = [
        {
            "id": s.id,
            "lastUpdated": _iso_z(s.last_updated),
            "authMethod": "password",
            "remoteAddress": s.remote_address,
            "browser": s.user_agent,
            "os": "",
        }
        for s in state.live_sessions(account, current=current, newest=ME_SESSIONS)
    ]
    document = {
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
        # as the example reply of Ovok's document: one menu section without links, and an
        # access policy that grants every resource type
        "config": {
            "resourceType": "UserConfiguration",
            "menu": [{"title": "Favorites", "link": []}],
        },
        "accessPolicy": {
            "resourceType": "AccessPolicy",
            "resource": [{"resourceType": "*"}],
            "ipAccessRule": [],
        },
        "security": {"mfaEnrolled": False, "sessions": sessions},
    }
    return Handled(Response.json(200, document))


# -- the operations' documentation (the OpenAPI document is generated from it) --------------
# Each operation lists the statuses fakeauth answers, every one among those Ovok's document lists
# for it (200, 400, 401, 404, 422 and 500, all with the NestJS error body; logout's success is
# 204), plus the seam's 413.

_OVOK_ERROR = {JSON: SchemaRef(_REPLIES, "ErrorResponse")}
_TOKENS = {JSON: SchemaRef(_REPLIES, "RegisterLoginResponse")}
_PAIR = {JSON: SchemaRef(_REPLIES, "TokenResponse")}
_ME = {JSON: SchemaRef(_REPLIES, "MeResponse")}
_OVOK_BODY = (JSON, FORM)
_OVOK_MALFORMED = Reply(
    "Malformed JSON (or a top-level JSON value that is not an object or array)", _OVOK_ERROR
)
_OVOK_INVALID = Reply(
    "A missing or invalid field; `message` names the first, as class-validator words it",
    _OVOK_ERROR,
)
_OVOK_UNAUTHORIZED = Reply(
    "A missing, malformed, forged, expired or revoked token: `Unauthorized`", _OVOK_ERROR
)
_OVOK_NOT_FOUND = Reply("An unknown `tenantId` (`Project not found`) or `clientId`", _OVOK_ERROR)
_OVOK_SERVER_ERROR = Reply(
    "`Internal server error`: fakeauth answers it only for a bug of its own (kept in "
    "`fake.handler_errors`), or a fault injected with `fake.fail_next`",
    _OVOK_ERROR,
)
_OVOK_BEARER = (("ovokBearer",),)
_LOGOUT_DESCRIPTION = (
    "Idempotent, as Ovok's document states: a repeated logout with the same token answers 204 "
    "again and changes nothing (Ovok's document keys this reply `200` and describes it as 204). "
    "Any other use of a logged-out token answers 401. The login's refresh token stays valid."
)


def _logout_doc(operation: str, summary: str, description: str) -> OperationDoc:
    return OperationDoc(
        summary,
        {
            204: Reply("Logged out (or logged out already); no body"),
            401: Reply(
                "A missing, malformed, forged or expired token: `Unauthorized`", _OVOK_ERROR
            ),
            500: _OVOK_SERVER_ERROR,
        },
        security=_OVOK_BEARER,
        description=description,
        examples=ExamplesRef(_EXAMPLES, "LOGOUT", operation),
    )


#: What the bearer routes take: an Ovok access token.
_ACCESS = Credential(ACCESS)

API = VendorApi(
    name="ovok",
    routes=(
        Route(
            "ovok.b2b_register",
            "POST",
            "/auth/b2b/register",
            b2b_register,
            OperationDoc(
                "Register an account in a tenant and log it in",
                {
                    200: Reply("The new account's tokens", _TOKENS),
                    400: Reply("Malformed JSON, or `Email already registered`", _OVOK_ERROR),
                    404: _OVOK_NOT_FOUND,
                    422: _OVOK_INVALID,
                    500: _OVOK_SERVER_ERROR,
                },
                body=dict.fromkeys(_OVOK_BODY, RegisterRequest),
                description="Ovok's `AuthB2BRegisterController_register`. Sends a verification "
                "email (see `fake.outbox`).",
                examples=ExamplesRef(_EXAMPLES, "REGISTER"),
            ),
        ),
        Route(
            "ovok.b2b_login",
            "POST",
            "/auth/b2b/login",
            b2b_login,
            OperationDoc(
                "Log in with email and password",
                {
                    200: Reply("A new login session's tokens", _TOKENS),
                    400: _OVOK_MALFORMED,
                    401: Reply("`Email or password is invalid` (the same for both)", _OVOK_ERROR),
                    404: _OVOK_NOT_FOUND,
                    422: _OVOK_INVALID,
                    500: _OVOK_SERVER_ERROR,
                },
                body=dict.fromkeys(_OVOK_BODY, LoginRequest),
                description="Ovok's `AuthB2BLoginController_login`.",
                examples=ExamplesRef(_EXAMPLES, "LOGIN"),
            ),
        ),
        Route(
            "ovok.refresh_token",
            "POST",
            "/auth/refresh-token",
            refresh_token,
            OperationDoc(
                "Swap a refresh token (single use) for a new pair",
                {
                    200: Reply("The new pair, in snake_case", _PAIR),
                    400: _OVOK_MALFORMED,
                    401: Reply("A forged, expired, used or revoked refresh token", _OVOK_ERROR),
                    422: _OVOK_INVALID,
                    500: _OVOK_SERVER_ERROR,
                },
                body=dict.fromkeys(_OVOK_BODY, RefreshTokenRequest),
                description="Ovok's `AuthController_refreshToken`.",
                examples=ExamplesRef(_EXAMPLES, "REFRESH"),
            ),
            credential=Credential(REFRESH, body_field("refresh_token")),
        ),
        Route(
            "ovok.logout",
            "POST",
            "/v1/auth/logout",
            logout,
            _logout_doc(
                "ovok.logout",
                "Deny the bearer's access token from now on",
                f"Ovok's `AuthController_logout[0]_v1`. {_LOGOUT_DESCRIPTION}",
            ),
            credential=_ACCESS,
        ),
        Route(
            "ovok.auth_logout",
            "POST",
            "/auth/logout",
            logout,
            _logout_doc(
                "ovok.auth_logout",
                "The same logout as `POST /v1/auth/logout`",
                "Ovok's `AuthController_logout[1]`, which its document lists beside "
                "`/v1/auth/logout` as the same operation; answered on Ovok's hosts and under "
                "`/ovok` (at the live server's root this path is walt.id's logout). "
                f"{_LOGOUT_DESCRIPTION}",
            ),
            at_root=False,
            credential=_ACCESS,
        ),
        Route(
            "ovok.me",
            "GET",
            "/auth/me",
            me,
            OperationDoc(
                "The caller's project, membership, profile and sessions",
                {
                    200: Reply("The caller", _ME),
                    401: _OVOK_UNAUTHORIZED,
                    500: _OVOK_SERVER_ERROR,
                },
                security=_OVOK_BEARER,
                description="Ovok's `AuthMeController_getUserProfile`.",
                examples=ExamplesRef(_EXAMPLES, "ME"),
            ),
            credential=_ACCESS,
        ),
    ),
    path_prefixes=("/auth/", "/v1/auth/", "/v2/auth/"),
    error=error,
    doc=VendorDoc(
        "Ovok B2B auth",
        "NestJS errors `{statusCode, message, error}` (`statusCode` and `message` always, "
        "`error` the reason phrase); bodies over 100 KiB answer 413. Shapes as Ovok's own "
        "OpenAPI document (version 2026.08.29) describes them.",
        _OVOK_ERROR,
        security_schemes={
            "ovokBearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "An Ovok access token (HS256), from login, register or refresh.",
            }
        },
    ),
    max_body=100 * 1024,
    # Express's own words (NestJS answers them with 404: see docs/fidelity.md)
    not_allowed=lambda method, path, allowed: f"Cannot {method} {path}",
)
