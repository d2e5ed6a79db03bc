"""The Host, Origin and CORS rules, in one place: for the vendor routes (a browser front end calls
them from anywhere) and for fakeauth's own routes (the control API, the dashboard, the lanes
routes), which only the developer's own machine may drive or read.

- A control request whose ``Host`` is not this server's own (loopback, an IP address, a vendor
  host, a name given with ``--allow-host``) is refused (DNS rebinding): :func:`refusal`.
- A state-changing control request a browser sent from another origin without the header
  ``X-Fakeauth-Control: 1`` is refused (a cross-site form cannot send it, and the control API
  answers no cross-origin preflight, so a cross-site script cannot either): :func:`refusal`.
- A control answer names an allowed origin only for a page of this machine: loopback names and
  addresses, the address the request reached the server on, the ``--allow-host`` names
  (:func:`shares_with`); never for the state export, which holds key material.
- A vendor answer names any origin (:func:`vendor_cors_headers`), as the vendors do.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fakeauth.http import Request, Response

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = [
    "CONTROL_HEADER",
    "control_preflight",
    "from_own_origin",
    "is_preflight",
    "own_host",
    "refusal",
    "shares_with",
    "vendor_cors_headers",
    "vendor_preflight",
]

#: The header a cross-site form cannot send: with it, a request from another origin is taken.
CONTROL_HEADER = "X-Fakeauth-Control"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
#: The one control route whose answer carries key material: readable by no other origin.
_KEY_MATERIAL = "/_fakeauth/export"
#: What a vendor preflight allows when it names no header: the lane header too.
_ALLOWED_HEADERS = "Authorization, Content-Type, X-Fakeauth-Lane"


def _hostname(host: str) -> str | None:
    """The name or address of a ``Host`` header (``[::1]:8080`` -> ``::1``)."""
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:
        return None


def _is_loopback(name: str) -> bool:
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def own_host(fake: FakeAuth, host: str) -> bool:
    """Whether the ``Host`` header ``host`` names this server: loopback, an address (a page
    served from an address is this server's own; DNS rebinding needs a name), a name given with
    ``--allow-host``, or one of the fake's vendor hosts."""
    name = _hostname(host)
    if not name:
        return False
    if _is_loopback(name) or name in fake.control_hosts:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return fake.vendor_for_host(host) is not None
    return True


def _same_origin(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def from_own_origin(request: Request) -> bool:
    """Whether ``request`` comes from the server's own origin or from none (curl, scripts, a
    browser's same-origin ``GET``): a browser's cross-origin request names another origin."""
    origin = request.headers.get("origin")
    return origin is None or _same_origin(origin, request.headers.get("host", ""))


def _error(status: int, message: str) -> Response:
    return Response.json(status, {"error": message})


def refusal(fake: FakeAuth, request: Request) -> Response | None:
    """The 403 for a control request a web page may have sent behind the developer's back,
    or ``None`` when it may go on."""
    host = request.headers.get("host", "")
    if not own_host(fake, host):
        return _error(
            403,
            f"fakeauth: the control API answers only on its own host (127.0.0.1, localhost, "
            f"[::1], an IP address or a vendor host), not {host[:80]!r}: open it as "
            "http://127.0.0.1:PORT/_fakeauth/, or name the host with fakeauth serve --allow-host",
        )
    if request.method in _SAFE_METHODS:
        return None
    origin = request.headers.get("origin")
    if origin is None or request.headers.get(CONTROL_HEADER.lower()) == "1":
        return None
    if _same_origin(origin, host):
        return None
    return _error(
        403,
        f"fakeauth: a page from {origin[:80]!r} cannot change the fake's state; send "
        f"'{CONTROL_HEADER}: 1' from a script or a test, or use the dashboard at /_fakeauth/",
    )


def shares_with(fake: FakeAuth, request: Request, origin: str) -> bool:
    """Whether a control answer may carry CORS headers for ``origin``: only a page of this
    machine (a front end's dev server on ``http://localhost:3000``, say): loopback names and
    addresses, the address the request reached this server on, the ``--allow-host`` names. So a
    web site open in the developer's browser, served by name or by address, can read neither the
    outbox's codes nor the journal; and the state export is readable by no other origin at all."""
    if request.path.rstrip("/").endswith(_KEY_MATERIAL):
        return False
    parts = urlsplit(origin)
    try:
        name = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not name:
        return False
    reached = _hostname(request.headers.get("host", ""))
    return _is_loopback(name) or name in fake.control_hosts or name == reached


def control_preflight(request: Request, origin: str) -> Response:
    """A CORS preflight to fakeauth's own routes: allowed for the page's own origin only, so that
    a script on another site cannot send :data:`CONTROL_HEADER` (403, without allow headers)."""
    host = request.headers.get("host", "")
    if not _same_origin(origin, host):
        return _error(
            403,
            f"fakeauth: the control API takes no cross-origin request (from {origin[:80]!r}); "
            "call it from the dashboard on its own origin, from curl or from a test",
        )
    return Response.empty(
        204,
        [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", "GET, POST, DELETE"),
            ("Access-Control-Allow-Headers", f"Content-Type, {CONTROL_HEADER}, X-Fakeauth-Lane"),
            ("Vary", "Origin"),
        ],
    )


def is_preflight(request: Request) -> bool:
    """Whether ``request`` is a CORS preflight (``OPTIONS`` naming the method to come)."""
    return request.method == "OPTIONS" and "access-control-request-method" in request.headers


def vendor_preflight(request: Request, origin: str) -> Response:
    """The vendors' answer to a CORS preflight: any origin, any method, the headers asked."""
    requested = request.headers.get("access-control-request-headers")
    headers = [
        ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
        ("Access-Control-Allow-Headers", requested or _ALLOWED_HEADERS),
        ("Access-Control-Max-Age", "600"),
        *vendor_cors_headers(origin),
    ]
    return Response.empty(204, headers)


def vendor_cors_headers(origin: str) -> list[tuple[str, str]]:
    """The CORS headers of an answer ``origin`` may read (a vendor answer, or a control answer
    :func:`shares_with` allows)."""
    # Reflect the origin (with credentials: walt.id's login sets a cookie a front end relies on).
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "Content-Type, Set-Cookie"),
        ("Vary", "Origin"),
    ]
