"""Redaction of secrets: passwords and token strings become a short, stable digest.

The journal, reprs and exports show :func:`redacted` in place of every secret, so a test can still
correlate calls (``entry.request["password"] == fakeauth.redacted("s3cret")``) without the secret
itself ever being stored in the clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

__all__ = ["MAX_DEPTH", "SECRET_KEYS", "TOO_DEEP", "redact", "redacted"]

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


#: How deep :func:`redact` copies a value; what lies deeper becomes :data:`TOO_DEEP`.
MAX_DEPTH = 64
TOO_DEEP = "<fakeauth: nested too deep to keep>"


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
    string in ``secrets`` (a raw token sent as ``text/plain``, say) anywhere in the value. What is
    nested deeper than :data:`MAX_DEPTH` levels is replaced by :data:`TOO_DEEP`: a body nested
    hundreds deep would otherwise exhaust the stack of every later reader of the copy.
    """
    known = [s for s in secrets if s]
    if len(known) > 1:
        known = sorted(set(known), key=len, reverse=True)
    return _redact(value, known, 0)


def _redact(value: Any, secrets: list[str], depth: int) -> Any:
    # Every request and response goes through here: scalars are handled in their container's
    # loop, not by a call of their own.
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        copy = {}
        for key, item in value.items():
            if isinstance(item, str):
                # str() only for a key that is not exactly a str; _scrub's loop inlined
                if (key if type(key) is str else str(key)).lower() in SECRET_KEYS:
                    item = redacted(item)
                else:
                    for secret in secrets:
                        if secret in item:
                            item = item.replace(secret, redacted(secret))
            elif isinstance(item, (dict, list)):
                item = _redact(item, secrets, depth + 1)
            copy[key] = item
        return copy
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        return [
            _redact(item, secrets, depth + 1)
            if isinstance(item, (dict, list))
            else _scrub(item, secrets)
            if secrets and isinstance(item, str)
            else item
            for item in value
        ]
    if isinstance(value, str) and secrets:
        return _scrub(value, secrets)
    return value


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, redacted(secret))
    return text
