"""walt.id's part of a state document (see :mod:`fakeauth.persistence.vendors`)."""

from __future__ import annotations

import hashlib
from typing import Any

from fakeauth.passwords import PasswordHash
from fakeauth.passwords import _digest as password_digest
from fakeauth.persistence.common import (
    Contradiction,
    hash_of,
    instant,
    known,
    load_signer,
    load_streams,
    load_tokens,
    password_doc,
    position,
    signer_doc,
    signer_stream,
    tokens_doc,
    unique,
    utc,
)
from fakeauth.persistence.model import WaltidDoc
from fakeauth.randomness import RandomStream
from fakeauth.state.waltid import WaltidState
from fakeauth.state.waltid_accounts import WaltidAccount, WaltidOrganization, WaltidSession

__all__ = ["export_waltid", "load_waltid"]


def export_waltid(state: WaltidState) -> dict[str, Any]:
    """The walt.id part of a document."""
    with state._lock:
        return {
            "signer": signer_doc(state.signer),
            "streams": {
                "waltid.ids": position(state._ids),
                "waltid.signing-key": signer_stream(state.signer),
            },
            "accounts": [
                {
                    "id": a.id,
                    "profile": dict(a.profile),
                    "preferences": dict(a.preferences),
                    "created_at": instant(a.created_at),
                    "login_email": a.login_email,
                    "password": None if a.password is None else password_doc(a.password),
                    "roles": {org: list(roles) for org, roles in a.roles.items()},
                    "flags": list(a.flags),
                    "superadmin": a.superadmin,
                    "type": a.type,
                }
                for a in state._accounts.values()
            ],
            "organizations": [
                {"id": o.id, "name": o.name, "created_at": instant(o.created_at)}
                for o in state.organizations.values()
            ],
            "roles": dict(state.roles),
            "sessions": [
                {
                    "id": s.id,
                    "account_id": s.account_id,
                    "created_at": instant(s.created_at),
                    "expires_at": s.expires_at,
                }
                for s in state.sessions.values()
            ],
            "registrations": [
                {
                    "token": token,
                    "email": email,
                    "password": password_doc(_registrationhash_of(token, password)),
                    "expires_at": expires,
                }
                for token, (email, password, expires) in state._registrations.items()
            ],
            "tokens": tokens_doc(state.tokens),
        }


def _registrationhash_of(token: str, password: str | PasswordHash) -> PasswordHash:
    """The hash of a registration line's password, never the password: salted from the token,
    so that exporting twice writes the same document (and draws nothing from a stream)."""
    if isinstance(password, PasswordHash):
        return password
    salt = hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return PasswordHash(salt, password_digest(password, salt))


def load_waltid(state: WaltidState, doc: WaltidDoc, *, exact: bool) -> None:
    """Fill the new ``state`` from ``doc``; ``exact``: continue its random streams too."""
    organizations: dict[str, WaltidOrganization] = {}
    for o in doc.organizations:
        if o.id in organizations:
            raise Contradiction(f"two walt.id organizations have the id {o.id!r}; keep one")
        organizations[o.id] = WaltidOrganization(o.id, o.name, utc(o.created_at))
    for role, organization in doc.roles.items():
        known(
            organization,
            organizations.__contains__,
            f"the walt.id role {role!r} is of no organization of the document",
        )
    accounts: dict[str, WaltidAccount] = {}
    by_email: dict[str, WaltidAccount] = {}
    by_login: dict[str, WaltidAccount] = {}
    for a in doc.accounts:
        if "email" not in a.profile:
            raise Contradiction(f"the walt.id account {a.id!r} has no email in its profile")
        account = WaltidAccount(
            id=a.id,
            profile=dict(a.profile),
            preferences=dict(a.preferences),
            created_at=utc(a.created_at),
            login_email=a.login_email,
            password=None if a.password is None else hash_of(a.password),
            roles={org: tuple(roles) for org, roles in a.roles.items()},
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
    sessions: dict[str, WaltidSession] = {}
    for s in doc.sessions:
        if s.account_id not in accounts:
            raise Contradiction(f"the walt.id session {s.id!r} is of no account of the document")
        if s.id in sessions:
            raise Contradiction(f"two walt.id sessions have the id {s.id!r}; keep one")
        sessions[s.id] = WaltidSession(s.id, s.account_id, utc(s.created_at), s.expires_at)
    registrations: dict[str, tuple[str, str | PasswordHash, float]] = {
        r.token: (r.email, hash_of(r.password), r.expires_at) for r in doc.registrations
    }
    unique((r.token for r in doc.registrations), "walt.id registration tokens are")
    load_signer(state.signer, doc.signer, "walt.id")
    load_tokens(state.tokens, doc.tokens, "walt.id")
    if exact:
        streams = {"waltid.ids": state._ids}
        if isinstance(state.signer._random, RandomStream):
            streams["waltid.signing-key"] = state.signer._random
        load_streams(doc.streams, streams, "walt.id")
    state.organizations, state.roles = organizations, dict(doc.roles)
    state._accounts, state._by_email, state._by_login = accounts, by_email, by_login
    state.sessions, state._registrations = sessions, registrations
