"""What the OpenAPI document says of each operation: bodies, replies, errors and security.

One :class:`OperationDoc` per operation id of :func:`fakeauth.wsgi.route_table`; the method, path
and path parameters come from the route itself. A schema is a pydantic model, any type pydantic
can describe (``list[AccountDocument]``), or a literal JSON Schema (a ``dict``). The ``413`` of
an oversized body is added to every operation by :mod:`fakeauth.openapi`, in the vendor's error
shape; the ``501`` of an unserved path and injected faults are not described.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fakeauth.apis import b2core_models as b2
from fakeauth.apis import ovok
from fakeauth.apis import waltid_models as wid

__all__ = ["OPERATIONS", "VENDORS", "OperationDoc", "Reply", "VendorDoc"]

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
TEXT = "text/plain"
_STRING: dict[str, Any] = {"type": "string"}


@dataclass(frozen=True)
class Reply:
    """One documented response: its bodies by media type (none: an empty body) and headers."""

    description: str
    content: Mapping[str, Any] = field(default_factory=dict)
    #: header name -> (description, required)
    headers: Mapping[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class OperationDoc:
    """The documentation of one operation.

    ``security`` lists the alternatives (each a tuple of scheme names, all needed together, as
    :data:`fakeauth.openapi.SECURITY_SCHEMES` names them); an empty tuple among them makes the
    credentials optional; no alternatives: none needed.
    """

    summary: str
    replies: Mapping[int, Reply]
    body: Mapping[str, Any] | None = None
    body_required: bool = True
    security: tuple[tuple[str, ...], ...] = ()
    description: str = ""


@dataclass(frozen=True)
class VendorDoc:
    """A vendor's tag: what it is, where it answers, and the body of its seam errors (413)."""

    title: str
    description: str
    error: Any


# -- Ovok -------------------------------------------------------------------------------------

_OVOK_ERROR = {JSON: ovok.ErrorResponse}
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
_OVOK_BEARER = (("ovokBearer",),)

_OVOK: dict[str, OperationDoc] = {
    "ovok.b2b_register": OperationDoc(
        "Register an account in a tenant and log it in",
        {
            200: Reply("The new account's tokens", {JSON: ovok.RegisterLoginResponse}),
            400: Reply("Malformed JSON, or `Email already registered`", _OVOK_ERROR),
            404: _OVOK_NOT_FOUND,
            422: _OVOK_INVALID,
        },
        body=dict.fromkeys(_OVOK_BODY, ovok.RegisterRequest),
        description="Sends a verification email (see `fake.outbox`).",
    ),
    "ovok.b2b_login": OperationDoc(
        "Log in with email and password",
        {
            200: Reply("A new login session's tokens", {JSON: ovok.RegisterLoginResponse}),
            400: _OVOK_MALFORMED,
            401: Reply("`Email or password is invalid` (the same for both)", _OVOK_ERROR),
            404: _OVOK_NOT_FOUND,
            422: _OVOK_INVALID,
        },
        body=dict.fromkeys(_OVOK_BODY, ovok.LoginRequest),
    ),
    "ovok.refresh_token": OperationDoc(
        "Swap a refresh token (single use) for a new pair",
        {
            200: Reply("The new pair, in snake_case", {JSON: ovok.TokenResponse}),
            400: _OVOK_MALFORMED,
            401: Reply("A forged, expired, used or revoked refresh token", _OVOK_ERROR),
            422: _OVOK_INVALID,
        },
        body=dict.fromkeys(_OVOK_BODY, ovok.RefreshTokenRequest),
    ),
    "ovok.logout": OperationDoc(
        "Deny the bearer's access token from now on",
        {204: Reply("Logged out; no body"), 401: _OVOK_UNAUTHORIZED},
        security=_OVOK_BEARER,
    ),
    "ovok.me": OperationDoc(
        "The caller's project, membership, profile and sessions",
        {200: Reply("The caller", {JSON: ovok.MeResponse}), 401: _OVOK_UNAUTHORIZED},
        security=_OVOK_BEARER,
    ),
}

# -- B2Core -----------------------------------------------------------------------------------

_B2_BODY_TYPES = (JSON, FORM)
_B2_REFUSED = Reply(
    "A refused step: the envelope with `code` 400, `done` false and `data.errors` per field "
    "(or `data.message` for wrong credentials)",
    {JSON: b2.ErrorEnvelope},
)
_B2_UNAUTHORIZED = Reply(
    "A missing, forged, expired or revoked bearer, or another broker's",
    {JSON: b2.Unauthorized},
    {"WWW-Authenticate": ("`Bearer`", True)},
)
_B2_BEARER = (("b2coreBearer",),)


def _b2_body(model: Any) -> dict[str, Any]:
    return dict.fromkeys(_B2_BODY_TYPES, model)


_B2_SIGNIN_WIZARD = {
    200: Reply("A new sign-in session (`code` 202)", {JSON: b2.SigninWizardResponse}),
}
_B2_SIGNED_IN = Reply("The tokens (`code` 202, `done` true)", {JSON: b2.SignedInResponse})

_B2CORE: dict[str, OperationDoc] = {
    "b2core.signup_wizard": OperationDoc(
        "Open a sign-up wizard",
        {
            200: Reply(
                "The session's uuid and its first page's extra fields",
                {JSON: b2.SignupWizardResponse},
            ),
            400: _B2_REFUSED,
        },
        body=_b2_body(b2.SignupWizardRequest),
        body_required=False,
    ),
    "b2core.signup": OperationDoc(
        "Submit a page of the sign-up wizard",
        {
            200: Reply(
                "The next page (`code` 200) or, after the last, the new account's tokens "
                "(`code` 202)",
                {JSON: b2.SignupResponse},
            ),
            400: _B2_REFUSED,
        },
        body=_b2_body(b2.SignupRequest),
    ),
    "b2core.signin_wizard": OperationDoc("Open a sign-in wizard", _B2_SIGNIN_WIZARD),
    "b2core.signin_wizard_post": OperationDoc(
        "Open a sign-in wizard (the older documentation's POST)",
        {**_B2_SIGNIN_WIZARD, 400: _B2_REFUSED},
        body={JSON: {"type": "object"}, FORM: {"type": "object"}},
        body_required=False,
    ),
    "b2core.signin": OperationDoc(
        "Sign in with email and password",
        {
            200: Reply(
                "The tokens (`code` 202) or the 2FA step the account asks for (`code` 200)",
                {JSON: b2.SigninResponse},
            ),
            400: _B2_REFUSED,
            429: Reply(
                "Too many failed sign-ins for this email: locked out",
                {JSON: b2.ErrorEnvelope},
                {"Retry-After": ("Seconds until the lockout ends", True)},
            ),
        },
        body=_b2_body(b2.SigninRequest),
    ),
    "b2core.2fa_google": OperationDoc(
        "Complete a sign-in with the Google Authenticator code",
        {200: _B2_SIGNED_IN, 400: _B2_REFUSED},
        body=_b2_body(b2.TwoFactorCodeRequest),
    ),
    "b2core.2fa_sms": OperationDoc(
        "Complete a sign-in with the SMS code",
        {200: _B2_SIGNED_IN, 400: _B2_REFUSED},
        body=_b2_body(b2.TwoFactorCodeRequest),
    ),
    "b2core.refresh": OperationDoc(
        "Swap a refresh token (single use) for a new pair",
        {
            200: Reply("The new pair, in `data` and at the top level", {JSON: b2.RefreshResponse}),
            400: _B2_REFUSED,
            401: Reply(
                "A forged, expired, used or revoked refresh token, or another broker's",
                {JSON: b2.Unauthorized},
                {"WWW-Authenticate": ("`Bearer`", True)},
            ),
        },
        body=_b2_body(b2.RefreshRequest),
    ),
    "b2core.signout": OperationDoc(
        "Revoke the bearer's session: its access and refresh tokens",
        {
            200: Reply("Signed out (`code` 202)", {JSON: b2.SignoutResponse}),
            401: _B2_UNAUTHORIZED,
        },
        security=_B2_BEARER,
    ),
    "b2core.2fa_settings": OperationDoc(
        "The caller's 2FA methods",
        {
            200: Reply("Which method is on", {JSON: b2.TwoFactorSettings}),
            401: _B2_UNAUTHORIZED,
        },
        security=_B2_BEARER,
    ),
}

# -- walt.id ----------------------------------------------------------------------------------

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
    {TEXT: _STRING, JSON: wid.CommonsError},
)
_WID_FORBIDDEN = Reply("A valid token whose account lacks the role", _WID_ERROR)
_WID_FEATURE_OFF = Reply("The feature this route belongs to is switched off: an empty body")
_WID_CONFLICT = Reply("An account with this email exists already", _WID_ERROR)
_WID_TOKEN = (("waltidBearer",), ("waltidCookie",), ("waltidHeader",))
_WID_ACCOUNT = {JSON: wid.AccountDocument}
_WID_REGISTER = {JSON: wid.AccountRegistrationRequest}

_WALTID: dict[str, OperationDoc] = {
    "waltid.admin_account_register": OperationDoc(
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
    ),
    "waltid.account_register": OperationDoc(
        "Register an account (public, while `account-registration` is on)",
        {
            201: Reply("The new account", _WID_ACCOUNT),
            400: _WID_BAD_BODY,
            404: _WID_FEATURE_OFF,
            409: _WID_CONFLICT,
            415: _WID_UNSUPPORTED,
        },
        body=_WID_REGISTER,
    ),
    "waltid.emailpass_login": OperationDoc(
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
    ),
    "waltid.logout": OperationDoc(
        "End the caller's session, if it has one, and clear the cookies",
        {200: Reply("Logged out (also without a session); no body")},
        security=((), *_WID_TOKEN),
    ),
    "waltid.features_registered": OperationDoc(
        "Every walt.id feature and its description",
        {200: Reply("Feature name -> description", {JSON: dict[str, str]}), 404: _WID_FEATURE_OFF},
    ),
    "waltid.features_state": OperationDoc(
        "Which features are on, switched off, or off by default",
        {200: Reply("The three buckets", {JSON: wid.FeatureState}), 404: _WID_FEATURE_OFF},
    ),
    "waltid.superadmin_create_by_token": OperationDoc(
        "Activate the Super Admin of a registration token",
        {
            200: Reply("The Super Admin's account", _WID_ACCOUNT),
            401: Reply("An unknown or expired registration token", _WID_ERROR),
            404: _WID_FEATURE_OFF,
            409: Reply("`Super admin already exists`", _WID_ERROR),
        },
        # the reader takes a JSON string as the token itself, as it takes raw text
        body={TEXT: _STRING, JSON: wid.RegistrationTokenRequest | str},
    ),
    "waltid.admin_organizations_create": OperationDoc(
        "Create an organization (the Super Admin)",
        {
            201: Reply("The organization", {JSON: wid.OrganizationDocument}),
            400: Reply("An unreadable body, or an id that is not a name", _WID_ERROR),
            401: _WID_UNAUTHORIZED,
            403: _WID_FORBIDDEN,
            404: _WID_FEATURE_OFF,
            409: Reply("An organization with this id exists", {JSON: wid.DuplicateTargetError}),
            415: _WID_UNSUPPORTED,
        },
        body={JSON: wid.CreateOrgRequest},
        security=_WID_TOKEN,
    ),
    "waltid.admin_accounts_list": OperationDoc(
        "Every account",
        {
            200: Reply("A bare array of accounts", {JSON: list[wid.AccountDocument]}),
            401: _WID_UNAUTHORIZED,
            403: _WID_FORBIDDEN,
            404: _WID_FEATURE_OFF,
        },
        security=_WID_TOKEN,
    ),
    "waltid.admin_account_roles_add": OperationDoc(
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
    ),
    "waltid.dev_database_recreate": OperationDoc(
        "Drop every account, organization and session (dev mode; no token needed)",
        {200: Reply("Done; no body"), 404: _WID_FEATURE_OFF},
    ),
    "waltid.dev_initial_setup": OperationDoc(
        "Run the initial set-up (dev mode, the Super Admin); nothing is left to do",
        {
            200: Reply("Done; no body"),
            401: _WID_UNAUTHORIZED,
            403: _WID_FORBIDDEN,
            404: _WID_FEATURE_OFF,
        },
        security=_WID_TOKEN,
    ),
}

#: The documentation of every operation, by operation id.
OPERATIONS: Mapping[str, OperationDoc] = {**_OVOK, **_B2CORE, **_WALTID}

#: Each vendor's tag, by the vendor's name.
VENDORS: Mapping[str, VendorDoc] = {
    "ovok": VendorDoc(
        "Ovok B2B auth",
        "NestJS errors `{statusCode, message, error}`; bodies over 100 KiB answer 413.",
        _OVOK_ERROR,
    ),
    "b2core": VendorDoc(
        "B2Core front office",
        "Every step answers the wizard envelope `{code, data, done, uuid, workflow}`; a body is "
        "read as JSON whatever its content type, or as a form; bodies over 256 KiB answer 413.",
        {JSON: b2.ErrorEnvelope},
    ),
    "waltid": VendorDoc(
        "walt.id Enterprise",
        "walt.id commons errors `{exception, id, status, code, message}`; unknown body fields "
        "are refused; bodies over 1 MiB answer 413.",
        _WID_ERROR,
    ),
}
