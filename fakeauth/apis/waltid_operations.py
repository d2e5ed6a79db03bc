"""What every walt.id operation shares: its wrapper, the caller's token, cookies, replies.

:func:`operation` makes a handler of an operation: it serves only while the operation's features
are on (else Ktor's empty 404), renders every error (:mod:`fakeauth.apis.waltid_errors`), and
answers with what the operation noted of the request. The ``WID_*`` replies are the documentation
the routes share.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fakeauth.apis import waltid_models as wid
from fakeauth.apis.base import Credential, Handled, Handler, Notes
from fakeauth.apis.docs import JSON, STRING, TEXT, Reply
from fakeauth.apis.waltid_errors import domain_error, exception
from fakeauth.apis.waltid_models import RequestBodyError
from fakeauth.errors import DomainError
from fakeauth.http import Request, Response
from fakeauth.state.waltid import LOGIN, WaltidAccount, WaltidState

__all__ = [
    "COOKIE",
    "LEGACY_COOKIE",
    "SESSION",
    "WID_ACCOUNT",
    "WID_BAD_BODY",
    "WID_CONFLICT",
    "WID_ERROR",
    "WID_FEATURE_OFF",
    "WID_FORBIDDEN",
    "WID_REGISTER",
    "WID_TOKEN",
    "WID_UNAUTHORIZED",
    "WID_UNSUPPORTED",
    "EarlyReply",
    "Operation",
    "account_document",
    "caller",
    "cookie",
    "effective_token",
    "operation",
]

COOKIE = "ktor-authnz-auth"
LEGACY_COOKIE = "auth.token"

#: An operation: what a walt.id handler does once its features are on and before its errors are
#: rendered (see :func:`operation`).
Operation = Callable[[WaltidState, Request, Notes], Response]


class EarlyReply(Exception):
    """An answer an operation gives before it is done (a missing bearer): the handler sends it."""

    def __init__(self, response: Response) -> None:
        self.response = response


def operation(*features: str) -> Callable[[Operation], Handler]:
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
            except EarlyReply as reply:
                return notes.answer(reply.response)
            except RequestBodyError as exc:
                return notes.answer(
                    exception(exc.status, exc.exception_id, exc.message, exc.details)
                )
            except DomainError as exc:
                return notes.answer(domain_error(state, exc))

        return handler

    return wrap


def effective_token(request: Request) -> str | None:
    """ktor-authnz's token, from its header, ``Authorization``, or its cookies (in that order)."""
    token = request.header(COOKIE)
    if token is not None:
        return token
    authorization = request.header("authorization")
    if authorization is not None:
        return authorization.removeprefix("Bearer ")
    cookies = request.cookies()
    return cookies.get(COOKIE, cookies.get(LEGACY_COOKIE))


def caller(state: WaltidState, request: Request) -> WaltidAccount:
    """The account of the request's token; without one, ktor-authnz's plain-text 401."""
    token = effective_token(request)
    if token is None:
        raise EarlyReply(Response.text(401, "Unauthorized (NoCredentials)"))
    account, _ = state.authorize(token)
    return account


def account_document(account: WaltidAccount) -> dict[str, Any]:
    """An account as walt.id's admin routes write it."""
    return {
        "_id": account.id,
        "type": account.type,
        "profile": dict(account.profile),
        "accountPreferences": dict(account.preferences),
        "flags": list(account.flags),
        "roles": {org: list(roles) for org, roles in account.roles.items()},
    }


def cookie(name: str, value: str, request: Request, *, clear: bool = False) -> tuple[str, str]:
    """A ``Set-Cookie`` header of ktor-authnz's cookies (``clear``: one that removes it)."""
    # scoped to the vendor's base path when the request came under one (``/waltid/``)
    parts = [f"{name}={value}", f"Path={request.mount}/", "HttpOnly", "SameSite=Strict"]
    if clear:
        parts[1:1] = ["Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
    if request.url.startswith("https://"):
        parts.append("Secure")
    return ("Set-Cookie", "; ".join(parts))


# -- the documentation the routes share (the OpenAPI document is generated from it) ---------

WID_ERROR = {JSON: wid.CommonsError}
WID_BAD_BODY = Reply(
    "A body kotlinx cannot read as the request type: malformed JSON, a wrong type, an unknown "
    "field (`details.unknownFields`) or a missing one (`details.missingFields`)",
    WID_ERROR,
)
WID_UNSUPPORTED = Reply("A content type other than `application/json`", WID_ERROR)
WID_UNAUTHORIZED = Reply(
    "No token (`Unauthorized (NoCredentials)`, text), a forged or revoked one "
    "(`Unauthorized (InvalidCredentials)`, text) or an expired one (`ExpiredTokenException`)",
    {TEXT: STRING, JSON: wid.CommonsError},
)
WID_FORBIDDEN = Reply("A valid token whose account lacks the role", WID_ERROR)
WID_FEATURE_OFF = Reply("The feature this route belongs to is switched off: an empty body")
WID_CONFLICT = Reply("An account with this email exists already", WID_ERROR)
WID_TOKEN = (("waltidBearer",), ("waltidCookie",), ("waltidHeader",))
WID_ACCOUNT = {JSON: wid.AccountDocument}
WID_REGISTER = {JSON: wid.AccountRegistrationRequest}


#: What the routes of a signed-in caller take: a walt.id session token, from ktor-authnz's
#: header, ``Authorization`` or its cookies (as :func:`effective_token` reads it).
SESSION = Credential(LOGIN, lambda request, _body: effective_token(request))
