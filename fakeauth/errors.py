"""Errors.

Two families:

* :class:`ConfigurationError`: a mistake by the test author (an unknown tenant passed to a seeding
  call, an unknown feature flag). Raised at once, in the caller's thread, with a sentence that
  says how to fix it.
* :class:`DomainError` and its subclasses: what the state machine refuses (a duplicate email, a
  wrong password, an expired token). Each has a stable ``code`` and a message, and no HTTP
  status: every vendor module maps them to its own status and body in one place.
"""

from __future__ import annotations

__all__ = [
    "AccountExists",
    "ConfigurationError",
    "DomainError",
    "FakeAuthError",
    "FieldRefused",
    "Forbidden",
    "InvalidCredentials",
    "NotFound",
    "TokenExpired",
    "TokenInvalid",
    "TokenRevoked",
    "shown",
]


class FakeAuthError(Exception):
    """Base class of every error fakeauth raises."""


class ConfigurationError(FakeAuthError, ValueError):
    """The test author asked for something that cannot be: the message says how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(f"fakeauth: {message}")


class FieldRefused(ConfigurationError):
    """A value a seeding rule refuses (an email no vendor takes, an over-long name): ``field``
    names the argument (a state document's loader names the record's field with it)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        #: The argument (and the document field) refused.
        self.field = field
        #: The sentence that says what is wrong with it.
        self.problem = problem


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)``, cut to about ``limit`` characters with its length said: a 5 MB email
    makes a sentence, not a 5 MB message."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f" ({len(value):,} characters)" if isinstance(value, str) else ""
    return f"{text[: limit - 3]}...{size}"


class DomainError(FakeAuthError):
    """Something the fake service refuses, as the real service would."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """A referenced object (tenant, client, account, wizard session) does not exist."""

    code = "not_found"

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class AccountExists(DomainError):
    """An account with that identifier (email) already exists."""

    code = "account_exists"


class InvalidCredentials(DomainError):
    """The identifier or the password is wrong (deliberately not told apart)."""

    code = "invalid_credentials"


class TokenInvalid(DomainError):
    """A token that is malformed, forged, unknown or of the wrong kind."""

    code = "token_invalid"


class TokenExpired(TokenInvalid):
    """A genuine token whose expiry has passed (by the fake's clock)."""

    code = "token_expired"

    def __init__(self, message: str, *, expired_at: float) -> None:
        super().__init__(message)
        self.expired_at = expired_at


class TokenRevoked(TokenInvalid):
    """A genuine token that was revoked (logout, sign-out) or already used (refresh)."""

    code = "token_revoked"


class Forbidden(DomainError):
    """An authenticated caller without the right to do this."""

    code = "forbidden"
