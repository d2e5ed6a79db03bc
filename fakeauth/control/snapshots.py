"""The control API's persistence routes: export, import, and named snapshots.

``POST /_fakeauth/export`` is the one control route that hands out key material: it answers only
requests of no other origin (a browser's cross-origin request carries an ``Origin`` that is not
the server's own, and is refused 403), and its answer says it is a fake's and must not be kept.
The routes sit on the control API's router like every other control route; the state document
itself (its format, its files) is :mod:`fakeauth.persistence`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.origins import from_own_origin
from fakeauth.persistence.files import dumps, loads
from fakeauth.persistence.format import WARNING

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = ["ROUTES", "export"]

_Handler = Callable[["FakeAuth", Request], Response]
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_NAME_RULE = "1 to 100 letters, digits, '.', '_' or '-' (but not '.' or '..')"


def _flag(request: Request, name: str) -> bool:
    given = parse_qs(request.query, keep_blank_values=True).get(name)
    if given is None:
        return False
    if len(given) != 1 or given[0] not in ("true", "false"):
        raise ConfigurationError(f"give {name}=true or {name}=false once in the query")
    return given[0] == "true"


def _counts(fake: FakeAuth) -> dict[str, int]:
    return {v.name: len(fake.vendor_state(v.name).export_accounts()) for v in fake.vendors}


def export(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/export[?journal=true]``: the whole state document (same origin only)."""
    if not from_own_origin(request):
        return Response.json(
            403,
            {
                "error": "fakeauth: the state export holds signing keys, so it answers only "
                "requests of the server's own origin (or of no origin: curl, scripts); "
                "call it from there"
            },
        )
    document = fake.export_state(journal=_flag(request, "journal"))
    return Response(
        200,
        dumps(document).encode(),
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Disposition", 'attachment; filename="fakeauth-state.json"'),
            ("Cache-Control", "no-store"),
            ("X-Fakeauth-Warning", WARNING),
        ],
        None,  # never journaled: it holds the keys
    )


def import_(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/import[?take_options=true]``: replace the state with the body's."""
    take_options = _flag(request, "take_options")
    document = loads(request.body, source="the request body")
    fake.import_state(document, take_options=take_options)
    return Response.json(200, {"imported": True, "accounts": _counts(fake)})


def take_snapshot(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/snapshots {"name": "seeded"}``: keep the state under that name."""
    body: Any = loads(request.body, source="the request body") if request.body.strip() else {}
    if not isinstance(body, dict) or set(body) != {"name"}:
        raise ConfigurationError('the body is {"name": "..."}, as in {"name": "seeded"}')
    name = _checked_name(body["name"])
    fake.snapshots.save(name, fake.snapshot())
    return Response.json(201, {"name": name, "accounts": _counts(fake)})


def list_snapshots(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/snapshots``: the names of the snapshots."""
    return Response.json(200, {"snapshots": fake.snapshots.names()})


def _checked_name(name: Any) -> str:
    # fullmatch: "$" would let a trailing newline through; "." and ".." name no snapshot in a URL
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name in (".", ".."):
        raise ConfigurationError(f"a snapshot name is {_NAME_RULE}, not {name!r}")
    return name


def _named(fake: FakeAuth, request: Request) -> tuple[str, Any] | Response:
    """The snapshot the path names, or the answer that it has no such snapshot (404)."""
    name = _checked_name(request.path_params["name"])
    try:
        return name, fake.snapshots.get(name)
    except ConfigurationError as exc:
        return Response.json(404, {"error": str(exc)})


def get_snapshot(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/snapshots/NAME``: the snapshot's name and account counts."""
    found = _named(fake, request)
    if isinstance(found, Response):
        return found
    name, snapshot = found
    return Response.json(200, {"name": name, "accounts": snapshot.accounts()})


def delete_snapshot(fake: FakeAuth, request: Request) -> Response:
    """``DELETE /_fakeauth/snapshots/NAME``: forget the snapshot."""
    found = _named(fake, request)
    if isinstance(found, Response):
        return found
    fake.snapshots.delete(found[0])
    return Response.json(200, {"deleted": found[0]})


def restore_snapshot(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/snapshots/NAME/restore``: put the snapshot's state back."""
    found = _named(fake, request)
    if isinstance(found, Response):
        return found
    name, snapshot = found
    fake.restore(snapshot)
    return Response.json(200, {"restored": name, "accounts": _counts(fake)})


#: ``(method, path, handler)``: the control API's persistence routes.
ROUTES: tuple[tuple[str, str, _Handler], ...] = (
    ("POST", "/_fakeauth/export", export),
    ("POST", "/_fakeauth/import", import_),
    ("POST", "/_fakeauth/snapshots", take_snapshot),
    ("GET", "/_fakeauth/snapshots", list_snapshots),
    ("GET", "/_fakeauth/snapshots/<name>", get_snapshot),
    ("DELETE", "/_fakeauth/snapshots/<name>", delete_snapshot),
    ("POST", "/_fakeauth/snapshots/<name>/restore", restore_snapshot),
)
