"""The control routes the dashboard needs (any other client may use them too).

Routes (JSON in and out, like the rest of :mod:`fakeauth.control`):

- ``GET /_fakeauth/`` (and ``/_fakeauth/index.html``, ``/_fakeauth/static/...``): the dashboard;
- ``GET /_fakeauth/status``: what changed (the journal's and the outbox's last numbers) and who
  answers (``instance``: a new one after a restart or in another process);
- ``GET /_fakeauth/vendors``: each vendor's name, label and the fields of its account forms (to
  create an account, and to change an existing one);
- ``GET /_fakeauth/accounts/<vendor>[?email=TEXT]``: one vendor's accounts, with their scope,
  roles, 2FA kind, live sessions and the current values of the fields an edit changes; ``POST``
  adds one (the seeding method's fields); ``PATCH .../<account id>`` changes some of its fields
  (the state's ``update_account``); ``POST .../delete`` and ``POST .../sign-out`` with
  ``{"id": ...}``;
- ``GET /_fakeauth/tokens``: the live tokens' vendor, kind, account and expiry (never a token);
- ``GET``, ``POST``, ``DELETE /_fakeauth/faults``: the queued faults, queue one, clear them.

Who may call them is decided once for every control route, in :mod:`fakeauth.origins`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs

from pydantic import Field

from fakeauth.control.body import ControlBody, error, json_body, validated
from fakeauth.dashboard import ASSETS, asset
from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response
from fakeauth.seeding import add_item

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth
    from fakeauth.tokens import TokenStore
    from fakeauth.vendor import AccountEdits, AccountField, Vendor

__all__ = ["ROUTES", "vendor_routes"]

_Handler = Callable[["FakeAuth", Request], Response]

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


class AccountId(ControlBody):
    """``{"id": "..."}``: the account to delete or sign out."""

    id: str = Field(min_length=1, max_length=200)


def _live_sessions(tokens: TokenStore | None) -> dict[str, int]:
    sessions: dict[str, set[str]] = {}
    for record in tokens.live() if tokens is not None else ():
        sessions.setdefault(record.subject, set()).add(record.session)
    return {subject: len(ids) for subject, ids in sessions.items()}


def _row(
    vendor: Vendor, account: dict[str, Any], live: dict[str, int], edits: AccountEdits | None
) -> dict[str, Any]:
    """One account as the dashboard lists it: the vendor's own export, plus a common summary
    and the current values of the fields an edit changes."""
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
        "edit": edits.values(account) if edits is not None else {},
        "details": account,
    }


def _rows(fake: FakeAuth, name: str, wanted: str = "") -> list[dict[str, Any]]:
    """The dashboard's rows of vendor ``name``'s accounts whose email contains ``wanted``."""
    vendor = fake.vendor(name)
    state = fake.vendor_state(name)
    live = _live_sessions(vendor.tokens(state))
    edits = vendor.edits(state)
    return [
        _row(vendor, account, live, edits)
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
        body = json_body(request)
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
        target = validated(AccountId, json_body(request), '{"id": "<the account id>"}')
        if not fake.vendor_state(vendor).remove_account(target.id):
            return error(404, _no_account(vendor, target.id))
        return Response.json(200, {"deleted": target.id})

    handler.__doc__ = (
        f'``POST /_fakeauth/accounts/{vendor}/delete`` with ``{{"id": ...}}``: delete the '
        "account, its sessions signed out first (404 when there is none)."
    )
    return handler


def _sign_out(vendor: str) -> _Handler:
    def handler(fake: FakeAuth, request: Request) -> Response:
        target = validated(AccountId, json_body(request), '{"id": "<the account id>"}')
        state = fake.vendor_state(vendor)
        if target.id not in {account["id"] for account in state.export_accounts()}:
            return error(404, _no_account(vendor, target.id))
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


def _edit_account(vendor: str) -> _Handler:
    def handler(fake: FakeAuth, request: Request) -> Response:
        account_id = request.path_params["account_id"]
        state = fake.vendor_state(vendor)
        edits = fake.vendor(vendor).edits(state)
        if edits is None:
            return error(
                400,
                f"fakeauth: no field of a {vendor} account can be changed; delete it and add it "
                f"again with POST /_fakeauth/accounts/{vendor}",
            )
        names = ", ".join(field.name for field in edits.fields)
        body = json_body(request)
        if not isinstance(body, dict) or not body:
            raise ConfigurationError(
                f"the body is an object of the fields to change, as in "
                f"{_example(edits.fields[0])}; the fields of {vendor} accounts are: {names}"
            )
        unknown = sorted(set(body) - {field.name for field in edits.fields})
        if unknown:
            raise ConfigurationError(
                f"unknown field(s) {', '.join(map(repr, unknown))}; the fields of {vendor} "
                f"accounts are: {names}"
            )
        if account_id not in {account["id"] for account in state.export_accounts()}:
            return error(404, _no_account(vendor, account_id))
        edits.update(account_id, **body)
        changed = [row for row in _rows(fake, vendor) if row["id"] == account_id]
        return Response.json(200, {"account": changed[0]})

    handler.__doc__ = (
        f"``PATCH /_fakeauth/accounts/{vendor}/<account id>``: change some fields of the account "
        f"(those ``GET /_fakeauth/vendors`` lists), each checked as ``fake.{vendor}.add_account`` "
        "checks it; the changed account's row."
    )
    return handler


def _example(field: AccountField) -> str:
    """A body that changes ``field``, for an error's sentence."""
    value = {"checkbox": "true", "choices": "[]"}.get(field.kind, '"new value"')
    if field.kind == "choice":
        value = json.dumps(next((choice for choice in field.choices if choice), None))
    return f'{{"{field.name}": {value}}}'


def vendors(fake: FakeAuth, request: Request) -> Response:
    """``GET /_fakeauth/vendors``: each vendor's name, label, the fields its create form offers
    besides email and password (``create``) and the fields an edit changes (``edit``)."""
    listed = []
    for vendor in fake.vendors:
        edits = vendor.edits(fake.vendor_state(vendor.name))
        listed.append(
            {
                "name": vendor.name,
                "label": vendor.label or vendor.name,
                "create": [field.to_dict() for field in vendor.account_fields],
                "edit": [field.to_dict() for field in edits.fields] if edits is not None else [],
            }
        )
    return Response.json(200, listed)


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


class FaultBody(ControlBody):
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
    fault = validated(FaultBody, json_body(request), _FAULT_EXAMPLE)
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


#: The dashboard's routes, as ``(method, path, handler)``.
ROUTES: tuple[tuple[str, str, _Handler], ...] = (
    ("GET", "/_fakeauth/", _page),
    ("GET", "/_fakeauth/index.html", _page),
    *(("GET", f"/_fakeauth/static/{name}", _static(name)) for name in ASSETS),
    ("GET", "/_fakeauth/status", status),
    ("GET", "/_fakeauth/vendors", vendors),
    ("GET", "/_fakeauth/tokens", tokens),
    ("GET", "/_fakeauth/faults", get_faults),
    ("POST", "/_fakeauth/faults", add_fault),
    ("DELETE", "/_fakeauth/faults", clear_faults),
)


def vendor_routes(vendor: str) -> list[tuple[str, str, _Handler]]:
    """The dashboard's routes of one vendor's accounts."""
    return [
        ("GET", f"/_fakeauth/accounts/{vendor}", _accounts(vendor)),
        ("POST", f"/_fakeauth/accounts/{vendor}", _add_account(vendor)),
        ("POST", f"/_fakeauth/accounts/{vendor}/delete", _delete_account(vendor)),
        ("POST", f"/_fakeauth/accounts/{vendor}/sign-out", _sign_out(vendor)),
        ("PATCH", f"/_fakeauth/accounts/{vendor}/<account_id>", _edit_account(vendor)),
    ]
