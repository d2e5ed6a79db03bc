"""The plain request and response that the WSGI seam hands to the vendor modules.

Built by hand from the WSGI environ (a werkzeug ``Request`` costs several times more per call, and
the vendor modules need only this much). The body is passed through raw: each vendor module reads
it the way the real service does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fakeauth.json_text import plain_json
from fakeauth.redaction import scrub_text

__all__ = ["Request", "Response", "dumps"]

# ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``, without a new encoder per call;
# a non-finite number (a request's ``1e400`` echoed in the journal) is no JSON: it raises here.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps(value: Any) -> bytes:
    """Compact JSON, as the real services send it.

    A string holding a lone surrogate (echoed from a request's ``"\\ud800"``) cannot be written as
    UTF-8: such a document is written with ``\\u`` escapes instead, which is the same JSON. A
    non-finite number (which JSON cannot hold) is written as ``null``. A plain document (most
    replies) is written by pydantic-core, the same bytes (:func:`~fakeauth.json_text.plain_json`).
    """
    plain = plain_json(value)
    if plain is not None:
        return plain
    try:
        text = _COMPACT.encode(value)
    except ValueError:  # NaN or an infinity somewhere: written as null, as JSON.stringify does
        return dumps(_finite(value))
    try:
        return text.encode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Request:
    """One HTTP request, as a vendor module sees it: read-only, so that what a handler found in it
    (the body as it parsed it, the secrets to redact) goes back to the seam in what it returns
    (:class:`fakeauth.apis.base.Handled`), never onto a request another call may hold.

    Its repr shows the method, the URL (redacted by pattern) and the body's size: never the body,
    a header's value or a cookie, which may hold a password or a token.
    """

    method: str
    url: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    remote_addr: str = "127.0.0.1"
    #: The values of the route's path parameters (``accountId``), on the copy the seam hands the
    #: route's handler.
    path_params: Mapping[str, str] = field(default_factory=dict)
    #: The ``Content-Length`` the client declared (0 when none): a body declared over the hard
    #: limit is never read, and the vendor's 413 answers from this.
    declared_length: int = 0
    #: The prefix the request came under on the live server (a lane's ``/_lanes/NAME``, a
    #: vendor's base path ``/waltid``, or both), which ``path`` no longer holds; ``""`` at the
    #: root and in process.
    mount: str = ""
    #: The operation id of the route serving it (``"ovok.logout"``), on the copy the seam hands
    #: the route's handler: what a state names as having revoked a token (``fake.explain``);
    #: ``""`` before routing.
    operation: str = ""

    def routed(self, path_params: Mapping[str, str], operation: str) -> Request:
        """This request with the path parameters and operation id of the route serving it: what
        ``dataclasses.replace(request, path_params=..., operation=...)`` gives, for a third of
        its cost (the seam makes one per request)."""
        return Request(
            self.method, self.url, self.path, self.query, self.headers, self.body,
            self.remote_addr, path_params, self.declared_length, self.mount, operation,
        )  # fmt: skip

    def header(self, name: str) -> str | None:
        """A header's value, by case-insensitive name."""
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        """The media type without parameters, lowercased (``""`` when absent)."""
        value = self.headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    def bearer(self) -> str | None:
        """The token of an ``Authorization: Bearer`` header, if there is one."""
        value = self.headers.get("authorization")
        if value is None:
            return None
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def cookies(self) -> dict[str, str]:
        """The request's cookies."""
        raw = self.headers.get("cookie")
        if not raw:
            return {}
        from http.cookies import SimpleCookie  # walt.id's routes read cookies; a login does not

        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # a malformed cookie header is ignored, as browsers' servers do
            return {}
        return {key: morsel.value for key, morsel in jar.items()}

    def text(self) -> str | None:
        """The body decoded as UTF-8, or ``None`` when it is not valid UTF-8."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def __repr__(self) -> str:
        headers = ", ".join(sorted(self.headers))
        return (
            f"<Request {self.method} {scrub_text(self.url, ())} "
            f"({len(self.body)} bytes of body; headers: {headers})>"
        )


@dataclass(slots=True, eq=False)
class Response:
    """One HTTP response from a vendor module."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: The body as a JSON value, for the journal (``None``: the journal reads ``body``).
    document: Any = None
    #: Seconds an injected delay holds the answer back (each transport waits in its own way).
    delay: float = 0.0

    @classmethod
    def json(cls, status: int, document: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
        """A JSON response."""
        return cls(
            status,
            dumps(document),
            [("Content-Type", "application/json; charset=utf-8"), *headers],
            document,
        )

    @classmethod
    def text(cls, status: int, text: str, headers: Iterable[tuple[str, str]] = ()) -> Response:
        """A plain-text response."""
        return cls(
            status, text.encode(), [("Content-Type", "text/plain; charset=utf-8"), *headers], text
        )

    @classmethod
    def empty(cls, status: int, headers: Iterable[tuple[str, str]] = ()) -> Response:
        """A response with no body."""
        return cls(status, b"", list(headers), None)
