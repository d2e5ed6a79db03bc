"""B2Core's part of a state document: its schema, and the records written to it and read from it
(:meth:`B2CoreState.to_document <fakeauth.state.b2core.B2CoreState.to_document>` and
``load_document``).

A part read is validated, checked to agree with itself and with the configured brokers, and
checked by the rules ``add_account`` applies
(:func:`~fakeauth.state.b2core_brokers.check_account`), then handed to the state as a snapshot
of its own type, which the state restores.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import AwareDatetime

from fakeauth.errors import FieldRefused
from fakeauth.randomness import RandomStream
from fakeauth.state.b2core_brokers import (
    B2CoreAccount,
    B2CoreBroker,
    B2CoreSnapshot,
    WizardSession,
    check_account,
    thawed,
)
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
    refused_field,
    signer_doc,
    signer_key,
    tokens_doc,
    tokens_snapshot,
    utc,
)
from fakeauth.tokens import SWEEP_AT, JwtSigner, TokenStore

__all__ = ["B2CoreDoc", "read", "written"]


class BrokerDoc(PartDoc):
    """A B2Core broker and its settings (its accounts are listed apart)."""

    url: str
    require_fields: list[str]
    extra_steps: dict[str, list[str]]
    recaptcha: bool
    recaptcha_response: str
    strict_fingerprint: bool
    failures: dict[str, list[Seconds]]
    locked_until: dict[str, Seconds]


class B2CoreAccountDoc(PartDoc):
    """A B2Core account, with its 2FA secret and its last SMS code."""

    id: str
    broker: str
    email: str
    password: PasswordDoc
    given_name: str
    family_name: str
    phone: str | None
    two_factor: str | None
    totp_secret: str
    created_at: AwareDatetime
    form: dict[str, Any]
    sms_code: str | None


class WizardDoc(PartDoc):
    """A B2Core sign-up or sign-in wizard session."""

    uuid: str
    flow: str
    broker: str
    workflow: str
    created_at: AwareDatetime
    expires_at: Seconds
    steps: list[tuple[str, list[str]]]
    form: dict[str, Any]
    password: PasswordDoc | None
    account: str | None
    sms_code: str | None
    finished: bool


class B2CoreDoc(PartDoc):
    """The B2Core state."""

    signer: SignerDoc
    streams: dict[str, Position]
    brokers: list[BrokerDoc]
    accounts: list[B2CoreAccountDoc]
    wizards: list[WizardDoc]
    tokens: TokensDoc


def written(
    *,
    brokers: Iterable[B2CoreBroker],
    accounts: Iterable[B2CoreAccount],
    sms_codes: Mapping[str, str],
    wizards: Iterable[WizardSession],
    signer: JwtSigner,
    tokens: TokenStore,
    streams: Mapping[str, RandomStream | None],
) -> dict[str, Any]:
    """The B2Core part of a document of these records (the caller holds the state's lock)."""
    return {
        "signer": signer_doc(signer),
        "streams": {name: position(stream) for name, stream in streams.items()},
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
            for b in brokers
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
                "sms_code": sms_codes.get(a.id),
            }
            for a in accounts
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
                # a wizard's form is the state's own (nested JSON): the document gets a copy
                "form": copy.deepcopy(w.form),
                "password": None if w.password is None else password_doc(w.password),
                "account": None if w.account is None else w.account.id,
                "sms_code": w.sms_code,
                "finished": w.finished,
            }
            for w in wizards
        ],
        "tokens": tokens_doc(tokens),
    }


def read(
    document: Any, *, hosts: Iterable[str], algorithm: str, streams: Iterable[str] | None
) -> tuple[B2CoreSnapshot, dict[str, tuple[int, ...]]]:
    """The records of a B2Core part as a snapshot, and the positions of its random streams
    (``streams``: the state's stream names when the positions apply, else ``None``); every
    configured broker (``hosts``) must be in it. Raises
    :class:`~fakeauth.errors.ConfigurationError` naming what is wrong."""
    doc = parsed(B2CoreDoc, document)
    brokers = _brokers(doc)
    for url in hosts:
        if url not in brokers:
            raise Contradiction(f"the configured B2Core broker {url!r} is missing")
    accounts, sms_codes = _accounts(doc, brokers)
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
    snapshot = B2CoreSnapshot(
        tuple(brokers.values()),
        accounts,
        sms_codes,
        tuple(wizards.values()),
        tokens_snapshot(doc.tokens, "B2Core"),
        signer_key(doc.signer, algorithm, "B2Core"),
        max(SWEEP_AT, 2 * len(wizards)),
    )
    return snapshot, {} if streams is None else positions(doc.streams, streams, "B2Core")


def _brokers(doc: B2CoreDoc) -> dict[str, B2CoreBroker]:
    brokers: dict[str, B2CoreBroker] = {}
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
    return brokers


def _accounts(
    doc: B2CoreDoc, brokers: Mapping[str, B2CoreBroker]
) -> tuple[dict[str, B2CoreAccount], dict[str, str]]:
    accounts: dict[str, B2CoreAccount] = {}
    sms_codes: dict[str, str] = {}
    for index, a in enumerate(doc.accounts):
        try:
            check_account(a.email, a.given_name, a.family_name, a.two_factor)
        except FieldRefused as exc:
            raise refused_field(exc, "accounts", index) from None
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
            form=a.form,  # the record freezes a copy
        )
        accounts[a.id] = owner.accounts[key] = account
        if a.sms_code is not None:
            sms_codes[a.id] = a.sms_code
    return accounts, sms_codes
