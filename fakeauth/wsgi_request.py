"""A :class:`~fakeauth.http.Request` from what a transport holds: a WSGI environ (its body read,
up to a hard limit) or an HTTP client library's method, URL, headers and body.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from fakeauth.http import Request

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["request_from_environ", "request_from_parts"]

#: A body larger than this is refused without being read.
_HARD_BODY_LIMIT = 64 * 1024 * 1024


def request_from_parts(
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    remote_addr: str = "",
    lowercase: bool = False,
) -> Request:
    """A :class:`Request` from what an HTTP client library holds (the in-process transports).

    ``lowercase``: the header names are lowercase already (``requests``' own lowercased view),
    so they are taken as they are.
    """
    parts = urlsplit(url)
    lowered = dict(headers) if lowercase else {name.lower(): value for name, value in headers}
    if "host" not in lowered:
        lowered["host"] = parts.netloc
    return Request(
        method.upper(), url, unquote(parts.path) or "/", parts.query, lowered, body,
        remote_addr or "127.0.0.1",
    )  # fmt: skip


def request_from_environ(environ: WSGIEnvironment) -> Request:
    """A :class:`Request` from a WSGI environment (its body read)."""
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").lower()] = value
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    method = environ.get("REQUEST_METHOD", "GET").upper()
    path = _wsgi_str(environ.get("PATH_INFO", "")) or "/"
    # A prefix the request came under (a lane's /_lanes/NAME): in its URL, and in the paths
    # its answers name (a cookie's Path), as behind a proxy.
    script = _wsgi_str(environ.get("SCRIPT_NAME", "")).rstrip("/")
    query = _wsgi_str(environ.get("QUERY_STRING", ""))
    host = headers.get("host") or environ.get("SERVER_NAME", "localhost")
    url = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{script}{path}" + (
        f"?{query}" if query else ""
    )
    length_text = environ.get("CONTENT_LENGTH") or ""
    declared = int(length_text) if length_text.strip().isdigit() else 0
    return Request(
        method, url, path, query, headers, _read_body(environ, length_text, declared),
        environ.get("REMOTE_ADDR") or "127.0.0.1", {}, declared, script,
    )  # fmt: skip


def _wsgi_str(value: str) -> str:
    # PEP 3333 carries bytes as latin-1 strings; ASCII text (most paths) is the same either way.
    if value.isascii():
        return value
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


def _read_body(environ: WSGIEnvironment, length_text: str, length: int) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length_text.strip().isdigit():
        if length > _HARD_BODY_LIMIT:
            return b""  # never read: refused from its declared length (Request.declared_length)
        return bytes(stream.read(length)) if length else b""
    if environ.get("wsgi.input_terminated"):
        return bytes(stream.read(_HARD_BODY_LIMIT + 1))
    return b""
