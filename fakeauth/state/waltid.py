"""walt.id Enterprise: global accounts, organizations and their roles, the Super Admin, sessions.

Accounts are global (not bound to an organization); roles are held per organization
(``{"acme": ["acme.admin"]}``). The Super Admin is an account activated with a registration token
from ``superadmin-registration.conf`` and passes every role check. A login opens a session; its
token is an EdDSA JWT ``{sub, session, exp}`` whose validity the :class:`TokenStore` decides
against the fake's clock. The records and domain errors live in
:mod:`fakeauth.state.waltid_accounts`; every name is importable from here too.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, cast

from fakeauth.clock import Clock
from fakeauth.errors import (
    ConfigurationError,
    DomainError,
    Forbidden,
    InvalidCredentials,
    NotFound,
)
from fakeauth.features import FeatureRegistry
from fakeauth.findings import Finding, HeldIds, token_finding, unverified_claims
from fakeauth.outbox import Outbox
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import Randomness, RandomStream
from fakeauth.state import waltid_accounts, waltid_options
from fakeauth.state.waltid_account_book import WaltidAccountBook
from fakeauth.state.waltid_accounts import *  # noqa: F403 - the records stay importable from here
from fakeauth.state.waltid_accounts import (
    DEFAULT_SUPERADMIN_EMAIL,
    DEFAULT_SUPERADMIN_TOKEN,
    FEATURES,
    AccountDataNotFound,
    SuperadminExists,
    WaltidAccount,
    WaltidLogin,
    WaltidOrganization,
    WaltidSession,
    WaltidSnapshot,
)
from fakeauth.state.waltid_organizations import WaltidOrganizations
from fakeauth.state.waltid_registrations import (
    REGISTRATION,
    WaltidRegistrations,
    held_registrations,
)
from fakeauth.state.waltid_seeding import WaltidSeeding
from fakeauth.state.waltid_sessions import LOGIN, WaltidSessions
from fakeauth.tokens import JwtSigner, TokenStore

__all__ = ["LOGIN", "REGISTRATION", "WaltidState"]
__all__ += waltid_accounts.__all__

_LABELS = {LOGIN: "walt.id session token"}


class WaltidState(WaltidSeeding):
    """The state of the walt.id API of one fake.

    >>> fake.waltid.add_organization("acme")
    >>> account = fake.waltid.add_account(email="max@example.org", password="s3cret")
    >>> fake.waltid.grant_role(account.id, "acme", "acme.admin")
    >>> token = fake.waltid.login("max@example.org", "s3cret")
    """

    def __init__(
        self,
        *,
        clock: Clock,
        randomness: Randomness,
        outbox: Outbox,
        features: FeatureRegistry,
        token_ttl: int = 7 * 24 * 3600,
    ) -> None:
        self.token_ttl = self.token_lifetime(token_ttl)
        self.clock = clock
        self.outbox = outbox
        self.features = features
        self._randomness = randomness
        self._lock = threading.RLock()
        self.signer = JwtSigner("EdDSA", randomness.stream("waltid.signing-key"))
        for feature in FEATURES:
            features.register(feature)
        self._ids = randomness.stream("waltid.ids")
        self._clear()

    @staticmethod
    def token_lifetime(token_ttl: int) -> int:
        """The login token lifetime as the constructor takes it; raises
        :class:`ConfigurationError` as the constructor would (``FakeAuth`` checks it before it
        builds the state, with :func:`fakeauth.state.waltid_options.token_lifetime`)."""
        return waltid_options.token_lifetime(token_ttl)

    def _clear(self) -> None:
        self._book = WaltidAccountBook()
        self._sessions = WaltidSessions(self.clock, self.signer, self._lock)
        self._organizations = WaltidOrganizations(self.clock)
        self._registrations = WaltidRegistrations()

    @property
    def tokens(self) -> TokenStore:
        """The token store that decides each login token's validity."""
        return self._sessions.tokens

    @property
    def organizations(self) -> dict[str, WaltidOrganization]:
        """organization id -> its record."""
        return self._organizations.organizations

    @property
    def roles(self) -> dict[str, str]:
        """role id (``<organization>.<name>``) -> its organization."""
        return self._organizations.roles

    @property
    def sessions(self) -> dict[str, WaltidSession]:
        """session id -> the open session."""
        return self._sessions.sessions

    def reset(self) -> None:
        """Back to the embedded defaults: the quickstart's registration token, nothing else.

        Feature flags are the whole fake's and stay as they are. The signing key is drawn anew,
        and the ids of a new random epoch (the fake advances it first), so nothing issued before
        the reset is accepted, or issued, again.
        """
        with self._lock:
            self.signer.rotate()
            self._ids = self._randomness.stream("waltid.ids")
            self._clear()

    def recreate_database(self) -> None:
        """``/v1/dev/database-recreate``: every account, organization and session is gone.

        Unlike :meth:`reset`, ids keep coming from where they were, so no earlier token can
        ever name a later session.
        """
        with self._lock:
            self._clear()

    def snapshot(self) -> WaltidSnapshot:
        """The records as they are now, in constant time: the state shares its containers (of
        immutable records) with the snapshot and copies each on its next write to it."""
        with self._lock:
            accounts, by_email, by_login = self._book.share()
            organizations, roles = self._organizations.share()
            (sessions,) = self._sessions.share()
            (registrations,) = self._registrations.share()
            return WaltidSnapshot(
                accounts,
                by_email,
                by_login,
                organizations,
                roles,
                sessions,
                registrations,
                self.tokens.snapshot(),
                self.signer.secret(),
            )

    def restore(self, snapshot: WaltidSnapshot) -> None:
        """Hold the records of ``snapshot`` again, in constant time; ids continue from the
        current random epoch (the fake starts a new one first), the signing key is the
        snapshot's, so a token issued since is refused and never issued again."""
        with self._lock:
            (accounts, by_email, by_login, organizations, roles, sessions, registrations) = (
                cast("dict[Any, Any]", table) for table in snapshot[:7]
            )
            self._book.hold((accounts, by_email, by_login))
            self._organizations.hold((organizations, roles))
            self._sessions.hold((sessions,))
            self._registrations.hold((registrations,))
            self._registrations.keep_activated(accounts)
            self._sessions.forget_verified()  # checks of a key that may no longer be the key
            self.tokens.restore(snapshot.tokens)
            self._ids = self._randomness.stream("waltid.ids")
            if snapshot.key is None:
                self.signer.rotate()
            else:
                self.signer.load_secret(snapshot.key)

    def superadmin(self) -> WaltidLogin:
        """The Super Admin (activated now with the default token if it is not yet), logged in."""
        with self._lock:
            account = self._book.by_email.get(DEFAULT_SUPERADMIN_EMAIL)
            if account is None or not account.superadmin:
                account = self.activate_superadmin(
                    DEFAULT_SUPERADMIN_TOKEN, by="fake.waltid.superadmin()"
                )
            return self._login(account)

    def login(self, email: str, password: str) -> str:
        """A valid bearer token for a seeded account (as ``POST /auth/account/emailpass``)."""
        try:
            return self.authenticate(email, password).token
        except DomainError:
            raise ConfigurationError(
                f"no walt.id account logs in with {email!r} and that password; "
                "seed one with fake.waltid.add_account(email=..., password=...)"
            ) from None

    def account(self, account_id: str) -> WaltidAccount:
        """The account with id ``account_id``; raises :class:`NotFound`."""
        account = self._book.accounts.get(account_id)
        if account is None:
            raise NotFound(f"Account not found: {account_id}", kind="account")
        return account

    # -- the operations the API performs ----------------------------------------------------

    def register(
        self,
        profile: Mapping[str, str],
        preferences: Mapping[str, str],
        *,
        login: tuple[str, str | PasswordHash] | None = None,
        superadmin: bool = False,
    ) -> WaltidAccount:
        """Create an account; ``login`` is its ``(email, password)`` credential (the password
        or its hash), if any; ``superadmin``: the Super Admin."""
        with self._lock:
            return self._book.add(
                profile,
                preferences,
                login=login,
                superadmin=superadmin,
                ids=self._ids,
                now=self.clock.now(),
            )

    def activate_superadmin(
        self, registration_token: str, *, by: str = "waltid.superadmin_create_by_token"
    ) -> WaltidAccount:
        """Create the Super Admin that ``registration_token`` names; ``by`` names the operation
        that activated it (for :meth:`explain_credential`)."""
        with self._lock:
            email, password, _ = self._registrations.line(registration_token, self.clock.time())
            existing = self._book.by_email.get(email.lower())
            if existing is not None and existing.superadmin:
                raise SuperadminExists("Super admin already exists")
            account = self.register(
                {"name": "Super Admin", "email": email},
                {"timeZone": "UTC", "languagePreference": "EN"},
                login=(email, password),
                superadmin=True,
            )
            self._registrations.activated(account.id, by)
            return account

    def authenticate(self, email: str, password: str) -> WaltidLogin:
        """Check an email credential and open a session."""
        account = self._book.by_login.get(email.lower())
        if account is None or account.password is None:
            raise AccountDataNotFound(
                "No stored data found for authentication method: email", kind="account"
            )
        if not account.password.matches(password):
            raise InvalidCredentials("Invalid email or password.")
        with self._lock:
            return self._login(account)

    def authorize(self, token: str) -> tuple[WaltidAccount, WaltidSession]:
        """The account and session behind a valid login token; raises otherwise."""
        return self._sessions.authorize(token, self._book.accounts)

    def logout(self, token: str, *, by: str = "waltid.logout") -> None:
        """End the session of ``token``: the token is refused from now on; ``by`` names the
        operation that ended it (for :meth:`explain_credential`)."""
        _, session = self.authorize(token)
        with self._lock:
            self._sessions.end(session.id, by=by)

    def explain_credential(self, token: str) -> Finding | None:
        """What this state knows of ``token``, for ``fake.explain``: a login token (a JWT with
        ``session`` and ``sub`` claims), else a Super Admin registration token (any text)."""
        claims = unverified_claims(token)
        session = None if claims is None else claims.get("session")
        if claims is None or not isinstance(session, str) or "sub" not in claims or "jti" in claims:
            with self._lock:
                return self._registrations.explain(token, self._book.by_email, self.clock.time())
        return token_finding(
            token,
            claims,
            vendor="waltid",
            labels=_LABELS,
            kind=LOGIN,
            token_id=session,
            store=self.tokens,
            signer=self.signer,
            now=self.clock.time(),
        )

    def held_credentials(self) -> list[HeldIds]:
        """The ids of every login token this state holds, in constant time, and digests of its
        registration tokens (a reset, restore or import forgets them; ``fake.explain`` then says
        so)."""
        with self._lock:
            registrations = held_registrations(self._registrations.registrations)
            return [HeldIds("waltid", self.tokens.snapshot().records), registrations]

    def require_admin(self, account: WaltidAccount, organization: str | None = None) -> None:
        """Refuse unless ``account`` administers ``organization`` (any, when ``None``)."""
        allowed = account.is_admin if organization is None else account.is_admin_of(organization)
        if not allowed:
            raise Forbidden(f"Account {account.id} is not allowed to perform this operation.")

    def require_superadmin(self, account: WaltidAccount) -> None:
        """Refuse unless ``account`` is the Super Admin."""
        if not account.superadmin:
            raise Forbidden(f"Account {account.id} is not allowed to perform this operation.")

    def create_organization(self, organization: str, name: str) -> WaltidOrganization:
        """Create an organization and its ``<organization>.admin`` role."""
        with self._lock:
            return self._organizations.create(organization, name)

    def grant_role(self, account_id: str, organization: str, role_id: str) -> bool:
        """Give an account a role of an organization; ``False`` if it held it already."""
        with self._lock:
            account = self.account(account_id)
            self._organizations.check_grant(organization, role_id)
            held = account.roles.get(organization, ())
            if role_id in held:
                return False
            roles = {**account.roles, organization: (*held, role_id)}
            self._book.replace(account, replace(account, roles=roles))
            return True

    def _login(self, account: WaltidAccount) -> WaltidLogin:
        return self._sessions.open(account, self._ids.uuid4(), self.token_ttl)

    # -- the VendorState protocol: the state's part of a document ---------------------------

    def to_document(self) -> dict[str, Any]:
        """The state's part of a state document (JSON-ready: ids and hashes, never a token or a
        password)."""
        # The document schema (pydantic models) is imported by the first export or import: a
        # test that never asks for one does not pay for it.
        from fakeauth.state import waltid_document

        with self._lock:  # one moment: nothing changes while the records are written
            return waltid_document.written(
                accounts=self._book.accounts.values(),
                organizations=self.organizations.values(),
                roles=self.roles,
                sessions=self.sessions.values(),
                registrations=self._registrations.registrations,
                signer=self.signer,
                tokens=self.tokens,
                streams=self._streams(),
            )

    def _streams(self) -> dict[str, RandomStream | None]:
        return {"waltid.ids": self._ids, "waltid.signing-key": self.signer.key_stream}

    def load_document(self, document: Mapping[str, Any]) -> None:
        """Hold the records of a document's part instead of the current ones, whole or not at
        all: refused (:class:`ConfigurationError`, naming the field) when it does not fit the
        schema, contradicts itself, or holds what :meth:`add_account` would refuse. Its random
        streams continue where the document says when the fake resumed the document's epoch."""
        from fakeauth.state import waltid_document  # see to_document

        resumed = self._randomness.resumed
        snapshot, positions = waltid_document.read(
            document,
            algorithm=self.signer.algorithm,
            streams=self._streams() if resumed else None,
        )
        with self._lock:
            self.restore(snapshot)
            for name, stream in self._streams().items():
                if stream is not None and name in positions:
                    stream.move_to(positions[name])
