"""Redaction of secrets: passwords and token strings become a short, stable digest.

The journal, reprs and exports show :func:`redacted` in place of every secret, so a test can still
correlate calls (``entry.request["password"] == fakeauth.redacted("s3cret")``) without the secret
itself ever being stored in the clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

__all__ = ["SECRET_KEYS", "redact", "redacted"]

#: Body keys whose string values are always secrets, whatever the vendor (compared lowercased).
SECRET_KEYS = frozenset(
    {
        "password",
        "password_confirmation",
        "passwordconfirmation",
        "newpassword",
        "new_password",
        "oldpassword",
        "old_password",
        "token",
        "accesstoken",
        "access_token",
        "refreshtoken",
        "refresh_token",
        "refresh_secret",
        "secret",
        "client_secret",
        "id_token",
    }
)


def redacted(secret: str) -> str:
    """The placeholder that stands for ``secret`` wherever fakeauth would have shown it."""
    return (
        "<redacted:"
        + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        + ">"
    )


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of the JSON value ``value`` with every secret replaced by :func:`redacted`.

    String values under a :data:`SECRET_KEYS` key are secrets, and so is every occurrence of a
    string in ``secrets`` (a raw token sent as ``text/plain``, say) anywhere in the value.
    """
    known = sorted({s for s in secrets if s}, key=len, reverse=True)
    return _redact(value, known)


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                redacted(item)
                if isinstance(item, str) and str(key).lower() in SECRET_KEYS
                else _redact(item, secrets)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, secrets) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, redacted(secret))
        return value
    return value
