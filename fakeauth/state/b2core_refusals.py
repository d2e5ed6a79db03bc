"""The refusals of B2Core's wizards: the workflow (step) names they cite, the messages they show,
and the domain errors that carry them, naming the wizard session (``uuid``) and step
(``workflow``) as the API's envelope shows them. No HTTP here."""

from __future__ import annotations

from fakeauth.errors import DomainError, InvalidCredentials

__all__ = [
    "BAD_CODE",
    "BAD_EMAIL",
    "BAD_FINGERPRINT",
    "BAD_RECAPTCHA",
    "BLANK",
    "EMAIL_TAKEN",
    "EXPIRED_SESSION",
    "FINISHED_SESSION",
    "LOCKED",
    "LOGIN_DONE_WORKFLOW",
    "LOGIN_WORKFLOW",
    "MISMATCH",
    "NO_SESSION",
    "SIGNUP_DONE_WORKFLOW",
    "SIGNUP_WORKFLOW",
    "TWO_FACTOR_WORKFLOWS",
    "WRONG_CREDENTIALS",
    "B2CoreError",
    "FieldErrors",
    "LockedOut",
    "WrongCredentials",
]

SIGNUP_WORKFLOW = "basic_register_form"
SIGNUP_DONE_WORKFLOW = "login"
LOGIN_WORKFLOW = "login"
LOGIN_DONE_WORKFLOW = "terminate"
TWO_FACTOR_WORKFLOWS = {"google": "2fa_google_auth", "sms": "2fa_sms_auth"}

BLANK = "This value should not be blank."
BAD_EMAIL = "This value is not a valid email address."
EMAIL_TAKEN = "This value is already used."
MISMATCH = "The password confirmation does not match."
BAD_FINGERPRINT = "This value is not a valid device fingerprint."
BAD_RECAPTCHA = "The reCAPTCHA response is invalid."
BAD_CODE = "The code is invalid."
NO_SESSION = "This wizard session does not exist."
EXPIRED_SESSION = "This wizard session has expired."
FINISHED_SESSION = "This wizard session is already finished."
WRONG_CREDENTIALS = "Invalid email or password."
LOCKED = "Too many failed sign-in attempts. Try again later."


class B2CoreError(DomainError):
    """A refusal inside a wizard: it names the session's ``uuid`` and ``workflow``."""

    def __init__(self, message: str, *, uuid: str | None, workflow: str) -> None:
        super().__init__(message)
        self.uuid = uuid
        self.workflow = workflow


class FieldErrors(B2CoreError):
    """The form failed validation: ``errors`` maps each field to its messages."""

    code = "field_errors"

    def __init__(self, errors: dict[str, list[str]], *, uuid: str | None, workflow: str) -> None:
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        super().__init__(message, uuid=uuid, workflow=workflow)
        self.errors = errors


class WrongCredentials(B2CoreError, InvalidCredentials):
    """The email or the password is wrong (deliberately not told apart)."""


class LockedOut(B2CoreError):
    """Too many failed sign-ins for this email: refused until ``until`` (a POSIX time)."""

    code = "locked_out"

    def __init__(self, *, uuid: str, until: float, retry_after: int) -> None:
        super().__init__(LOCKED, uuid=uuid, workflow=LOGIN_WORKFLOW)
        self.until = until
        self.retry_after = retry_after
