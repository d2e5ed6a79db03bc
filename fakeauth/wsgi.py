"""The one seam every transport feeds: route, call the vendor module, record in the journal.

The route maps are compiled once per set of vendors (:func:`routing_for`); each request is matched
on a pre-bound adapter. Routing is by host, then path: a request whose ``Host`` is one of a
vendor's configured hosts is served only by that vendor's routes (another vendor's path there is
unserved, 501); any other host (the live server's loopback address) is routed by path alone.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from werkzeug.http import HTTP_STATUS_CODES

from fakeauth.apis.base import Credential, Handled, Route, VendorApi
from fakeauth.events import RequestEvent
from fakeauth.faults import InjectedConnectionError
from fakeauth.http import Request, Response
from fakeauth.journal import JournalEntry, body_value
from fakeauth.origins import is_preflight, vendor_cors_headers, vendor_preflight
from fakeauth.redaction import REQUEST_SECRET_KEYS, redact, scrub_text
from fakeauth.routing import Routing, route_table, routing_for
from fakeauth.vendor import Vendor
from fakeauth.wsgi_request import request_from_environ, request_from_parts

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from fakeauth.explain import Explanation
    from fakeauth.fake import FakeAuth
    from fakeauth.fault import Fault

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
        if request.path.startswith(self._prefixes):  # (_mount_of, without its call: every request)
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
            request = replace(request, mount=request.mount + mount, path=path)
        operation = route.operation if route is not None else None
        handled: Handled | None = None  # what a handler answered, with what it noted
        credential = None  # the route's, when the vendor's own handler answered
        event = None
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
            # what the handler reads of its route (path parameters, the operation id it names as
            # the one revoking a token) on a request of its own: the one it was given stays as is
            request = request.routed(dict(params), route.operation)
            if fake.events.listeners:  # before the faults: a listener may queue one for this call
                event = RequestEvent(route.operation, api.name, request)
                fake.events.before(event)
            fault = fake.faults.take(route.operation)
            if fault is not None and fault.drop:
                self._record(when, request, route.operation, api, None, event=event)
                raise InjectedConnectionError(
                    f"fakeauth: injected fault: connection dropped ({route.operation})",
                    delay=fault.delay,
                )
            handled = (
                self._call(api, route, request)
                if fault is None
                else self._inject(fault, api, route, request)
            )
            response = handled.response
            if fault is None or fault.status is None:  # an injected answer refuses no credential
                credential = route.credential
        self._record(when, request, operation, api, response, handled, route, credential, event)
        return response

    def _record(
        self,
        when: datetime,
        request: Request,
        operation: str | None,
        api: VendorApi | None,
        response: Response | None,
        handled: Handled | None = None,
        route: Route | None = None,
        credential: Credential | None = None,
        event: RequestEvent | None = None,
    ) -> None:
        """Journal one request and what answered it (``None``: the connection was dropped), then
        tell the fake's request listeners (``event``, made before the vendor answered).

        The one place of recording. What the handler noted of the request (``handled``: the
        secrets, the body as parsed) goes with it, never onto the request. A refused (4xx) body
        the handler parsed is read against ``route``'s documented fields: what it got wrong
        (:attr:`JournalEntry.problem`). When the route's ``credential`` was refused, the entry
        keeps why (:meth:`_refusal`). The response's bytes are kept as sent, to be parsed and
        redacted only if read.
        """
        vendor = api.name if api is not None else None
        noted, parsed = (handled.secrets, handled.body) if handled is not None else ((), None)
        problem = None
        refused = response is not None and 400 <= response.status < 500
        if refused and route is not None and parsed is not None:
            # refused: say which field was meant, if one was (never part of the reply)
            problem, misspelt = route.body_problem(request.content_type, parsed)
            noted += misspelt
        secrets = _request_secrets(request, noted)
        request_value, lazy = _journal_request(request, parsed, secrets)
        url, path = request.url, request.path
        if "?" in url or "eyJ" in url or any(map(url.__contains__, secrets)):
            url, path = scrub_text(url, secrets), scrub_text(path, secrets)
        if response is None:
            entry = JournalEntry.made(
                operation, vendor, request.method, url, path, 0, when, request_value, _DROPPED,
                request_secrets=lazy,
            )  # fmt: skip
        else:
            refusal = (
                None
                if credential is None
                else self._refusal(credential, request, parsed, response.status, vendor)
            )
            entry = JournalEntry.made(
                operation, vendor, request.method, url, path, response.status,
                when, request_value, response.body, secrets, _is_json(response), problem,
                refusal, lazy,
            )  # fmt: skip
        self._fake.journal.record(entry)
        if event is not None:
            self._fake.events.after(replace(event, status=entry.status))

    def _refusal(
        self,
        credential: Credential | None,
        request: Request,
        body: Any,
        status: int,
        vendor: str | None,
    ) -> Explanation | None:
        """Why the route's credential was refused, when it answered one of the statuses the
        route refuses it with and the fake refuses that credential (a live one was refused for
        something else: a password, a role, another broker); ``None`` otherwise."""
        if credential is None or vendor is None or status not in credential.refused_with:
            return None
        token = credential.find(request, body)
        if token is None:
            return None
        explanation = self._fake.explain(token, vendor=vendor, kind=credential.kind)
        return explanation if explanation.refused else None

    def _inject(self, fault: Fault, api: VendorApi, route: Route, request: Request) -> Handled:
        if fault.status is None:
            handled = self._call(api, route, request)
        elif fault.body is not None:
            handled = Handled(Response.json(fault.status, fault.body))
        else:
            handled = Handled(
                api.error(fault.status, f"fakeauth: injected fault ({route.operation})")
            )
        handled.response.headers.extend(fault.headers)
        handled.response.delay = fault.delay
        return handled

    def _call(self, api: VendorApi, route: Route, request: Request) -> Handled:
        if len(request.body) > api.max_body or request.declared_length > api.max_body:
            return Handled(api.error(413, "request entity too large"))
        try:
            return route.handler(self._fake.vendor_state(api.name), request)
        except Exception as exc:  # a bug in the fake: answer 500, keep it for the test thread
            self._fake.handler_errors.append(exc)
            traceback.print_exc(file=sys.stderr)
            return Handled(api.error(500, "Internal server error"))


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


def _request_secrets(request: Request, noted: tuple[str, ...]) -> tuple[str, ...]:
    """What the request carried that the journal must never show: the secrets its handler
    ``noted``, its bearer token and its cookies' values."""
    headers = request.headers
    if "authorization" not in headers and "cookie" not in headers:  # most requests: no more
        return tuple(noted)
    secrets = list(noted)
    bearer = request.bearer()
    if bearer is not None:
        secrets.append(bearer)
    if "cookie" in headers:
        secrets.extend(value for value in request.cookies().values() if value)
    return tuple(secrets)


#: The values a request body may hold to be kept as parsed and redacted when first read.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _journal_request(
    request: Request, parsed: Any, secrets: tuple[str, ...]
) -> tuple[Any, tuple[str, ...] | None]:
    """What the journal keeps of the request's body, and the secrets to redact from it when it is
    first read (``None``: it is redacted already).

    A body of scalars alone (a login's, most requests') is kept as a copy, so that nothing the
    handler did with the body it parsed changes what the journal shows; any other is redacted
    now (a deep copy would cost what the redaction costs).
    """
    # (issuperset over map: no Python frame per value, as all() over a generator has)
    if type(parsed) is dict and _SCALARS.issuperset(map(type, parsed.values())):
        return dict(parsed), secrets
    if parsed is not None:
        return redact(parsed, secrets, keys=REQUEST_SECRET_KEYS), None
    # A body that does not parse is redacted by pattern, before the journal cuts it.
    value = body_value(request.body, lambda text: scrub_text(text, secrets))
    if isinstance(value, str):
        return value, None
    return redact(value, secrets, keys=REQUEST_SECRET_KEYS), None
