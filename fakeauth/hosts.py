"""Vendor hosts: base-URL normalisation and the ``Host`` keys of a URL (each vendor's default
hosts are in its record, :mod:`fakeauth.vendors`).

Every host a vendor answers on is given as a base URL (``https://api.ovok.com``) and normalised
here to one form, ``scheme://host[:port]`` lowercased, so the facade and the B2Core state (one
broker per host) compare them the same way. A request's ``Host`` header names a base URL by its
host alone when the port is the scheme's default, or by ``host:port``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from urllib.parse import urlsplit

from fakeauth.errors import ConfigurationError

__all__ = ["base_url", "base_urls", "host_keys", "vendor_url"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


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
    """``url`` as ``scheme://host[:port]``, lowercased.

    Anything but an ``http`` or ``https`` URL with a host, a valid port and no path raises
    :class:`ConfigurationError` with the sentence ``"<expected>, not <url>"``; ``expected`` says
    what was wanted, such as ``"a B2Core broker is a base URL such as 'https://broker.example'"``.
    """
    if isinstance(url, str):
        return _parsed_base_url(url, expected)
    raise ConfigurationError(f"{expected}, not {url!r}")


@functools.lru_cache(maxsize=256)  # every FakeAuth() parses the same default hosts
def _parsed_base_url(url: str, expected: str) -> str:
    parts = urlsplit(url)
    if (
        parts.scheme not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or not _has_valid_port(parts.netloc)
    ):
        raise ConfigurationError(f"{expected}, not {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


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


def _has_valid_port(netloc: str) -> bool:
    try:
        urlsplit(f"//{netloc}").port  # noqa: B018 - reading the port checks it
    except ValueError:  # not a number, or out of range
        return False
    return True
