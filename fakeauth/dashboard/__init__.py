"""The dashboard's page and assets: plain HTML, CSS and JavaScript shipped as package data.

``GET /_fakeauth/`` serves ``index.html``; ``GET /_fakeauth/static/<name>`` its script and style
sheet. The page has no build step, no framework, no CDN and no web font (it works offline), and
talks only to the control API, by relative URLs: under another base path (a lane's
``/_lanes/NAME/_fakeauth/``) it works unchanged. Every answer carries a strict
Content-Security-Policy (no inline script, nothing from another origin).
"""

from __future__ import annotations

import functools
from importlib import resources

from fakeauth.http import Response

__all__ = ["ASSETS", "SECURITY_HEADERS", "asset"]

#: The files the dashboard serves, by name, with their media types.
ASSETS: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}

#: What every dashboard answer carries: nothing runs or loads but the page's own files.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
)


@functools.lru_cache(maxsize=len(ASSETS))
def _read(name: str) -> bytes:
    return resources.files(__name__).joinpath(name).read_bytes()


def asset(name: str) -> Response:
    """The answer for one of :data:`ASSETS`, with :data:`SECURITY_HEADERS`."""
    return Response(200, _read(name), [("Content-Type", ASSETS[name]), *SECURITY_HEADERS])
