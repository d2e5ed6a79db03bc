"""One parsed HTTP/1.1 request of the live server and its WSGI environ, and the bytes of the
server's own answers (the ``Date`` header, a plain-text error).

:class:`~fakeauth.transports.connection.Connection` fills a :class:`Message` from the parser's
callbacks and hands the app :func:`wsgi_environ` of it.
"""

from __future__ import annotations

import functools
import io
import sys
import time
from email.utils import formatdate
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

import httptools

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = [
    "ENVIRON_KEYS",
    "Message",
    "declared_length",
    "environ_base",
    "environ_key",
    "error_response",
    "http_date",
    "wsgi_environ",
]


def http_date() -> str:
    """The ``Date`` header's value, from the clock read now (a frozen test clock shows in it)."""
    return _format_date(int(time.time()))


@functools.lru_cache(maxsize=2)
def _format_date(second: int) -> str:
    # A pure function of the second: formatted once a second instead of once an answer.
    return formatdate(second, usegmt=True)


def declared_length(content_length: bytes | None) -> int:
    """The ``Content-Length`` the parser read, as a number (0: none)."""
    # The parser has checked the value: only digits reach here.
    return int(content_length) if content_length else 0


class Message:
    """One HTTP/1.1 request as it is parsed."""

    __slots__ = (
        "body",
        "body_size",
        "content_length",
        "head_size",
        "headers",
        "keep_alive",
        "limit",
        "method",
        "reserved",
        "stated",
        "truncated",
        "upgrade",
        "url",
        "version",
    )

    def __init__(self) -> None:
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_size = 0
        self.body: list[bytes] = []
        self.body_size = 0
        self.method = "GET"
        self.version = "1.1"
        self.keep_alive = True
        self.upgrade = False
        self.content_length: bytes | None = None
        #: The body limit once looked up (``-1``: not yet), and whether the app stated it.
        self.limit = -1
        self.stated = False
        #: Set when the body is cut at ``limit + 1`` bytes: the app sees only those.
        self.truncated = False
        #: The bytes of the server's body budget this body holds (0: none).
        self.reserved = 0

    def path(self) -> str:
        """The request target's path, percent-decoded (the target itself when it is not a URL)."""
        try:
            path = httptools.parse_url(self.url).path or b"/"
        except httptools.HttpParserInvalidURLError:
            path = self.url
        return unquote_to_bytes(path).decode("utf-8", "replace")

    def host(self) -> str:
        """The ``Host`` header's value (``""``: none)."""
        for name, value in self.headers:
            if name.lower() == b"host":
                return value.decode("latin-1")
        return ""


def environ_base(server_name: str, server_port: int, client: Any) -> WSGIEnvironment:
    """The part of a connection's environs that is the same for each of its requests, in the
    order of an environ's keys (the per-request ones hold placeholders): made once per
    connection, each request's environ starts as a copy of it (:func:`wsgi_environ`)."""
    client = client if isinstance(client, tuple) else ("", 0)
    return {
        "REQUEST_METHOD": "",
        "SCRIPT_NAME": "",
        "PATH_INFO": "",
        "QUERY_STRING": "",
        "REQUEST_URI": "",
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(server_port),
        "SERVER_PROTOCOL": "",
        "SERVER_SOFTWARE": "fakeauth",
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
        "wsgi.input_terminated": True,
        "wsgi.errors": None,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


#: The most header names a connection remembers the environ keys of (see :func:`wsgi_environ`).
ENVIRON_KEYS = 64


def environ_key(name: bytes) -> str | None:
    """The environ key of a request header's name: ``HTTP_X_NAME``, ``CONTENT_TYPE``, or
    ``None`` for ``Content-Length`` (taken once, apart) and for a name with ``_``, which would
    pass for the same name with ``-`` (a header-spoofing trick)."""
    text = name.decode("latin-1")
    if "_" in text:
        return None
    key = text.upper().replace("-", "_")
    if key == "CONTENT_LENGTH":
        return None
    return key if key == "CONTENT_TYPE" else "HTTP_" + key


def wsgi_environ(
    message: Message, base: WSGIEnvironment, keys: dict[bytes, str | None]
) -> WSGIEnvironment | None:
    """The WSGI environ of ``message`` (PEP 3333), its body joined once; ``None`` for a request
    target that is neither a URL nor ``*``.

    It starts as a copy of the connection's ``base`` (:func:`environ_base`); ``keys`` is the
    connection's memo of :func:`environ_key` (at most :data:`ENVIRON_KEYS` names: a client
    sends the same few names on every request).
    """
    try:
        url = httptools.parse_url(message.url)
    except httptools.HttpParserInvalidURLError:
        if message.url != b"*":
            return None
        path, query = b"*", b""
    else:
        path, query = url.path or b"/", url.query or b""
    body = b"".join(message.body)
    message.body = [body]  # the pieces go: a large body is held once while it is answered
    environ = base.copy()
    environ["REQUEST_METHOD"] = message.method
    environ["PATH_INFO"] = (unquote_to_bytes(path) if b"%" in path else path).decode("latin-1")
    environ["QUERY_STRING"] = query.decode("latin-1")
    environ["REQUEST_URI"] = message.url.decode("latin-1")
    environ["SERVER_PROTOCOL"] = (
        "HTTP/1.1" if message.version == "1.1" else f"HTTP/{message.version}"
    )
    environ["wsgi.input"] = io.BytesIO(body)
    environ["wsgi.errors"] = sys.stderr  # read now: a test may have replaced it
    if message.truncated and message.content_length is None:
        environ["CONTENT_LENGTH"] = str(message.limit + 1)  # chunked: more than the limit
    elif message.content_length is not None:
        environ["CONTENT_LENGTH"] = message.content_length.decode("latin-1")
    for raw_name, raw_value in message.headers:
        key = keys.get(raw_name, "")  # "": not yet known (None is a known name to drop)
        if key == "":
            key = environ_key(raw_name)
            if len(keys) < ENVIRON_KEYS:
                keys[raw_name] = key
        if key is None:
            continue
        value = raw_value.decode("latin-1")
        if key == "CONTENT_TYPE":
            environ[key] = value
        else:
            previous = environ.get(key)
            environ[key] = value if previous is None else f"{previous},{value}"
    return environ


def error_response(code: int, reason: str, detail: str) -> bytes:
    """A whole plain-text answer from the server itself, that closes the connection."""
    body = f"fakeauth: {detail}\n".encode()
    head = (
        f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1")
    return head + body
