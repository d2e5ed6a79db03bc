"""Values of B2Core's wizard forms, read and kept: read-only copies of a form, dotted field paths,
blankness (Symfony's ``NotBlank``), the fields an account keeps, and a strict device
fingerprint. No HTTP here."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from fakeauth.errors import ConfigurationError

__all__ = [
    "field_paths",
    "frozen",
    "is_blank",
    "is_fingerprint",
    "lookup",
    "public_fields",
    "thawed",
]


def frozen(value: Any) -> Any:
    """A read-only copy of JSON-like ``value``: mappings read-only, lists tuples."""
    # Loops, not comprehensions: one frame a level, so a form as deep as the API takes freezes.
    if isinstance(value, Mapping):
        table: dict[Any, Any] = {}
        for key, item in value.items():
            table[key] = frozen(item)
        return MappingProxyType(table)
    if isinstance(value, (list, tuple)):
        items: list[Any] = []
        for item in value:
            items.append(frozen(item))
        return tuple(items)
    return value


def thawed(value: Any) -> Any:
    """A plain JSON-ready copy of :func:`frozen`'s ``value``: dicts and lists."""
    if isinstance(value, Mapping):
        table: dict[Any, Any] = {}
        for key, item in value.items():
            table[key] = thawed(item)
        return table
    if isinstance(value, (list, tuple)):
        items: list[Any] = []
        for item in value:
            items.append(thawed(item))
        return items
    return value


def is_fingerprint(value: Any) -> bool:
    """Strict mode: the base64 of a JSON object with ``user_agent``."""
    try:
        text = value.strip()
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        document = json.loads(raw)
    except (AttributeError, binascii.Error, ValueError, RecursionError):
        return False
    return isinstance(document, dict) and "user_agent" in document


def lookup(form: Mapping[str, Any], path: str) -> Any:
    """The value at the dotted ``path`` of ``form`` (``info.givenName``), or ``None``."""
    value: Any = form
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def is_blank(value: Any) -> bool:
    """Whether a form value counts as not given (Symfony's ``NotBlank``)."""
    return value is None or value == "" or value == [] or value == {}


def public_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    """The form without its secrets and wizard bookkeeping, as an account keeps it."""
    secret = ("uuid", "password", "password_confirmation", "recaptchaResponse")
    return {k: v for k, v in form.items() if k not in secret}


def field_paths(option: str, paths: Iterable[str]) -> tuple[str, ...]:
    """The checked list of dotted field names given for the broker setting ``option``."""
    result = () if isinstance(paths, str) else tuple(paths)
    if (not result and paths) or not all(isinstance(p, str) and p.strip(".") for p in result):
        raise ConfigurationError(
            f"{option} takes a list of field names such as ['info.givenName', 'phones'], "
            f"not {paths!r}"
        )
    return result
