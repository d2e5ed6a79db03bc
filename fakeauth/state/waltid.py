"""walt.id Enterprise: global accounts, organizations and their roles, the Super Admin, sessions.

Accounts are global (not bound to an organization); roles are held per organization
(``{"acme": ["acme.admin"]}``). The Super Admin is an account activated with a registration token
from ``superadmin-registration.conf`` and passes every role check. A login opens a session; its
token is an EdDSA JWT ``{sub, session, exp}`` whose validity the :class:`TokenStore` decides
against the fake's clock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from fakeauth.clock import Clock
from fakeauth.errors import (
    AccountExists,
    ConfigurationError,
    DomainError,
    Forbidden,
    InvalidCredentials,
    NotFound,
    TokenInvalid,
)
from fakeauth.features import Feature, FeatureRegistry
from fakeauth.outbox import Outbox
from fakeauth.passwords import PasswordHash
from fakeauth.randomness import Randomness
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore

__all__ = [
    "DEFAULT_SUPERADMIN_EMAIL",
    "DEFAULT_SUPERADMIN_PASSWORD",
    "DEFAULT_SUPERADMIN_TOKEN",
    "FEATURES",
    "AccountDataNotFound",
    "DuplicateOrganization",
    "InvalidRequest",
    "RegistrationTokenInvalid",
    "SuperadminExists",
    "WaltidAccount",
    "WaltidLogin",
    "WaltidOrganization",
    "WaltidSession",
    "WaltidState",
]

#: The registration token and Super Admin of walt.id's quickstart ``superadmin-registration.conf``.
DEFAULT_SUPERADMIN_TOKEN = "1234567890-my-token"
DEFAULT_SUPERADMIN_EMAIL = "superadmin@walt.id"
DEFAULT_SUPERADMIN_PASSWORD = "super123456"
_DEFAULT_TOKEN_EXPIRATION = datetime(2029, 1, 1, tzinfo=timezone.utc).timestamp()

#: The walt.id feature flags fakeauth acts on (walt.id's names and descriptions), switched on as
#: in the quickstart's ``_features.conf``; the fake can switch them at run time.
FEATURES: tuple[Feature, ...] = tuple(
    Feature(name, "waltid", description, True)
    for name, description in (
        ("account-registration", "Enable or disable account registration"),
        ("admin", "Administration endpoints"),
        ("dev-mode", "Development mode"),
        (
            "feature-flag-information-endpoint",
            "Enables endpoints related to showing information about available features on "
            "this service instance",
        ),
        ("organization-creation", "Enable or disable organization creation"),
        ("superadmin-registration", "Enable or disable superadmin registration"),
    )
)

LOGIN = "login"
_ORGANIZATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class AccountDataNotFound(NotFound):
    """No account has this login email (walt.id tells this apart from a wrong password)."""

    code = "account_data_not_found"


class SuperadminExists(DomainError):
    """The Super Admin of this registration token is active already."""

    code = "superadmin_exists"


class RegistrationTokenInvalid(DomainError):
    """A Super Admin registration token that is unknown or past its expiration."""

    code = "registration_token_invalid"


class DuplicateOrganization(DomainError):
    """An organization with this id exists already."""

    code = "duplicate_organization"

    def __init__(self, message: str, *, organization: str) -> None:
        super().__init__(message)
        self.organization = organization


class InvalidRequest(DomainError):
    """A well-formed request whose values the service refuses."""

    code = "invalid_request"


@dataclass
class WaltidAccount:
    """A global account. ``profile`` and ``preferences`` hold the fields as registered."""

    id: str
    profile: dict[str, str]
    preferences: dict[str, str]
    created_at: datetime
    login_email: str | None = None
    password: PasswordHash | None = field(default=None, repr=False)
    roles: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    superadmin: bool = False
    type: str = "USER"

    @property
    def _id(self) -> str:
        """The id under walt.id's own name."""
        return self.id

    @property
    def email(self) -> str:
        """The profile's email."""
        return self.profile["email"]

    def is_admin_of(self, organization: str) -> bool:
        """Whether the account is the Super Admin or holds ``<organization>.admin``."""
        return self.superadmin or f"{organization}.admin" in self.roles.get(organization, ())

    @property
    def is_admin(self) -> bool:
        """Whether the account is the Super Admin or an admin of any organization."""
        return self.superadmin or any(self.is_admin_of(org) for org in self.roles)


@dataclass
class WaltidOrganization:
    """An organization; its ``<id>.admin`` role is made with it."""

    id: str
    name: str
    created_at: datetime


@dataclass
class WaltidSession:
    """One login; its token carries the session id in the ``session`` claim."""

    id: str
    account_id: str
    created_at: datetime
    expires_at: float


@dataclass(frozen=True)
class WaltidLogin:
    """What a login hands out: the account, its new session and the session's bearer token."""

    account: WaltidAccount
    session: WaltidSession
    token: str = field(repr=False)


class WaltidState:
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
        if isinstance(token_ttl, bool) or not isinstance(token_ttl, int) or token_ttl <= 0:
            raise ConfigurationError("waltid_token_ttl must be a positive number of seconds")
        self.clock = clock
        self.outbox = outbox
        self.features = features
        self.token_ttl = token_ttl
        self._randomness = randomness
        self._lock = threading.RLock()
        self.signer = JwtSigner("EdDSA", randomness.stream("waltid.signing-key"))
        for feature in FEATURES:
            features.register(feature)
        self._ids = randomness.stream("waltid.ids")
        self._clear()

    def _clear(self) -> None:
        self.tokens = TokenStore(self.clock)
        self._verified: dict[str, dict[str, Any]] = {}  # token -> claims, signature checked
        self._accounts: dict[str, WaltidAccount] = {}
        self._by_email: dict[str, WaltidAccount] = {}
        self._by_login: dict[str, WaltidAccount] = {}
        self.organizations: dict[str, WaltidOrganization] = {}
        #: role id (``<organization>.<name>``) -> its organization
        self.roles: dict[str, str] = {}
        self.sessions: dict[str, WaltidSession] = {}
        # token -> (email, password, expires at): superadmin-registration.conf
        self._registrations: dict[str, tuple[str, str, float]] = {
            DEFAULT_SUPERADMIN_TOKEN: (
                DEFAULT_SUPERADMIN_EMAIL,
                DEFAULT_SUPERADMIN_PASSWORD,
                _DEFAULT_TOKEN_EXPIRATION,
            )
        }

    def reset(self) -> None:
        """Back to the embedded defaults: the quickstart's registration token, nothing else.

        Feature flags are the whole fake's and stay as they are.
        """
        with self._lock:
            self._ids = self._randomness.stream("waltid.ids")
            self._clear()

    def recreate_database(self) -> None:
        """``/v1/dev/database-recreate``: every account, organization and session is gone.

        Unlike :meth:`reset`, ids keep coming from where they were, so no earlier token can
        ever name a later session.
        """
        with self._lock:
            self._clear()

    # -- seeding and inspection -------------------------------------------------------------

    def add_account(
        self,
        email: str,
        password: str,
        *,
        name: str = "Max Mustermann",
        address_country: str | None = None,
        address: str | None = None,
        time_zone: str = "UTC",
        language_preference: str = "EN",
    ) -> WaltidAccount:
        """Seed an account that logs in with ``email`` and ``password``; it holds no roles."""
        for option, value in (("email", email), ("password", password), ("name", name)):
            if not isinstance(value, str) or not value:
                raise ConfigurationError(f"fake.waltid.add_account needs a non-empty {option}")
        profile = {"name": name, "email": email}
        if address_country is not None:
            profile["addressCountry"] = address_country
        if address is not None:
            profile["address"] = address
        preferences = {"timeZone": time_zone, "languagePreference": language_preference}
        try:
            return self.register(profile, preferences, login=(email, password))
        except AccountExists:
            raise ConfigurationError(
                f"a walt.id account with email {email!r} exists already; "
                "look it up with fake.waltid.get_account(email)"
            ) from None

    def add_organization(self, organization: str, *, name: str | None = None) -> WaltidOrganization:
        """Seed an organization and its ``<organization>.admin`` role."""
        try:
            return self.create_organization(organization, name or f"{organization} Organization")
        except DuplicateOrganization:
            raise ConfigurationError(
                f"the walt.id organization {organization!r} exists already"
            ) from None
        except InvalidRequest as exc:
            raise ConfigurationError(exc.message) from None

    def add_role(self, organization: str, role: str) -> str:
        """Seed a role of ``organization`` (``"viewer"`` or ``"<organization>.viewer"``); its id."""
        with self._lock:
            if organization not in self.organizations:
                raise ConfigurationError(
                    f"no walt.id organization {organization!r}; "
                    f"add it first with fake.waltid.add_organization({organization!r})"
                )
            role_id = role if role.startswith(f"{organization}.") else f"{organization}.{role}"
            if role_id in self.roles:
                raise ConfigurationError(f"the walt.id role {role_id!r} exists already")
            self.roles[role_id] = organization
            return role_id

    def add_registration_token(
        self, token: str, *, email: str, password: str, expires: datetime | None = None
    ) -> None:
        """Add a Super Admin registration token, as a line of ``superadmin-registration.conf``."""
        if expires is None:
            expires_at = _DEFAULT_TOKEN_EXPIRATION
        else:  # a naive datetime is taken as UTC
            expires_at = expires.replace(tzinfo=expires.tzinfo or timezone.utc).timestamp()
        with self._lock:
            self._registrations[token] = (email, password, expires_at)

    def superadmin(self) -> WaltidLogin:
        """The Super Admin (activated now with the default token if it is not yet), logged in."""
        with self._lock:
            account = self._by_email.get(DEFAULT_SUPERADMIN_EMAIL)
            if account is None or not account.superadmin:
                account = self.activate_superadmin(DEFAULT_SUPERADMIN_TOKEN)
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

    @property
    def accounts(self) -> list[WaltidAccount]:
        """Every account, the Super Admin included, in order of creation."""
        with self._lock:
            return list(self._accounts.values())

    def get_account(self, email: str) -> WaltidAccount:
        """The account whose profile email is ``email`` (case-insensitive)."""
        account = self._by_email.get(email.lower())
        if account is None:
            raise ConfigurationError(
                f"no walt.id account {email!r}; seed one with fake.waltid.add_account(...)"
            )
        return account

    def account(self, account_id: str) -> WaltidAccount:
        """The account with id ``account_id``; raises :class:`NotFound`."""
        account = self._accounts.get(account_id)
        if account is None:
            raise NotFound(f"Account not found: {account_id}", kind="account")
        return account

    # -- the operations the API performs ----------------------------------------------------

    def register(
        self,
        profile: Mapping[str, str],
        preferences: Mapping[str, str],
        *,
        login: tuple[str, str] | None = None,
    ) -> WaltidAccount:
        """Create an account; ``login`` is its ``(email, password)`` credential, if any."""
        email = profile["email"]
        with self._lock:
            taken = self._by_email.get(email.lower()) or (
                self._by_login.get(login[0].lower()) if login else None
            )
            if taken is not None:
                clash = email if taken.email.lower() == email.lower() else taken.email
                raise AccountExists(f"An account with email {clash} already exists.")
            account = WaltidAccount(
                id=self._ids.uuid4(),
                profile=dict(profile),
                preferences=dict(preferences),
                created_at=self.clock.now(),
            )
            if login is not None:
                account.login_email = login[0]
                account.password = PasswordHash.create(login[1], self._ids)
                self._by_login[login[0].lower()] = account
            self._accounts[account.id] = account
            self._by_email[email.lower()] = account
            return account

    def activate_superadmin(self, registration_token: str) -> WaltidAccount:
        """Create the Super Admin that ``registration_token`` names."""
        with self._lock:
            if registration_token not in self._registrations:
                raise RegistrationTokenInvalid("Invalid superadmin registration token.")
            email, password, expires_at = self._registrations[registration_token]
            if self.clock.time() >= expires_at:
                raise RegistrationTokenInvalid("The superadmin registration token has expired.")
            existing = self._by_email.get(email.lower())
            if existing is not None and existing.superadmin:
                raise SuperadminExists("Super admin already exists")
            account = self.register(
                {"name": "Super Admin", "email": email},
                {"timeZone": "UTC", "languagePreference": "EN"},
                login=(email, password),
            )
            account.superadmin = True
            return account

    def authenticate(self, email: str, password: str) -> WaltidLogin:
        """Check an email credential and open a session."""
        account = self._by_login.get(email.lower())
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
        claims = self._verified.get(token)
        if claims is None:  # an Ed25519 check costs more than the rest of a request
            claims = self.signer.decode(token)
            if len(self._verified) >= 4096:
                self._verified.clear()
            self._verified[token] = claims
        record = self.tokens.check(str(claims.get("session", "")), LOGIN)
        account = self._accounts.get(record.subject)
        session = self.sessions.get(record.session)
        if account is None or session is None or claims.get("sub") != account.id:
            raise TokenInvalid("the session of this token is gone")
        return account, session

    def logout(self, token: str) -> None:
        """End the session of ``token``: the token is refused from now on."""
        _, session = self.authorize(token)
        with self._lock:
            self.tokens.revoke_session(session.id)
            self.sessions.pop(session.id, None)

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
        if not _ORGANIZATION_ID.match(organization):
            raise InvalidRequest(
                f"Invalid organization id {organization!r}: use letters, digits, '-' and '_'."
            )
        with self._lock:
            if organization in self.organizations:
                raise DuplicateOrganization(
                    f"Organization {organization} already exists", organization=organization
                )
            org = WaltidOrganization(organization, name, self.clock.now())
            self.organizations[organization] = org
            admin = f"{organization}.admin"
            self.roles[admin] = organization
            return org

    def grant_role(self, account_id: str, organization: str, role_id: str) -> bool:
        """Give an account a role of an organization; ``False`` if it held it already."""
        with self._lock:
            account = self.account(account_id)
            if organization not in self.organizations:
                raise NotFound(f"Organization not found: {organization}", kind="organization")
            if role_id not in self.roles:
                raise NotFound(f"Role not found: {role_id}", kind="role")
            if self.roles[role_id] != organization:
                raise InvalidRequest(
                    f"Role {role_id} does not belong to organization {organization}."
                )
            held = account.roles.setdefault(organization, [])
            if role_id in held:
                return False
            held.append(role_id)
            return True

    # -- internals ----------------------------------------------------------------------------

    def _login(self, account: WaltidAccount) -> WaltidLogin:
        issued_at = int(self.clock.time())
        expires_at = issued_at + self.token_ttl
        session = WaltidSession(self._ids.uuid4(), account.id, self.clock.now(), expires_at)
        self.sessions[session.id] = session
        self.tokens.add(
            TokenRecord(session.id, LOGIN, account.id, session.id, issued_at, expires_at)
        )
        token = self.signer.encode({"sub": account.id, "session": session.id, "exp": expires_at})
        return WaltidLogin(account, session, token)
