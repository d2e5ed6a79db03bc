"""walt.id accounts and sessions: registration, the email/password login and the logout.

Each operation's handler and its :class:`~fakeauth.apis.base.Route` stand together; ``ROUTES``
lists them in the order :data:`fakeauth.apis.waltid.API` serves and documents them.
"""

from __future__ import annotations

import contextlib

from fakeauth.apis import waltid_examples as examples
from fakeauth.apis import waltid_models as wid
from fakeauth.apis.base import Notes, Route
from fakeauth.apis.docs import FORM, JSON, OperationDoc, Reply
from fakeauth.apis.waltid_models import (
    AccountRegistrationRequest,
    decode,
    read_credentials,
    read_json,
)
from fakeauth.apis.waltid_operations import (
    COOKIE,
    LEGACY_COOKIE,
    SESSION,
    WID_ACCOUNT,
    WID_BAD_BODY,
    WID_CONFLICT,
    WID_ERROR,
    WID_FEATURE_OFF,
    WID_FORBIDDEN,
    WID_REGISTER,
    WID_TOKEN,
    WID_UNAUTHORIZED,
    WID_UNSUPPORTED,
    account_document,
    caller,
    cookie,
    effective_token,
    operation,
)
from fakeauth.errors import DomainError
from fakeauth.http import Request, Response
from fakeauth.state.waltid import WaltidState
from fakeauth.state.waltid_options import (
    DIVERGE_LOGOUT_WITHOUT_SESSION as DIVERGE_LOGOUT_WITHOUT_SESSION,
)

__all__ = [
    "DIVERGE_LOGOUT_WITHOUT_SESSION",
    "ROUTES",
    "account_register",
    "admin_account_register",
    "emailpass_login",
    "logout",
]


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
    return Response.json(201, account_document(account))


@operation("admin")
def admin_account_register(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/admin/account/register``: the Super Admin or an organization admin, 201."""
    state.require_admin(caller(state, request))
    return _register(state, request, notes)


@operation("account-registration")
def account_register(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /v1/account/register``: public sign-up while ``account-registration`` is on."""
    return _register(state, request, notes)


@operation()
def emailpass_login(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /auth/account/emailpass``: a session, its token, and the ktor-authnz cookie."""
    email, password = read_credentials(request, notes)
    login = state.authenticate(email, password)
    return Response.json(
        200,
        {"session_id": login.session.id, "status": "OK", "token": login.token},
        headers=[cookie(COOKIE, login.token, request)],
    )


@operation()
def logout(state: WaltidState, request: Request, notes: Notes) -> Response:
    """``POST /auth/logout``: ends the caller's session if it has one; clears both cookies."""
    token = effective_token(request)
    if not token and DIVERGE_LOGOUT_WITHOUT_SESSION in state.features:
        return Response.text(401, "Unauthorized (NoCredentials)")
    if token:
        # logging out twice, or with a stale cookie, is not an error
        with contextlib.suppress(DomainError):
            state.logout(token, by=request.operation)
    return Response.empty(
        200,
        [
            cookie(COOKIE, "", request, clear=True),
            cookie(LEGACY_COOKIE, "", request, clear=True),
        ],
    )


ROUTES = (
    Route(
        "waltid.admin_account_register",
        "POST",
        "/v1/admin/account/register",
        admin_account_register,
        OperationDoc(
            "Register an account (the Super Admin or an organization admin)",
            {
                201: Reply("The new account", WID_ACCOUNT),
                400: WID_BAD_BODY,
                401: WID_UNAUTHORIZED,
                403: WID_FORBIDDEN,
                404: WID_FEATURE_OFF,
                409: WID_CONFLICT,
                415: WID_UNSUPPORTED,
            },
            body=WID_REGISTER,
            security=WID_TOKEN,
            examples=examples.ADMIN_ACCOUNT_REGISTER,
        ),
        credential=SESSION,
    ),
    Route(
        "waltid.account_register",
        "POST",
        "/v1/account/register",
        account_register,
        OperationDoc(
            "Register an account (public, while `account-registration` is on)",
            {
                201: Reply("The new account", WID_ACCOUNT),
                400: WID_BAD_BODY,
                404: WID_FEATURE_OFF,
                409: WID_CONFLICT,
                415: WID_UNSUPPORTED,
            },
            body=WID_REGISTER,
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
                400: Reply("No credential, or an unreadable one", WID_ERROR),
                401: Reply("A wrong password", WID_ERROR),
                404: Reply("No account has this login email", WID_ERROR),
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
            security=((), *WID_TOKEN),
            examples=examples.LOGOUT,
        ),
    ),
)
