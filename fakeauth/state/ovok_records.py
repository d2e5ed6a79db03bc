"""Ovok's records (tenants, clients, accounts, sessions, what a login hands out), a snapshot of
them, and the rules an account's fields follow (:func:`check_account`: ``add_account`` applies
them, and so does a state document's loader). Every name is importable from
:mod:`fakeauth.state.ovok` too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from fakeauth.emails import is_email
from fakeauth.errors import FieldRefused, shown
from fakeauth.passwords import PasswordHash
from fakeauth.records import assign, record
from fakeauth.tokens import TokenStoreSnapshot

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
    "OvokTenant",
    "OvokTokens",
    "check_account",
    "uuid4_of_hex",
    "uuid4_text",
]

#: The tenant and client id of Ovok's documentation examples.
DEFAULT_TENANT_ID = "87ea5dfc-8b8e-384d-8489-79496e706390"
DEFAULT_CLIENT_ID = "87ea5dfc-8b8e-384d-8489-79496e706390"
#: The project reference and display of the documentation's example reply.
DEFAULT_PROJECT_ID = "f6f4da8d-93e8-8a08-220e-03b7810451d3"
DEFAULT_PROJECT_DISPLAY = "My Medical Project"


def uuid4_text(drawn: bytes) -> str:
    """``str(uuid.UUID(bytes=drawn, version=4))``: the hex digits with the version digit set to
    ``4`` and the two top bits of the variant digit to ``10`` (RFC 4122), written in place
    (half the cost of masking the 128-bit integer and formatting it)."""
    return uuid4_of_hex(drawn.hex())


def uuid4_of_hex(digits: str) -> str:
    """:func:`uuid4_text` of the 16 bytes whose lowercase hex is ``digits`` (the first 32
    characters): a login writes its three ids from the hex of one draw."""
    variant = _VARIANT[digits[16]]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:32]}"


#: A hex digit -> the variant digit it becomes: its two top bits set to ``10``.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


#: The longest name (and surname) an Ovok account holds: its API takes 1 to 128 characters.
MAX_NAME_LENGTH = 128


def check_account(email: str, name: str, surname: str) -> None:
    """Raise :class:`FieldRefused` naming the field unless an Ovok account may hold these: an
    email class-validator's ``isEmail`` takes, a name and surname of at most
    :data:`MAX_NAME_LENGTH` characters (what the API takes)."""
    if not is_email(email):
        raise FieldRefused(
            "email",
            f"{shown(email)} is not an email address Ovok accepts (class-validator isEmail)",
        )
    for name_of, value in (("name", name), ("surname", surname)):
        if len(value) > MAX_NAME_LENGTH:
            raise FieldRefused(
                name_of,
                f"an Ovok {name_of} is at most {MAX_NAME_LENGTH} characters, not {len(value):,}",
            )


@record
class OvokTenant:
    """A tenant: the parent project accounts register to. ``client_id`` is the client
    application :meth:`OvokState.add_tenant` gave it (by default the tenant's own id, as the
    documentation's tenant ``87ea5dfc-...`` is its own client)."""

    id: str
    project_id: str
    display: str
    strict_mode: bool = True
    client_id: str = ""

    def __init__(
        self,
        id: str,
        project_id: str,
        display: str,
        strict_mode: bool = True,
        client_id: str = "",
    ) -> None:
        assign(
            self,
            id=id,
            project_id=project_id,
            display=display,
            strict_mode=strict_mode,
            client_id=client_id,
        )

    @property
    def project_reference(self) -> str:
        """``Project/<uuid>``."""
        return f"Project/{self.project_id}"


@record
class OvokClient:
    """A client application of a tenant."""

    id: str
    tenant_id: str

    def __init__(self, id: str, tenant_id: str) -> None:
        assign(self, id=id, tenant_id=tenant_id)


@dataclass(frozen=True, slots=True)
class OvokAccount:
    """A registered user, with its FHIR ``Patient`` profile. The password is only a hash.

    Immutable, as every record of a state: a snapshot shares the records it holds."""

    id: str
    tenant_id: str
    email: str
    name: str
    surname: str
    profile_id: str
    membership_id: str
    password: PasswordHash = field(repr=False)
    created_at: datetime
    email_verified: bool = False

    @property
    def profile_reference(self) -> str:
        """``Patient/<uuid>``."""
        return f"Patient/{self.profile_id}"

    @property
    def display(self) -> str:
        """The profile's display name, ``"<name> <surname>"``."""
        return f"{self.name} {self.surname}".strip()


@dataclass(frozen=True, slots=True)
class OvokSession:
    """One login: what the ``login_id`` claim names; refresh keeps it, logout ends its token."""

    id: str
    account_id: str
    client_id: str
    created_at: datetime
    last_updated: datetime
    remote_address: str
    user_agent: str


@dataclass(frozen=True)
class OvokTokens:
    """What register, login and refresh hand out."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    account: OvokAccount
    tenant: OvokTenant
    session: OvokSession


class OvokSnapshot(NamedTuple):
    """An Ovok state's records at one moment (:meth:`OvokState.snapshot`), never written again."""

    tenants: Mapping[str, OvokTenant]
    clients: Mapping[str, OvokClient]
    accounts: Mapping[str, OvokAccount]
    by_email: Mapping[tuple[str, str], OvokAccount]
    sessions: Mapping[str, OvokSession]
    account_sessions: Mapping[str, Mapping[str, OvokSession]]
    tokens: TokenStoreSnapshot
    key: bytes | None
