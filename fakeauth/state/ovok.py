"""Ovok B2B auth: tenants (projects), clients, accounts, login sessions and their tokens."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from fakeauth.clock import Clock, to_datetime
from fakeauth.errors import AccountExists, InvalidCredentials, TokenInvalid, TokenRevoked
from fakeauth.outbox import Outbox
from fakeauth.randomness import Randomness, RandomStream
from fakeauth.state import ovok_options
from fakeauth.state.ovok_account_book import OvokAccountBook
from fakeauth.state.ovok_records import (
    DEFAULT_CLIENT_ID,
    DEFAULT_PROJECT_DISPLAY,
    DEFAULT_PROJECT_ID,
    DEFAULT_TENANT_ID,
    MAX_NAME_LENGTH,
    OvokAccount,
    OvokClient,
    OvokSession,
    OvokSnapshot,
    OvokTenant,
    OvokTokens,
    check_account,
)
from fakeauth.state.ovok_seeding import OvokSeeding

# ACCESS and REFRESH stay importable from here (the API names the kinds by them)
from fakeauth.state.ovok_sessions import ACCESS as ACCESS
from fakeauth.state.ovok_sessions import REFRESH as REFRESH
from fakeauth.state.ovok_sessions import OvokSessions
from fakeauth.state.ovok_tenants import OvokTenants
from fakeauth.tokens import JwtSigner, TokenStore, signed_expiry, token_claims

if TYPE_CHECKING:
    from fakeauth.findings import Finding, HeldIds

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_PROJECT_DISPLAY",
    "DEFAULT_PROJECT_ID",
    "DEFAULT_TENANT_ID",
    "MAX_NAME_LENGTH",
    "OvokAccount",
    "OvokClient",
    "OvokSession",
    "OvokSnapshot",
    "OvokState",
    "OvokTenant",
    "OvokTokens",
    "check_account",
]

_LABELS = {ACCESS: "Ovok access token", REFRESH: "Ovok refresh token"}


def _mine(table: Mapping[Any, Any]) -> Any:
    """A snapshot's container as the state holds it (shared: the store copies it on write)."""
    return cast("dict[Any, Any]", table)


class OvokState(OvokSeeding):
    """The state of the Ovok API of one fake.

    Seeding reads as the API does: ``fake.ovok.add_account(email=..., password=...)`` puts an
    account in the default tenant (the documentation's ``87ea5dfc-...``) and returns it.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        randomness: Randomness,
        outbox: Outbox,
        access_token_ttl: int = 3600,
        refresh_token_ttl: int = 14 * 24 * 3600,
        algorithm: str = "HS256",
    ) -> None:
        self.access_token_ttl, self.refresh_token_ttl = self.token_lifetimes(
            access_token_ttl, refresh_token_ttl
        )
        self.clock = clock
        self.outbox = outbox
        self._randomness = randomness
        self._algorithm = algorithm
        self._lock = threading.RLock()
        self.signer = JwtSigner(algorithm, lambda: randomness.stream("ovok.signing-key"))
        self._reset_state()

    @staticmethod
    def token_lifetimes(access_token_ttl: int, refresh_token_ttl: int) -> tuple[int, int]:
        """The access and refresh token lifetimes as the constructor takes them; raises
        :class:`ConfigurationError` as the constructor would (``FakeAuth`` checks them before it
        builds the state, with :func:`fakeauth.state.ovok_options.token_lifetimes`)."""
        return ovok_options.token_lifetimes(access_token_ttl, refresh_token_ttl)

    def _reset_state(self) -> None:
        # Made on first use: setting up a stream costs more than the rest of a fresh state, and
        # a test that never calls Ovok never needs one.
        self._ids_stream: RandomStream | None = None
        self._tenants = OvokTenants(DEFAULT_TENANT_ID)
        self._book = OvokAccountBook()
        self._sessions = OvokSessions(self.clock, self.signer, self._lock, self._token_ttls)
        self.add_tenant(
            DEFAULT_TENANT_ID, project_id=DEFAULT_PROJECT_ID, client_id=DEFAULT_CLIENT_ID
        )

    def _token_ttls(self) -> tuple[int, int]:
        return self.access_token_ttl, self.refresh_token_ttl

    @property
    def tokens(self) -> TokenStore:
        """The token store that decides each token's validity."""
        return self._sessions.tokens

    @property
    def tenants(self) -> dict[str, OvokTenant]:
        """tenant id -> its record."""
        return self._tenants.tenants

    @property
    def clients(self) -> dict[str, OvokClient]:
        """client id -> its record."""
        return self._tenants.clients

    @property
    def sessions(self) -> dict[str, OvokSession]:
        """session id -> the login session."""
        return self._sessions.sessions

    @property
    def _ids(self) -> RandomStream:
        stream = self._ids_stream
        if stream is None:
            with self._lock:
                if self._ids_stream is None:
                    self._ids_stream = self._randomness.stream("ovok.ids")
                stream = self._ids_stream
        return stream

    def reset(self) -> None:
        """Back to the embedded defaults: the documentation's tenant and client, no accounts.

        The signing key is drawn anew, and the ids of a new random epoch (the fake advances it
        first), so nothing issued before the reset is accepted, or issued, again.
        """
        with self._lock:
            self.signer.rotate()
            self._reset_state()

    def snapshot(self) -> OvokSnapshot:
        """The records as they are now, in constant time: the state shares its containers (of
        immutable records) with the snapshot and copies each on its next write to it."""
        with self._lock:
            tenants, clients = self._tenants.share()
            accounts, by_email = self._book.share()
            sessions, account_sessions = self._sessions.share()
            return OvokSnapshot(
                tenants,
                clients,
                accounts,
                by_email,
                sessions,
                account_sessions,
                self.tokens.snapshot(),
                self.signer.secret(),
            )

    def restore(self, snapshot: OvokSnapshot) -> None:
        """Hold the records of ``snapshot`` again, in constant time; ids continue from the
        current random epoch (the fake starts a new one first), the signing key is the
        snapshot's, so a token issued since is refused and never issued again."""
        with self._lock:
            self._tenants.hold((_mine(snapshot.tenants), _mine(snapshot.clients)))
            self._book.hold((_mine(snapshot.accounts), _mine(snapshot.by_email)))
            self._sessions.hold((_mine(snapshot.sessions), _mine(snapshot.account_sessions)))
            self.tokens.restore(snapshot.tokens)
            self._ids_stream = None
            if snapshot.key is None:
                self.signer.rotate()
            else:
                self.signer.load_secret(snapshot.key)

    # -- the operations the API performs ----------------------------------------------------

    def register(
        self,
        *,
        email: str,
        password: str,
        name: str,
        surname: str,
        tenant_id: str,
        client_id: str,
        remote_address: str = "127.0.0.1",
        user_agent: str = "",
    ) -> OvokTokens:
        """Create an account, send its verification email, and log it in."""
        from fakeauth.outbox_message import Message  # a fake that registers no one never needs it

        with self._lock:
            tenant = self._tenants.of_client(tenant_id, client_id)
            if (tenant_id, email.lower()) in self._book.by_email:
                raise AccountExists("Email already registered")
            account = self._create_account(email, password, name, surname, tenant_id)
            verification = self._ids.hex(16)
            self.outbox.send(
                Message(
                    vendor="ovok",
                    kind="email-verification",
                    to=email,
                    subject="Verify your email address",
                    body=(
                        f"Hello {account.display},\n\nplease confirm your email address for "
                        f"{tenant.display} with this code: {verification}\n"
                    ),
                    time=self.clock.now(),
                    data={"account_id": account.id, "code": verification},
                )
            )
            return self._sessions.open(
                account, tenant, client_id, remote_address, user_agent, self._ids
            )

    def authenticate(
        self,
        *,
        email: str,
        password: str,
        tenant_id: str,
        client_id: str,
        remote_address: str = "127.0.0.1",
        user_agent: str = "",
    ) -> OvokTokens:
        """Check the credentials and open a login session."""
        tenant = self._tenants.of_client(tenant_id, client_id)
        account = self._book.by_email.get((tenant_id, email.lower()))
        if account is None or not account.password.matches(password):
            raise InvalidCredentials("Email or password is invalid")
        with self._lock:
            return self._sessions.open(
                account, tenant, client_id, remote_address, user_agent, self._ids
            )

    def refresh(self, refresh_token: str, *, by: str = "ovok.refresh_token") -> OvokTokens:
        """Swap a refresh token (single use) for a new pair in the same login session; ``by``
        names the operation that exchanged it (for :meth:`explain_credential`)."""
        claims = token_claims(refresh_token, self.tokens, self.signer)
        record = self.tokens.consume(
            str(claims.get("jti", "")), REFRESH, expires_at=signed_expiry(claims), by=by
        )
        session = self.sessions.get(record.session)
        account = self._book.accounts.get(record.subject)
        if session is None or account is None:
            raise TokenInvalid("the session of this token is gone")
        with self._lock:
            session = self._sessions.touch(session, account.id)
            tenant = self.tenants[account.tenant_id]
            return self._sessions.issue(account, tenant, session, self._ids)

    def authorize(self, access_token: str) -> tuple[OvokAccount, OvokSession, dict[str, Any]]:
        """The account, session and claims behind a valid access token; raises otherwise."""
        claims = token_claims(access_token, self.tokens, self.signer)
        record = self.tokens.check(
            str(claims.get("jti", "")), ACCESS, expires_at=signed_expiry(claims)
        )
        account = self._book.accounts.get(record.subject)
        session = self.sessions.get(record.session)
        if account is None or session is None:
            raise TokenInvalid("the account of this token is gone")
        return account, session, claims

    def logout(self, access_token: str, *, by: str = "ovok.logout") -> None:
        """Deny ``access_token`` from now on (Ovok's denylist): a later use is refused; ``by``
        names the operation that denied it (for :meth:`explain_credential`).

        Idempotent, as Ovok's document states of logout: a token denied already (still signed
        by this fake and unexpired) logs out again with no effect. A forged, unknown, expired or
        refresh token raises :class:`TokenInvalid` (or a subclass), as :meth:`authorize` does.
        """
        try:
            _, _, claims = self.authorize(access_token)
        except TokenRevoked:
            return  # only a logout denies an Ovok access token: this one is logged out already
        self.tokens.revoke(str(claims["jti"]), by=by)

    def explain_credential(self, token: str) -> Finding | None:
        """What this state knows of ``token`` if it has the shape of an Ovok token (a JWT with
        ``jti`` and ``login_id`` claims), for ``fake.explain``; ``None`` otherwise."""
        # fake.explain's, not a login's: imported by the first explanation
        from fakeauth.findings import token_finding, unverified_claims

        claims = unverified_claims(token)
        token_id = claims.get("jti") if claims is not None else None
        if claims is None or not isinstance(token_id, str) or "login_id" not in claims:
            return None
        return token_finding(
            token,
            claims,
            vendor="ovok",
            labels=_LABELS,
            kind=REFRESH if "refresh_secret" in claims else ACCESS,
            token_id=token_id,
            store=self.tokens,
            signer=self.signer,
            now=self.clock.time(),
        )

    def held_credentials(self) -> list[HeldIds]:
        """The ids of every token this state holds, in constant time (a reset, restore or import
        forgets them; ``fake.explain`` then says so)."""
        from fakeauth.findings import HeldIds  # a reset's, not a login's

        return [HeldIds("ovok", self.tokens.snapshot().records)]

    def live_sessions(
        self,
        account: OvokAccount,
        *,
        current: OvokSession | None = None,
        newest: int | None = None,
    ) -> list[OvokSession]:
        """The account's sessions that still hold a usable token, oldest first.

        With ``newest``, only ``current`` (the caller's own session) and at most the ``newest``
        newest others: what ``/auth/me`` lists.
        """
        return self._sessions.live(account, current, newest)

    # -- internals ----------------------------------------------------------------------------

    def _create_account(
        self,
        email: str,
        password: str,
        name: str,
        surname: str,
        tenant_id: str,
        *,
        email_verified: bool = False,
    ) -> OvokAccount:
        return self._book.create(
            email,
            password,
            name,
            surname,
            tenant_id,
            email_verified=email_verified,
            ids=self._ids,
            now=self.clock.now(),
        )

    def expires_at(self, token_ttl: int) -> datetime:
        """When a token issued now with ``token_ttl`` seconds expires."""
        return to_datetime(int(self.clock.time()) + token_ttl)

    # -- the VendorState protocol: the state's part of a document ---------------------------

    def to_document(self) -> dict[str, Any]:
        """The state's part of a state document (JSON-ready: ids and hashes, never a token)."""
        # The document schema (pydantic models) is imported by the first export or import: a
        # test that never asks for one does not pay for it.
        from fakeauth.state import ovok_document

        with self._lock:  # one moment: nothing changes while the records are written
            return ovok_document.written(
                tenants=self.tenants.values(),
                clients=self.clients.values(),
                accounts=self._book.accounts.values(),
                sessions=self.sessions.values(),
                signer=self.signer,
                tokens=self.tokens,
                streams={"ovok.ids": self._ids_stream},
            )

    def load_document(self, document: Mapping[str, Any]) -> None:
        """Hold the records of a document's part instead of the current ones, whole or not at
        all: refused (:class:`ConfigurationError`, naming the field) when it does not fit the
        schema, contradicts itself, or holds what :meth:`add_account` would refuse. Its random
        stream continues where the document says when the fake resumed the document's epoch."""
        from fakeauth.state import ovok_document  # see to_document

        resumed = self._randomness.resumed
        snapshot, streams = ovok_document.read(
            document, algorithm=self.signer.algorithm, streams=("ovok.ids",) if resumed else None
        )
        with self._lock:
            self.restore(snapshot)
            if "ovok.ids" in streams:
                self._ids.move_to(streams["ovok.ids"])
