"""The one seam every transport feeds: route, call the vendor module, record in the journal.

The route maps are compiled once per set of vendors (:func:`routing_for`); each request is matched
on a pre-bound adapter. Routing is by host, then path: a request whose ``Host`` is one of a
vendor's configured hosts is served only by that vendor's routes (another vendor's path there is
unserved, 501); any other host (the live server's loopback address) is routed by path alone.
"""

from __future__ import annotations

import functools
import sys
import time
import traceback
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urlsplit

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import Map, RequestRedirect, Rule

from fakeauth.apis.base import Route, VendorApi
from fakeauth.control import handle as handle_control
from fakeauth.control_dashboard import preflight as control_preflight
from fakeauth.control_dashboard import shares_with as control_shares_with
from fakeauth.faults import Fault, InjectedConnectionError
from fakeauth.http import Request, Response
from fakeauth.journal import JournalEntry, body_value
from fakeauth.redaction import REQUEST_SECRET_KEYS, redact, scrub_text
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from fakeauth.fake import FakeAuth

__all__ = [
    "CONTROL_PREFIX",
    "RouteMap",
    "Routing",
    "WsgiApp",
    "request_from_environ",
    "request_from_parts",
    "respond",
    "route_table",
    "routing_for",
]

#: The path prefix of fakeauth's own control API (no vendor uses it).
CONTROL_PREFIX = "/_fakeauth/"

_DROPPED = "<connection dropped by an injected fault>"
#: A body larger than this is refused without being read.
_HARD_BODY_LIMIT = 64 * 1024 * 1024


class RouteMap:
    """Routes compiled into one werkzeug map, matched on a pre-bound adapter.

    A match is a cache lookup instead of a match per request; bounded, since paths that carry an
    id are endless. The map never changes, so neither does a hit (callers copy the parameters).
    """

    def __init__(self, routes: Iterable[tuple[VendorApi, Route]]) -> None:
        self.routes: dict[str, tuple[VendorApi, Route]] = {
            route.operation: (api, route) for api, route in routes
        }
        rules = [
            Rule(r.path, endpoint=op, methods=[r.method]) for op, (_, r) in self.routes.items()
        ]
        self._adapter = Map(rules, strict_slashes=False, merge_slashes=False).bind(
            "fakeauth.invalid"
        )
        self.match = functools.lru_cache(maxsize=4096)(self._match)
        self.allowed = functools.lru_cache(maxsize=4096)(self._allowed)

    def _match(self, path: str, method: str) -> tuple[str | None, Mapping[str, Any]]:
        """The endpoint and path parameters of ``method path`` (``None``: no route serves it)."""
        try:
            endpoint, params = self._adapter.match(path, method)
        except (RequestRedirect, HTTPException):
            return None, {}
        return endpoint, params

    def _allowed(self, path: str) -> tuple[str | None, tuple[str, ...]]:
        """When routes serve ``path`` (with other methods than the one asked): one of their
        endpoints and the methods they take, with ``OPTIONS``; else ``(None, ())``."""
        try:
            self._adapter.match(path, _PROBE)
        except MethodNotAllowed as exc:
            valid = sorted(exc.valid_methods or ())
            endpoint, _ = self._adapter.match(path, valid[0])
            return endpoint, tuple(sorted({*valid, "OPTIONS"}))
        except (RequestRedirect, HTTPException):
            pass
        return None, ()


#: A method no route takes: matching it tells a served path (405) from an unserved one.
_PROBE = "FAKEAUTH-PROBE"


class Routing:
    """The route maps of one set of vendors, compiled once per set (:func:`routing_for`).

    ``root`` is what the live server's root serves (every route but those another vendor owns
    there), ``by_vendor`` what each vendor's hosts and base URL serve (its own routes alone),
    ``mounts`` each vendor's base path on the live server (``/ovok``), ``table`` every route as
    ``(operation id, method, path)`` in declaration order.
    """

    def __init__(self, vendors: tuple[Vendor, ...]) -> None:
        self.vendors = vendors
        apis = [vendor.api for vendor in vendors]
        self.root = RouteMap((api, route) for api in apis for route in api.routes if route.at_root)
        self.by_vendor: Mapping[str, RouteMap] = {
            api.name: RouteMap((api, route) for route in api.routes) for api in apis
        }
        self.mounts: Mapping[str, VendorApi] = {f"/{api.name}": api for api in apis}
        self._mount_prefixes = tuple(self.mounts)
        self.table: tuple[tuple[str, str, str], ...] = tuple(
            (route.operation, route.method, route.path) for api in apis for route in api.routes
        )
        #: The journal's operation ids of each vendor's 405s, which no route declares.
        self.method_not_allowed = frozenset(api.method_not_allowed_operation for api in apis)

    def split_mount(self, path: str) -> tuple[VendorApi | None, str, str]:
        """The vendor whose base path ``path`` starts with, that base path, and the rest (the
        vendor's own path); ``(None, "", path)`` when it starts with none."""
        if path.startswith(self._mount_prefixes):
            mount, slash, rest = path[1:].partition("/")
            api = self.mounts.get(f"/{mount}")
            if api is not None:
                return api, f"/{mount}", slash + rest or "/"
        return None, "", path

    def vendor_for_path(self, path: str) -> VendorApi | None:
        """The vendor whose path prefixes claim ``path``; the longest claiming prefix wins
        (walt.id's ``/auth/account/`` inside Ovok's ``/auth/``)."""
        best: tuple[int, VendorApi | None] = (0, None)
        for vendor in self.vendors:
            for prefix in vendor.api.path_prefixes:
                if path.startswith(prefix) and len(prefix) > best[0]:
                    best = (len(prefix), vendor.api)
        return best[1]


@functools.lru_cache(maxsize=16)  # one entry per vendor set: the default one, a test's own
def routing_for(vendors: tuple[Vendor, ...]) -> Routing:
    """The compiled routes of ``vendors`` (compiling costs about a millisecond), kept."""
    return Routing(vendors)


def route_table(vendors: tuple[Vendor, ...] = VENDORS) -> list[tuple[str, str, str]]:
    """Every route ``vendors`` serve as ``(operation id, method, path)``, in declaration order."""
    return list(routing_for(vendors).table)


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


class WsgiApp:
    """The WSGI application of one fake: every vendor API it serves, on one state."""

    def __init__(self, fake: FakeAuth) -> None:
        self._fake = fake
        self._routing = routing_for(fake.vendors)

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
        if api is None or request.path.startswith(CONTROL_PREFIX):
            return Response.json(status, {"error": message})
        return api.error(status, message)

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        """The most bytes of body the route that would serve this request accepts.

        The live server asks before it reads a body, so that one over the vendor's limit is
        refused without being buffered. ``None``: no vendor claims the request.
        """
        if path.startswith(CONTROL_PREFIX):
            return _HARD_BODY_LIMIT
        api = self._route(method, path, host).api
        return api.max_body if api is not None else None

    def dispatch(self, request: Request) -> Response:
        """Serve one request, whatever transport brought it: the seam itself.

        The vendor's operation takes effect at once. An injected delay is not waited for here:
        it is on the response (``response.delay``, or the :class:`InjectedConnectionError`'s
        ``delay``), and each transport waits for it in its own way (a sleep in a WSGI server's
        thread, ``asyncio.sleep`` for an async client, the client's own timeout cutting it short).
        """
        origin = request.headers.get("origin")
        if origin is not None and _is_preflight(request):
            if request.path.startswith(CONTROL_PREFIX):  # no cross-site script drives the fake
                return control_preflight(request, origin)
            return _preflight(request, origin)
        if request.path.startswith(CONTROL_PREFIX):
            response = handle_control(self._fake, request)
            if origin is not None and control_shares_with(self._fake, request, origin):
                response.headers.extend(_cors_headers(origin))
            return response
        response = self._serve_vendor(request)
        if origin is not None:  # the vendors' own CORS: a browser front end calls them
            response.headers.extend(_cors_headers(origin))
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
            request.mount, request.path = mount, path
        operation = route.operation if route is not None else None
        if api is None:
            response = _no_vendor(request, self._routing)
        elif mount and path.startswith(CONTROL_PREFIX):
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
            fault = fake.faults.take(route.operation)
            if fault is not None and fault.drop:
                self._record(when, request, route.operation, api, None)
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
            refusal = None
            bearer = request.bearer() if response.status in (401, 403) else None
            if bearer is not None and vendor is not None:  # why the credential was refused
                refusal = self._fake.explain(bearer, vendor=vendor, kind=None)
            entry = JournalEntry(
                operation, vendor, request.method, url, path, response.status,
                when, request_value, response.body, secrets, _is_json(response), request.problem,
                refusal,
            )  # fmt: skip
        self._fake.journal.record(entry)

    def _inject(self, fault: Fault, api: VendorApi, route: Route, request: Request) -> Response:
        if fault.status is None:
            response = self._call(api, route, request)
        elif fault.body is not None:
            response = Response.json(fault.status, fault.body)
        else:
            response = api.error(fault.status, f"fakeauth: injected fault ({route.operation})")
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
    query = _wsgi_str(environ.get("QUERY_STRING", ""))
    host = headers.get("host") or environ.get("SERVER_NAME", "localhost")
    url = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{path}" + (
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


def _is_preflight(request: Request) -> bool:
    return request.method == "OPTIONS" and "access-control-request-method" in request.headers


def _preflight(request: Request, origin: str) -> Response:
    requested = request.headers.get("access-control-request-headers")
    headers = [
        ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
        ("Access-Control-Allow-Headers", requested or _ALLOWED_HEADERS),
        ("Access-Control-Max-Age", "600"),
        *_cors_headers(origin),
    ]
    return Response.empty(204, headers)


#: What a preflight allows when it names no header: the lane header too (``X-Fakeauth-Lane``).
_ALLOWED_HEADERS = "Authorization, Content-Type, X-Fakeauth-Lane"


def _cors_headers(origin: str) -> list[tuple[str, str]]:
    # Reflect the origin (with credentials: walt.id's login sets a cookie a front end relies on).
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "Content-Type, Set-Cookie"),
        ("Vary", "Origin"),
    ]


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
