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

import functools
import re
from typing import NamedTuple

__all__ = ["is_email"]

_MAX_EMAIL_LENGTH = 254
# JavaScript's \s (V8, no u flag).
_JS_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_UTF8_RANGES = "\u00a1-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"


class _Patterns(NamedTuple):
    user_part: re.Pattern[str]
    quoted_user: re.Pattern[str]
    tld: re.Pattern[str]
    whitespace: re.Pattern[str]
    numeric: re.Pattern[str]
    label: re.Pattern[str]
    full_width: re.Pattern[str]


@functools.cache  # two sets at most: the ASCII one and the full one
def _patterns(full: bool) -> _Patterns:
    """validator.js's patterns; without ``full``, only their ASCII characters.

    Compiling a class of tens of thousands of code points takes ``re`` milliseconds (about 15
    for these), paid by the first e-mail a process checks. An ASCII address matches a class
    exactly as it matches the class's ASCII characters alone, so ASCII addresses (nearly all)
    never need the full set: it is compiled by the first address that is not ASCII.
    """
    ws = _JS_WS if full else "\t\n\v\f\r "
    utf8 = _UTF8_RANGES if full else ""
    nbsp = "\u00a0" if full else ""
    return _Patterns(
        user_part=re.compile(rf"[A-Za-z0-9!#$%&'*+\-/=?^_`{{|}}~{utf8}]+"),
        quoted_user=re.compile(
            rf"(?:[{ws}\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x21\x23-\x5b\x5d-\x7e{nbsp}{utf8}]"
            rf"|\\[\x01-\x09\x0b\x0c\x0d-\x7f{nbsp}{utf8}])*"
        ),
        tld=re.compile(
            "[A-Za-z\u00a1-\u00a8\u00aa-\ud7ff\uf900-\ufdcf\ufdf0-\uffef]{2,}"
            "|[xX][nN][A-Za-z0-9-]{2,}"
            if full
            else "[A-Za-z]{2,}|[xX][nN][A-Za-z0-9-]{2,}"
        ),
        whitespace=re.compile(f"[{ws}]"),
        numeric=re.compile("[0-9]+"),
        # \u00a1-\uffff in UTF-16 covers surrogates, hence every astral code point.
        label=re.compile("[A-Za-z_\u00a1-\U0010ffff0-9-]+" if full else "[A-Za-z_0-9-]+"),
        full_width=re.compile("[\uff01-\uff5e]" if full else "(?!)"),
    )


def _js_length(value: str) -> int:
    """``String.prototype.length``: UTF-16 code units."""
    return len(value) + sum(1 for char in value if ord(char) > 0xFFFF)


def _byte_length(value: str) -> int:
    """validator.js ``utf8ByteLength``: lone surrogates count as U+FFFD (3 bytes)."""
    return len(value.encode("utf-8", "surrogatepass"))


def _is_label(label: str, patterns: _Patterns) -> bool:
    return (
        _js_length(label) <= 63
        and patterns.label.fullmatch(label) is not None
        and patterns.full_width.search(label) is None
        and not label.startswith("-")
        and not label.endswith("-")
        and "_" not in label
    )


def _is_fqdn(domain: str, patterns: _Patterns) -> bool:
    labels = domain.split(".")
    tld = labels[-1]
    return (
        len(labels) >= 2
        and patterns.tld.fullmatch(tld) is not None
        and patterns.whitespace.search(tld) is None
        and patterns.numeric.fullmatch(tld) is None
        and all(_is_label(label, patterns) for label in labels)
    )


def is_email(value: str) -> bool:
    """Return whether ``value`` passes class-validator's ``@IsEmail()`` (default options)."""
    if not isinstance(value, str) or _js_length(value) > _MAX_EMAIL_LENGTH:
        return False
    patterns = _patterns(full=not value.isascii())
    user, _, domain = value.rpartition("@")
    if _byte_length(user) > 64 or _byte_length(domain) > 254 or not _is_fqdn(domain, patterns):
        return False
    if user.startswith('"') and user.endswith('"'):
        return patterns.quoted_user.fullmatch(user[1:-1]) is not None
    return all(patterns.user_part.fullmatch(part) for part in user.split("."))
