"""The control routes the dashboard needs (any other client may use them too), and the guard
that keeps a web page open in the developer's browser from driving the fake.

Routes (JSON in and out, like the rest of :mod:`fakeauth.control`):

- ``GET /_fakeauth/`` (and ``/_fakeauth/index.html``, ``/_fakeauth/static/...``): the dashboard;
- ``GET /_fakeauth/status``: what changed (the journal's and the outbox's last numbers) and who
  answers (``instance``: a new one after a restart or in another process);
- ``GET /_fakeauth/accounts/<vendor>[?email=TEXT]``: one vendor's accounts, with their scope,
  roles, 2FA kind and live sessions; ``POST`` adds one (the seeding method's fields);
  ``POST .../delete`` and ``POST .../sign-out`` with ``{"id": ...}``;
- ``GET /_fakeauth/tokens``: the live tokens' vendor, kind, account and expiry (never a token);
- ``GET``, ``POST``, ``DELETE /_fakeauth/faults``: the queued faults, queue one, clear them.

The guard (:func:`refusal`) answers 403 to a request whose ``Host`` is not the server's own (DNS
rebinding), and to a state-changing request that a browser sent from another origin without the
header ``X-Fakeauth-Control: 1`` (a cross-site form cannot send it, and the control API answers
no cross-origin preflight, so a cross-site script cannot either).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field

from fakeauth import control
from fakeauth.control import _body, _ControlBody, _error, _validated
from fakeauth.dashboard import ASSETS, asset
from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.seeding import add_item

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth
    from fakeauth.tokens import TokenStore
    from fakeauth.vendor import Vendor

__all__ = ["CONTROL_HEADER", "ROUTES", "preflight", "refusal", "shares_with", "vendor_routes"]

_Handler = Callable[["FakeAuth", Request], Response]

#: The header a cross-site form cannot send: with it, a request from another origin is taken.
CONTROL_HEADER = "X-Fakeauth-Control"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def _hostname(host: str) -> str | None:
    """The name or address of a ``Host`` header (``[::1]:8080`` -> ``::1``)."""
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:
        return None


def _own_host(fake: FakeAuth, host: str) -> bool:
    """Whether ``host`` names this server: loopback, an address (a page served from an address
    is this server's own; DNS rebinding needs a name), or one of the fake's vendor hosts."""
    name = _hostname(host)
    if not name:
        return False
    if name in _LOOPBACK_NAMES or name.endswith(".localhost") or name in fake.control_hosts:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return fake.vendor_for_host(host) is not None
    return True


def _same_origin(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def refusal(fake: FakeAuth, request: Request) -> Response | None:
    """The 403 for a control request a web page may have sent behind the developer's back,
    or ``None`` when it may go on."""
    host = request.headers.get("host", "")
    if not _own_host(fake, host):
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


#: The one control route whose answer carries key material: readable by no other origin.
_KEY_MATERIAL = "/_fakeauth/export"


def shares_with(fake: FakeAuth, request: Request, origin: str) -> bool:
    """Whether a control answer may carry CORS headers for ``origin``: only a page served from
    this machine (a front end's dev server on ``http://localhost:3000``, say) may read the
    control API, so a web site open in the developer's browser can read neither the outbox's
    codes nor the journal; and the state export is readable by no other origin at all."""
    if request.path.rstrip("/") == _KEY_MATERIAL:
        return False
    return urlsplit(origin).scheme in ("http", "https") and _own_host(fake, urlsplit(origin).netloc)


def preflight(request: Request, origin: str) -> Response:
    """A CORS preflight to the control API: allowed for the page's own origin only, so that a
    script on another site cannot send :data:`CONTROL_HEADER` (403, without allow headers)."""
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


# -- the page ----------------------------------------------------------------------------------


def _page(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/``: the dashboard."""
    return asset("index.html")


def _static(name: str) -> _Handler:
    def handler(fake: FakeAuth, request: Request) -> Response:
        return asset(name)

    handler.__doc__ = f"``GET /_fakeauth/static/{name}``: the dashboard's {name}."
    return handler


def status(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/status``: the last journal ``seq`` and outbox ``seq`` (poll these, then
    fetch ``?after=``), the fake's time, the operation ids, and ``instance`` (it changes when
    another fake answers: a restarted server)."""
    outbox = fake.outbox
    return Response.json(
        200,
        {
            "instance": f"{os.getpid()}-{id(fake):x}",
            "journal": fake.journal.mark(),
            "outbox": outbox.dropped + len(outbox),
            "now": fake.clock.now().isoformat(),
            "operations": _operations(fake),
        },
    )


def _operations(fake: FakeAuth) -> list[str]:
    return [route.operation for vendor in fake.vendors for route in vendor.api.routes]


# -- accounts ----------------------------------------------------------------------------------


class AccountId(_ControlBody):
    """``{"id": "..."}``: the account to delete or sign out."""

    id: str = Field(min_length=1, max_length=200)


def _live_sessions(tokens: TokenStore | None) -> dict[str, int]:
    sessions: dict[str, set[str]] = {}
    for record in tokens.live() if tokens is not None else ():
        sessions.setdefault(record.subject, set()).add(record.session)
    return {subject: len(ids) for subject, ids in sessions.items()}


def _row(vendor: Vendor, account: dict[str, Any], live: dict[str, int]) -> dict[str, Any]:
    """One account as the dashboard lists it: the vendor's own export, plus a common summary."""
    summary = vendor.summary(account)
    return {
        "vendor": vendor.name,
        "id": account["id"],
        "email": account["email"],
        "name": summary.name,
        "scope": summary.scope,
        "roles": list(summary.roles),
        "two_factor": summary.two_factor,
        "live_sessions": live.get(account["id"], 0),
        "details": account,
    }


def _rows(fake: FakeAuth, name: str, wanted: str = "") -> list[dict[str, Any]]:
    """The dashboard's rows of vendor ``name``'s accounts whose email contains ``wanted``."""
    vendor = fake.vendor(name)
    state = fake.vendor_state(name)
    live = _live_sessions(vendor.tokens(state))
    return [
        _row(vendor, account, live)
        for account in state.export_accounts()
        if wanted in account["email"].casefold()
    ]


def _email_query(request: Request) -> str:
    given = parse_qs(request.query, keep_blank_values=True).get("email", [""])
    if len(given) != 1:
        raise ConfigurationError(
            "give 'email' once, for example GET /_fakeauth/accounts/ovok?email=ann"
        )
    return given[0].casefold()


def _accounts(vendor: str) -> _Handler:
    def handler(fake: FakeAuth, request: Request) -> Response:
        return Response.json(200, _rows(fake, vendor, _email_query(request)))

    handler.__doc__ = (
        f"``GET /_fakeauth/accounts/{vendor}[?email=TEXT]``: its accounts whose email contains "
        "TEXT (any case), with scope, roles, 2FA kind and live sessions."
    )
    return handler


def _add_account(vendor: str) -> _Handler:
    def handler(fake: FakeAuth, request: Request) -> Response:
        body = _body(request)
        if not isinstance(body, dict) or not isinstance(body.get("email"), str):
            raise ConfigurationError(
                f'the body is the fields of fake.{vendor}.add_account, as in {{"email": '
                '"ann@example.test", "password": "s3cret"}'
            )
        added = add_item(fake, vendor, "accounts", body)
        newest = [row for row in _rows(fake, vendor) if row["email"] == body["email"]][-1:]
        return Response.json(201, {"added": added, "account": newest[0]})

    handler.__doc__ = (
        f"``POST /_fakeauth/accounts/{vendor}``: add an account; the body is the keyword "
        f"arguments of ``fake.{vendor}.add_account`` (``email``, ``password``, ...)."
    )
    return handler


def _delete_account(vendor: str) -> _Handler:
    def handler(fake: FakeAuth, request: Request) -> Response:
        target = _validated(AccountId, _body(request), '{"id": "<the account id>"}')
        if not fake.vendor_state(vendor).remove_account(target.id):
            return _error(404, _no_account(vendor, target.id))
        return Response.json(200, {"deleted": target.id})

    handler.__doc__ = (
        f'``POST /_fakeauth/accounts/{vendor}/delete`` with ``{{"id": ...}}``: delete the '
        "account, its sessions signed out first (404 when there is none)."
    )
    return handler


def _sign_out(vendor: str) -> _Handler:
    def handler(fake: FakeAuth, request: Request) -> Response:
        target = _validated(AccountId, _body(request), '{"id": "<the account id>"}')
        state = fake.vendor_state(vendor)
        if target.id not in {account["id"] for account in state.export_accounts()}:
            return _error(404, _no_account(vendor, target.id))
        tokens = fake.vendor(vendor).tokens(state)
        if tokens is None:  # a vendor that issues no tokens has no session to sign out
            return Response.json(200, {"revoked": 0})
        records = tokens.live(target.id)
        for record in records:
            tokens.revoke(record.id)
        return Response.json(200, {"revoked": len(records)})

    handler.__doc__ = (
        f'``POST /_fakeauth/accounts/{vendor}/sign-out`` with ``{{"id": ...}}``: revoke every '
        "live token of the account (every session signed out); how many were revoked."
    )
    return handler


def _no_account(vendor: str, account_id: str) -> str:
    return (
        f"fakeauth: no {vendor} account with id {account_id[:80]!r}; "
        f"GET /_fakeauth/accounts/{vendor} lists them"
    )


def tokens(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/tokens``: every live token's vendor, kind, account and expiry (the time
    and the seconds left by the fake's clock), soonest first; never a token or its id."""
    now = fake.clock.time()
    rows: list[dict[str, Any]] = []
    for vendor in fake.vendors:
        state = fake.vendor_state(vendor.name)
        tokens = vendor.tokens(state)
        if tokens is None:
            continue
        emails = {account["id"]: account["email"] for account in state.export_accounts()}
        for record in tokens.live():
            rows.append(
                {
                    "vendor": vendor.name,
                    "kind": record.kind,
                    "account": record.subject,
                    "email": emails.get(record.subject, ""),
                    "expires_at": _iso(record.expires_at),
                    "expires_in": round(record.expires_at - now, 3),
                }
            )
    rows.sort(key=lambda row: float(row["expires_in"]))
    return Response.json(200, rows)


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, timezone.utc).isoformat()


# -- faults ------------------------------------------------------------------------------------


class FaultBody(_ControlBody):
    """``{"operation": "ovok.b2b_login", "kind": "fail", "status": 503, "times": 1}``;
    ``"kind"`` is ``fail`` (with ``status``), ``drop`` or ``delay`` (with ``seconds``)."""

    operation: str = Field(max_length=100)
    kind: Literal["fail", "drop", "delay"]
    status: int = Field(default=500, ge=100, le=599)
    seconds: float = Field(default=0.0, ge=0, le=600)
    times: int = Field(default=1, ge=1, le=1000)


_FAULT_EXAMPLE = '{"operation": "ovok.b2b_login", "kind": "fail", "status": 503}'


def get_faults(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/faults``: the queued faults, in the order they will be taken."""
    return Response.json(
        200,
        [
            {
                "operation": fault.operation,
                "kind": "drop" if fault.drop else "fail" if fault.status is not None else "delay",
                "status": fault.status,
                "seconds": fault.delay,
                "remaining": fault.remaining,
            }
            for fault in fake.faults.pending
        ],
    )


def add_fault(fake: FakeAuth, request: Request) -> Response:
    """``POST /_fakeauth/faults``: queue a fault (see :class:`FaultBody`), as ``fake.fail_next``,
    ``fake.drop_next`` and ``fake.delay_next`` do."""
    fault = _validated(FaultBody, _body(request), _FAULT_EXAMPLE)
    if fault.kind == "fail":
        fake.fail_next(fault.operation, fault.status, times=fault.times, delay=fault.seconds)
    elif fault.kind == "drop":
        fake.drop_next(fault.operation, times=fault.times)
    else:
        fake.delay_next(fault.operation, fault.seconds, times=fault.times)
    return get_faults(fake, request)


def clear_faults(fake: FakeAuth, request: Request) -> Response:
    """``DELETE /_fakeauth/faults``: forget every queued fault."""
    fake.faults.clear()
    return Response.empty(204)


#: The routes this module adds to :data:`fakeauth.control.ROUTES`.
ROUTES: dict[tuple[str, str], _Handler] = {
    ("GET", "/_fakeauth/"): _page,
    ("GET", "/_fakeauth/index.html"): _page,
    **{("GET", f"/_fakeauth/static/{name}"): _static(name) for name in ASSETS},
    ("GET", "/_fakeauth/status"): status,
    ("GET", "/_fakeauth/tokens"): tokens,
    ("GET", "/_fakeauth/faults"): get_faults,
    ("POST", "/_fakeauth/faults"): add_fault,
    ("DELETE", "/_fakeauth/faults"): clear_faults,
}


def vendor_routes(vendor: str) -> dict[tuple[str, str], _Handler]:
    """The dashboard's routes of one vendor's accounts."""
    return {
        ("GET", f"/_fakeauth/accounts/{vendor}"): _accounts(vendor),
        ("POST", f"/_fakeauth/accounts/{vendor}"): _add_account(vendor),
        ("POST", f"/_fakeauth/accounts/{vendor}/delete"): _delete_account(vendor),
        ("POST", f"/_fakeauth/accounts/{vendor}/sign-out"): _sign_out(vendor),
    }


control.ROUTES.update(ROUTES)
