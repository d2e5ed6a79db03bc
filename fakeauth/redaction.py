"""Redaction of secrets: passwords and token strings become a short, stable digest.

The journal, reprs and exports show :func:`redacted` in place of every secret, so a test can still
correlate calls (``entry.request["password"] == fakeauth.redacted("s3cret")``) without the secret
itself ever being stored in the clear.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_plus

__all__ = [
    "MAX_DEPTH",
    "REQUEST_SECRET_KEYS",
    "SECRET_KEYS",
    "TOO_DEEP",
    "redact",
    "redacted",
    "scrub_text",
]

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
        "registration_token",
        "registrationtoken",
        "cookie",
    }
)

#: In a request, these keys hold secrets too: a one-time code (B2Core's 2FA ``code``) is a secret
#: the client sends, while in a reply ``code`` is B2Core's wizard step.
REQUEST_SECRET_KEYS = SECRET_KEYS | {"code", "otp", "totp"}

# A JWT (its header always starts ``{"`` which is ``eyJ`` in base64url), wherever it stands.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


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


def redact(value: Any, secrets: Iterable[str] = (), *, keys: frozenset[str] = SECRET_KEYS) -> Any:
    """A copy of the JSON value ``value`` with every secret replaced by :func:`redacted`.

    Whatever stands under one of ``keys`` (compared lowercased) is a secret: a string, a number,
    or every scalar of a list or object there (a list-valued ``password`` is redacted whole). So
    is every occurrence of a string in ``secrets`` (a raw token sent as ``text/plain``, say) and
    every JWT-shaped string, anywhere in the value. What is nested deeper than :data:`MAX_DEPTH`
    levels is replaced by :data:`TOO_DEEP`: a body nested hundreds deep would otherwise exhaust
    the stack of every later reader of the copy.
    """
    known = [s for s in secrets if s]
    if len(known) > 1:
        known = sorted(set(known), key=len, reverse=True)
    return _redact(value, known, 0, keys)


def _redact(value: Any, secrets: list[str], depth: int, keys: frozenset[str]) -> Any:
    # Every request and response goes through here: scalars are handled in their container's
    # loop, not by a call of their own.
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        copy = {}
        for key, item in value.items():
            # str() only for a key that is not exactly a str
            secret_key = (key if type(key) is str else str(key)).lower() in keys
            if isinstance(item, str):
                item = redacted(item) if secret_key else _scrub(item, secrets)
            elif isinstance(item, (dict, list)):
                item = (
                    _redact_all(item, depth + 1)
                    if secret_key
                    else _redact(item, secrets, depth + 1, keys)
                )
            elif secret_key and item is not None and not isinstance(item, bool):
                item = redacted(str(item))  # a numeric password or code
            copy[key] = item
        return copy
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        return [
            _redact(item, secrets, depth + 1, keys)
            if isinstance(item, (dict, list))
            else _scrub(item, secrets)
            if isinstance(item, str)
            else item
            for item in value
        ]
    if isinstance(value, str):
        return _scrub(value, secrets)
    return value


def _redact_all(value: Any, depth: int) -> Any:
    """Every scalar of ``value`` redacted: what stands under a secret key, however shaped."""
    if depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return {key: _redact_all(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_all(item, depth + 1) for item in value]
    if value is None or isinstance(value, bool):
        return value
    return redacted(value if isinstance(value, str) else str(value))


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, redacted(secret))
    if "eyJ" in text:  # the cheap test first: most strings hold no token
        text = _JWT.sub(_redacted_match, text)
    return text


def _redacted_match(match: re.Match[str]) -> str:
    return redacted(match.group(0))


def _key_value_pattern(keys: Iterable[str]) -> re.Pattern[str]:
    names = "|".join(sorted((re.escape(k) for k in keys), key=len, reverse=True))
    # "password": "x"  'token': 'x'  password=x  password: x ; the value quoted or bare.
    return re.compile(
        rf"""(?ix)
        (?P<key>["']?(?:{names})["']?\s*[:=]\s*)
        (?:"(?P<dq>(?:[^"\\]|\\.)*)"?|'(?P<sq>[^']*)'?|(?P<bare>[^\s&,;}}\]"']+))
        """
    )


@functools.cache
def _text_secrets() -> re.Pattern[str]:
    # Compiled on the first scrub, not at import (about 0.7 ms): a login never scrubs a text.
    return _key_value_pattern(REQUEST_SECRET_KEYS)


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` (a body that did not parse, a URL, a log line) with every secret redacted.

    Redacts the values of every secret key written as JSON (``"password": "x"``), as a form or
    query (``password=x``) or as ``key: value``; every JWT-shaped string; and every occurrence of
    a string in ``secrets``.
    """
    text = _text_secrets().sub(_redacted_value, text)
    known = sorted({s for s in secrets if s}, key=len, reverse=True)
    return _scrub(text, known)


def _redacted_value(match: re.Match[str]) -> str:
    quoted = match.group("dq")
    if quoted is not None:
        return f'{match.group("key")}"{redacted(quoted)}"'
    single = match.group("sq")
    if single is not None:
        return f"{match.group('key')}'{redacted(single)}'"
    return match.group("key") + redacted(unquote_plus(match.group("bare")))
