"""B2Core front office over HTTP: the wizard envelope ``{code, data, done, uuid, workflow}``.

Every step answers HTTP 200 with the wizard code in the body (200: another step, 202: done); a
refused step answers HTTP 400 (429 when locked out) with the same envelope. The body is read as
JSON whatever the content type (the documentation's own curl examples send JSON as
``application/x-www-form-urlencoded``), and as form fields only when it is a real form body.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError

from fakeauth.apis import b2core_examples as examples
from fakeauth.apis import b2core_models as b2
from fakeauth.apis.b2core_models import (
    RefreshRequest,
    SigninRequest,
    SignupRequest,
    SignupWizardRequest,
    TwoFactorCodeRequest,
    field_errors,
)
from fakeauth.apis.base import Route, VendorApi, refuse_constant
from fakeauth.apis.docs import FORM, JSON, OperationDoc, Reply, VendorDoc
from fakeauth.errors import TokenInvalid
from fakeauth.http import Request, Response
from fakeauth.state.b2core import (
    LOGIN_DONE_WORKFLOW,
    LOGIN_WORKFLOW,
    SIGNUP_DONE_WORKFLOW,
    SIGNUP_WORKFLOW,
    B2CoreBroker,
    B2CoreError,
    B2CoreState,
    B2CoreTokens,
    FieldErrors,
    IssuedToken,
    LockedOut,
    WizardStep,
)

__all__ = ["API", "error"]

REFRESH_WORKFLOW = "refresh"
SIGNOUT_WORKFLOW = "signout"
_FORM_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])+)")
_Model = TypeVar("_Model", bound=BaseModel)


# -- rendering: the one place domain errors become statuses --------------------------------------


def _envelope(
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
    document = {"code": code, "data": data, "done": done, "uuid": _echo(uuid), "workflow": workflow}
    return Response.json(status, {**document, **extra}, headers)


def error(status: int, message: str) -> Response:
    """The wizard envelope of an error the seam answers (413, 500, 501)."""
    return _envelope(status, status, {"message": message}, done=False, uuid=None, workflow=None)


def _unauthorized() -> Response:
    return Response.json(401, {"message": "Unauthorized"}, [("WWW-Authenticate", "Bearer")])


def _domain_error(exc: B2CoreError | TokenInvalid) -> Response:
    if isinstance(exc, TokenInvalid):
        return _unauthorized()
    headers: tuple[tuple[str, str], ...] = ()
    data: dict[str, Any]
    if isinstance(exc, FieldErrors):
        status, data = 400, {"errors": exc.errors}
    elif isinstance(exc, LockedOut):
        status, data = 429, {"message": exc.message}
        headers = (("Retry-After", str(exc.retry_after)),)
    else:  # wrong credentials
        status, data = 400, {"message": exc.message}
    return _envelope(
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


def _tokens(tokens: B2CoreTokens) -> dict[str, Any]:
    return {
        "accessToken": _token(tokens.access_token),
        "refreshToken": _token(tokens.refresh_token),
    }


def _signed_in(tokens: B2CoreTokens) -> Response:
    data = {**_tokens(tokens), "tfaProviders": []}
    return _envelope(200, 202, data, done=True, uuid=tokens.uuid, workflow=LOGIN_DONE_WORKFLOW)


# -- reading bodies -------------------------------------------------------------------------------


def _read_body(request: Request, workflow: str) -> dict[str, Any]:
    """The body as a JSON object (any content type), or a real form body's fields; an empty body
    is no fields (a body of whitespace alone is not JSON, as PHP's json_decode says)."""
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
    request.parsed_body = value
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


def _validate(
    model: type[_Model], request: Request, workflow: str
) -> tuple[_Model, dict[str, Any]]:
    body = _read_body(request, workflow)
    try:
        return model.model_validate(body), body
    except ValidationError as exc:
        uuid = body.get("uuid")
        uuid = uuid if isinstance(uuid, str) else None
        raise FieldErrors(field_errors(exc), uuid=uuid, workflow=workflow) from None


def _broker(state: B2CoreState, request: Request) -> B2CoreBroker:
    # the live server's loopback Host names no broker: the default one serves it
    return state.broker_for_host(request.headers.get("host", "")) or state.broker()


# -- handlers, named after the wire operations ----------------------------------------------------


def signup_wizard(state: B2CoreState, request: Request) -> Response:
    """``POST /api/v2/my/signup/wizard``: open a sign-up wizard; its first page's fields."""
    try:
        _validate(SignupWizardRequest, request, SIGNUP_WORKFLOW)
    except (B2CoreError, TokenInvalid) as exc:
        return _domain_error(exc)
    session, fields = state.start_signup(_broker(state, request))
    return _envelope(
        200, 202, {"fields": fields}, done=True, uuid=session.uuid, workflow=SIGNUP_WORKFLOW
    )


def signup(state: B2CoreState, request: Request) -> Response:
    """``POST /api/v2/my/signup``: one page of the wizard; the last one creates the account."""
    try:
        dto, body = _validate(SignupRequest, request, SIGNUP_WORKFLOW)
        result = state.sign_up(_broker(state, request), dto.uuid, body)
    except (B2CoreError, TokenInvalid) as exc:
        return _domain_error(exc)
    if isinstance(result, WizardStep):
        data = {"fields": result.fields}
        return _envelope(200, 200, data, done=False, uuid=result.uuid, workflow=result.workflow)
    return _envelope(
        200, 202, _tokens(result), done=True, uuid=result.uuid, workflow=SIGNUP_DONE_WORKFLOW
    )


def signin_wizard(state: B2CoreState, request: Request) -> Response:
    """``GET`` (real clients) or ``POST`` (older docs) ``/api/v2/my/signin/wizard``."""
    if request.method == "POST":
        try:
            _read_body(request, LOGIN_WORKFLOW)
        except (B2CoreError, TokenInvalid) as exc:
            return _domain_error(exc)
    broker = _broker(state, request)
    session = state.start_signin(broker)
    data = {
        "recaptcha": {"enabled": broker.recaptcha},
        "is_qr_available": False,
        "is_password_recovery_available": True,
    }
    return _envelope(200, 202, data, done=True, uuid=session.uuid, workflow=LOGIN_WORKFLOW)


def signin(state: B2CoreState, request: Request) -> Response:
    """``POST /api/v2/my/signin``: the tokens, or the 2FA step the account asks for."""
    try:
        dto, body = _validate(SigninRequest, request, LOGIN_WORKFLOW)
        result = state.sign_in(_broker(state, request), dto.uuid, body)
    except (B2CoreError, TokenInvalid) as exc:
        return _domain_error(exc)
    if isinstance(result, WizardStep):
        provider = "google" if result.workflow.endswith("google_auth") else "sms"
        data = {"accessToken": None, "refreshToken": None, "tfaProviders": [provider]}
        return _envelope(200, 200, data, done=False, uuid=result.uuid, workflow=result.workflow)
    return _signed_in(result)


def _two_factor(state: B2CoreState, request: Request, kind: str) -> Response:
    workflow = f"2fa_{kind}_auth"
    try:
        dto, _ = _validate(TwoFactorCodeRequest, request, workflow)
        tokens = state.verify_two_factor(_broker(state, request), dto.uuid, kind, dto.code)
    except (B2CoreError, TokenInvalid) as exc:
        return _domain_error(exc)
    return _signed_in(tokens)


def two_factor_google(state: B2CoreState, request: Request) -> Response:
    """``POST /api/v2/my/2fa/google``: the Google Authenticator code of a sign-in."""
    return _two_factor(state, request, "google")


def two_factor_sms(state: B2CoreState, request: Request) -> Response:
    """``POST /api/v2/my/2fa/sms``: the SMS code of a sign-in."""
    return _two_factor(state, request, "sms")


def refresh(state: B2CoreState, request: Request) -> Response:
    """``POST /api/v2/my/refresh``: a new pair; the refresh token is single use."""
    try:
        dto, _ = _validate(RefreshRequest, request, REFRESH_WORKFLOW)
        request.secrets.append(dto.refreshToken)
        tokens = state.refresh(_broker(state, request), dto.refreshToken)
    except (B2CoreError, TokenInvalid) as exc:
        return _domain_error(exc)
    pair = _tokens(tokens)
    return _envelope(200, 202, pair, done=True, uuid=tokens.uuid, workflow=REFRESH_WORKFLOW, **pair)


def signout(state: B2CoreState, request: Request) -> Response:
    """``POST /api/v2/my/signout``: revoke the session's access and refresh tokens."""
    token = request.bearer()
    if token is None:
        return _unauthorized()
    try:
        session = state.sign_out(_broker(state, request), token)
    except (B2CoreError, TokenInvalid) as exc:
        return _domain_error(exc)
    return _envelope(200, 202, {}, done=True, uuid=session, workflow=SIGNOUT_WORKFLOW)


def two_factor_settings(state: B2CoreState, request: Request) -> Response:
    """``GET /api/v2/my/2fa``: the caller's 2FA methods."""
    token = request.bearer()
    if token is None:
        return _unauthorized()
    try:
        account, _ = state.authorize(_broker(state, request), token)
    except (B2CoreError, TokenInvalid) as exc:
        return _domain_error(exc)
    return Response.json(
        200,
        {
            "google": {"enabled": account.two_factor == "google"},
            "sms": {"enabled": account.two_factor == "sms"},
        },
    )


# -- the operations' documentation (the OpenAPI document is generated from it) --------------

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
                    400: _B2_REFUSED,
                },
                body=_b2_body(b2.SignupWizardRequest),
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
                    400: _B2_REFUSED,
                },
                body=_b2_body(b2.SignupRequest),
                examples=examples.SIGNUP,
            ),
        ),
        Route(
            "b2core.signin_wizard",
            "GET",
            "/api/v2/my/signin/wizard",
            signin_wizard,
            OperationDoc(
                "Open a sign-in wizard", _B2_SIGNIN_WIZARD, examples=examples.SIGNIN_WIZARD
            ),
        ),
        Route(
            "b2core.signin_wizard_post",
            "POST",
            "/api/v2/my/signin/wizard",
            signin_wizard,
            OperationDoc(
                "Open a sign-in wizard (the older documentation's POST)",
                {**_B2_SIGNIN_WIZARD, 400: _B2_REFUSED},
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
                    400: _B2_REFUSED,
                    429: Reply(
                        "Too many failed sign-ins for this email: locked out",
                        {JSON: b2.ErrorEnvelope},
                        {"Retry-After": ("Seconds until the lockout ends", True)},
                    ),
                },
                body=_b2_body(b2.SigninRequest),
                examples=examples.SIGNIN,
            ),
        ),
        Route(
            "b2core.2fa_google",
            "POST",
            "/api/v2/my/2fa/google",
            two_factor_google,
            OperationDoc(
                "Complete a sign-in with the Google Authenticator code",
                {200: _B2_SIGNED_IN, 400: _B2_REFUSED},
                body=_b2_body(b2.TwoFactorCodeRequest),
                examples=examples.TWO_FACTOR_GOOGLE,
            ),
        ),
        Route(
            "b2core.2fa_sms",
            "POST",
            "/api/v2/my/2fa/sms",
            two_factor_sms,
            OperationDoc(
                "Complete a sign-in with the SMS code",
                {200: _B2_SIGNED_IN, 400: _B2_REFUSED},
                body=_b2_body(b2.TwoFactorCodeRequest),
                examples=examples.TWO_FACTOR_SMS,
            ),
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
                    400: _B2_REFUSED,
                    401: Reply(
                        "A forged, expired, used or revoked refresh token, or another broker's",
                        {JSON: b2.Unauthorized},
                        {"WWW-Authenticate": ("`Bearer`", True)},
                    ),
                },
                body=_b2_body(b2.RefreshRequest),
                examples=examples.REFRESH,
            ),
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
                    401: _B2_UNAUTHORIZED,
                },
                security=_B2_BEARER,
                examples=examples.SIGNOUT,
            ),
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
                    401: _B2_UNAUTHORIZED,
                },
                security=_B2_BEARER,
                examples=examples.TWO_FACTOR_SETTINGS,
            ),
        ),
    ),
    path_prefixes=("/api/",),
    error=error,
    doc=VendorDoc(
        "B2Core front office",
        "Every step answers the wizard envelope `{code, data, done, uuid, workflow}`; a body is "
        "read as JSON whatever its content type, or as a form; bodies over 256 KiB answer 413.",
        {JSON: b2.ErrorEnvelope},
        security_schemes={
            "b2coreBearer": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A B2Core access token of this broker (HS256, 20 minutes).",
            }
        },
    ),
    # Symfony's MethodNotAllowedHttpException, in the wizard envelope
    not_allowed=lambda method, path, allowed: (
        f'No route found for "{method} {path}": Method Not Allowed (Allow: {", ".join(allowed)})'
    ),
    max_body=256 * 1024,
)
