"""Where checks are sent: a fresh in-process fake, or the base URLs a user names.

A :class:`Target` holds, per vendor, the base URL to call (none: answer from an in-process
fake, through its WSGI app, without the network; else an
:class:`~fakeauth.verify.remote.HttpTransport`), the account to use (none: the run registers
one), and the bounds of a run against it: seconds per request and per run, bytes per body.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from werkzeug.test import Client

from fakeauth.errors import ConfigurationError
from fakeauth.fake import FakeAuth
from fakeauth.features import Feature
from fakeauth.state.waltid_options import DIVERGE_LOGOUT_WITHOUT_SESSION
from fakeauth.vendors import VENDORS as RECORDS
from fakeauth.verify.checks import ACCOUNT_EXTRAS, DEFAULT_FINGERPRINT, checks
from fakeauth.verify.model import Answer, Vendor
from fakeauth.verify.remote import MAX_BODY, checked_base_url

__all__ = [
    "DEFAULT_FINGERPRINT",
    "DIVERGENCES",
    "ENV_PREFIX",
    "VENDORS",
    "Credentials",
    "Target",
    "Transport",
    "WsgiTransport",
    "diverge",
]

#: The vendors of the registry that have checks, in the registry's order (the report's).
VENDORS: tuple[Vendor, ...] = tuple(record.name for record in RECORDS if checks(record.name))
#: ``FAKEAUTH_VERIFY_<VENDOR>_<FIELD>``: ``URL``, ``EMAIL``, ``PASSWORD``, and the extras of the
#: vendor's account (:data:`~fakeauth.verify.checks.ACCOUNT_EXTRAS`: Ovok's ``TENANT`` and
#: ``CLIENT``, B2Core's ``FINGERPRINT``).
ENV_PREFIX = "FAKEAUTH_VERIFY_"

#: TEST ONLY. The registry behaviours a fake can be made to answer otherwise, so that a test can
#: show the report marks a divergence (``fakeauth serve --diverge <id>``, :func:`diverge`).
DIVERGENCES: Mapping[str, str] = MappingProxyType({"waltid.logout": DIVERGE_LOGOUT_WITHOUT_SESSION})


def diverge(fake: FakeAuth, entry_id: str) -> FakeAuth:
    """TEST ONLY: make ``fake`` answer the registry behaviour ``entry_id`` unlike fakeauth does.

    For a target that diverges on purpose, in fakeauth's own tests of ``fakeauth verify``;
    never in a user's suite. The switch is a feature flag of that fake alone (``vendor``
    ``"fakeauth"``, shown by ``GET /_fakeauth/features``), kept across ``fake.reset()``.
    """
    try:
        name = DIVERGENCES[entry_id]
    except KeyError:
        known = ", ".join(sorted(DIVERGENCES))
        raise ConfigurationError(
            f"cannot diverge on {entry_id!r}; the behaviours it can switch are: {known}"
        ) from None
    description = f"test only: fakeauth verify's diverging target ({entry_id})"
    fake.features.register(Feature(name, "fakeauth", description, True))
    return fake


@dataclass(frozen=True)
class Credentials:
    """An existing account of the target (``FAKEAUTH_VERIFY_<VENDOR>_EMAIL`` and ``_PASSWORD``)."""

    email: str
    password: str

    def secrets(self) -> list[str]:
        """Both values: neither is ever printed."""
        return [self.email, self.password]


class Transport(Protocol):
    """Sends one request of a vendor and gives back its :class:`Answer`."""

    def send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        timeout: float | None = None,
    ) -> Answer:
        """Send ``method path`` (relative to the vendor's base URL), within ``timeout`` seconds
        (default: the transport's own); a failure is an :class:`Answer` with ``error``."""
        ...  # pragma: no cover

    @property
    def origin(self) -> str:
        """The scheme, host and port the requests go to."""
        ...  # pragma: no cover


class WsgiTransport:
    """Answers from ``fake`` through its WSGI app, on the vendor's first in-process host."""

    def __init__(self, fake: FakeAuth, vendor: Vendor) -> None:
        self._client = Client(fake.wsgi_app, use_cookies=False)  # a check sends what it says
        self._base = fake.hosts[vendor][0]

    @property
    def origin(self) -> str:
        """The vendor's in-process base URL."""
        return self._base

    def send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        timeout: float | None = None,
    ) -> Answer:
        """One request through the WSGI app; no network (so ``timeout`` has nothing to bound)."""
        response = self._client.open(
            path, base_url=self._base, method=method, headers=dict(headers), data=body
        )
        try:
            data = response.get_data()
            headers_out = {name.lower(): value for name, value in response.headers.items()}
        finally:
            response.close()
        return Answer(response.status_code, headers_out, data)


@dataclass(frozen=True)
class Target:
    """What checks are compared against: per vendor a base URL (else the in-process ``fake``,
    a fresh one when none is given) and, optionally, the account to use."""

    name: str
    base_urls: Mapping[Vendor, str] = field(default_factory=dict)
    credentials: Mapping[Vendor, Credentials] = field(default_factory=dict)
    fake: FakeAuth | None = None
    #: Seconds for each request to a base URL, from connecting to the body's last byte.
    timeout: float = 10.0
    #: Per vendor, the extras the environment gives (Ovok ``tenant``, ...), credentials or not.
    extras: Mapping[Vendor, Mapping[str, str]] = field(default_factory=dict)
    #: Seconds for a whole run, counted from its first check (``None``: no bound but the
    #: requests' own); a check that starts after that is not run.
    deadline: float | None = None
    #: The most bytes of an answer's body read from a base URL; a longer one is not compared.
    max_body: int = MAX_BODY

    @classmethod
    def fresh_fake(cls) -> Target:
        """A fresh in-process fake (the default: then every check matches)."""
        return cls("a fresh fake")

    @classmethod
    def in_process(cls, fake: FakeAuth, name: str = "an in-process fake") -> Target:
        """``fake`` itself, through its WSGI app."""
        return cls(name, fake=fake)

    @classmethod
    def from_env(
        cls,
        base_urls: Mapping[Vendor, str] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Target:
        """The target the environment names (``FAKEAUTH_VERIFY_OVOK_URL``, ...), with
        ``base_urls`` in place of the environment's; a fresh fake when no URL is named.

        ``FAKEAUTH_VERIFY_<VENDOR>_EMAIL`` and ``..._PASSWORD`` name an existing account (both or
        neither); Ovok also reads ``..._TENANT`` and ``..._CLIENT``, B2Core ``..._FINGERPRINT``.
        """
        env = os.environ if environ is None else environ
        urls: dict[Vendor, str] = {}
        credentials: dict[Vendor, Credentials] = {}
        extras: dict[Vendor, Mapping[str, str]] = {}
        for vendor in VENDORS:
            given = (base_urls or {}).get(vendor) or env.get(_var(vendor, "URL"))
            if given:
                urls[vendor] = checked_base_url(given)
            extras[vendor] = {
                key: value
                for key in ACCOUNT_EXTRAS.get(vendor, {})
                if (value := env.get(_var(vendor, key.upper())))
            }
            found = _credentials(vendor, env)
            if found is not None:
                credentials[vendor] = found
        name = "the named URLs" if urls else "a fresh fake"
        return cls(name, urls, credentials, extras=extras)

    def account_extras(self, vendor: Vendor) -> dict[str, str]:
        """The vendor's extra account values: the environment's, else the defaults."""
        return {**ACCOUNT_EXTRAS.get(vendor, {}), **self.extras.get(vendor, {})}

    def secrets(self) -> list[str]:
        """Every value the user gave for an account: none of them is ever printed."""
        found = [secret for item in self.credentials.values() for secret in item.secrets()]
        return found + [value for item in self.extras.values() for value in item.values()]


def _var(vendor: Vendor, name: str) -> str:
    return f"{ENV_PREFIX}{vendor.upper()}_{name}"


def _credentials(vendor: Vendor, env: Mapping[str, str]) -> Credentials | None:
    email, password = env.get(_var(vendor, "EMAIL")), env.get(_var(vendor, "PASSWORD"))
    if not email and not password:
        return None
    if not email or not password:
        raise ConfigurationError(
            f"set both {_var(vendor, 'EMAIL')} and {_var(vendor, 'PASSWORD')}, or neither "
            "(then fakeauth verify registers an account of its own)"
        )
    return Credentials(email, password)
