"""B2Core front office bodies: pydantic models of the documented requests and replies.

Requests are checked for their shape only (types and lengths, as documented); what the values mean
(a free email, matching passwords, a live wizard session) is the state's business. Unknown fields
are ignored, as the real service does with the ``phones``, ``requirements`` and ``wizard_id`` that
real clients send.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from fakeauth.state.b2core import BLANK

__all__ = [
    "MAX_FINGERPRINT",
    "MAX_TEXT",
    "Envelope",
    "ErrorEnvelope",
    "FieldErrorsData",
    "FieldsData",
    "Info",
    "MessageData",
    "ProviderState",
    "RecaptchaState",
    "RefreshRequest",
    "RefreshResponse",
    "SignedInData",
    "SignedInResponse",
    "SigninRequest",
    "SigninResponse",
    "SigninWizardData",
    "SigninWizardResponse",
    "SignoutResponse",
    "SignupRequest",
    "SignupResponse",
    "SignupWizardRequest",
    "SignupWizardResponse",
    "TokenInfo",
    "TokensData",
    "TwoFactorCodeRequest",
    "TwoFactorSettings",
    "TwoFactorStepData",
    "Unauthorized",
    "Utm",
    "field_errors",
]

#: The longest string a text field takes; a device fingerprint may be longer (canvas data).
MAX_TEXT = 4096
MAX_FINGERPRINT = 65536

_MESSAGES = {
    "missing": BLANK,
    "string_type": "This value should be of type string.",
    "string_unicode": "This value should be of type string.",
    "model_type": "This value should be of type object.",
    "dict_type": "This value should be of type object.",
}


def _object(value: Any) -> Any:
    if value is None or isinstance(value, (dict, list)):
        return value
    raise PydanticCustomError("object_type", "This value should be of type object.")


def _code(value: Any) -> Any:
    # a one-time code may come as a number (which drops its leading zeros)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6:
        return f"{value:06d}"
    return value


# pydantic's own length check refuses a lone surrogate as "not a string": PHP refuses the JSON
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Fingerprint = Annotated[str, Field(max_length=MAX_FINGERPRINT)]
Object = Annotated[
    Any,
    BeforeValidator(_object),
    WithJsonSchema({"type": ["object", "array", "null"]}, mode="validation"),
]
Code = Annotated[
    Text | None,
    BeforeValidator(_code),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": MAX_TEXT},
                {"type": "integer", "minimum": 0, "maximum": 999_999},
                {"type": "null"},
            ]
        },
        mode="validation",
    ),
]


# defer_build (every model here): pydantic builds a model's validator on its first use, not at
# import; a test seldom calls every route, and never reads the reply models (OpenAPI does).
class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, defer_build=True)


class Utm(_Body):
    """The ``utm`` object of the sign-up wizard (old docs: ``referral``; newer: the rest)."""

    referral: Text | None = None
    utm_source: Text | None = None
    utm_medium: Text | None = None
    utm_campaign: Text | None = None
    utm_content: Text | None = None
    utm_term: Text | None = None
    utm_uri: Text | None = None
    utm_referral: Text | None = None
    gclid: Text | None = None


class SignupWizardRequest(_Body):
    """``POST /api/v2/my/signup/wizard``: ``{url, utm}`` (old docs), ``{wizard, utm}`` or ``{}``."""

    url: Text | None = None
    wizard: Text | None = None
    utm: Utm | None = None


class Info(_Body):
    """The client's name (``info``) on the sign-up form."""

    givenName: Text | None = None
    familyName: Text | None = None
    birthday: Text | None = None


class SignupRequest(_Body):
    """``POST /api/v2/my/signup``: one page of the sign-up wizard.

    The first page carries the documented fields; a further page only ``uuid`` and its own fields.
    """

    uuid: Text
    email: Text | None = None
    password: Text | None = None
    password_confirmation: Text | None = None
    device_fingerprint: Fingerprint | None = None
    addresses: Object = None
    info: Info | None = None
    recaptchaResponse: Text | None = None


class SigninRequest(_Body):
    """``POST /api/v2/my/signin``."""

    uuid: Text
    email: Text | None = None
    password: Text | None = None
    device_fingerprint: Fingerprint | None = None
    recaptchaResponse: Text | None = None


class TwoFactorCodeRequest(_Body):
    """``POST /api/v2/my/2fa/google`` and ``/api/v2/my/2fa/sms``."""

    uuid: Text
    code: Code = None


class RefreshRequest(_Body):
    """``POST /api/v2/my/refresh``; some clients add ``deviceFingerprint``."""

    refreshToken: Text
    deviceFingerprint: Fingerprint | None = None


class TokenInfo(BaseModel, defer_build=True):
    """A token in a reply: ``{token, createdAt, expiresAt}`` (ISO-8601 with offset)."""

    token: str
    createdAt: str
    expiresAt: str


class _Reply(BaseModel, defer_build=True):
    """What every wizard envelope holds besides its ``data``."""

    code: int
    done: bool
    uuid: str | None
    workflow: str | None


class Envelope(_Reply):
    """The wizard envelope of every reply: body ``code`` 200 = another step, 202 = done."""

    data: dict[str, Any] | None


class FieldsData(BaseModel, defer_build=True):
    """The fields the wizard's next page requires, ``{"info.givenName": {"required": true}}``."""

    fields: dict[str, Any]


class TokensData(BaseModel, defer_build=True):
    """A new token pair."""

    accessToken: TokenInfo
    refreshToken: TokenInfo


class SignedInData(TokensData):
    """The tokens of a finished sign-in."""

    tfaProviders: list[str]


class TwoFactorStepData(BaseModel, defer_build=True):
    """A sign-in that needs a 2FA code first: no tokens yet, the provider to ask."""

    accessToken: None
    refreshToken: None
    tfaProviders: list[Literal["google", "sms"]]


class RecaptchaState(BaseModel, defer_build=True):
    """Whether the broker's forms ask for reCAPTCHA."""

    enabled: bool


class SigninWizardData(BaseModel, defer_build=True):
    """What a new sign-in wizard tells the form."""

    recaptcha: RecaptchaState
    is_qr_available: bool
    is_password_recovery_available: bool


class FieldErrorsData(BaseModel, defer_build=True):
    """The fields a refused page got wrong, each with its messages."""

    errors: dict[str, list[str]]


class MessageData(BaseModel, defer_build=True):
    """Why a step was refused (wrong credentials, a lockout, an error of the fake itself)."""

    message: str


class SignupWizardResponse(_Reply):
    """``POST /api/v2/my/signup/wizard``: the new session and its first page's extra fields."""

    data: FieldsData


class SignupResponse(_Reply):
    """``POST /api/v2/my/signup``: the next page (code 200) or the new account's tokens (202)."""

    data: FieldsData | TokensData


class SigninWizardResponse(_Reply):
    """``/api/v2/my/signin/wizard``: the new sign-in session."""

    data: SigninWizardData


class SigninResponse(_Reply):
    """``POST /api/v2/my/signin``: the tokens (code 202) or the 2FA step (code 200)."""

    data: SignedInData | TwoFactorStepData


class SignedInResponse(_Reply):
    """``POST /api/v2/my/2fa/google`` and ``/sms``: the tokens of the finished sign-in."""

    data: SignedInData


class RefreshResponse(_Reply):
    """``POST /api/v2/my/refresh``: the new tokens in ``data`` and also at the top level."""

    data: TokensData
    accessToken: TokenInfo
    refreshToken: TokenInfo


class SignoutResponse(_Reply):
    """``POST /api/v2/my/signout``: the ended auth session's uuid, an empty ``data``."""

    data: dict[str, Any]


class ErrorEnvelope(_Reply):
    """A refused step: HTTP 400 (429 when locked out), body ``code`` the same, ``done`` false."""

    data: FieldErrorsData | MessageData


class Unauthorized(BaseModel, defer_build=True):
    """A missing or bad bearer on a protected route (HTTP 401)."""

    message: str


class ProviderState(BaseModel, defer_build=True):
    """Whether one 2FA method is on."""

    enabled: bool


class TwoFactorSettings(BaseModel, defer_build=True):
    """``GET /api/v2/my/2fa``: the account's 2FA methods."""

    google: ProviderState
    sms: ProviderState


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """The failures of a request model, as ``{field: [message, ...]}`` (dotted field paths)."""
    errors: dict[str, list[str]] = {}
    for failure in exc.errors(include_url=False, include_input=False):
        key = ".".join(str(part) for part in failure["loc"])
        kind = failure["type"]
        if kind == "string_too_long":
            limit = failure.get("ctx", {}).get("max_length", MAX_TEXT)
            message = f"This value is too long. It should have {limit} characters or less."
        else:
            message = _MESSAGES.get(kind, failure["msg"])
        errors.setdefault(key, []).append(message)
    return errors
