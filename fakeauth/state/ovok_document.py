"""Ovok's part of a state document: its schema, and the records written to it and read from it
(:meth:`OvokState.to_document <fakeauth.state.ovok.OvokState.to_document>` and
``load_document``).

A part read is validated, checked to agree with itself, and checked by the rules
``add_account`` applies (:func:`~fakeauth.state.ovok_records.check_account`), then handed to the
state as a snapshot of its own type, which the state restores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import AwareDatetime

from fakeauth.errors import FieldRefused
from fakeauth.randomness import RandomStream
from fakeauth.state.document import (
    Contradiction,
    PartDoc,
    PasswordDoc,
    Position,
    SignerDoc,
    TokensDoc,
    hash_of,
    instant,
    parsed,
    password_doc,
    position,
    positions,
    refused_field,
    signer_doc,
    signer_key,
    tokens_doc,
    tokens_snapshot,
    unique,
    utc,
)
from fakeauth.state.ovok_records import (
    OvokAccount,
    OvokClient,
    OvokSession,
    OvokSnapshot,
    OvokTenant,
    check_account,
)
from fakeauth.tokens import JwtSigner, TokenStore

__all__ = ["OvokDoc", "read", "written"]


class OvokTenantDoc(PartDoc):
    """An Ovok tenant (project)."""

    id: str
    project_id: str
    display: str
    strict_mode: bool
    client_id: str


class OvokClientDoc(PartDoc):
    """An Ovok client application."""

    id: str
    tenant_id: str


class OvokAccountDoc(PartDoc):
    """An Ovok account."""

    id: str
    tenant_id: str
    email: str
    name: str
    surname: str
    profile_id: str
    membership_id: str
    password: PasswordDoc
    created_at: AwareDatetime
    email_verified: bool


class OvokSessionDoc(PartDoc):
    """An Ovok login session."""

    id: str
    account_id: str
    client_id: str
    created_at: AwareDatetime
    last_updated: AwareDatetime
    remote_address: str
    user_agent: str


class OvokDoc(PartDoc):
    """The Ovok state."""

    signer: SignerDoc
    streams: dict[str, Position]
    tenants: list[OvokTenantDoc]
    clients: list[OvokClientDoc]
    accounts: list[OvokAccountDoc]
    sessions: list[OvokSessionDoc]
    tokens: TokensDoc


def written(
    *,
    tenants: Iterable[OvokTenant],
    clients: Iterable[OvokClient],
    accounts: Iterable[OvokAccount],
    sessions: Iterable[OvokSession],
    signer: JwtSigner,
    tokens: TokenStore,
    streams: Mapping[str, RandomStream | None],
) -> dict[str, Any]:
    """The Ovok part of a document of these records (the caller holds the state's lock)."""
    return {
        "signer": signer_doc(signer),
        "streams": {name: position(stream) for name, stream in streams.items()},
        "tenants": [
            {
                "id": t.id,
                "project_id": t.project_id,
                "display": t.display,
                "strict_mode": t.strict_mode,
                "client_id": t.client_id,
            }
            for t in tenants
        ],
        "clients": [{"id": c.id, "tenant_id": c.tenant_id} for c in clients],
        "accounts": [
            {
                "id": a.id,
                "tenant_id": a.tenant_id,
                "email": a.email,
                "name": a.name,
                "surname": a.surname,
                "profile_id": a.profile_id,
                "membership_id": a.membership_id,
                "password": password_doc(a.password),
                "created_at": instant(a.created_at),
                "email_verified": a.email_verified,
            }
            for a in accounts
        ],
        "sessions": [
            {
                "id": s.id,
                "account_id": s.account_id,
                "client_id": s.client_id,
                "created_at": instant(s.created_at),
                "last_updated": instant(s.last_updated),
                "remote_address": s.remote_address,
                "user_agent": s.user_agent,
            }
            for s in sessions
        ],
        "tokens": tokens_doc(tokens),
    }


def read(
    document: Any, *, algorithm: str, streams: Iterable[str] | None
) -> tuple[OvokSnapshot, dict[str, tuple[int, ...]]]:
    """The records of an Ovok part as a snapshot, and the positions of its random streams
    (``streams``: the state's stream names when the positions apply, else ``None``); raises
    :class:`~fakeauth.errors.ConfigurationError` naming what is wrong."""
    doc = parsed(OvokDoc, document)
    tenants = {
        t.id: OvokTenant(t.id, t.project_id, t.display, t.strict_mode, t.client_id)
        for t in doc.tenants
    }
    unique((t.id for t in doc.tenants), "Ovok tenants have the id")
    clients = {c.id: OvokClient(c.id, c.tenant_id) for c in doc.clients}
    unique((c.id for c in doc.clients), "Ovok clients have the id")
    for client in clients.values():
        if client.tenant_id not in tenants:
            raise Contradiction(f"the Ovok client {client.id!r} names no tenant")
    for tenant in tenants.values():
        own = clients.get(tenant.client_id)
        if own is None or own.tenant_id != tenant.id:
            raise Contradiction(f"the Ovok tenant {tenant.id!r} names a client it does not have")
    accounts, by_email = _accounts(doc, tenants)
    sessions: dict[str, OvokSession] = {}
    account_sessions: dict[str, dict[str, OvokSession]] = {}
    for s in doc.sessions:
        session = OvokSession(
            s.id,
            s.account_id,
            s.client_id,
            utc(s.created_at),
            utc(s.last_updated),
            s.remote_address,
            s.user_agent,
        )
        if session.account_id not in accounts:
            raise Contradiction(f"the Ovok session {s.id!r} is of no account of the document")
        if session.id in sessions:
            raise Contradiction(f"two Ovok sessions have the id {s.id!r}; keep one")
        sessions[session.id] = session
        account_sessions.setdefault(session.account_id, {})[session.id] = session
    snapshot = OvokSnapshot(
        tenants,
        clients,
        accounts,
        by_email,
        sessions,
        account_sessions,
        tokens_snapshot(doc.tokens, "Ovok"),
        signer_key(doc.signer, algorithm, "Ovok"),
    )
    return snapshot, {} if streams is None else positions(doc.streams, streams, "Ovok")


def _accounts(
    doc: OvokDoc, tenants: Mapping[str, OvokTenant]
) -> tuple[dict[str, OvokAccount], dict[tuple[str, str], OvokAccount]]:
    accounts: dict[str, OvokAccount] = {}
    by_email: dict[tuple[str, str], OvokAccount] = {}
    for index, a in enumerate(doc.accounts):
        try:
            check_account(a.email, a.name, a.surname)
        except FieldRefused as exc:
            raise refused_field(exc, "accounts", index) from None
        if a.tenant_id not in tenants:
            raise Contradiction(f"the Ovok account {a.email!r} is in no tenant of the document")
        key = (a.tenant_id, a.email.lower())
        if key in by_email:
            raise Contradiction(f"two Ovok accounts have the email {a.email!r}; keep one")
        if a.id in accounts:
            raise Contradiction(f"two Ovok accounts have the id {a.id!r}; keep one")
        accounts[a.id] = by_email[key] = OvokAccount(
            id=a.id,
            tenant_id=a.tenant_id,
            email=a.email,
            name=a.name,
            surname=a.surname,
            profile_id=a.profile_id,
            membership_id=a.membership_id,
            password=hash_of(a.password),
            created_at=utc(a.created_at),
            email_verified=a.email_verified,
        )
    return accounts, by_email
