"""Where checks are sent: a fresh in-process fake, or the base URLs a user names.

A :class:`Target` holds, per vendor, the base URL to call (none: answer from an in-process
fake, through its WSGI app, without the network) and the account to use (none: the run
registers one). :class:`HttpTransport` sends a request only to its base URL: a step whose URL
would leave it (another host, port or scheme, a path outside the base path) is refused before
anything is sent, redirects are not followed, and no proxy is used.
"""

from __future__ import annotations

import base64
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from werkzeug.test import Client

from fakeauth.apis import waltid
from fakeauth.errors import ConfigurationError
from fakeauth.fake import FakeAuth
from fakeauth.features import Feature
from fakeauth.verify.model import Answer, Vendor

__all__ = [
    "DEFAULT_FINGERPRINT",
    "DIVERGENCES",
    "ENV_PREFIX",
    "VENDORS",
    "Credentials",
    "HostRefusedError",
    "HttpTransport",
    "Target",
    "Transport",
    "WsgiTransport",
    "checked_base_url",
    "diverge",
]

#: The vendors, in the report's order.
VENDORS: tuple[Vendor, ...] = ("ovok", "b2core", "waltid")
#: ``FAKEAUTH_VERIFY_<VENDOR>_<FIELD>``: ``URL``, ``EMAIL``, ``PASSWORD``, and Ovok's ``TENANT``
#: and ``CLIENT``, B2Core's ``FINGERPRINT``.
ENV_PREFIX = "FAKEAUTH_VERIFY_"
_DOCS_TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"  # the documentation's tenant and client
#: The device fingerprint sent when none is given: base64 of a JSON object with ``user_agent``.
DEFAULT_FINGERPRINT = base64.b64encode(b'{"user_agent":"fakeauth-verify"}').decode()
_EXTRA: Mapping[Vendor, Mapping[str, str]] = MappingProxyType(
    {
        "ovok": MappingProxyType({"tenant": _DOCS_TENANT, "client": _DOCS_TENANT}),
        "b2core": MappingProxyType({"fingerprint": DEFAULT_FINGERPRINT}),
        "waltid": MappingProxyType({}),
    }
)

#: TEST ONLY. The registry behaviours a fake can be made to answer otherwise, so that a test can
#: show the report marks a divergence (``fakeauth serve --diverge <id>``, :func:`diverge`).
DIVERGENCES: Mapping[str, str] = MappingProxyType(
    {"waltid.logout": waltid.DIVERGE_LOGOUT_WITHOUT_SESSION}
)


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


class HostRefusedError(ValueError):
    """A step's URL would leave the target's base URL; nothing was sent."""


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
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Send ``method path`` (relative to the vendor's base URL)."""
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
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """One request through the WSGI app; no network."""
        response = self._client.open(
            path, base_url=self._base, method=method, headers=dict(headers), data=body
        )
        try:
            data = response.get_data()
            headers_out = {name.lower(): value for name, value in response.headers.items()}
        finally:
            response.close()
        return Answer(response.status_code, headers_out, data)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is the answer: following it could reach a host nobody named


class HttpTransport:
    """Sends requests to ``base_url`` only (urllib; no proxy, no redirect, no cookie jar)."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = checked_base_url(base_url)
        self._timeout = timeout
        parts = urlsplit(self.base_url)
        self._origin = (parts.scheme, parts.hostname, parts.port)
        self._base_path = parts.path
        # no proxy (it is a host nobody named here), no redirect, no cookie jar
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` of the base URL."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, path: str) -> str:
        """The URL of ``path``; raises :class:`HostRefusedError` if it is not under the base."""
        url = self.base_url + path
        parts = urlsplit(url)
        try:
            origin = (parts.scheme, parts.hostname, parts.port)
        except ValueError:  # a port that is not a number
            origin = None
        if (
            not path.startswith("/")
            or path.startswith("//")
            or origin != self._origin
            or "@" in parts.netloc
            or not parts.path.startswith(self._base_path)
            or any(segment in (".", "..") for segment in unquote(parts.path).split("/"))
        ):
            raise HostRefusedError(
                f"refused to send to {url!r}: it is not under the base URL {self.base_url!r}, "
                "and fakeauth verify calls only the URLs you name"
            )
        return url

    def send(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """One request; a refused URL or a network error is an :class:`Answer` with ``error``."""
        try:
            url = self.url(path)
        except HostRefusedError as exc:
            return Answer(0, {}, b"", str(exc))
        request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return Answer(response.status, _lower(response.headers.items()), response.read())
        except urllib.error.HTTPError as exc:  # 4xx, 5xx and the unfollowed 3xx
            with exc:
                return Answer(exc.code, _lower(exc.headers.items()), exc.read())
        except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError, timeouts
            reason = getattr(exc, "reason", exc)
            return Answer(0, {}, b"", f"no answer from {self.origin}: {reason}")


def _lower(items: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in items}


def checked_base_url(url: str) -> str:
    """``url`` without a trailing ``/``; ``ConfigurationError`` unless it is http(s) with a
    host and nothing after the path."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = parts._replace(scheme="")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigurationError(
            f"{url!r} is not a base URL; give one such as https://api.dev.ovok.com or "
            "http://127.0.0.1:8080/ovok"
        )
    if parts.fragment or "@" in parts.netloc:
        raise ConfigurationError(f"{url!r} is not a base URL; leave out credentials and '#'")
    return url.rstrip("/")


@dataclass(frozen=True)
class Target:
    """What checks are compared against: per vendor a base URL (else the in-process ``fake``,
    a fresh one when none is given) and, optionally, the account to use."""

    name: str
    base_urls: Mapping[Vendor, str] = field(default_factory=dict)
    credentials: Mapping[Vendor, Credentials] = field(default_factory=dict)
    fake: FakeAuth | None = None
    timeout: float = 10.0
    #: Per vendor, the extras the environment gives (Ovok ``tenant``, ...), credentials or not.
    extras: Mapping[Vendor, Mapping[str, str]] = field(default_factory=dict)

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
                for key in _EXTRA[vendor]
                if (value := env.get(_var(vendor, key.upper())))
            }
            found = _credentials(vendor, env)
            if found is not None:
                credentials[vendor] = found
        name = "the named URLs" if urls else "a fresh fake"
        return cls(name, urls, credentials, extras=extras)

    def account_extras(self, vendor: Vendor) -> dict[str, str]:
        """The vendor's extra account values: the environment's, else the defaults."""
        return {**_EXTRA[vendor], **self.extras.get(vendor, {})}

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
