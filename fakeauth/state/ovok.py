"""Ovok B2B auth: tenants (projects), clients, accounts, login sessions and their tokens."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from fakeauth.clock import Clock, checked_lifetime, to_datetime
from fakeauth.errors import (
    AccountExists,
    ConfigurationError,
    InvalidCredentials,
    NotFound,
    TokenInvalid,
    TokenRevoked,
)
from fakeauth.findings import Finding, HeldIds, token_finding, unverified_claims
from fakeauth.outbox import Message, Outbox
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import Randomness, RandomStream
from fakeauth.seeding import UNCHANGED, Unchanged, checked_arguments
from fakeauth.state import ovok_document
from fakeauth.state.ovok_records import (
    MAX_NAME_LENGTH,
    OvokAccount,
    OvokClient,
    OvokSession,
    OvokSnapshot,
    OvokTenant,
    OvokTokens,
    check_account,
)
from fakeauth.tokens import (
    JwtSigner,
    TokenRecord,
    TokenStore,
    signed_expiry,
)

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

#: The tenant and client id of Ovok's documentation examples.
DEFAULT_TENANT_ID = "87ea5dfc-8b8e-384d-8489-79496e706390"
DEFAULT_CLIENT_ID = "87ea5dfc-8b8e-384d-8489-79496e706390"
#: The project reference and display of the documentation's example reply.
DEFAULT_PROJECT_ID = "f6f4da8d-93e8-8a08-220e-03b7810451d3"
DEFAULT_PROJECT_DISPLAY = "My Medical Project"

ACCESS = "access"
REFRESH = "refresh"
_LABELS = {ACCESS: "Ovok access token", REFRESH: "Ovok refresh token"}

# The bits ``uuid.UUID(bytes=..., version=4)`` clears and sets: variant RFC 4122, version 4.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def _mine(table: Mapping[Any, Any]) -> Any:
    """A snapshot's container as the state holds it (shared: the state copies it on write)."""
    return cast("dict[Any, Any]", table)


def _uuid4(ids: RandomStream) -> str:
    """``ids.uuid4()``, the same value from the same draw, without building a ``uuid.UUID``.

    Every login and registration makes several ids: the ``UUID`` object cost more than the draw.
    """
    return _uuid4_text(ids.bytes(16))


def _uuid4_text(drawn: bytes) -> str:
    """``str(uuid.UUID(bytes=drawn, version=4))``."""
    digits = f"{int.from_bytes(drawn, 'big') & _UUID4_CLEAR | _UUID4_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


#: The containers of an Ovok state that a snapshot shares (copied on the state's next write).
_CONTAINERS = ("tenants", "clients", "_accounts", "_by_email", "sessions", "_account_sessions")


class OvokState:
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
        builds the state)."""
        checked_lifetime(access_token_ttl, "ovok_access_token_ttl")
        checked_lifetime(refresh_token_ttl, "ovok_refresh_token_ttl")
        if access_token_ttl <= 0 or refresh_token_ttl <= 0:
            raise ConfigurationError("Ovok token lifetimes must be positive numbers of seconds")
        return int(access_token_ttl), int(refresh_token_ttl)

    def _reset_state(self) -> None:
        # Made on first use: setting up a stream costs more than the rest of a fresh state, and
        # a test that never calls Ovok never needs one.
        self._ids_stream: RandomStream | None = None
        self._shared: set[str] = set()  # containers shared with a snapshot: copied on write
        self._owned_sessions: set[str] = set()  # accounts whose session table is this state's
        self.tokens = TokenStore(self.clock, on_sessions_pruned=self._forget_sessions)
        self.tenants: dict[str, OvokTenant] = {}
        self.clients: dict[str, OvokClient] = {}
        self._accounts: dict[str, OvokAccount] = {}
        self._by_email: dict[tuple[str, str], OvokAccount] = {}
        self.sessions: dict[str, OvokSession] = {}
        # account id -> its sessions, oldest first: /auth/me reads the newest without a scan
        self._account_sessions: dict[str, dict[str, OvokSession]] = {}
        self.add_tenant(
            DEFAULT_TENANT_ID, project_id=DEFAULT_PROJECT_ID, client_id=DEFAULT_CLIENT_ID
        )

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
            self._shared = set(_CONTAINERS)
            self._owned_sessions = set()
            return OvokSnapshot(
                self.tenants,
                self.clients,
                self._accounts,
                self._by_email,
                self.sessions,
                self._account_sessions,
                self.tokens.snapshot(),
                self.signer.secret(),
            )

    def restore(self, snapshot: OvokSnapshot) -> None:
        """Hold the records of ``snapshot`` again, in constant time; ids continue from the
        current random epoch (the fake starts a new one first), the signing key is the
        snapshot's, so a token issued since is refused and never issued again."""
        with self._lock:
            self.tenants, self.clients = _mine(snapshot.tenants), _mine(snapshot.clients)
            self._accounts, self._by_email = _mine(snapshot.accounts), _mine(snapshot.by_email)
            self.sessions = _mine(snapshot.sessions)
            self._account_sessions = _mine(snapshot.account_sessions)
            self._shared = set(_CONTAINERS)
            self._owned_sessions = set()
            self.tokens.restore(snapshot.tokens)
            self._ids_stream = None
            if snapshot.key is None:
                self.signer.rotate()
            else:
                self.signer.load_secret(snapshot.key)

    def _own(self, name: str) -> Any:
        """The container ``name``, copied first if a snapshot shares it (under the lock)."""
        if name in self._shared:
            self._shared.discard(name)
            setattr(self, name, dict(getattr(self, name)))
        return getattr(self, name)

    def _sessions_of(self, account_id: str) -> dict[str, OvokSession]:
        """The session table of ``account_id``, one this state may write (under the lock)."""
        tables: dict[str, dict[str, OvokSession]] = self._own("_account_sessions")
        table = tables.get(account_id)
        if table is None:
            table = tables[account_id] = {}
        elif account_id not in self._owned_sessions:
            table = tables[account_id] = dict(table)
        self._owned_sessions.add(account_id)
        return table

    # -- seeding and inspection -------------------------------------------------------------

    @checked_arguments("fake.ovok.add_tenant")
    def add_tenant(
        self,
        id: str | None = None,
        *,
        display: str = DEFAULT_PROJECT_DISPLAY,
        project_id: str | None = None,
        strict_mode: bool = True,
        client_id: str | None = None,
    ) -> OvokTenant:
        """Add a tenant (a project) with one client application, so that its first login works.

        The client's id is ``client_id``, or else the tenant's own id (as the documentation's
        tenant and client ``87ea5dfc-...`` are one id): log in with
        ``{"tenantId": tenant.id, "clientId": tenant.client_id}``. Ids are generated when not
        given; add more clients with :meth:`add_client`.
        """
        with self._lock:
            tenant_id = id or self._ids.uuid4()
            if tenant_id in self.tenants:
                raise ConfigurationError(f"the Ovok tenant {tenant_id!r} exists already")
            client = client_id or tenant_id
            if client in self.clients:
                raise ConfigurationError(
                    f"the Ovok client {client!r} exists already (of tenant "
                    f"{self.clients[client].tenant_id!r}); pass add_tenant another client_id"
                )
            tenant = OvokTenant(
                id=tenant_id,
                project_id=project_id or self._ids.uuid4(),
                display=display,
                strict_mode=strict_mode,
                client_id=client,
            )
            self._own("tenants")[tenant.id] = tenant
            self._own("clients")[client] = OvokClient(id=client, tenant_id=tenant.id)
            return tenant

    @checked_arguments("fake.ovok.add_client")
    def add_client(self, id: str | None = None, *, tenant_id: str) -> OvokClient:
        """Add a client application to the tenant ``tenant_id``.

        Every tenant has a client already (see :meth:`add_tenant`); adding that same client to
        that same tenant again returns it, so a seed that lists it still works.
        """
        with self._lock:
            self._seed_tenant(tenant_id)
            client = OvokClient(id=id or self._ids.uuid4(), tenant_id=tenant_id)
            existing = self.clients.get(client.id)
            if existing is not None:
                if existing == client and self.tenants[tenant_id].client_id == client.id:
                    return existing
                raise ConfigurationError(
                    f"the Ovok client {client.id!r} exists already (of tenant "
                    f"{existing.tenant_id!r})"
                )
            self._own("clients")[client.id] = client
            return client

    @checked_arguments("fake.ovok.add_account")
    def add_account(
        self,
        email: str,
        password: str,
        *,
        name: str = "Max",
        surname: str = "Mustermann",
        tenant_id: str = DEFAULT_TENANT_ID,
        email_verified: bool = True,
    ) -> OvokAccount:
        """Seed an account that can log in at once (no verification email is sent)."""
        with self._lock:
            self._seed_tenant(tenant_id)
            check_account(email, name, surname)
            if (tenant_id, email.lower()) in self._by_email:
                raise ConfigurationError(
                    f"an Ovok account with email {email!r} exists already in tenant {tenant_id!r}"
                )
            return self._create_account(
                email, password, name, surname, tenant_id, email_verified=email_verified
            )

    def _seed_tenant(self, tenant_id: str) -> OvokTenant:
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise ConfigurationError(
                f"no Ovok tenant {tenant_id!r}; add it with fake.ovok.add_tenant({tenant_id!r}) "
                f"or use the default tenant {DEFAULT_TENANT_ID!r}"
            )
        return tenant

    @property
    def accounts(self) -> list[OvokAccount]:
        """Every account, in order of creation."""
        with self._lock:
            return list(self._accounts.values())

    def export_accounts(self) -> list[dict[str, Any]]:
        """Every account as JSON-ready data, without the password hash."""
        return [
            {
                "id": a.id,
                "email": a.email,
                "name": a.name,
                "surname": a.surname,
                "tenant_id": a.tenant_id,
                "profile": a.profile_reference,
                "email_verified": a.email_verified,
                "created_at": a.created_at.isoformat(),
            }
            for a in self.accounts
        ]

    def get_account(self, email: str, *, tenant_id: str = DEFAULT_TENANT_ID) -> OvokAccount:
        """The account of ``email`` (case-insensitive) in ``tenant_id``."""
        account = self._by_email.get((tenant_id, email.lower()))
        if account is None:
            raise ConfigurationError(
                f"no Ovok account {email!r} in tenant {tenant_id!r}; "
                "seed one with fake.ovok.add_account(email=..., password=...)"
            )
        return account

    def remove_account(self, account_id: str) -> bool:
        """Delete the account with id ``account_id``, signing out its sessions first;
        ``False`` when there is no such account."""
        with self._lock:
            if account_id not in self._accounts:
                return False
            account = self._own("_accounts").pop(account_id)
            self.tokens.revoke_subject(account_id, by="the account's removal")
            by_email = self._own("_by_email")
            for key in [k for k, held in by_email.items() if held is account]:
                del by_email[key]
            sessions = self._own("sessions")
            for session_id in self._own("_account_sessions").pop(account_id, {}):
                sessions.pop(session_id, None)
            return True

    # -- editing an account (the dashboard's edit form), under the seeding rules --------------

    @checked_arguments("fake.ovok.update_account")
    def update_account(
        self,
        account_id: str,
        *,
        name: str | Unchanged = UNCHANGED,
        surname: str | Unchanged = UNCHANGED,
        password: str | Unchanged = UNCHANGED,
        email_verified: bool | Unchanged = UNCHANGED,
    ) -> OvokAccount:
        """Change the given fields of the account with id ``account_id``, each taken as
        :meth:`add_account` takes it (the others stay); the changed account. Its sessions go
        on: a new password counts from the next login."""
        with self._lock:
            account = self._accounts.get(account_id)
            if account is None:
                raise ConfigurationError(
                    f"no Ovok account with id {account_id!r}; fake.ovok.accounts lists them"
                )
            fields = {"name": name, "surname": surname, "email_verified": email_verified}
            changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not UNCHANGED}
            if not isinstance(password, Unchanged):
                changes["password"] = PasswordHash.create(password, self._ids)
            changed = replace(account, **changes)
            # The rules add_account and a document's loader apply, on the record as edited.
            check_account(changed.email, changed.name, changed.surname)
            self._own("_accounts")[account.id] = changed
            self._own("_by_email")[(account.tenant_id, account.email.lower())] = changed
            return changed

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
        with self._lock:
            tenant = self._tenant_and_client(tenant_id, client_id)
            if (tenant_id, email.lower()) in self._by_email:
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
            return self._login(account, tenant, client_id, remote_address, user_agent)

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
        tenant = self._tenant_and_client(tenant_id, client_id)
        account = self._by_email.get((tenant_id, email.lower()))
        if account is None or not account.password.matches(password):
            raise InvalidCredentials("Email or password is invalid")
        with self._lock:
            return self._login(account, tenant, client_id, remote_address, user_agent)

    def refresh(self, refresh_token: str, *, by: str = "ovok.refresh_token") -> OvokTokens:
        """Swap a refresh token (single use) for a new pair in the same login session; ``by``
        names the operation that exchanged it (for :meth:`explain_credential`)."""
        claims = self.signer.decode(refresh_token)
        record = self.tokens.consume(
            str(claims.get("jti", "")), REFRESH, expires_at=signed_expiry(claims), by=by
        )
        session = self.sessions.get(record.session)
        account = self._accounts.get(record.subject)
        if session is None or account is None:
            raise TokenInvalid("the session of this token is gone")
        with self._lock:
            if self.sessions.get(session.id) is session:  # not ended meanwhile
                session = replace(session, last_updated=self.clock.now())
                self._own("sessions")[session.id] = session
                self._sessions_of(account.id)[session.id] = session
            return self._issue(account, self.tenants[account.tenant_id], session)

    def authorize(self, access_token: str) -> tuple[OvokAccount, OvokSession, dict[str, Any]]:
        """The account, session and claims behind a valid access token; raises otherwise."""
        claims = self.signer.decode(access_token)
        record = self.tokens.check(
            str(claims.get("jti", "")), ACCESS, expires_at=signed_expiry(claims)
        )
        account = self._accounts.get(record.subject)
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
        others: list[OvokSession] = []
        newer = None  # how many of the others are newer than the current session
        with self._lock:
            for session in reversed(self._account_sessions.get(account.id, {}).values()):
                if newest is not None and len(others) >= newest:
                    break
                if current is not None and session.id == current.id:
                    newer = len(others)
                elif self.tokens.session_live(session.id):
                    others.append(session)
        others.reverse()
        if current is not None:  # older than every other listed when the walk did not meet it
            others.insert(len(others) - (len(others) if newer is None else newer), current)
        return others

    def _forget_sessions(self, ids: list[str]) -> None:
        """Drop the sessions the token store pruned every record of."""
        with self._lock:
            for session_id in ids:
                if session_id not in self.sessions:
                    continue
                session = self._own("sessions").pop(session_id)
                if session.account_id in self._account_sessions:
                    sessions = self._sessions_of(session.account_id)
                    sessions.pop(session_id, None)
                    if not sessions:
                        del self._account_sessions[session.account_id]

    # -- internals ----------------------------------------------------------------------------

    def _tenant_and_client(self, tenant_id: str, client_id: str) -> OvokTenant:
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise NotFound("Project not found", kind="tenant")
        client = self.clients.get(client_id)
        if client is None or client.tenant_id != tenant_id:
            raise NotFound("Client not found", kind="client")
        return tenant

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
        ids = self._ids
        # One draw of 48 bytes is the same bytes as three draws of 16, for a third of the calls.
        drawn = ids.bytes(48)
        account = OvokAccount(
            id=_uuid4_text(drawn[:16]),
            tenant_id=tenant_id,
            email=email,
            name=name,
            surname=surname,
            profile_id=_uuid4_text(drawn[16:32]),
            membership_id=_uuid4_text(drawn[32:]),
            password=PasswordHash.create(password, ids),
            created_at=self.clock.now(),
            email_verified=email_verified,
        )
        self._own("_accounts")[account.id] = account
        self._own("_by_email")[(tenant_id, email.lower())] = account
        return account

    def _login(
        self,
        account: OvokAccount,
        tenant: OvokTenant,
        client_id: str,
        remote_address: str,
        user_agent: str,
    ) -> OvokTokens:
        now = self.clock.now()
        session = OvokSession(
            id=_uuid4(self._ids),
            account_id=account.id,
            client_id=client_id,
            created_at=now,
            last_updated=now,
            remote_address=remote_address,
            user_agent=user_agent,
        )
        self._own("sessions")[session.id] = session
        self._sessions_of(account.id)[session.id] = session
        return self._issue(account, tenant, session)

    def _issue(self, account: OvokAccount, tenant: OvokTenant, session: OvokSession) -> OvokTokens:
        issued_at = int(self.clock.time())
        common = {
            "sub": account.id,
            "iat": issued_at,
            "client_id": session.client_id,
            "login_id": session.id,
        }
        # The two token ids and the refresh secret, in one draw (the same bytes as three).
        drawn = self._ids.bytes(48)
        access_id, refresh_id = _uuid4_text(drawn[:16]), _uuid4_text(drawn[16:32])
        access = self.signer.encode(
            {
                **common,
                "exp": issued_at + self.access_token_ttl,
                "jti": access_id,
                "username": account.id,
                "scope": "openid",
                "profile": account.profile_reference,
                "project": tenant.project_reference,
            }
        )
        refresh = self.signer.encode(
            {
                **common,
                "exp": issued_at + self.refresh_token_ttl,
                "jti": refresh_id,
                "refresh_secret": drawn[32:].hex(),
            }
        )
        for token_id, kind, ttl in (
            (access_id, ACCESS, self.access_token_ttl),
            (refresh_id, REFRESH, self.refresh_token_ttl),
        ):
            self.tokens.add(
                TokenRecord(token_id, kind, account.id, session.id, issued_at, issued_at + ttl)
            )
        return OvokTokens(access, refresh, self.access_token_ttl, account, tenant, session)

    def expires_at(self, token_ttl: int) -> datetime:
        """When a token issued now with ``token_ttl`` seconds expires."""
        return to_datetime(int(self.clock.time()) + token_ttl)

    # -- the VendorState protocol: the state's part of a document ---------------------------

    def to_document(self) -> dict[str, Any]:
        """The state's part of a state document (JSON-ready: ids and hashes, never a token)."""
        with self._lock:  # one moment: nothing changes while the records are written
            return ovok_document.written(
                tenants=self.tenants.values(),
                clients=self.clients.values(),
                accounts=self._accounts.values(),
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
        resumed = self._randomness.resumed
        snapshot, streams = ovok_document.read(
            document, algorithm=self.signer.algorithm, streams=("ovok.ids",) if resumed else None
        )
        with self._lock:
            self.restore(snapshot)
            if "ovok.ids" in streams:
                self._ids.move_to(streams["ovok.ids"])
