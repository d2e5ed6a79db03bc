"""B2Core front office over HTTP: the wizard envelope ``{code, data, done, uuid, workflow}``.

Every step answers HTTP 200 with the wizard code in the body (200: another step, 202: done); a
refused step answers HTTP 400 (429 when locked out) with the same envelope. The body is read as
JSON whatever the content type (the documentation's own curl examples send JSON as
``application/x-www-form-urlencoded``), and as form fields only when it is a real form body.
"""

from __future__ import annotations

from fakeauth.apis import b2core_examples as examples
from fakeauth.apis import b2core_models as b2
from fakeauth.apis.b2core_bodies import (
    domain_error,
    envelope,
    error,
    read_body,
    signed_in,
    tokens_body,
    unauthorized,
    validate,
)
from fakeauth.apis.b2core_docs import (
    ACCESS_CREDENTIAL,
    B2_BEARER,
    B2_REFUSED,
    B2_SIGNED_IN,
    B2_SIGNIN_WIZARD,
    B2_UNAUTHORIZED,
    DOC,
    REFRESH_CREDENTIAL,
    SIGNIN_UUID,
    SIGNUP_UUID,
    b2_body,
)
from fakeauth.apis.b2core_models import (
    RefreshRequest,
    SigninRequest,
    SignupRequest,
    SignupWizardRequest,
    TwoFactorCodeRequest,
)
from fakeauth.apis.base import (
    Handled,
    Notes,
    Route,
    VendorApi,
)
from fakeauth.apis.docs import FORM, JSON, OperationDoc, Reply
from fakeauth.errors import TokenInvalid
from fakeauth.http import Request, Response
from fakeauth.state.b2core import (
    LOGIN_WORKFLOW,
    SIGNUP_DONE_WORKFLOW,
    SIGNUP_WORKFLOW,
    B2CoreBroker,
    B2CoreError,
    B2CoreState,
    WizardStep,
)

__all__ = ["API", "error"]

REFRESH_WORKFLOW = "refresh"
SIGNOUT_WORKFLOW = "signout"


def _broker(state: B2CoreState, request: Request) -> B2CoreBroker:
    # the live server's loopback Host names no broker: the default one serves it
    return state.broker_for_host(request.headers.get("host", "")) or state.broker()


# -- handlers, named after the wire operations ----------------------------------------------------


def signup_wizard(state: B2CoreState, request: Request) -> Handled:
    """``POST /api/v2/my/signup/wizard``: open a sign-up wizard; its first page's fields."""
    notes = Notes()
    try:
        validate(SignupWizardRequest, request, SIGNUP_WORKFLOW, notes)
    except (B2CoreError, TokenInvalid) as exc:
        return notes.answer(domain_error(exc))
    session, fields = state.start_signup(_broker(state, request))
    return notes.answer(
        envelope(
            200, 202, {"fields": fields}, done=True, uuid=session.uuid, workflow=SIGNUP_WORKFLOW
        )
    )


def signup(state: B2CoreState, request: Request) -> Handled:
    """``POST /api/v2/my/signup``: one page of the wizard; the last one creates the account."""
    notes = Notes()
    try:
        dto, body = validate(SignupRequest, request, SIGNUP_WORKFLOW, notes)
        result = state.sign_up(_broker(state, request), dto.uuid, body)
    except (B2CoreError, TokenInvalid) as exc:
        return notes.answer(domain_error(exc))
    if isinstance(result, WizardStep):
        data = {"fields": result.fields}
        return notes.answer(
            envelope(200, 200, data, done=False, uuid=result.uuid, workflow=result.workflow)
        )
    return notes.answer(
        envelope(
            200,
            202,
            tokens_body(result),
            done=True,
            uuid=result.uuid,
            workflow=SIGNUP_DONE_WORKFLOW,
        )
    )


def signin_wizard(state: B2CoreState, request: Request) -> Handled:
    """``GET`` (real clients) or ``POST`` (older docs) ``/api/v2/my/signin/wizard``."""
    notes = Notes()
    if request.method == "POST":
        try:
            read_body(request, LOGIN_WORKFLOW, notes)
        except (B2CoreError, TokenInvalid) as exc:
            return notes.answer(domain_error(exc))
    broker = _broker(state, request)
    session = state.start_signin(broker)
    data = {
        "recaptcha": {"enabled": broker.recaptcha},
        "is_qr_available": False,
        "is_password_recovery_available": True,
    }
    return notes.answer(
        envelope(200, 202, data, done=True, uuid=session.uuid, workflow=LOGIN_WORKFLOW)
    )


def signin(state: B2CoreState, request: Request) -> Handled:
    """``POST /api/v2/my/signin``: the tokens, or the 2FA step the account asks for."""
    notes = Notes()
    try:
        dto, body = validate(SigninRequest, request, LOGIN_WORKFLOW, notes)
        result = state.sign_in(_broker(state, request), dto.uuid, body)
    except (B2CoreError, TokenInvalid) as exc:
        return notes.answer(domain_error(exc))
    if isinstance(result, WizardStep):
        provider = "google" if result.workflow.endswith("google_auth") else "sms"
        data = {"accessToken": None, "refreshToken": None, "tfaProviders": [provider]}
        return notes.answer(
            envelope(200, 200, data, done=False, uuid=result.uuid, workflow=result.workflow)
        )
    return notes.answer(signed_in(result))


def _two_factor(state: B2CoreState, request: Request, kind: str) -> Handled:
    workflow = f"2fa_{kind}_auth"
    notes = Notes()
    try:
        dto, _ = validate(TwoFactorCodeRequest, request, workflow, notes)
        tokens = state.verify_two_factor(_broker(state, request), dto.uuid, kind, dto.code)
    except (B2CoreError, TokenInvalid) as exc:
        return notes.answer(domain_error(exc))
    return notes.answer(signed_in(tokens))


def two_factor_google(state: B2CoreState, request: Request) -> Handled:
    """``POST /api/v2/my/2fa/google``: the Google Authenticator code of a sign-in."""
    return _two_factor(state, request, "google")


def two_factor_sms(state: B2CoreState, request: Request) -> Handled:
    """``POST /api/v2/my/2fa/sms``: the SMS code of a sign-in."""
    return _two_factor(state, request, "sms")


def refresh(state: B2CoreState, request: Request) -> Handled:
    """``POST /api/v2/my/refresh``: a new pair; the refresh token is single use."""
    notes = Notes()
    try:
        dto, _ = validate(RefreshRequest, request, REFRESH_WORKFLOW, notes)
        notes.secret(dto.refreshToken)
        tokens = state.refresh(_broker(state, request), dto.refreshToken, by=request.operation)
    except (B2CoreError, TokenInvalid) as exc:
        return notes.answer(domain_error(exc))
    pair = tokens_body(tokens)
    return notes.answer(
        envelope(200, 202, pair, done=True, uuid=tokens.uuid, workflow=REFRESH_WORKFLOW, **pair)
    )


def signout(state: B2CoreState, request: Request) -> Handled:
    """``POST /api/v2/my/signout``: revoke the session's access and refresh tokens."""
    token = request.bearer()
    if token is None:
        return Handled(unauthorized())
    try:
        session = state.sign_out(_broker(state, request), token, by=request.operation)
    except (B2CoreError, TokenInvalid) as exc:
        return Handled(domain_error(exc))
    return Handled(envelope(200, 202, {}, done=True, uuid=session, workflow=SIGNOUT_WORKFLOW))


def two_factor_settings(state: B2CoreState, request: Request) -> Handled:
    """``GET /api/v2/my/2fa``: the caller's 2FA methods."""
    token = request.bearer()
    if token is None:
        return Handled(unauthorized())
    try:
        account, _ = state.authorize(_broker(state, request), token)
    except (B2CoreError, TokenInvalid) as exc:
        return Handled(domain_error(exc))
    methods = {
        "google": {"enabled": account.two_factor == "google"},
        "sms": {"enabled": account.two_factor == "sms"},
    }
    return Handled(Response.json(200, methods))


API = VendorApi(
    name="b2core",
    routes=(
        Route(
            "b2core.signup_wizard",
            "POST",
            "/api/v2/my/signup/wizard",
            signup_wizard,
            OperationDoc(
                "Open a sign-up wizard",
                {
                    200: Reply(
                        "The session's uuid and its first page's extra fields",
                        {JSON: b2.SignupWizardResponse},
                    ),
                    400: B2_REFUSED,
                },
                body=b2_body(b2.SignupWizardRequest),
                body_required=False,
                examples=examples.SIGNUP_WIZARD,
            ),
        ),
        Route(
            "b2core.signup",
            "POST",
            "/api/v2/my/signup",
            signup,
            OperationDoc(
                "Submit a page of the sign-up wizard",
                {
                    200: Reply(
                        "The next page (`code` 200) or, after the last, the new account's tokens "
                        "(`code` 202)",
                        {JSON: b2.SignupResponse},
                    ),
                    400: B2_REFUSED,
                },
                body=b2_body(b2.SignupRequest),
                examples=examples.SIGNUP,
            ),
            credential=SIGNUP_UUID,
        ),
        Route(
            "b2core.signin_wizard",
            "GET",
            "/api/v2/my/signin/wizard",
            signin_wizard,
            OperationDoc(
                "Open a sign-in wizard", B2_SIGNIN_WIZARD, examples=examples.SIGNIN_WIZARD
            ),
        ),
        Route(
            "b2core.signin_wizard_post",
            "POST",
            "/api/v2/my/signin/wizard",
            signin_wizard,
            OperationDoc(
                "Open a sign-in wizard (the older documentation's POST)",
                {**B2_SIGNIN_WIZARD, 400: B2_REFUSED},
                body={JSON: {"type": "object"}, FORM: {"type": "object"}},
                body_required=False,
                examples=examples.SIGNIN_WIZARD_POST,
            ),
        ),
        Route(
            "b2core.signin",
            "POST",
            "/api/v2/my/signin",
            signin,
            OperationDoc(
                "Sign in with email and password",
                {
                    200: Reply(
                        "The tokens (`code` 202) or the 2FA step the account asks for (`code` 200)",
                        {JSON: b2.SigninResponse},
                    ),
                    400: B2_REFUSED,
                    429: Reply(
                        "Too many failed sign-ins for this email: locked out",
                        {JSON: b2.ErrorEnvelope},
                        {"Retry-After": ("Seconds until the lockout ends", True)},
                    ),
                },
                body=b2_body(b2.SigninRequest),
                examples=examples.SIGNIN,
            ),
            credential=SIGNIN_UUID,
        ),
        Route(
            "b2core.2fa_google",
            "POST",
            "/api/v2/my/2fa/google",
            two_factor_google,
            OperationDoc(
                "Complete a sign-in with the Google Authenticator code",
                {200: B2_SIGNED_IN, 400: B2_REFUSED},
                body=b2_body(b2.TwoFactorCodeRequest),
                examples=examples.TWO_FACTOR_GOOGLE,
            ),
            credential=SIGNIN_UUID,
        ),
        Route(
            "b2core.2fa_sms",
            "POST",
            "/api/v2/my/2fa/sms",
            two_factor_sms,
            OperationDoc(
                "Complete a sign-in with the SMS code",
                {200: B2_SIGNED_IN, 400: B2_REFUSED},
                body=b2_body(b2.TwoFactorCodeRequest),
                examples=examples.TWO_FACTOR_SMS,
            ),
            credential=SIGNIN_UUID,
        ),
        Route(
            "b2core.refresh",
            "POST",
            "/api/v2/my/refresh",
            refresh,
            OperationDoc(
                "Swap a refresh token (single use) for a new pair",
                {
                    200: Reply(
                        "The new pair, in `data` and at the top level", {JSON: b2.RefreshResponse}
                    ),
                    400: B2_REFUSED,
                    401: Reply(
                        "A forged, expired, used or revoked refresh token, or another broker's",
                        {JSON: b2.Unauthorized},
                        {"WWW-Authenticate": ("`Bearer`", True)},
                    ),
                },
                body=b2_body(b2.RefreshRequest),
                examples=examples.REFRESH,
            ),
            credential=REFRESH_CREDENTIAL,
        ),
        Route(
            "b2core.signout",
            "POST",
            "/api/v2/my/signout",
            signout,
            OperationDoc(
                "Revoke the bearer's session: its access and refresh tokens",
                {
                    200: Reply("Signed out (`code` 202)", {JSON: b2.SignoutResponse}),
                    401: B2_UNAUTHORIZED,
                },
                security=B2_BEARER,
                examples=examples.SIGNOUT,
            ),
            credential=ACCESS_CREDENTIAL,
        ),
        Route(
            "b2core.2fa_settings",
            "GET",
            "/api/v2/my/2fa",
            two_factor_settings,
            OperationDoc(
                "The caller's 2FA methods",
                {
                    200: Reply("Which method is on", {JSON: b2.TwoFactorSettings}),
                    401: B2_UNAUTHORIZED,
                },
                security=B2_BEARER,
                examples=examples.TWO_FACTOR_SETTINGS,
            ),
            credential=ACCESS_CREDENTIAL,
        ),
    ),
    path_prefixes=("/api/",),
    error=error,
    doc=DOC,
    # Symfony's MethodNotAllowedHttpException, in the wizard envelope
    not_allowed=lambda method, path, allowed: (
        f'No route found for "{method} {path}": Method Not Allowed (Allow: {", ".join(allowed)})'
    ),
    max_body=256 * 1024,
)
