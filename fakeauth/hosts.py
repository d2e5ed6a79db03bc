"""Vendor hosts: host-name normalisation and the ``Host`` keys of a URL (each vendor's default
hosts are in its record, :mod:`fakeauth.vendors`).

A host name is normalised here and nowhere else (:func:`canonical_host`, :func:`host_key`):
lowercased, one trailing dot dropped (``api.ovok.com.`` is the same host to DNS, TLS and every
server), international names IDNA-encoded as the resolver encodes them (so ``api.ovok．com``,
with a full-width dot, is ``api.ovok.com``), an IPv6 address in its compressed form, the userinfo
of a URL dropped and its port written as a plain number. The facade, the B2Core state (one broker
per host), every in-process transport and the network guard decide on this one form.

Every host a vendor answers on is given as a base URL (``https://api.ovok.com``) and normalised
to ``scheme://host[:port]`` (the port only when it is not the scheme's default). A request's
``Host`` header names a base URL by its host alone when the port is the scheme's default, or by
``host:port``.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from fakeauth.errors import ConfigurationError

__all__ = [
    "base_url",
    "base_urls",
    "canonical_host",
    "host_key",
    "host_keys",
    "vendor_url",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_LABEL = 63  # octets in one DNS label
_MAX_NAME = 253  # octets in a DNS name, written with dots
_MAX_PORT = 65535


def vendor_url(root: str, vendor: object, names: Iterable[str]) -> str:
    """``vendor``'s base URL on the live server at ``root``: ``<root>/<vendor>``; a
    :class:`ConfigurationError` when ``vendor`` is not among the served vendors' ``names``."""
    served = list(names)
    if vendor not in served:
        raise ConfigurationError(
            f"fakeauth serves no vendor {vendor!r}; choose one of {', '.join(served)}"
        )
    return f"{root}/{vendor}"


def base_url(url: object, *, expected: str) -> str:
    """``url`` as ``scheme://host[:port]``, the host normalised by :func:`host_key` and the port
    dropped when it is the scheme's default.

    Anything but an ``http`` or ``https`` URL with a host, a valid port and no path raises
    :class:`ConfigurationError` with the sentence ``"<expected>, not <url>"``; ``expected`` says
    what was wanted, such as ``"a B2Core broker is a base URL such as 'https://broker.example'"``.
    """
    if isinstance(url, str):
        return _parsed_base_url(url, expected)
    raise ConfigurationError(f"{expected}, not {url!r}")


@functools.lru_cache(maxsize=256)  # every FakeAuth() parses the same default hosts
def _parsed_base_url(url: str, expected: str) -> str:
    try:
        parts = urlsplit(url)
        netloc = host_key(parts.netloc)
    except ValueError:  # an unbalanced IPv6 bracket, a bad port, a name IDNA refuses
        raise ConfigurationError(f"{expected}, not {url!r}") from None
    if (
        parts.scheme not in _DEFAULT_PORTS
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ConfigurationError(f"{expected}, not {url!r}")
    netloc = netloc.removesuffix(f":{_DEFAULT_PORTS[parts.scheme]}")
    return f"{parts.scheme}://{netloc}"


def base_urls(option: str, urls: Iterable[str]) -> tuple[str, ...]:
    """The base URLs given for the ``FakeAuth`` option ``option`` (one string or several)."""
    if isinstance(urls, str):
        urls = (urls,)
    expected = f"{option} takes base URLs such as 'https://api.example.com'"
    result = tuple(base_url(url, expected=expected) for url in urls)
    if not result:
        raise ConfigurationError(f"{option} needs at least one base URL")
    return result


@functools.lru_cache(maxsize=256)
def host_keys(url: str) -> tuple[str, ...]:
    """The ``Host`` header values that name the base URL ``url``.

    ``https://host.name`` is named by ``host.name`` and ``host.name:443``;
    ``http://127.0.0.1:8080`` only by ``127.0.0.1:8080``.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address is bracketed in a Host header
        host = f"[{host}]"
    default_port = _DEFAULT_PORTS.get(parts.scheme, 80)
    port = parts.port or default_port
    if port == default_port:
        return (host, f"{host}:{port}")
    return (f"{host}:{port}",)


@functools.lru_cache(maxsize=1024)  # the guard and the transports ask for a few names often
def canonical_host(host: str) -> str:
    """The one form of a host name or address that every decision compares.

    A name is IDNA-encoded as the resolver encodes it (Python's ``idna`` codec, which also reads
    the full-width and ideographic dots as dots), lowercased, and loses one trailing dot; an IPv6
    address (without brackets) is written in its compressed form. ``"API.dev.ovok．com."`` and
    ``"api.dev.ovok.com"`` are both ``"api.dev.ovok.com"``. A host that cannot be normalised (empty,
    an empty or over-long label, a name IDNA refuses) raises :class:`ValueError` with a sentence
    that says why: such a host is refused, never passed to the network.
    """
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise ValueError(f"{host!r} is neither a host name nor an IPv6 address") from None
    try:
        name = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:  # the codec's own words differ between Python versions
        raise ValueError(
            f"{host!r} is not a host name IDNA can encode: a label is empty, too long or not "
            "allowed"
        ) from None
    name = name.lower().removesuffix(".")
    labels = name.split(".")
    if not name or len(name) > _MAX_NAME or any(not 0 < len(x) <= _MAX_LABEL for x in labels):
        raise ValueError(f"{host!r} is not a host name: a label is empty or too long")
    return name


@functools.lru_cache(maxsize=1024)
def host_key(netloc: str) -> str:
    """A URL's authority or a ``Host`` header value in the form :func:`host_keys` gives:
    ``"user@API.dev.ovok.com.:0443"`` is ``"api.dev.ovok.com:443"``.

    The userinfo is dropped, the host goes through :func:`canonical_host` (an IPv6 address comes
    back bracketed) and the port is written as a plain number (an empty port is no port). A
    :class:`ValueError` when the host or the port cannot be read.
    """
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        host, bracket, rest = hostport[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"{netloc!r} has an unbalanced IPv6 bracket")
        port = rest[1:]
    else:
        host, _, port = hostport.partition(":")
    name = canonical_host(host)
    if ":" in name:
        name = f"[{name}]"
    if not port:
        return name
    if not (port.isascii() and port.isdigit()) or int(port) > _MAX_PORT:
        raise ValueError(f"{netloc!r} has no valid port")
    return f"{name}:{int(port)}"
