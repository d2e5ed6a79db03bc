"""The WSGI application of :class:`~fakeauth.lanes.Lanes`: it picks each request's lane (the
``X-Fakeauth-Lane`` header or the ``/_lanes/NAME`` prefix), serves the lanes control routes, and
passes every other request to the lane's own :class:`~fakeauth.wsgi.WsgiApp`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.lanes import DEFAULT_LANE, LANE_HEADER, LANE_PREFIX, Lanes, Refused, check_lane_name
from fakeauth.origins import refusal
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS
from fakeauth.wsgi import request_from_environ, respond

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["LanesApp"]

_HEADER_KEY = "HTTP_X_FAKEAUTH_LANE"
_CONTROL = "/_fakeauth/lanes"


class LanesApp:
    """The WSGI application of a :class:`Lanes`: picks each request's lane, serves the lanes
    control routes (``/_fakeauth/lanes...``, at the root and in every lane), and passes the rest
    to the lane's own :class:`~fakeauth.wsgi.WsgiApp`."""

    def __init__(self, lanes: Lanes) -> None:
        self.lanes = lanes

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            name, environ = _lane_of(environ)
            path = environ.get("PATH_INFO", "")
            if path.rstrip("/") == _CONTROL or path.startswith(f"{_CONTROL}/"):
                response = self._control(request_from_environ(environ), name)
                if response is not None:
                    return respond(response, environ, start_response)
            fake = self.lanes.lane_for_request(name)
        except (Refused, ConfigurationError) as exc:
            status = exc.status if isinstance(exc, Refused) else 400
            message = exc.message if isinstance(exc, Refused) else str(exc)
            return respond(self._error(environ, status, message), environ, start_response)
        return fake.wsgi_app(environ, start_response)

    def _error(self, environ: WSGIEnvironment, status: int, message: str) -> Response:
        default = self.lanes.default
        request = request_from_environ(environ)
        request.path = _strip(request.path)[1]
        if default is None:
            return Response.json(status, {"error": message})
        return default.wsgi_app.vendor_error(request, status, message)

    @property
    def vendors(self) -> tuple[Vendor, ...]:
        """The vendor records of the default lane's fake (every lane serves the same ones)."""
        default = self.lanes.default
        return VENDORS if default is None else default.vendors

    def body_limit(self, method: str, path: str, host: str) -> int | None:
        """The body limit of the route that would serve the request (the same in every lane)."""
        default = self.lanes.default
        if default is None:
            return None
        return default.wsgi_app.body_limit(method, _strip(path)[1], host)

    def _control(self, request: Request, lane: str) -> Response | None:
        guard = self.lanes.default
        path = request.path.rstrip("/")
        parts = path.removeprefix(_CONTROL).strip("/").split("/") if path != _CONTROL else []
        if len(parts) > 2 or (len(parts) == 2 and parts[1] != "reset"):
            return None
        if guard is not None:
            refused = refusal(guard, request)
            if refused is not None:
                return refused
        query = parse_qs(request.query, keep_blank_values=True)
        method = request.method
        if not parts:
            if method == "GET":
                rows = [info.describe() for info in self.lanes]
                return Response.json(
                    200, {"lane": lane, "max_lanes": self.lanes.max_lanes, "lanes": rows}
                )
            if method == "DELETE":
                return Response.json(200, {"deleted": self.lanes.delete_idle(_idle(query))})
            return _not_allowed(path, "GET or DELETE", method)
        name = parts[0]
        if len(parts) == 2:
            if method != "POST":
                return _not_allowed(path, "POST", method)
            if check_lane_name(name) not in self.lanes.names():
                raise Refused(404, self.lanes.no_lane_message(name))
            self.lanes.reset(name)
            return Response.json(200, {"reset": name})
        if method == "DELETE":
            self.lanes.remove(name)
            return Response.json(200, {"deleted": name})
        if method == "POST":
            snapshot = query.get("from", [None])[-1]
            self.lanes.create_lane(name, snapshot=snapshot)
            return Response.json(201, {"created": name, "from": snapshot or "the starting state"})
        return _not_allowed(path, "POST or DELETE", method)


def _not_allowed(path: str, allowed: str, method: str) -> Response:
    return Response.json(
        405,
        {"error": f"fakeauth: {path} takes {allowed}, not {method}"},
        [("Allow", allowed.replace(" or ", ", "))],
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


def _lane_of(environ: WSGIEnvironment) -> tuple[str, WSGIEnvironment]:
    """The request's lane and its environment with the lane prefix moved to ``SCRIPT_NAME``."""
    path = environ.get("PATH_INFO", "") or "/"
    prefixed, rest = _strip(path)
    header = environ.get(_HEADER_KEY)
    if prefixed is not None:
        check_lane_name(prefixed)
        if header is not None and header != prefixed:
            raise ConfigurationError(
                f"the request names two lanes, {prefixed!r} by its path and "
                f"{header[:80]!r} by {LANE_HEADER}; give one"
            )
        environ = dict(environ)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + LANE_PREFIX + prefixed
        environ["PATH_INFO"] = rest
        return prefixed, environ
    if header is not None:
        return check_lane_name(header), environ
    return DEFAULT_LANE, environ
