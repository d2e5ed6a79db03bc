"""walt.id's part of a state document: its schema, and the records written to it and read from
it (:meth:`WaltidState.to_document <fakeauth.state.waltid.WaltidState.to_document>` and
``load_document``).

A part read is validated and checked to agree with itself, then handed to the state as a
snapshot of its own type, which the state restores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import AwareDatetime

from fakeauth.passwords import PasswordHash
from fakeauth.randomness import RandomStream
from fakeauth.state.document import (
    Contradiction,
    PartDoc,
    PasswordDoc,
    Position,
    Seconds,
    SignerDoc,
    TokensDoc,
    hash_of,
    instant,
    parsed,
    password_doc,
    position,
    positions,
    signer_doc,
    signer_key,
    tokens_doc,
    tokens_snapshot,
    unique,
    utc,
)
from fakeauth.state.waltid_accounts import (
    WaltidAccount,
    WaltidOrganization,
    WaltidSession,
    WaltidSnapshot,
)
from fakeauth.tokens import JwtSigner, TokenStore

__all__ = ["WaltidDoc", "read", "written"]

#: A line of ``superadmin-registration.conf``: the email, the password (or its hash), the expiry.
Registration = tuple[str, "str | PasswordHash", float]


class WaltidAccountDoc(PartDoc):
    """A walt.id account."""

    id: str
    profile: dict[str, str]
    preferences: dict[str, str]
    created_at: AwareDatetime
    login_email: str | None
    password: PasswordDoc | None
    roles: dict[str, list[str]]
    flags: list[str]
    superadmin: bool
    type: str


class OrganizationDoc(PartDoc):
    """A walt.id organization."""

    id: str
    name: str
    created_at: AwareDatetime


class WaltidSessionDoc(PartDoc):
    """A walt.id login session."""

    id: str
    account_id: str
    created_at: AwareDatetime
    expires_at: Seconds


class RegistrationDoc(PartDoc):
    """A line of walt.id's ``superadmin-registration.conf``: a configured token, and the email
    and password hash of the Super Admin it creates."""

    token: str
    email: str
    password: PasswordDoc
    expires_at: Seconds


class WaltidDoc(PartDoc):
    """The walt.id state."""

    signer: SignerDoc
    streams: dict[str, Position]
    accounts: list[WaltidAccountDoc]
    organizations: list[OrganizationDoc]
    roles: dict[str, str]
    sessions: list[WaltidSessionDoc]
    registrations: list[RegistrationDoc]
    tokens: TokensDoc


def written(
    *,
    accounts: Iterable[WaltidAccount],
    organizations: Iterable[WaltidOrganization],
    roles: Mapping[str, str],
    sessions: Iterable[WaltidSession],
    registrations: Mapping[str, Registration],
    signer: JwtSigner,
    tokens: TokenStore,
    streams: Mapping[str, RandomStream | None],
) -> dict[str, Any]:
    """The walt.id part of a document of these records (the caller holds the state's lock)."""
    return {
        "signer": signer_doc(signer),
        "streams": {name: position(stream) for name, stream in streams.items()},
        "accounts": [
            {
                "id": a.id,
                "profile": dict(a.profile),
                "preferences": dict(a.preferences),
                "created_at": instant(a.created_at),
                "login_email": a.login_email,
                "password": None if a.password is None else password_doc(a.password),
                "roles": {org: list(held) for org, held in a.roles.items()},
                "flags": list(a.flags),
                "superadmin": a.superadmin,
                "type": a.type,
            }
            for a in accounts
        ],
        "organizations": [
            {"id": o.id, "name": o.name, "created_at": instant(o.created_at)} for o in organizations
        ],
        "roles": dict(roles),
        "sessions": [
            {
                "id": s.id,
                "account_id": s.account_id,
                "created_at": instant(s.created_at),
                "expires_at": s.expires_at,
            }
            for s in sessions
        ],
        "registrations": [
            {
                "token": token,
                "email": email,
                "password": password_doc(_registration_hash(token, password)),
                "expires_at": expires,
            }
            for token, (email, password, expires) in registrations.items()
        ],
        "tokens": tokens_doc(tokens),
    }


def _registration_hash(token: str, password: str | PasswordHash) -> PasswordHash:
    """The hash of a registration line's password, never the password: salted from the token,
    so that writing twice writes the same document (and draws nothing from a stream)."""
    if isinstance(password, PasswordHash):
        return password
    salt = hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return PasswordHash.salted(password, salt)


def read(
    document: Any, *, algorithm: str, streams: Iterable[str] | None
) -> tuple[WaltidSnapshot, dict[str, tuple[int, ...]]]:
    """The records of a walt.id part as a snapshot, and the positions of its random streams
    (``streams``: the state's stream names when the positions apply, else ``None``); raises
    :class:`~fakeauth.errors.ConfigurationError` naming what is wrong."""
    doc = parsed(WaltidDoc, document)
    organizations: dict[str, WaltidOrganization] = {}
    for o in doc.organizations:
        if o.id in organizations:
            raise Contradiction(f"two walt.id organizations have the id {o.id!r}; keep one")
        organizations[o.id] = WaltidOrganization(o.id, o.name, utc(o.created_at))
    for role, organization in doc.roles.items():
        if organization not in organizations:
            raise Contradiction(f"the walt.id role {role!r} is of no organization of the document")
    accounts, by_email, by_login = _accounts(doc)
    sessions: dict[str, WaltidSession] = {}
    for s in doc.sessions:
        if s.account_id not in accounts:
            raise Contradiction(f"the walt.id session {s.id!r} is of no account of the document")
        if s.id in sessions:
            raise Contradiction(f"two walt.id sessions have the id {s.id!r}; keep one")
        sessions[s.id] = WaltidSession(s.id, s.account_id, utc(s.created_at), s.expires_at)
    unique((r.token for r in doc.registrations), "walt.id registration tokens are")
    registrations: dict[str, Registration] = {
        r.token: (r.email, hash_of(r.password), r.expires_at) for r in doc.registrations
    }
    snapshot = WaltidSnapshot(
        accounts,
        by_email,
        by_login,
        organizations,
        dict(doc.roles),
        sessions,
        registrations,
        tokens_snapshot(doc.tokens, "walt.id"),
        signer_key(doc.signer, algorithm, "walt.id"),
    )
    return snapshot, {} if streams is None else positions(doc.streams, streams, "walt.id")


def _accounts(
    doc: WaltidDoc,
) -> tuple[dict[str, WaltidAccount], dict[str, WaltidAccount], dict[str, WaltidAccount]]:
    accounts: dict[str, WaltidAccount] = {}
    by_email: dict[str, WaltidAccount] = {}
    by_login: dict[str, WaltidAccount] = {}
    for a in doc.accounts:
        if "email" not in a.profile:
            raise Contradiction(f"the walt.id account {a.id!r} has no email in its profile")
        account = WaltidAccount(
            id=a.id,
            profile=a.profile,
            preferences=a.preferences,
            created_at=utc(a.created_at),
            login_email=a.login_email,
            password=None if a.password is None else hash_of(a.password),
            roles={org: tuple(held) for org, held in a.roles.items()},
            flags=tuple(a.flags),
            superadmin=a.superadmin,
            type=a.type,
        )
        email = account.email.lower()
        if email in by_email or (a.login_email or "").lower() in by_login:
            raise Contradiction(f"two walt.id accounts have the email {account.email!r}")
        if a.id in accounts:
            raise Contradiction(f"two walt.id accounts have the id {a.id!r}; keep one")
        accounts[a.id] = by_email[email] = account
        if a.login_email is not None:
            by_login[a.login_email.lower()] = account
    return accounts, by_email, by_login
