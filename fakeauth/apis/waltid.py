"""walt.id Enterprise over HTTP: ktor-authnz login and tokens, commons error bodies, admin routes.

Errors are walt.id's commons body ``{"exception": true, "id", "status", "code", "message"}``
(``details`` for body errors), except where the real service answers otherwise: a missing or bad
bearer is ktor-authnz's plain-text ``Unauthorized (...)``, a duplicate organization the
``DuplicateTarget`` object, and a route of a disabled feature Ktor's empty 404 (the real service
never registers it). Protected routes check, in order: the feature, the bearer, the caller's
role, then the body.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from werkzeug.http import HTTP_STATUS_CODES

from fakeauth.apis import waltid_examples as examples
from fakeauth.apis import waltid_models as wid
from fakeauth.apis.base import Credential, Handled, Handler, Notes, Route, VendorApi
from fakeauth.apis.docs import FORM, JSON, STRING, TEXT, OperationDoc, Reply, VendorDoc
from fakeauth.apis.waltid_models import (
    AccountRegistrationRequest,
    CreateOrgRequest,
    RequestBodyError,
    decode,
    read_credentials,
    read_json,
    read_registration_token,
    registration_token,
)
from fakeauth.errors import (
    AccountExists,
    DomainError,
    Forbidden,
    InvalidCredentials,
    NotFound,
    TokenExpired,
    TokenInvalid,
)
from fakeauth.http import Request, Response
from fakeauth.state.waltid import (
    LOGIN,
    REGISTRATION,
    AccountDataNotFound,
    DuplicateOrganization,
    RegistrationTokenInvalid,
    SuperadminExists,
    WaltidAccount,
    WaltidState,
)

__all__ = ["API", "error"]

COOKIE = "ktor-authnz-auth"
_LEGACY_COOKIE = "auth.token"
#: TEST ONLY (``fakeauth.verify.diverge``): with this flag registered on a fake, a logout without
#: a token answers 401, so that fakeauth's tests have a target that diverges on purpose.
DIVERGE_LOGOUT_WITHOUT_SESSION = "fakeauth-test-diverge:waltid.logout"
_DUPLICATE_TARGET = (
    "Duplicate target for this operation - you are trying to save to resources at the same "
    "path. Overwriting targets like this is not allowed. The old resource at the target must "
    "be removed first."
)
_SEAM_IDS = {
    405: "MethodNotAllowedException",
    413: "PayloadTooLargeException",
    501: "NotImplementedError",
}

Operation = Callable[[WaltidState, Request, Notes], Response]


# -- error rendering: the one place domain errors become statuses -------------------------------


def _exception(
    status: int, exception_id: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    body: dict[str, Any] = {
        "exception": True,
        "id": exception_id,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "code": str(status),
        "message": message,
    }
    if details:
        body["details"] = details
    return Response.json(status, body)


def error(status: int, message: str) -> Response:
    """walt.id's commons error body, for what the WSGI seam answers itself."""
    return _exception(status, _SEAM_IDS.get(status, "WebException"), message)


def _domain_error(state: WaltidState, exc: DomainError) -> Response:
    if isinstance(exc, TokenExpired):
        since = kotlin_duration(state.clock.time() - exc.expired_at)
        return _exception(401, "ExpiredTokenException", f"JWT Login Token expired since: {since}")
    if isinstance(exc, TokenInvalid):
        return Response.text(401, "Unauthorized (InvalidCredentials)")
    if isinstance(exc, InvalidCredentials):
        return _exception(401, "InvalidCredentialsException", exc.message)
    if isinstance(exc, AccountDataNotFound):
        return _exception(404, "AccountDataNotFoundException", exc.message)
    if isinstance(exc, NotFound):
        return _exception(404, "NotFoundException", exc.message)
    if isinstance(exc, (AccountExists, SuperadminExists)):
        return _exception(409, "ConflictException", exc.message)
    if isinstance(exc, DuplicateOrganization):
        return Response.json(
            409,
            {
                "type": "DuplicateTarget",
                "status": 409,
                "message": _DUPLICATE_TARGET,
                "target": exc.organization,
            },
        )
    if isinstance(exc, RegistrationTokenInvalid):
        return _exception(401, "UnauthorizedException", exc.message)
    if isinstance(exc, Forbidden):
        return _exception(403, "ForbiddenException", exc.message)
    # InvalidRequest, and whatever else the state refuses: Ktor's IllegalArgumentException
    return _exception(400, "IllegalArgumentException", exc.message)


def kotlin_duration(seconds: float) -> str:
    """``seconds`` as Kotlin's ``Duration.toString()`` writes it: ``"1d 2h 0m 5s"``, ``"250ms"``."""
    total_ns = max(0, round(seconds * 1_000_000)) * 1000
    if total_ns == 0:
        return "0s"
    whole, nanos = divmod(total_ns, 1_000_000_000)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    has_seconds = secs != 0 or nanos != 0
    parts = []
    if days:
        parts.append(f"{days}d")
    if hours or (days and (minutes or has_seconds)):
        parts.append(f"{hours}h")
    if minutes or (has_seconds and (hours or days)):
        parts.append(f"{minutes}m")
    if has_seconds:
        if secs or parts:
            parts.append(_fractional(secs, nanos, 9, "s"))
        elif nanos >= 1_000_000:
            parts.append(_fractional(nanos // 1_000_000, nanos % 1_000_000, 6, "ms"))
        else:
            parts.append(_fractional(nanos // 1000, nanos % 1000, 3, "us"))
    return " ".join(parts)


def _fractional(whole: int, fraction: int, size: int, unit: str) -> str:
    if not fraction:
        return f"{whole}{unit}"
    digits = str(fraction).rjust(size, "0").rstrip("0")
    width = len(digits) if len(digits) < 3 else (len(digits) + 2) // 3 * 3
    return f"{whole}.{digits.ljust(width, '0')}{unit}"


# -- the pieces every handler uses ----------------------------------------------------------------


class _Reply(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _operation(*features: str) -> Callable[[Operation], Handler]:
    """The handler of ``operation``: it serves only while ``features`` are on (else Ktor's empty
    404), renders every error, and answers with what the operation noted of the request, whether
    it answered or raised."""

    def wrap(operation: Operation) -> Handler:
        @functools.wraps(operation)
        def handler(state: WaltidState, request: Request) -> Handled:
            for name in features:
                if not state.features.is_enabled(name):
                    return Handled(Response.empty(404))
            notes = Notes()
            try:
                return notes.answer(operation(state, request, notes))
            except _Reply as reply:
                return notes.answer(reply.response)
            except RequestBodyError as exc:
                return notes.answer(
                    _exception(exc.status, exc.exception_id, exc.message, exc.details)
                )
            except DomainError as exc:
                return notes.answer(_domain_error(state, exc))

        return handler

    return wrap


def _effective_token(request: Request) -> str | None:
    """ktor-authnz's token, from its header, ``Authorization``, or its cookies (in that order)."""
    token = request.header(COOKIE)
    if token is not None:
        return token
    authorization = request.header("authorization")
    if authorization is not None:
        return authorization.removeprefix("Bearer ")
    cookies = request.cookies()
    return cookies.get(COOKIE, cookies.get(_LEGACY_COOKIE))


def _caller(state: WaltidState, request: Request) -> WaltidAccount:
    token = _effective_token(request)
    if token is None:
        raise _Reply(Response.text(401, "Unauthorized (NoCredentials)"))
    account, _ = state.authorize(token)
    return account


def _account_document(account: WaltidAccount) -> dict[str, Any]:
    return {
        "_id": account.id,
        "type": account.type,
        "profile": dict(account.profile),
        "accountPreferences": dict(account.preferences),
        "flags": list(account.flags),
        "roles": {org: list(roles) for org, roles in account.roles.items()},
    }


def _register(state: WaltidState, request: Request, notes: Notes) -> Response:
    body = read_json(request, "AccountRegistrationRequest", notes)
    dto = decode(AccountRegistrationRequest, body, "AccountRegistrationRequest")
    login = None
    if dto.initialAuth is not None:
        login = (dto.initialAuth.identifier.email, dto.initialAuth.data.password)
    account = state.register(
        dto.profile.model_dump(exclude_none=True),
        dto.preferences.model_dump(exclude_none=True),
        login=login,
    )
    return Response.json(201, _account_document(account))


def _cookie(name: str, value: str, request: Request, *, clear: bool = False) -> tuple[str, str]:
    # scoped to the vendor's base path when the request came under one (``/waltid/``)
    parts = [f"{name}={value}", f"Path={request.mount}/", "HttpOnly", "SameSite=Strict"]
    if clear:
        parts[1:1] = ["Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
    if request.url.startswith("https://"):
        parts.append("Secure")
    return ("Set-Cookie", "; ".join(parts))


def _feature_bucket(features: dict[str, str]) -> dict[str, Any]:
    return {"features": features, "total": len(features)}


# -- handlers, named after the wire operations ----------------------------------------------------


@_operation("admin")
def admin_account_register(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/admin/account/register``: the Super Admin or an organization admin, 201."""
    state.require_admin(_caller(state, request))
    return _register(state, request, notes)


@_operation("account-registration")
def account_register(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/account/register``: public sign-up while ``account-registration`` is on."""
    return _register(state, request, notes)


@_operation()
def emailpass_login(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /auth/account/emailpass``: a session, its token, and the ktor-authnz cookie."""
    email, password = read_credentials(request, notes)
    login = state.authenticate(email, password)
    return Response.json(
        200,
        {"session_id": login.session.id, "status": "OK", "token": login.token},
        headers=[_cookie(COOKIE, login.token, request)],
    )


@_operation()
def logout(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /auth/logout``: ends the caller's session if it has one; clears both cookies."""
    token = _effective_token(request)
    if not token and DIVERGE_LOGOUT_WITHOUT_SESSION in state.features:
        return Response.text(401, "Unauthorized (NoCredentials)")
    if token:
        # logging out twice, or with a stale cookie, is not an error
        with contextlib.suppress(DomainError):
            state.logout(token, by=request.operation)
    return Response.empty(
        200,
        [
            _cookie(COOKIE, "", request, clear=True),
            _cookie(_LEGACY_COOKIE, "", request, clear=True),
        ],
    )


@_operation("feature-flag-information-endpoint")
def features_registered(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``GET /features/registered``: every walt.id feature and its description."""
    return Response.json(
        200, {f.name: f.description for f in state.features if f.vendor == "waltid"}
    )


@_operation("feature-flag-information-endpoint")
def features_state(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``GET /features/state``: on; switched off; off by default."""
    buckets: dict[str, dict[str, str]] = {"enabled": {}, "disabled": {}, "defaultedDisabled": {}}
    for feature in state.features:
        if feature.vendor != "waltid":
            continue
        if state.features.is_enabled(feature.name):
            bucket = "enabled"
        else:
            bucket = "disabled" if feature.default else "defaultedDisabled"
        buckets[bucket][feature.name] = feature.description
    return Response.json(200, {name: _feature_bucket(f) for name, f in buckets.items()})


@_operation("superadmin-registration")
def superadmin_create_by_token(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/superadmin/create-by-token``: activates the token's Super Admin, 200."""
    token = read_registration_token(request, notes)
    account = state.activate_superadmin(token, by=request.operation)
    return Response.json(200, _account_document(account))


@_operation("admin", "organization-creation")
def admin_organizations_create(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/admin/organizations``: the Super Admin creates an organization, 201."""
    state.require_superadmin(_caller(state, request))
    try:
        dto = decode(
            CreateOrgRequest, read_json(request, "CreateOrgRequest", notes), "CreateOrgRequest"
        )
    except RequestBodyError as exc:
        if exc.status == 400:  # the enterprise's convertingReceive wraps body errors
            exc.exception_id = "IllegalArgumentException"
        raise
    organization = state.create_organization(dto.id, dto.profile.name)
    return Response.json(201, {"_id": organization.id, "profile": {"name": organization.name}})


@_operation("admin")
def admin_accounts_list(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``GET /v1/admin/accounts``: a bare array of every account."""
    state.require_admin(_caller(state, request))
    return Response.json(200, [_account_document(a) for a in state.accounts])


@_operation("admin")
def admin_account_roles_add(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/admin/account/{accountId}/roles/add/{organization}/{roleId}``: 200."""
    params = request.path_params
    organization = params["organization"]
    state.require_admin(_caller(state, request), organization)
    if not state.grant_role(params["accountId"], organization, params["roleId"]):
        return Response.json(200, {})
    return Response.json(200, _account_document(state.account(params["accountId"])))


@_operation("dev-mode")
def dev_database_recreate(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/dev/database-recreate``: no bearer needed; every account and session goes."""
    state.recreate_database()
    return Response.empty(200)


@_operation("dev-mode")
def dev_initial_setup(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/dev/initial-setup``: the Super Admin's bearer; nothing more to set up, 200."""
    state.require_superadmin(_caller(state, request))
    return Response.empty(200)


# -- the operations' documentation (the OpenAPI document is generated from it) --------------

_WID_ERROR = {JSON: wid.CommonsError}
_WID_BAD_BODY = Reply(
    "A body kotlinx cannot read as the request type: malformed JSON, a wrong type, an unknown "
    "field (`details.unknownFields`) or a missing one (`details.missingFields`)",
    _WID_ERROR,
)
_WID_UNSUPPORTED = Reply("A content type other than `application/json`", _WID_ERROR)
_WID_UNAUTHORIZED = Reply(
    "No token (`Unauthorized (NoCredentials)`, text), a forged or revoked one "
    "(`Unauthorized (InvalidCredentials)`, text) or an expired one (`ExpiredTokenException`)",
    {TEXT: STRING, JSON: wid.CommonsError},
)
_WID_FORBIDDEN = Reply("A valid token whose account lacks the role", _WID_ERROR)
_WID_FEATURE_OFF = Reply("The feature this route belongs to is switched off: an empty body")
_WID_CONFLICT = Reply("An account with this email exists already", _WID_ERROR)
_WID_TOKEN = (("waltidBearer",), ("waltidCookie",), ("waltidHeader",))
_WID_ACCOUNT = {JSON: wid.AccountDocument}
_WID_REGISTER = {JSON: wid.AccountRegistrationRequest}


#: What the routes of a signed-in caller take: a walt.id session token, from ktor-authnz's
#: header, ``Authorization`` or its cookies (as :func:`_effective_token` reads it).
_SESSION = Credential(LOGIN, lambda request, _body: _effective_token(request))
#: What ``create-by-token`` takes: a registration token in the body, refused when unknown or
#: expired (401) and when its Super Admin exists already (409).
_REGISTRATION = Credential(REGISTRATION, registration_token, frozenset({401, 409}))

API = VendorApi(
    name="waltid",
    routes=(
        Route(
            "waltid.admin_account_register",
            "POST",
            "/v1/admin/account/register",
            admin_account_register,
            OperationDoc(
                "Register an account (the Super Admin or an organization admin)",
                {
                    201: Reply("The new account", _WID_ACCOUNT),
                    400: _WID_BAD_BODY,
                    401: _WID_UNAUTHORIZED,
                    403: _WID_FORBIDDEN,
                    404: _WID_FEATURE_OFF,
                    409: _WID_CONFLICT,
                    415: _WID_UNSUPPORTED,
                },
                body=_WID_REGISTER,
                security=_WID_TOKEN,
                examples=examples.ADMIN_ACCOUNT_REGISTER,
            ),
            credential=_SESSION,
        ),
        Route(
            "waltid.account_register",
            "POST",
            "/v1/account/register",
            account_register,
            OperationDoc(
                "Register an account (public, while `account-registration` is on)",
                {
                    201: Reply("The new account", _WID_ACCOUNT),
                    400: _WID_BAD_BODY,
                    404: _WID_FEATURE_OFF,
                    409: _WID_CONFLICT,
                    415: _WID_UNSUPPORTED,
                },
                body=_WID_REGISTER,
                examples=examples.ACCOUNT_REGISTER,
            ),
        ),
        Route(
            "waltid.emailpass_login",
            "POST",
            "/auth/account/emailpass",
            emailpass_login,
            OperationDoc(
                "Log in with email and password: a session, its token and the ktor-authnz cookie",
                {
                    200: Reply(
                        "The new session and its token",
                        {JSON: wid.LoginResponse},
                        {"Set-Cookie": ("`ktor-authnz-auth=<token>`", True)},
                    ),
                    400: Reply("No credential, or an unreadable one", _WID_ERROR),
                    401: Reply("A wrong password", _WID_ERROR),
                    404: Reply("No account has this login email", _WID_ERROR),
                },
                body={JSON: wid.EmailPassCredentials, FORM: wid.EmailPassCredentials},
                body_required=False,
                security=((), ("waltidBasic",)),
                examples=examples.EMAILPASS_LOGIN,
            ),
        ),
        Route(
            "waltid.logout",
            "POST",
            "/auth/logout",
            logout,
            OperationDoc(
                "End the caller's session, if it has one, and clear the cookies",
                {200: Reply("Logged out (also without a session); no body")},
                security=((), *_WID_TOKEN),
                examples=examples.LOGOUT,
            ),
        ),
        Route(
            "waltid.features_registered",
            "GET",
            "/features/registered",
            features_registered,
            OperationDoc(
                "Every walt.id feature and its description",
                {
                    200: Reply("Feature name -> description", {JSON: dict[str, str]}),
                    404: _WID_FEATURE_OFF,
                },
                examples=examples.FEATURES_REGISTERED,
            ),
        ),
        Route(
            "waltid.features_state",
            "GET",
            "/features/state",
            features_state,
            OperationDoc(
                "Which features are on, switched off, or off by default",
                {200: Reply("The three buckets", {JSON: wid.FeatureState}), 404: _WID_FEATURE_OFF},
                examples=examples.FEATURES_STATE,
            ),
        ),
        Route(
            "waltid.superadmin_create_by_token",
            "POST",
            "/v1/superadmin/create-by-token",
            superadmin_create_by_token,
            OperationDoc(
                "Activate the Super Admin of a registration token",
                {
                    200: Reply("The Super Admin's account", _WID_ACCOUNT),
                    401: Reply("An unknown or expired registration token", _WID_ERROR),
                    404: _WID_FEATURE_OFF,
                    409: Reply("`Super admin already exists`", _WID_ERROR),
                },
                # the reader takes a JSON string as the token itself, as it takes raw text
                body={TEXT: STRING, JSON: wid.RegistrationTokenRequest | str},
                examples=examples.CREATE_BY_TOKEN,
            ),
            credential=_REGISTRATION,
        ),
        Route(
            "waltid.admin_organizations_create",
            "POST",
            "/v1/admin/organizations",
            admin_organizations_create,
            OperationDoc(
                "Create an organization (the Super Admin)",
                {
                    201: Reply("The organization", {JSON: wid.OrganizationDocument}),
                    400: Reply("An unreadable body, or an id that is not a name", _WID_ERROR),
                    401: _WID_UNAUTHORIZED,
                    403: _WID_FORBIDDEN,
                    404: _WID_FEATURE_OFF,
                    409: Reply(
                        "An organization with this id exists", {JSON: wid.DuplicateTargetError}
                    ),
                    415: _WID_UNSUPPORTED,
                },
                body={JSON: wid.CreateOrgRequest},
                security=_WID_TOKEN,
                examples=examples.ORGANIZATIONS_CREATE,
            ),
            credential=_SESSION,
        ),
        Route(
            "waltid.admin_accounts_list",
            "GET",
            "/v1/admin/accounts",
            admin_accounts_list,
            OperationDoc(
                "Every account",
                {
                    200: Reply("A bare array of accounts", {JSON: list[wid.AccountDocument]}),
                    401: _WID_UNAUTHORIZED,
                    403: _WID_FORBIDDEN,
                    404: _WID_FEATURE_OFF,
                },
                security=_WID_TOKEN,
                examples=examples.ACCOUNTS_LIST,
            ),
            credential=_SESSION,
        ),
        Route(
            "waltid.admin_account_roles_add",
            "POST",
            "/v1/admin/account/<accountId>/roles/add/<organization>/<roleId>",
            admin_account_roles_add,
            OperationDoc(
                "Give an account a role of an organization (an admin of that organization)",
                {
                    200: Reply(
                        "The account, or `{}` when it held the role already",
                        {JSON: wid.AccountDocument | wid.EmptyObject},
                    ),
                    400: Reply("The role belongs to another organization", _WID_ERROR),
                    401: _WID_UNAUTHORIZED,
                    403: _WID_FORBIDDEN,
                    404: Reply(
                        "No such account, organization or role (an empty body when `admin` is off)",
                        _WID_ERROR,
                    ),
                },
                security=_WID_TOKEN,
                description=(
                    "A role id is `<organization>.admin` (`acme.admin` for the organization "
                    "`acme`): each organization gets its admin role when it is created, and the "
                    "only role there is. The role must be the path's organization's (another's "
                    "answers 400). The Super Admin, or an admin of the organization, may give it."
                ),
                examples=examples.ROLES_ADD,
            ),
            credential=_SESSION,
        ),
        Route(
            "waltid.dev_database_recreate",
            "POST",
            "/v1/dev/database-recreate",
            dev_database_recreate,
            OperationDoc(
                "Drop every account, organization and session (dev mode; no token needed)",
                {200: Reply("Done; no body"), 404: _WID_FEATURE_OFF},
                examples=examples.DATABASE_RECREATE,
            ),
        ),
        Route(
            "waltid.dev_initial_setup",
            "POST",
            "/v1/dev/initial-setup",
            dev_initial_setup,
            OperationDoc(
                "Run the initial set-up (dev mode, the Super Admin); nothing is left to do",
                {
                    200: Reply("Done; no body"),
                    401: _WID_UNAUTHORIZED,
                    403: _WID_FORBIDDEN,
                    404: _WID_FEATURE_OFF,
                },
                security=_WID_TOKEN,
                examples=examples.INITIAL_SETUP,
            ),
            credential=_SESSION,
        ),
        # An older release of walt.id's quickstart CLI posts the set-up here (and goes on when
        # it fails); it answers as /v1/dev/initial-setup does, flag and all.
        Route(
            "waltid.admin_initial_setup",
            "POST",
            "/v1/admin/initial-setup",
            dev_initial_setup,
            OperationDoc(
                "Run the initial set-up where an older quickstart CLI calls it (as "
                "`/v1/dev/initial-setup`; dev mode, the Super Admin); nothing is left to do",
                {
                    200: Reply("Done; no body"),
                    401: _WID_UNAUTHORIZED,
                    403: _WID_FORBIDDEN,
                    404: _WID_FEATURE_OFF,
                },
                security=_WID_TOKEN,
                examples=examples.INITIAL_SETUP,
            ),
            credential=_SESSION,
        ),
    ),
    path_prefixes=("/v1/", "/features/", "/auth/account/", "/auth/logout"),
    error=error,
    doc=VendorDoc(
        "walt.id Enterprise",
        "walt.id commons errors `{exception, id, status, code, message}`; unknown body fields "
        "are refused; bodies over 1 MiB answer 413.",
        _WID_ERROR,
        security_schemes={
            "waltidBearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": (
                    "A walt.id login token (EdDSA), from `POST /auth/account/emailpass`."
                ),
            },
            "waltidCookie": {
                "type": "apiKey",
                "in": "cookie",
                "name": "ktor-authnz-auth",
                "description": "The cookie a walt.id login sets (the token itself).",
            },
            "waltidHeader": {
                "type": "apiKey",
                "in": "header",
                "name": "ktor-authnz-auth",
                "description": "ktor-authnz's own header: the token, without `Bearer `.",
            },
            "waltidBasic": {
                "type": "http",
                "scheme": "basic",
                "description": "The email and password of a walt.id login, as a Basic header.",
            },
        },
    ),
)
