"""The one seam every transport feeds: route, call the vendor module, record in the journal.

The route maps are compiled once per set of vendors (:func:`routing_for`); each request is matched
on a pre-bound adapter. Routing is by host, then path: a request whose ``Host`` is one of a
vendor's configured hosts is served only by that vendor's routes (another vendor's path there is
unserved, 501); any other host (the live server's loopback address) is routed by path alone.
"""

from __future__ import annotations

import dataclasses
import sys
import time
import traceback
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import unquote, urlsplit

from werkzeug.http import HTTP_STATUS_CODES

from fakeauth.apis.base import Route, VendorApi
from fakeauth.events import RequestEvent
from fakeauth.faults import Fault, InjectedConnectionError
from fakeauth.http import Request, Response
from fakeauth.journal import JournalEntry, body_value
from fakeauth.origins import is_preflight, vendor_cors_headers, vendor_preflight
from fakeauth.redaction import REQUEST_SECRET_KEYS, redact, scrub_text
from fakeauth.routing import Routing, route_table, routing_for
from fakeauth.vendor import Vendor

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from fakeauth.fake import FakeAuth

__all__ = [
    "Mount",
    "WsgiApp",
    "request_from_environ",
    "request_from_parts",
    "respond",
    "route_table",
    "routing_for",
]

_DROPPED = "<connection dropped by an injected fault>"
#: A body larger than this is refused without being read.
_HARD_BODY_LIMIT = 64 * 1024 * 1024


class _Target(NamedTuple):
    """Where a request goes: the vendor that answers it (``None``: no vendor claims it), the
    route that serves it (``None``: unserved, or a 405 when ``allowed`` is set), the path
    parameters, the methods allowed there, the vendor base path it came under and the vendor's
    own path."""

    api: VendorApi | None
    route: Route | None
    params: Mapping[str, Any]
    allowed: tuple[str, ...]
    mount: str
    path: str


class Mount(Protocol):
    """Routes of fakeauth's own under a path prefix no vendor uses (the control API at
    ``/_fakeauth/``), handed to the seam instead of imported by it. A mount answers the whole
    request, CORS included; the seam does not journal it."""

    #: The path prefix it serves on every host (``/_fakeauth/``).
    prefix: str
    #: The largest body it takes.
    max_body: int

    def handle(self, fake: FakeAuth, request: Request) -> Response:
        """The answer to ``request``."""


class WsgiApp:
    """The WSGI application of one fake: every vendor API it serves, on one state, and the
    ``mounts`` it is handed (the control API)."""

    def __init__(self, fake: FakeAuth, mounts: Iterable[Mount] = ()) -> None:
        self._fake = fake
        self._routing = routing_for(fake.vendors)
        self.mounts = tuple(mounts)
        self._prefixes = tuple(mount.prefix for mount in self.mounts)

    def _mount_of(self, path: str) -> Mount | None:
        if path.startswith(self._prefixes):
            return next(m for m in self.mounts if path.startswith(m.prefix))
        return None

    @property
    def vendors(self) -> tuple[Vendor, ...]:
        """The vendor records of the fake it serves."""
        return self._fake.vendors

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = self.handle(environ)
        except InjectedConnectionError as exc:
            time.sleep(exc.delay)  # a drop after a delay: the connection closes after it
            raise
        return respond(response, environ, start_response)

    def handle(self, environ: WSGIEnvironment) -> Response:
        """Serve one WSGI request and record it; the response is not yet written."""
        return self.dispatch(request_from_environ(environ))

    def vendor_error(self, request: Request, status: int, message: str) -> Response:
        """An error in the shape of the vendor that would serve ``request`` (fakeauth's own
        ``{"error": message}`` when no vendor claims it)."""
        api = self._route(request.method, request.path, request.headers.get("host", "")).api
        if api is None or self._mount_of(request.path) is not None:
            return Response.json(status, {"error": message})
        return api.error(status, message)

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        """The most bytes of body the route that would serve this request accepts.

        The live server asks before it reads a body, so that one over the vendor's limit is
        refused without being buffered. ``None``: no vendor claims the request.
        """
        mount = self._mount_of(path)
        if mount is not None:
            return mount.max_body
        api = self._route(method, path, host).api
        return api.max_body if api is not None else None

    def dispatch(self, request: Request) -> Response:
        """Serve one request, whatever transport brought it: the seam itself.

        The vendor's operation takes effect at once. An injected delay is not waited for here:
        it is on the response (``response.delay``, or the :class:`InjectedConnectionError`'s
        ``delay``), and each transport waits for it in its own way (a sleep in a WSGI server's
        thread, ``asyncio.sleep`` for an async client, the client's own timeout cutting it short).
        """
        mount = self._mount_of(request.path)
        if mount is not None:
            return mount.handle(self._fake, request)
        origin = request.headers.get("origin")
        if origin is not None and is_preflight(request):
            return vendor_preflight(request, origin)
        response = self._serve_vendor(request)
        if origin is not None:  # the vendors' own CORS: a browser front end calls them
            response.headers.extend(vendor_cors_headers(origin))
        return response

    def _route(self, method: str, path: str, host: str) -> _Target:
        """Where ``method path`` on ``host`` goes (see :class:`_Target`).

        Routing is by host, then path: on a vendor's host only that vendor's routes serve; on any
        other host (the live server's), a vendor's base path (``/ovok/...``) does the same, and
        the root is routed by path alone.
        """
        routing = self._routing
        api = self._fake.vendor_for_host(host)
        mount = ""
        if api is None:
            api, mount, path = routing.split_mount(path)
        routes = routing.root if api is None else routing.by_vendor[api.name]
        endpoint, params = routes.match(path, method)
        allowed: tuple[str, ...] = ()
        if endpoint is None:
            endpoint, allowed = routes.allowed(path)
        if endpoint is not None:
            owner, route = routes.routes[endpoint]
            if allowed:
                return _Target(owner, None, {}, allowed, mount, path)
            return _Target(owner, route, params, (), mount, path)
        return _Target(api or routing.vendor_for_path(path), None, {}, (), mount, path)

    def _serve_vendor(self, request: Request) -> Response:
        fake = self._fake
        when = fake.clock.now()
        api, route, params, allowed, mount, path = self._route(
            request.method, request.path, request.headers.get("host", "")
        )
        if mount:  # under a vendor's base path: the vendor sees its own path, as behind a proxy
            request.mount, request.path = request.mount + mount, path
        operation = route.operation if route is not None else None
        if api is None:
            response = _no_vendor(request, self._routing)
        elif mount and self._mount_of(path) is not None:
            response = api.error(
                404, f"fakeauth's control API is at the root: {path}, not {mount}{path}"
            )
        elif allowed:  # the vendor's own answer to a method its path does not take: served
            operation = api.method_not_allowed_operation
            response = (
                api.options(allowed)
                if request.method == "OPTIONS"
                else api.method_not_allowed(request.method, request.path, allowed)
            )
        elif route is None:
            response = api.unserved(request.method, request.path)
        else:
            request.path_params = dict(params)
            event = None
            if fake.events.listeners:  # before the faults: a listener may queue one for this call
                event = RequestEvent(route.operation, api.name, request)
                fake.events.before(event)
            fault = fake.faults.take(route.operation)
            if fault is not None and fault.drop:
                self._record(when, request, route.operation, api, None)
                if event is not None:
                    fake.events.after(dataclasses.replace(event, status=0))
                raise InjectedConnectionError(
                    f"fakeauth: injected fault: connection dropped ({route.operation})",
                    delay=fault.delay,
                )
            response = (
                self._call(api, route, request)
                if fault is None
                else self._inject(fault, api, route, request)
            )
            self._record(when, request, operation, api, response)
            if event is not None:
                fake.events.after(dataclasses.replace(event, status=response.status))
            return response
        self._record(when, request, operation, api, response)
        return response

    def _record(
        self,
        when: datetime,
        request: Request,
        operation: str | None,
        api: VendorApi | None,
        response: Response | None,
    ) -> None:
        """Journal one request and what answered it (``None``: the connection was dropped).

        The response's bytes are kept as sent, to be parsed and redacted only if read.
        """
        vendor = api.name if api is not None else None
        secrets = _request_secrets(request)
        request_value = _journal_request(request, secrets)
        url, path = request.url, request.path
        if "?" in url or "eyJ" in url or any(secret in url for secret in secrets):
            url, path = scrub_text(url, secrets), scrub_text(path, secrets)
        if response is None:
            entry = JournalEntry(
                operation, vendor, request.method, url, path, 0, when, request_value, _DROPPED,
            )  # fmt: skip
        else:
            entry = JournalEntry(
                operation, vendor, request.method, url, path, response.status,
                when, request_value, response.body, secrets, _is_json(response), request.problem,
            )  # fmt: skip
        self._fake.journal.record(entry)

    def _inject(self, fault: Fault, api: VendorApi, route: Route, request: Request) -> Response:
        if fault.status is None:
            response = self._call(api, route, request)
        elif fault.body is not None:
            response = Response.json(fault.status, fault.body)
        else:
            response = api.error(fault.status, f"fakeauth: injected fault ({route.operation})")
        response.headers.extend(fault.headers)
        response.delay = fault.delay
        return response

    def _call(self, api: VendorApi, route: Route, request: Request) -> Response:
        if len(request.body) > api.max_body or request.declared_length > api.max_body:
            return api.error(413, "request entity too large")
        try:
            response = route.handler(self._fake.vendor_state(api.name), request)
            if 400 <= response.status < 500:  # refused: say which field was meant, if one was
                request.problem = route.body_problem(request)
            return response
        except Exception as exc:  # a bug in the fake: answer 500, keep it for the test thread
            self._fake.handler_errors.append(exc)
            traceback.print_exc(file=sys.stderr)
            return api.error(500, "Internal server error")


def respond(
    response: Response, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    """Write ``response`` through WSGI, after its injected delay."""
    if response.delay:
        # Here the thread that serves the request waits (the live server, a WSGI client):
        # a client's own timeout cuts the wait short on its side, as with a slow vendor.
        time.sleep(response.delay)
    reason = HTTP_STATUS_CODES.get(response.status, "Unknown")
    headers = [*response.headers, ("Content-Length", str(len(response.body)))]
    start_response(f"{response.status} {reason}", headers)
    return [response.body] if environ.get("REQUEST_METHOD") != "HEAD" else []


def request_from_parts(
    method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes, *, remote_addr: str = ""
) -> Request:
    """A :class:`Request` from what an HTTP client library holds (the in-process transports)."""
    parts = urlsplit(url)
    lowered = {name.lower(): value for name, value in headers}
    lowered.setdefault("host", parts.netloc)
    return Request(
        method=method.upper(),
        url=url,
        path=unquote(parts.path) or "/",
        query=parts.query,
        headers=lowered,
        body=body,
        remote_addr=remote_addr or "127.0.0.1",
    )


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
    return Request(
        method=method,
        url=url,
        path=path,
        query=query,
        headers=headers,
        body=_read_body(environ),
        declared_length=_declared_length(environ),
        remote_addr=environ.get("REMOTE_ADDR") or "127.0.0.1",
        mount=script,
    )


def _wsgi_str(value: str) -> str:
    # PEP 3333 carries bytes as latin-1 strings.
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


def _declared_length(environ: WSGIEnvironment) -> int:
    length_text = environ.get("CONTENT_LENGTH") or ""
    return int(length_text) if length_text.strip().isdigit() else 0


def _read_body(environ: WSGIEnvironment) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length_text = environ.get("CONTENT_LENGTH") or ""
    if length_text.strip().isdigit():
        length = int(length_text)
        if length > _HARD_BODY_LIMIT:
            return b""  # never read: refused from its declared length (Request.declared_length)
        return bytes(stream.read(length)) if length else b""
    if environ.get("wsgi.input_terminated"):
        return bytes(stream.read(_HARD_BODY_LIMIT + 1))
    return b""


def _no_vendor(request: Request, routing: Routing) -> Response:
    return Response.json(
        404,
        {
            "error": "fakeauth: no vendor API serves this path",
            "method": request.method,
            "path": request.path,
            "routes": [f"{route.method} {route.path}" for _, route in routing.root.routes.values()],
            "base_urls": {api.name: mount for mount, api in routing.mounts.items()},
        },
    )


def _is_json(response: Response) -> bool:
    # A text answer (walt.id's "Unauthorized (NoCredentials)") keeps its text as its document.
    return response.document is not None and not isinstance(response.document, str)


def _request_secrets(request: Request) -> tuple[str, ...]:
    """What the request carried that the journal must never show: the secrets its vendor module
    noted, its bearer token and its cookies' values."""
    secrets = list(request.secrets)
    bearer = request.bearer()
    if bearer is not None:
        secrets.append(bearer)
    if "cookie" in request.headers:
        secrets.extend(value for value in request.cookies().values() if value)
    return tuple(secrets)


def _journal_request(request: Request, secrets: tuple[str, ...]) -> Any:
    if request.parsed_body is not None:
        return redact(request.parsed_body, secrets, keys=REQUEST_SECRET_KEYS)
    # A body that does not parse is redacted by pattern, before the journal cuts it.
    value = body_value(request.body, lambda text: scrub_text(text, secrets))
    return value if isinstance(value, str) else redact(value, secrets, keys=REQUEST_SECRET_KEYS)
