"""The state document's schema: pydantic models of every part, each refusing unknown fields.

A document is ``{"format": "fakeauth-state", "version": 1, "warning": ..., "lanes":
{"default": <lane>}}``; a lane is one fake's whole state (:class:`LaneDoc`). Times are ISO 8601
instants (``created_at``) or POSIX timestamps where the state keeps numbers (``expires_at``);
salts, digests and keys are lowercase hex; a random stream's position is base64.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "FORMAT",
    "VERSION",
    "WARNING",
    "B2CoreDoc",
    "ClockDoc",
    "Document",
    "LaneDoc",
    "OptionsDoc",
    "OvokDoc",
    "PasswordDoc",
    "SignerDoc",
    "TokenDoc",
    "TokensDoc",
    "WaltidDoc",
]

#: The ``format`` marker of every state document.
FORMAT = "fakeauth-state"
#: The one version this fakeauth writes and reads.
VERSION = 1
#: The ``warning`` every document carries: its keys are a test double's.
WARNING = (
    "fakeauth test-double state: keys and hashes here are a fake's; never use them anywhere real"
)

Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]*$")]
Key = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
#: A number of seconds or a POSIX timestamp, kept an int when it is one (the document round-trips).
Seconds = int | Annotated[float, Field(allow_inf_nan=False)]
#: A random stream's position (base64 of its generator's state words), ``None`` before a draw.
Position = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/=]{3336}$")] | None


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class PasswordDoc(_Doc):
    """A salted password digest (never the password)."""

    salt: Hex
    digest: Hex


class TokenDoc(_Doc):
    """One issued token's record: its id (the ``jti``), never the token string."""

    id: str
    kind: str
    subject: str
    session: str
    issued_at: Seconds
    expires_at: Seconds
    revoked: bool


class TokensDoc(_Doc):
    """A vendor's token records, in order of issue."""

    pruned: int = Field(ge=0)
    records: list[TokenDoc]


class SignerDoc(_Doc):
    """A vendor's signing key (``None``: not drawn yet)."""

    algorithm: str
    key: Key | None


class OvokTenantDoc(_Doc):
    """An Ovok tenant (project)."""

    id: str
    project_id: str
    display: str
    strict_mode: bool
    client_id: str


class OvokClientDoc(_Doc):
    """An Ovok client application."""

    id: str
    tenant_id: str


class OvokAccountDoc(_Doc):
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


class OvokSessionDoc(_Doc):
    """An Ovok login session."""

    id: str
    account_id: str
    client_id: str
    created_at: AwareDatetime
    last_updated: AwareDatetime
    remote_address: str
    user_agent: str


class OvokDoc(_Doc):
    """The Ovok state."""

    signer: SignerDoc
    streams: dict[str, Position]
    tenants: list[OvokTenantDoc]
    clients: list[OvokClientDoc]
    accounts: list[OvokAccountDoc]
    sessions: list[OvokSessionDoc]
    tokens: TokensDoc


class BrokerDoc(_Doc):
    """A B2Core broker and its settings (its accounts are listed apart)."""

    url: str
    require_fields: list[str]
    extra_steps: dict[str, list[str]]
    recaptcha: bool
    recaptcha_response: str
    strict_fingerprint: bool
    failures: dict[str, list[Seconds]]
    locked_until: dict[str, Seconds]


class B2CoreAccountDoc(_Doc):
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


class WizardDoc(_Doc):
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


class B2CoreDoc(_Doc):
    """The B2Core state."""

    signer: SignerDoc
    streams: dict[str, Position]
    brokers: list[BrokerDoc]
    accounts: list[B2CoreAccountDoc]
    wizards: list[WizardDoc]
    tokens: TokensDoc


class WaltidAccountDoc(_Doc):
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


class OrganizationDoc(_Doc):
    """A walt.id organization."""

    id: str
    name: str
    created_at: AwareDatetime


class WaltidSessionDoc(_Doc):
    """A walt.id login session."""

    id: str
    account_id: str
    created_at: AwareDatetime
    expires_at: Seconds


class RegistrationDoc(_Doc):
    """A line of walt.id's ``superadmin-registration.conf``: a configured token, and the email
    and password hash of the Super Admin it creates."""

    token: str
    email: str
    password: PasswordDoc
    expires_at: Seconds


class WaltidDoc(_Doc):
    """The walt.id state."""

    signer: SignerDoc
    streams: dict[str, Position]
    accounts: list[WaltidAccountDoc]
    organizations: list[OrganizationDoc]
    roles: dict[str, str]
    sessions: list[WaltidSessionDoc]
    registrations: list[RegistrationDoc]
    tokens: TokensDoc


class BytesSeed(_Doc):
    """A ``bytes`` seed, as hex."""

    bytes_hex: Hex


class OptionsDoc(_Doc):
    """The fake's constructor options that shape its state (``FakeAuth(...)``)."""

    seed: int | str | BytesSeed | None
    ovok_hosts: list[str]
    b2core_hosts: list[str]
    waltid_hosts: list[str]
    features: dict[str, bool]
    ovok_access_token_ttl: int | float
    ovok_refresh_token_ttl: int | float
    b2core_access_token_ttl: int | float
    b2core_refresh_token_ttl: int | float
    waltid_token_ttl: int


class ClockDoc(_Doc):
    """The fake's clock setting: frozen at an instant, or the system time plus an offset."""

    frozen_at: Seconds | None
    offset: Seconds


class LaneDoc(_Doc):
    """One fake's whole state."""

    options: OptionsDoc
    clock: ClockDoc
    epoch: int = Field(ge=0)
    features: dict[str, bool]
    ovok: OvokDoc
    b2core: B2CoreDoc
    waltid: WaltidDoc
    journal: list[dict[str, Any]] | None = None
    outbox: list[dict[str, Any]] | None = None


class Document(_Doc):
    """A whole state file."""

    format: str
    version: int
    warning: str
    lanes: dict[str, LaneDoc]
