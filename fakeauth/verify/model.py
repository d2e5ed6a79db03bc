"""What a check is made of: steps, the answers they get, and the shape two answers are compared by.

A :class:`Step` is one request, written as the vendor's documentation writes it, relative to the
vendor's base URL. Its body, headers and path may hold ``${name}`` placeholders: the account the
run uses (``${email}``, ``${password}``, ...) and the values earlier steps captured from their
answers (``${token}``). An answer is compared by its :class:`Shape`: the status, the body's kind,
its JSON keys and value types, and only the values a step names (error texts, workflow names);
ids, timestamps and tokens differ on every run and are never compared. A body is parsed as JSON
only when it is nested at most :data:`MAX_JSON_DEPTH` levels deep (a target may be hostile).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from types import MappingProxyType
from typing import Any

__all__ = [
    "ABSENT",
    "MAX_JSON_DEPTH",
    "Answer",
    "Check",
    "JsonTooDeepError",
    "Shape",
    "Step",
    "Vendor",
    "fill",
    "json_depth",
    "lookup",
    "parse_json",
    "shape_of",
]

#: A vendor a check is about: the name of its record in :data:`fakeauth.vendors.VENDORS`.
Vendor = str

#: What a compared path holds when the answer has no such key.
ABSENT = "<absent>"

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")

#: The deepest nesting of arrays and objects a body may have to be parsed as JSON. The vendors'
#: answers nest five levels at most; the report nests a body a few levels deeper, and
#: :func:`fakeauth.redaction.redact` keeps 64.
MAX_JSON_DEPTH = 32
_BRACKETS = re.compile(r"[^\[\]{}]+")
_NESTING = MappingProxyType({"[": 1, "{": 1, "]": -1, "}": -1})


class JsonTooDeepError(ValueError):
    """A body nested deeper than :data:`MAX_JSON_DEPTH`: it is not parsed."""


def json_depth(text: str) -> int:
    """How deep the arrays and objects of the JSON ``text`` nest, without parsing it.

    Counted outside strings, in linear time and without recursion, so that ``json.loads`` is
    called only on what it can parse without exhausting the stack. Where ``text`` is not JSON
    the count is exact up to the point where ``json.loads`` would stop.
    """
    # A string's escapes pair its backslashes from the left; once every escaped backslash and
    # quote is gone, each '"' opens or closes a string.
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[0::2])
    brackets = _BRACKETS.sub("", outside)
    return max(accumulate(map(_NESTING.__getitem__, brackets)), default=0)


def parse_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``body`` (UTF-8 JSON) parsed; ``ValueError`` when it is not JSON, and
    :class:`JsonTooDeepError` when it nests deeper than ``max_depth``."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if json_depth(text) > max_depth:
        raise JsonTooDeepError(
            f"the answer's JSON nests deeper than {max_depth} levels; fakeauth verify does not "
            "parse it"
        )
    return json.loads(text)


@dataclass(frozen=True, kw_only=True)
class Step:
    """One request of a check.

    ``path`` is relative to the vendor's base URL (``/auth/b2b/login``); ``json`` (any JSON
    value) or ``text`` is the body; ``bearer`` names a captured value sent as
    ``Authorization: Bearer``; ``capture`` maps names to dotted paths in the JSON answer
    (``{"token": "data.accessToken.token"}``) for later steps; ``compare`` names the dotted paths
    whose values must be equal on both sides (everything else is compared by key and type);
    ``compare_text`` compares a non-JSON body's text; ``ignore`` drops dotted paths from the
    comparison altogether (an optional key).
    """

    method: str
    path: str
    json: Any = None
    text: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    bearer: str | None = None
    capture: Mapping[str, str] = field(default_factory=dict)
    compare: tuple[str, ...] = ()
    compare_text: bool = False
    ignore: tuple[str, ...] = ()

    def describe(self) -> str:
        """``METHOD path``, for the report."""
        return f"{self.method} {self.path}"

    def needs(self) -> list[str]:
        """The names the step sends: its ``${name}`` placeholders and its ``bearer``, in order."""
        found = _placeholders([self.path, self.json, self.text, dict(self.headers)])
        if self.bearer is not None:
            found.append(self.bearer)
        return list(dict.fromkeys(found))


@dataclass(frozen=True, kw_only=True)
class Check:
    """A behaviour to compare: a few requests in order, and what of their answers to compare.

    ``declared`` is the id of the fidelity registry entry (:mod:`fakeauth.fidelity`) that covers
    this behaviour, if one does: a divergence on such a check is a known, documented one.
    ``setup`` marks the check that creates the run's account for the vendor (skipped when the
    account is given in the environment).
    """

    id: str
    vendor: Vendor
    title: str
    steps: tuple[Step, ...]
    declared: str | None = None
    setup: bool = False

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class Answer:
    """What one step got: the status (0 when no answer came), the headers (lowercased names),
    the body, and ``error``: why there is no answer (a refused URL, a connection error)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    error: str = ""

    def json(self) -> Any:
        """The body as JSON, or ``None`` when it is not JSON (or nests too deep to parse)."""
        if not self.body:
            return None
        try:
            return parse_json(self.body)
        except ValueError:
            return None


@dataclass(frozen=True)
class Shape:
    """What of an answer is compared: equal shapes are a match."""

    status: int
    kind: str  # "json", "text", "empty", "unread" (``error`` says why) or "no answer"
    types: Any  # the JSON's keys and value types; the text when compared; else None
    values: tuple[tuple[str, Any], ...]  # the compared paths and their values
    error: str = ""

    def brief(self) -> str:
        """The status, or why there is none: a table cell."""
        return str(self.status) if self.status else "no answer"

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data for the report."""
        data: dict[str, Any] = {"status": self.status, "kind": self.kind, "body": self.types}
        if self.values:
            data["values"] = dict(self.values)
        if self.error:
            data["error"] = self.error
        return data


def shape_of(answer: Answer, step: Step) -> Shape:
    """The :class:`Shape` of ``answer`` to ``step``."""
    if answer.error:
        return Shape(
            answer.status, "unread" if answer.status else "no answer", None, (), answer.error
        )
    try:
        document = parse_json(answer.body) if answer.body else None
    except JsonTooDeepError as exc:
        return Shape(answer.status, "unread", None, (), str(exc))
    except ValueError:
        document = None
    if document is None and answer.body.strip() not in (b"null", b""):
        text = answer.body.decode("utf-8", "replace")
        return Shape(answer.status, "text", text if step.compare_text else None, ())
    if not answer.body:
        return Shape(answer.status, "empty", None, ())
    values = tuple((path, lookup(document, path, ABSENT)) for path in step.compare)
    return Shape(answer.status, "json", _types(document, "", frozenset(step.ignore)), values)


def _types(value: Any, path: str, ignore: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: _types(item, f"{path}.{key}" if path else key, ignore)
            for key, item in sorted(value.items())
            if (f"{path}.{key}" if path else key) not in ignore
        }
    if isinstance(value, list):
        # a list's length varies (sessions, accounts): the distinct shapes of its items count
        shapes = {json.dumps(_types(item, path, ignore), sort_keys=True) for item in value}
        return [json.loads(item) for item in sorted(shapes)]
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null"


def lookup(document: Any, path: str, default: Any = None) -> Any:
    """The value at the dotted ``path`` in ``document`` (``data.accessToken.token``)."""
    value = document
    for key in path.split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return default
    return value


def _placeholders(value: Any) -> list[str]:
    if isinstance(value, str):
        return _PLACEHOLDER.findall(value)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [name for item in value for name in _placeholders(item)]
    return []


def fill(value: Any, context: Mapping[str, str]) -> Any:
    """``value`` (a JSON value or a string) with every ``${name}`` replaced from ``context``.

    A name the context lacks raises ``KeyError`` naming it: a check that uses a value no earlier
    step captured is a mistake in the check.
    """
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: context[match.group(1)], value)
    if isinstance(value, dict):
        return {key: fill(item, context) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [fill(item, context) for item in value]
    return value
