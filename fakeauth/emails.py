"""E-mail syntax check matching the real services (validator.js ``isEmail``).

The faked services validate addresses with NestJS class-validator's ``@IsEmail()``, which
calls validator.js ``isEmail`` with its default options. pydantic's ``EmailStr`` is not a
substitute: it rejects special-use domains such as ``example.test``, ``x.local`` and
``example.invalid`` and lowercases the domain, while the real services accept those and
echo addresses back exactly as sent. This module ports ``isEmail`` (and the ``isFQDN`` and
``isByteLength`` helpers it calls) with those default options.

JavaScript strings are UTF-16 and its regexes here run without the ``u`` flag, so lengths
are counted in UTF-16 code units, astral characters behave as surrogate pairs (allowed in
domain labels, rejected in the TLD and an unquoted local part), and ``\\s``, ``\\d`` and the
``i`` flag are spelled out with their JavaScript meanings.
"""

import re

__all__ = ["is_email"]

_MAX_EMAIL_LENGTH = 254
# JavaScript's \s (V8, no u flag).
_JS_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_UTF8_RANGES = "\u00a1-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"

_EMAIL_USER_UTF8_PART = re.compile(rf"[A-Za-z0-9!#$%&'*+\-/=?^_`{{|}}~{_UTF8_RANGES}]+")
_QUOTED_EMAIL_USER_UTF8 = re.compile(
    rf"(?:[{_JS_WS}\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x21\x23-\x5b\x5d-\x7e\u00a0{_UTF8_RANGES}]"
    rf"|\\[\x01-\x09\x0b\x0c\x0d-\x7f\u00a0{_UTF8_RANGES}])*"
)
_TLD = re.compile(
    "[A-Za-z\u00a1-\u00a8\u00aa-\ud7ff\uf900-\ufdcf\ufdf0-\uffef]{2,}|[xX][nN][A-Za-z0-9-]{2,}"
)
_WHITESPACE = re.compile(f"[{_JS_WS}]")
_NUMERIC = re.compile("[0-9]+")
# \u00a1-\uffff in UTF-16 covers surrogates, hence every astral code point.
_LABEL = re.compile("[A-Za-z_\u00a1-\U0010ffff0-9-]+")
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


def _js_length(value: str) -> int:
    """``String.prototype.length``: UTF-16 code units."""
    return len(value) + sum(1 for char in value if ord(char) > 0xFFFF)


def _byte_length(value: str) -> int:
    """validator.js ``utf8ByteLength``: lone surrogates count as U+FFFD (3 bytes)."""
    return len(value.encode("utf-8", "surrogatepass"))


def _is_label(label: str) -> bool:
    return (
        _js_length(label) <= 63
        and _LABEL.fullmatch(label) is not None
        and _FULL_WIDTH.search(label) is None
        and not label.startswith("-")
        and not label.endswith("-")
        and "_" not in label
    )


def _is_fqdn(domain: str) -> bool:
    labels = domain.split(".")
    tld = labels[-1]
    return (
        len(labels) >= 2
        and _TLD.fullmatch(tld) is not None
        and _WHITESPACE.search(tld) is None
        and _NUMERIC.fullmatch(tld) is None
        and all(_is_label(label) for label in labels)
    )


def is_email(value: str) -> bool:
    """Return whether ``value`` passes class-validator's ``@IsEmail()`` (default options)."""
    if not isinstance(value, str) or _js_length(value) > _MAX_EMAIL_LENGTH:
        return False
    user, _, domain = value.rpartition("@")
    if _byte_length(user) > 64 or _byte_length(domain) > 254 or not _is_fqdn(domain):
        return False
    if user.startswith('"') and user.endswith('"'):
        return _QUOTED_EMAIL_USER_UTF8.fullmatch(user[1:-1]) is not None
    return all(_EMAIL_USER_UTF8_PART.fullmatch(part) for part in user.split("."))
