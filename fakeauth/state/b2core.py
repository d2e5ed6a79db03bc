"""B2Core front office: brokers, their accounts, wizard sessions, lockout and tokens.

Every broker runs on its own host and holds its own accounts and settings. A sign-up or sign-in is
a wizard session: created with a uuid, bound to its flow and broker, and usable until it finishes
or expires (by the fake's clock). Field errors are collected per field, as the real forms show them.
The brokers' settings, the records a wizard works with and the domain errors live in
:mod:`fakeauth.state.b2core_brokers`; every name is importable from here too. The state's stores
are its own objects: :mod:`~fakeauth.state.b2core_broker_registry` (the brokers),
:mod:`~fakeauth.state.b2core_account_book` (the accounts and SMS codes) and
:mod:`~fakeauth.state.b2core_wizards` (the wizard sessions); its seeding methods come from
:class:`~fakeauth.state.b2core_seeding.B2CoreSeeding`.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections.abc import Mapping
from typing import Any

from fakeauth.clock import Clock, to_datetime
from fakeauth.errors import TokenInvalid
from fakeauth.features import FeatureRegistry
from fakeauth.findings import Finding, HeldIds, token_finding, unverified_claims
from fakeauth.outbox import Outbox
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import Randomness, RandomStream
from fakeauth.state import b2core_brokers
from fakeauth.state.b2core_account_book import B2CoreAccountBook
from fakeauth.state.b2core_broker_registry import B2CoreBrokerRegistry, broker_copy
from fakeauth.state.b2core_brokers import *  # noqa: F403 - the records stay importable from here
from fakeauth.state.b2core_brokers import (
    ACCESS,
    BAD_CODE,
    BLANK,
    EMAIL_TAKEN,
    LOGIN_DONE_WORKFLOW,
    LOGIN_WORKFLOW,
    REFRESH,
    SIGNUP_DONE_WORKFLOW,
    SIGNUP_WORKFLOW,
    TWO_FACTOR_WORKFLOWS,
    WRONG_CREDENTIALS,
    B2CoreAccount,
    B2CoreBroker,
    B2CoreSnapshot,
    B2CoreTokens,
    FieldErrors,
    IssuedToken,
    WizardSession,
    WizardStep,
    WrongCredentials,
    is_blank,
    lookup,
    public_fields,
    totp_code,
)
from fakeauth.state.b2core_seeding import B2CoreSeeding
from fakeauth.state.b2core_wizards import SIGNIN_WIZARD as SIGNIN_WIZARD
from fakeauth.state.b2core_wizards import SIGNUP_WIZARD as SIGNUP_WIZARD
from fakeauth.state.b2core_wizards import WIZARD_RETENTION as WIZARD_RETENTION
from fakeauth.state.b2core_wizards import B2CoreWizards
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore, signed_expiry, token_claims

__all__ = ["SIGNIN_WIZARD", "SIGNUP_WIZARD", "B2CoreState"]
__all__ += b2core_brokers.__all__

_LABELS = {ACCESS: "B2Core access token", REFRESH: "B2Core refresh token"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


class B2CoreState(B2CoreSeeding):
    """The state of the B2Core API of one fake: one broker per configured host, ``hosts[0]``
    the default (``fake.b2core.broker()``).

    >>> fake.b2core.add_account(email="foo@bar.com", password="Secret123", two_factor="google")
    """

    def __init__(
        self,
        *,
        hosts: tuple[str, ...] = ("https://host.name",),
        clock: Clock,
        randomness: Randomness,
        outbox: Outbox,
        features: FeatureRegistry,
        access_token_ttl: int = 20 * 60,
        refresh_token_ttl: int = 30 * 24 * 3600,
    ) -> None:
        self.hosts = self.checked_options(hosts, access_token_ttl, refresh_token_ttl)
        self.clock = clock
        self.outbox = outbox
        self.features = features
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self._randomness = randomness
        self._lock = threading.RLock()
        self.signer = JwtSigner("HS256", randomness.stream("b2core.signing-key"))
        self._reset_state()

    def _reset_state(self) -> None:
        self._ids = self._randomness.stream("b2core.ids")
        self._codes = self._randomness.stream("b2core.codes")
        self.tokens = TokenStore(self.clock)
        self._registry = B2CoreBrokerRegistry()
        self._book = B2CoreAccountBook()
        self._wizards = B2CoreWizards()
        for url in self.hosts:
            self.add_broker(url)

    @property
    def sessions(self) -> dict[str, WizardSession]:
        """The open wizard sessions by uuid (the store's own dict)."""
        return self._wizards.sessions

    def reset(self) -> None:
        """Back to the embedded defaults: one broker per configured host, no accounts.

        The signing key is drawn anew, and the ids and codes of a new random epoch (the fake
        advances it first), so nothing issued before the reset is accepted, or issued, again.
        """
        with self._lock:
            self.signer.rotate()
            self._reset_state()

    def snapshot(self) -> B2CoreSnapshot:
        """The records as they are now: the accounts (immutable records) shared with the
        snapshot in constant time and copied on the state's next write; the brokers' settings
        and the open wizards copied."""
        with self._lock:
            brokers = self._registry.share()
            accounts, sms_codes = self._book.share()
            return B2CoreSnapshot(
                tuple(brokers.values()),
                accounts,
                sms_codes,
                self._wizards.share(brokers),
                self.tokens.snapshot(),
                self.signer.secret(),
                self._wizards.next_sweep,
            )

    def restore(self, snapshot: B2CoreSnapshot) -> None:
        """Hold the records of ``snapshot`` again; ids and codes continue from the current random
        epoch (the fake starts a new one first), the signing key is the snapshot's, so a token
        issued since is refused and never issued again."""
        with self._lock:
            brokers = {b.url: broker_copy(b) for b in snapshot.brokers}
            self._registry.hold(brokers)
            self._book.hold((snapshot.accounts, snapshot.sms_codes))
            self._wizards.hold(snapshot.wizards, brokers, snapshot.next_wizard_sweep)
            self.tokens.restore(snapshot.tokens)
            self._ids = self._randomness.stream("b2core.ids")
            self._codes = self._randomness.stream("b2core.codes")
            if snapshot.key is None:
                self.signer.rotate()
            else:
                self.signer.load_secret(snapshot.key)

    # -- the operations the API performs ----------------------------------------------------

    def start_signup(self, broker: B2CoreBroker) -> tuple[WizardSession, dict[str, Any]]:
        """Open a sign-up wizard; its first page's extra fields."""
        with self._lock:
            session = self._wizards.open(
                broker, "signup", SIGNUP_WORKFLOW, ids=self._ids, now=self.clock.time()
            )
            session.steps = [(SIGNUP_WORKFLOW, broker.require_fields), *broker.extra_steps.items()]
            return session, broker.form_fields()

    def start_signin(self, broker: B2CoreBroker) -> WizardSession:
        """Open a sign-in wizard."""
        with self._lock:
            return self._wizards.open(
                broker, "signin", LOGIN_WORKFLOW, ids=self._ids, now=self.clock.time()
            )

    def sign_up(
        self, broker: B2CoreBroker, uuid: str, form: Mapping[str, Any]
    ) -> WizardStep | B2CoreTokens:
        """Submit one page of a sign-up wizard: the next page, or the new account's tokens."""
        with self._lock:
            session = self._wizards.get(broker, uuid, "signup", None, now=self.clock.time())
            name, required = session.steps[0]
            errors: dict[str, list[str]] = {}
            if name == SIGNUP_WORKFLOW:
                broker.check_registration(form, errors)
            for path in required:
                if is_blank(lookup(form, path)):
                    errors.setdefault(path, []).append(BLANK)
            if errors:
                raise FieldErrors(errors, uuid=uuid, workflow=session.workflow)
            if name == SIGNUP_WORKFLOW:
                session.password = PasswordHash.create(form["password"], self._ids)
                session.form.update(public_fields(form))
            else:  # a later page cannot change the checked email
                session.form.update((k, v) for k, v in public_fields(form).items() if k != "email")
            session.steps.pop(0)
            if session.steps:
                session.workflow, fields = session.steps[0]
                return WizardStep(uuid, session.workflow, {p: {"required": True} for p in fields})
            email = session.form["email"]
            if email.casefold() in broker.accounts:  # taken while this wizard was open
                raise FieldErrors({"email": [EMAIL_TAKEN]}, uuid=uuid, workflow=session.workflow)
            assert session.password is not None
            account = self._create_account(broker, email, session.password, session.form)
            return self._finish(session, account, SIGNUP_DONE_WORKFLOW)

    def sign_in(
        self, broker: B2CoreBroker, uuid: str, form: Mapping[str, Any]
    ) -> WizardStep | B2CoreTokens:
        """Check the credentials: the tokens, or the 2FA step the account asks for."""
        with self._lock:
            session = self._wizards.get(
                broker, uuid, "signin", LOGIN_WORKFLOW, now=self.clock.time()
            )
            errors: dict[str, list[str]] = {}
            for name in ("email", "password", "device_fingerprint"):
                if is_blank(form.get(name)):
                    errors[name] = [BLANK]
            broker.check_device(form, errors)
            if errors:
                raise FieldErrors(errors, uuid=uuid, workflow=LOGIN_WORKFLOW)
            key, now = form["email"].casefold(), self.clock.time()
            broker.check_lockout(key, now, uuid)
            account = broker.accounts.get(key)
            if account is None or not account.password.matches(form["password"]):
                broker.record_failure(key, now)
                raise WrongCredentials(WRONG_CREDENTIALS, uuid=uuid, workflow=LOGIN_WORKFLOW)
            broker.failures.pop(key, None)
            if account.two_factor is None:
                return self._finish(session, account, LOGIN_DONE_WORKFLOW)
            session.account = account
            session.workflow = TWO_FACTOR_WORKFLOWS[account.two_factor]
            if account.two_factor == "sms":
                self._book.send_sms_code(
                    session, account, codes=self._codes, outbox=self.outbox, now=self.clock.now()
                )
            return WizardStep(uuid, session.workflow, {})

    def verify_two_factor(
        self, broker: B2CoreBroker, uuid: str, kind: str, code: str | None
    ) -> B2CoreTokens:
        """Complete a sign-in's 2FA step (``kind`` ``"google"`` or ``"sms"``) with ``code``."""
        with self._lock:
            session = self._wizards.get(
                broker, uuid, "signin", TWO_FACTOR_WORKFLOWS[kind], now=self.clock.time()
            )
            account = session.account
            assert account is not None
            if is_blank(code):
                raise FieldErrors({"code": [BLANK]}, uuid=uuid, workflow=session.workflow)
            assert code is not None
            if kind == "google":
                counter = int(self.clock.time() // 30)
                # no step before the epoch's: a clock at 1970-01-01 has no counter -1
                steps = [counter + d for d in (-1, 0, 1) if counter + d >= 0]
                valid = [totp_code(account.totp_secret, step) for step in steps]
            else:
                valid = [session.sms_code or ""]
            if not any(hmac.compare_digest(code, v) for v in valid):
                raise FieldErrors({"code": [BAD_CODE]}, uuid=uuid, workflow=session.workflow)
            return self._finish(session, account, LOGIN_DONE_WORKFLOW)

    def refresh(
        self, broker: B2CoreBroker, refresh_token: str, *, by: str = "b2core.refresh"
    ) -> B2CoreTokens:
        """Swap a refresh token (single use) for a new pair in the same auth session; ``by``
        names the operation that exchanged it (for :meth:`explain_credential`)."""
        claims = token_claims(refresh_token, self.tokens, self.signer)
        if claims.get("iss") != broker.url:
            raise TokenInvalid("the token is from another broker")
        with self._lock:
            record = self.tokens.consume(
                str(claims.get("jti", "")), REFRESH, expires_at=signed_expiry(claims), by=by
            )
            account = self._book.accounts[record.subject]
            return self._issue(record.session, account)

    def authorize(self, broker: B2CoreBroker, access_token: str) -> tuple[B2CoreAccount, str]:
        """The account and auth session behind a valid access token; raises otherwise."""
        claims = token_claims(access_token, self.tokens, self.signer)
        record = self.tokens.check(
            str(claims.get("jti", "")), ACCESS, expires_at=signed_expiry(claims)
        )
        if claims.get("iss") != broker.url:
            raise TokenInvalid("the token is from another broker")
        return self._book.accounts[record.subject], record.session

    def sign_out(
        self, broker: B2CoreBroker, access_token: str, *, by: str = "b2core.signout"
    ) -> str:
        """Revoke every token of the access token's auth session (access and refresh); its uuid.
        ``by`` names the operation that revoked them (for :meth:`explain_credential`)."""
        _, session = self.authorize(broker, access_token)
        self.tokens.revoke_session(session, by=by)
        return session

    def explain_credential(self, token: str) -> Finding | None:
        """What this state knows of ``token``, for ``fake.explain``: a B2Core token (a JWT with
        ``jti``, ``sid`` and ``typ`` claims) or a wizard uuid; ``None`` for any other
        credential."""
        claims = unverified_claims(token)
        if claims is None:
            return (
                self._wizards.finding(token, self.clock.time()) if _UUID.fullmatch(token) else None
            )
        token_id, kind = claims.get("jti"), claims.get("typ")
        if not isinstance(token_id, str) or "sid" not in claims or kind not in (ACCESS, REFRESH):
            return None
        return token_finding(
            token,
            claims,
            vendor="b2core",
            labels=_LABELS,
            kind=str(kind),
            token_id=token_id,
            store=self.tokens,
            signer=self.signer,
            now=self.clock.time(),
        )

    def held_credentials(self) -> list[HeldIds]:
        """The ids of every token and open wizard this state holds (a reset, restore or import
        forgets them; ``fake.explain`` then says so): the tokens in constant time, the wizards
        (a few open sign-ins) copied."""
        wizards = dict.fromkeys(self.sessions, True)
        return [
            HeldIds("b2core", self.tokens.snapshot().records),
            HeldIds("b2core", wizards, "wizard:"),
        ]

    def _finish(
        self, session: WizardSession, account: B2CoreAccount, workflow: str
    ) -> B2CoreTokens:
        session.finished, session.workflow = True, workflow
        return self._issue(session.uuid, account)

    def _issue(self, session: str, account: B2CoreAccount) -> B2CoreTokens:
        now = self.clock.time()
        pair = []
        for kind, ttl in ((ACCESS, self.access_token_ttl), (REFRESH, self.refresh_token_ttl)):
            token_id = self._ids.uuid4()
            claims: dict[str, Any] = {"iss": account.broker, "sub": account.id, "sid": session}
            claims.update(typ=kind, jti=token_id, iat=int(now), exp=int(now) + ttl)
            token = self.signer.encode(claims)
            record = TokenRecord(token_id, kind, account.id, session, now, now + ttl)
            self.tokens.add(record, token=token, claims=claims)
            pair.append(IssuedToken(token, to_datetime(now), to_datetime(now + ttl)))
        return B2CoreTokens(session, account, pair[0], pair[1])

    # -- the VendorState protocol: the state's part of a document ---------------------------

    def to_document(self) -> dict[str, Any]:
        """The state's part of a state document (JSON-ready: ids and hashes, never a token)."""
        # The document schema (pydantic models) is imported by the first export or import: a
        # test that never asks for one does not pay for it.
        from fakeauth.state import b2core_document

        with self._lock:  # one moment: nothing changes while the records are written
            return b2core_document.written(
                brokers=self._registry.by_url.values(),
                accounts=self._book.accounts.values(),
                sms_codes=self._book.sms_codes,
                wizards=self.sessions.values(),
                signer=self.signer,
                tokens=self.tokens,
                streams=self._streams(),
            )

    def _streams(self) -> dict[str, RandomStream | None]:
        return {
            "b2core.ids": self._ids,
            "b2core.codes": self._codes,
            "b2core.signing-key": self.signer.key_stream,
        }

    def load_document(self, document: Mapping[str, Any]) -> None:
        """Hold the records of a document's part instead of the current ones, whole or not at
        all: refused (:class:`ConfigurationError`, naming the field) when it does not fit the
        schema, contradicts itself, misses a configured broker, or holds what
        :meth:`add_account` would refuse. Its random streams continue where the document says
        when the fake resumed the document's epoch."""
        from fakeauth.state import b2core_document  # see to_document

        resumed = self._randomness.resumed
        snapshot, positions = b2core_document.read(
            document,
            hosts=self.hosts,
            algorithm=self.signer.algorithm,
            streams=self._streams() if resumed else None,
        )
        with self._lock:
            self.restore(snapshot)
            for name, stream in self._streams().items():
                if stream is not None and name in positions:
                    stream.move_to(positions[name])
