"""The WSGI application of :class:`~fakeauth.lanes.Lanes`: it picks each request's lane (the
``X-Fakeauth-Lane`` header or the ``/_lanes/NAME`` prefix), serves the lanes control routes and
the root's export of every lane, and passes every other request to the lane's own
:class:`~fakeauth.wsgi.WsgiApp` (the prefix moved to ``SCRIPT_NAME``, so the lane's answers and
journal keep it)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, unquote

from fakeauth.control.body import too_large
from fakeauth.control.snapshots import export
from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.lane_names import LANE_HEADER, LANE_PREFIX, Refused, check_lane_name
from fakeauth.origins import CONTROL_HEADER, own_host, refusal, shares_with
from fakeauth.persistence.format import DEFAULT_LANE
from fakeauth.routing import Router
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS
from fakeauth.wsgi import request_from_environ, respond

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from fakeauth.fake import FakeAuth
    from fakeauth.lanes import Lanes

__all__ = ["LanesApp"]

_HEADER_KEY = "HTTP_X_FAKEAUTH_LANE"
_CONTROL = "/_fakeauth/lanes"
_EXPORT = "/_fakeauth/export"

#: A lanes route: the app, the request, the lane it came in, and the lane the path names.
_Handler = Callable[["LanesApp", Request, str, str], Response]


class LanesApp:
    """The WSGI application of a :class:`Lanes`: picks each request's lane, serves the lanes
    control routes (``/_fakeauth/lanes...``, at the root and in every lane), and passes the rest
    to the lane's own :class:`~fakeauth.wsgi.WsgiApp`."""

    def __init__(self, lanes: Lanes) -> None:
        self.lanes = lanes

    @property
    def vendors(self) -> tuple[Vendor, ...]:
        """The vendor records of the default lane's fake (every lane serves the same ones)."""
        default = self.lanes.default
        return VENDORS if default is None else default.vendors

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            name, named, environ = _lane_of(environ)
            path = environ.get("PATH_INFO", "")
            if path.startswith(_CONTROL) or (not named and path.rstrip("/") == _EXPORT):
                response = self._control(environ, name)
                if response is not None:
                    return respond(response, environ, start_response)
            if name not in self.lanes:
                self._check_creator(environ, name)
            fake = self.lanes.lane_for_request(name)
        except (Refused, ConfigurationError) as exc:
            status = exc.status if isinstance(exc, Refused) else 400
            message = exc.message if isinstance(exc, Refused) else str(exc)
            return respond(self._error(environ, status, message), environ, start_response)
        return fake.wsgi_app(environ, start_response)

    def _check_creator(self, environ: WSGIEnvironment, name: str) -> None:
        """Refuse (403) to create lane ``name`` for a request the control API would not take
        from this machine: a foreign ``Host`` (DNS rebinding) or a page of another origin, so
        that no web site fills the lane cap."""
        default = self.lanes.default
        if default is None or not self.lanes.create:
            return  # no lane is created: the lanes answer 404 or 503
        request = request_from_environ(
            {**environ, "wsgi.input": io.BytesIO(), "CONTENT_LENGTH": "0"}
        )
        origin = request.headers.get("origin")  # the body stays unread, for the lane's fake
        taken = own_host(default, request.headers.get("host", "")) and (
            origin is None
            or request.headers.get(CONTROL_HEADER.lower()) == "1"
            or shares_with(default, request, origin)
        )
        if not taken:
            raise Refused(
                403,
                f"fakeauth: a lane is created only by a request from this machine; create "
                f"{name!r} with POST /_fakeauth/lanes/{name} (from curl, a test or the "
                f"dashboard), or send '{CONTROL_HEADER}: 1'",
            )

    def _error(self, environ: WSGIEnvironment, status: int, message: str) -> Response:
        default = self.lanes.default
        request = request_from_environ(environ)
        request = replace(request, path=_strip(request.path)[1])
        if default is None:
            return Response.json(status, {"error": message})
        return default.wsgi_app.vendor_error(request, status, message)

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        """The body limit of the route that would serve the request (the same in every lane)."""
        default = self.lanes.default
        if default is None:
            return None
        return default.wsgi_app.body_limit(method, _strip(path)[1], host)

    def _control(self, environ: WSGIEnvironment, lane: str) -> Response | None:
        """A lanes route's answer (``None``: no lanes route serves the path, whose body then
        stays unread)."""
        guard = self.lanes.default
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        target, params, allowed = _ROUTER.match(path, method.upper())
        if target is None and not allowed:
            return None
        request = request_from_environ(environ)
        if guard is not None:
            refused = refusal(guard, request)
            if refused is not None:
                return refused
        if target is None:
            if request.method == "OPTIONS":
                return Response.empty(204, [("Allow", ", ".join(allowed))])
            methods = " or ".join(m for m in allowed if m not in ("HEAD", "OPTIONS"))
            return Response.json(
                405,
                {"error": f"fakeauth: {request.path} takes {methods}, not {request.method}"},
                [("Allow", ", ".join(allowed))],
            )
        return target(self, request, lane, params.get("name", ""))

    # -- the lanes routes ----------------------------------------------------------------------

    def list_lanes(self, request: Request, lane: str, name: str) -> Response:
        """``GET /_fakeauth/lanes``: every lane but the default one, and this request's."""
        rows = [info.describe() for info in self.lanes]
        return Response.json(200, {"lane": lane, "max_lanes": self.lanes.max_lanes, "lanes": rows})

    def delete_idle(self, request: Request, lane: str, name: str) -> Response:
        """``DELETE /_fakeauth/lanes?idle=SECONDS``: delete the lanes idle that long."""
        query = parse_qs(request.query, keep_blank_values=True)
        return Response.json(200, {"deleted": self.lanes.delete_idle(_idle(query))})

    def create(self, request: Request, lane: str, name: str) -> Response:
        """``POST /_fakeauth/lanes/NAME[?from=SNAPSHOT]``: create a lane."""
        snapshot = parse_qs(request.query, keep_blank_values=True).get("from", [None])[-1]
        self.lanes.create_lane(name, snapshot=snapshot)
        return Response.json(201, {"created": name, "from": snapshot or "the starting state"})

    def delete(self, request: Request, lane: str, name: str) -> Response:
        """``DELETE /_fakeauth/lanes/NAME``: delete a lane and its state."""
        self.lanes.remove(name)
        return Response.json(200, {"deleted": name})

    def reset(self, request: Request, lane: str, name: str) -> Response:
        """``POST /_fakeauth/lanes/NAME/reset``: put a lane back to its starting state."""
        if check_lane_name(name) not in self.lanes:
            raise Refused(404, self.lanes.no_lane_message(name))
        self.lanes.reset(name)
        return Response.json(200, {"reset": name})

    def export_every_lane(self, request: Request, lane: str, name: str) -> Response:
        """``POST /_fakeauth/export`` at the root: every lane's state in one document."""
        # The export route asks a fake for export_state() alone: the lanes give theirs.
        return too_large(request) or export(cast("FakeAuth", _EveryLane(self.lanes)), request)


class _EveryLane:
    """What the export route asks of a fake, for the lanes together: their one document."""

    def __init__(self, lanes: Lanes) -> None:
        self.export_state: Callable[..., dict[str, Any]] = lanes.export_state


_ROUTER: Router[_Handler] = Router(
    [
        ("GET", _CONTROL, LanesApp.list_lanes),
        ("DELETE", _CONTROL, LanesApp.delete_idle),
        ("POST", f"{_CONTROL}/<name>", LanesApp.create),
        ("DELETE", f"{_CONTROL}/<name>", LanesApp.delete),
        ("POST", f"{_CONTROL}/<name>/reset", LanesApp.reset),
        ("POST", _EXPORT, LanesApp.export_every_lane),
    ]
)


def _idle(query: dict[str, list[str]]) -> float:
    given = query.get("idle")
    try:
        seconds = float(given[-1]) if given else -1.0
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigurationError(
            "say how long a lane must have been idle to be deleted, in seconds: "
            "DELETE /_fakeauth/lanes?idle=600 (or delete one: DELETE /_fakeauth/lanes/NAME)"
        )
    return seconds


def _strip(path: str) -> tuple[str | None, str]:
    """The lane of a path's ``/_lanes/NAME`` prefix (``None``: no prefix) and the rest."""
    if not path.startswith(LANE_PREFIX):
        return None, path
    name, slash, rest = path[len(LANE_PREFIX) :].partition("/")
    return name, slash + rest or "/"


def _raw_lane(environ: WSGIEnvironment) -> str | None:
    """The lane segment of the request's URI as sent, decoded (``a%2Fb`` -> ``a/b``), when the
    server gives the URI (``REQUEST_URI``): ``PATH_INFO`` decodes ``%2F`` into a separator."""
    uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not uri:
        return None
    path = uri.split("?", 1)[0]
    if "://" in path:  # an absolute URI in the request line
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    if not path.startswith(LANE_PREFIX):
        return None
    return unquote(path[len(LANE_PREFIX) :].partition("/")[0])


def _lane_of(environ: WSGIEnvironment) -> tuple[str, bool, WSGIEnvironment]:
    """The request's lane, whether the request named it (by its path or its header; else it
    is the default lane at the root), and its environment with the lane prefix moved to
    ``SCRIPT_NAME``."""
    path = environ.get("PATH_INFO", "") or "/"
    prefixed, rest = _strip(path)
    header = environ.get(_HEADER_KEY)
    if prefixed is not None:
        raw = _raw_lane(environ)
        check_lane_name(prefixed if raw is None else raw)  # a%2Fb is no lane a
        if header is not None and header != prefixed:
            raise ConfigurationError(
                f"the request names two lanes, {prefixed!r} by its path and "
                f"{header[:80]!r} by {LANE_HEADER}; give one"
            )
        environ = dict(environ)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + LANE_PREFIX + prefixed
        environ["PATH_INFO"] = rest
        return prefixed, True, environ
    if header is not None:
        return check_lane_name(header), True, environ
    return DEFAULT_LANE, False, environ
