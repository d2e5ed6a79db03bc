"""Each vendor state to its part of a state document, and back into a new state object.

``export_*`` read a state under its lock into plain JSON-ready data (ids and hashes, never a raw
token). ``load_*`` fill a *new* state object (not yet reachable from the fake) from a validated
document part, checking that the part agrees with itself; the caller swaps the new states in only
once all of them are built, so a refused document changes nothing. walt.id's part is in
:mod:`fakeauth.persistence.waltid`.
"""

from __future__ import annotations

import copy
from typing import Any

from fakeauth.hosts import host_keys
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
from fakeauth.persistence.model import B2CoreDoc, OvokDoc
from fakeauth.persistence.waltid import export_waltid, load_waltid
from fakeauth.randomness import RandomStream
from fakeauth.state.b2core import (
    B2CoreAccount,
    B2CoreBroker,
    B2CoreState,
    WizardSession,
    thawed,
)
from fakeauth.state.ovok import OvokAccount, OvokClient, OvokSession, OvokState, OvokTenant

__all__ = [
    "export_b2core",
    "export_ovok",
    "export_waltid",
    "load_b2core",
    "load_ovok",
    "load_waltid",
]


# -- Ovok -----------------------------------------------------------------------------------------


def export_ovok(state: OvokState) -> dict[str, Any]:
    """The Ovok part of a document."""
    with state._lock:
        return {
            "signer": signer_doc(state.signer),
            "streams": {"ovok.ids": position(state._ids_stream)},
            "tenants": [
                {
                    "id": t.id,
                    "project_id": t.project_id,
                    "display": t.display,
                    "strict_mode": t.strict_mode,
                    "client_id": t.client_id,
                }
                for t in state.tenants.values()
            ],
            "clients": [{"id": c.id, "tenant_id": c.tenant_id} for c in state.clients.values()],
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
                for a in state._accounts.values()
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
                for s in state.sessions.values()
            ],
            "tokens": tokens_doc(state.tokens),
        }


def load_ovok(state: OvokState, doc: OvokDoc, *, exact: bool) -> None:
    """Fill the new ``state`` from ``doc``; ``exact``: continue its random streams too."""
    tenants = {
        t.id: OvokTenant(t.id, t.project_id, t.display, t.strict_mode, t.client_id)
        for t in doc.tenants
    }
    unique((t.id for t in doc.tenants), "Ovok tenants have the id")
    clients = {c.id: OvokClient(c.id, c.tenant_id) for c in doc.clients}
    unique((c.id for c in doc.clients), "Ovok clients have the id")
    for client in clients.values():
        known(
            client.tenant_id, tenants.__contains__, f"the Ovok client {client.id!r} names no tenant"
        )
    for tenant in tenants.values():
        own = clients.get(tenant.client_id)
        if own is None or own.tenant_id != tenant.id:
            raise Contradiction(f"the Ovok tenant {tenant.id!r} names a client it does not have")
    accounts: dict[str, OvokAccount] = {}
    by_email: dict[tuple[str, str], OvokAccount] = {}
    for a in doc.accounts:
        account = OvokAccount(
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
        if account.tenant_id not in tenants:
            raise Contradiction(f"the Ovok account {a.email!r} is in no tenant of the document")
        key = (account.tenant_id, account.email.lower())
        if key in by_email:
            raise Contradiction(f"two Ovok accounts have the email {a.email!r}; keep one")
        if account.id in accounts:
            raise Contradiction(f"two Ovok accounts have the id {a.id!r}; keep one")
        accounts[account.id] = by_email[key] = account
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
    load_signer(state.signer, doc.signer, "Ovok")
    load_tokens(state.tokens, doc.tokens, "Ovok")
    if exact:
        load_streams(doc.streams, {"ovok.ids": state._ids}, "Ovok")
    state.tenants, state.clients = tenants, clients
    state._accounts, state._by_email = accounts, by_email
    state.sessions, state._account_sessions = sessions, account_sessions


# -- B2Core ---------------------------------------------------------------------------------------


def export_b2core(state: B2CoreState) -> dict[str, Any]:
    """The B2Core part of a document."""
    with state._lock:
        return {
            "signer": signer_doc(state.signer),
            "streams": {
                "b2core.ids": position(state._ids),
                "b2core.codes": position(state._codes),
                "b2core.signing-key": signer_stream(state.signer),
            },
            "brokers": [
                {
                    "url": b.url,
                    "require_fields": list(b.require_fields),
                    "extra_steps": {name: list(f) for name, f in b.extra_steps.items()},
                    "recaptcha": b.recaptcha,
                    "recaptcha_response": b.recaptcha_response,
                    "strict_fingerprint": b.strict_fingerprint,
                    "failures": {key: list(times) for key, times in b.failures.items()},
                    "locked_until": dict(b.locked_until),
                }
                for b in state._brokers.values()
            ],
            "accounts": [
                {
                    "id": a.id,
                    "broker": a.broker,
                    "email": a.email,
                    "password": password_doc(a.password),
                    "given_name": a.given_name,
                    "family_name": a.family_name,
                    "phone": a.phone,
                    "two_factor": a.two_factor,
                    "totp_secret": a.totp_secret,
                    "created_at": instant(a.created_at),
                    "form": thawed(a.form),
                    "sms_code": state._sms_codes.get(a.id),
                }
                for a in state._accounts.values()
            ],
            "wizards": [
                {
                    "uuid": w.uuid,
                    "flow": w.flow,
                    "broker": w.broker.url,
                    "workflow": w.workflow,
                    "created_at": instant(w.created_at),
                    "expires_at": w.expires_at,
                    "steps": [[name, list(fields)] for name, fields in w.steps],
                    "form": w.form,
                    "password": None if w.password is None else password_doc(w.password),
                    "account": None if w.account is None else w.account.id,
                    "sms_code": w.sms_code,
                    "finished": w.finished,
                }
                for w in state.sessions.values()
            ],
            "tokens": tokens_doc(state.tokens),
        }


def load_b2core(state: B2CoreState, doc: B2CoreDoc, *, exact: bool) -> None:
    """Fill the new ``state`` from ``doc``; ``exact``: continue its random streams too."""
    brokers: dict[str, B2CoreBroker] = {}
    by_host: dict[str, B2CoreBroker] = {}
    for b in doc.brokers:
        if b.url in brokers:
            raise Contradiction(f"two B2Core brokers are on {b.url!r}; keep one")
        broker = B2CoreBroker(b.url).configure(
            require_fields=b.require_fields,
            extra_steps=b.extra_steps,
            recaptcha=b.recaptcha,
            recaptcha_response=b.recaptcha_response,
            strict_fingerprint=b.strict_fingerprint,
        )
        broker.failures = {key: list(times) for key, times in b.failures.items()}
        broker.locked_until = dict(b.locked_until)
        brokers[b.url] = broker
        for host in host_keys(b.url):
            by_host[host] = broker
    for url in state.hosts:
        known(url, brokers.__contains__, f"the configured B2Core broker {url!r} is missing")
    accounts: dict[str, B2CoreAccount] = {}
    sms_codes: dict[str, str] = {}
    for a in doc.accounts:
        owner = brokers.get(a.broker)
        if owner is None:
            raise Contradiction(f"the B2Core account {a.email!r} is of no broker of the document")
        key = a.email.casefold()
        if key in owner.accounts:
            raise Contradiction(f"two B2Core accounts of {a.broker!r} have the email {a.email!r}")
        if a.id in accounts:
            raise Contradiction(f"two B2Core accounts have the id {a.id!r}; keep one")
        account = B2CoreAccount(
            id=a.id,
            broker=a.broker,
            email=a.email,
            password=hash_of(a.password),
            given_name=a.given_name,
            family_name=a.family_name,
            phone=a.phone,
            two_factor=a.two_factor,
            totp_secret=a.totp_secret,
            created_at=utc(a.created_at),
            form=copy.deepcopy(a.form),
        )
        accounts[a.id] = owner.accounts[key] = account
        if a.sms_code is not None:
            sms_codes[a.id] = a.sms_code
    wizards: dict[str, WizardSession] = {}
    for w in doc.wizards:
        of_broker = brokers.get(w.broker)
        if of_broker is None:
            raise Contradiction(f"the B2Core wizard {w.uuid!r} is of no broker of the document")
        of_account = None if w.account is None else accounts.get(w.account)
        if w.account is not None and of_account is None:
            raise Contradiction(f"the B2Core wizard {w.uuid!r} names no account of the document")
        if w.uuid in wizards:
            raise Contradiction(f"two B2Core wizards have the uuid {w.uuid!r}; keep one")
        wizards[w.uuid] = WizardSession(
            uuid=w.uuid,
            flow=w.flow,
            broker=of_broker,
            workflow=w.workflow,
            created_at=utc(w.created_at),
            expires_at=w.expires_at,
            steps=[(name, tuple(fields)) for name, fields in w.steps],
            form=copy.deepcopy(w.form),
            password=None if w.password is None else hash_of(w.password),
            account=of_account,
            sms_code=w.sms_code,
            finished=w.finished,
        )
    load_signer(state.signer, doc.signer, "B2Core")
    load_tokens(state.tokens, doc.tokens, "B2Core")
    if exact:
        streams = {"b2core.ids": state._ids, "b2core.codes": state._codes}
        if isinstance(state.signer._random, RandomStream):
            streams["b2core.signing-key"] = state.signer._random
        load_streams(doc.streams, streams, "B2Core")
    state._brokers, state._by_host, state._accounts = brokers, by_host, accounts
    state.sessions, state._sms_codes = wizards, sms_codes
    state._next_wizard_sweep = max(state._next_wizard_sweep, 2 * len(wizards))
