"""fakeauth.hosts: base-URL normalisation and the Host header keys of a base URL."""

from __future__ import annotations

import re

import pytest

from fakeauth import ConfigurationError
from fakeauth.hosts import base_url, base_urls, canonical_host, host_key, host_keys
from fakeauth.vendors import DEFAULT_HOSTS

#: An international name with a label over 63 octets once encoded.
LONG_IDN = "\u00e9" * 70 + ".com"
EXPECTED = "a broker is a base URL such as 'https://broker.example'"


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://Host.Name", "https://host.name"),
        ("https://host.name/", "https://host.name"),
        ("HTTP://LOCALHOST:9000/", "http://localhost:9000"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_base_url_normalises_to_scheme_and_lowercased_netloc(url: str, normalised: str) -> None:
    assert base_url(url, expected=EXPECTED) == normalised


@pytest.mark.parametrize(
    "url",
    [
        "host.name",
        "ftp://host.name",
        "https://host.name/api",
        "https://host.name?x=1",
        "https://host.name#top",
        "https://host.name:port",
        "https://host.name:99999",
        "https://:443",
        None,
        b"https://host.name",
    ],
)
def test_base_url_refuses_anything_else_with_the_callers_sentence(url: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        base_url(url, expected=EXPECTED)

    assert str(info.value) == f"fakeauth: {EXPECTED}, not {url!r}"


def test_base_urls_takes_one_string_or_several() -> None:
    assert base_urls("ovok_hosts", "https://a.example") == ("https://a.example",)
    assert base_urls("ovok_hosts", ["https://a.example", "http://b.example:81"]) == (
        "https://a.example",
        "http://b.example:81",
    )


def test_base_urls_names_the_option_in_its_sentences() -> None:
    with pytest.raises(ConfigurationError) as bad:
        base_urls("ovok_hosts", ["api.ovok.com"])
    with pytest.raises(ConfigurationError) as empty:
        base_urls("waltid_hosts", [])

    assert str(bad.value) == (
        "fakeauth: ovok_hosts takes base URLs such as 'https://api.example.com', not 'api.ovok.com'"
    )
    assert str(empty.value) == "fakeauth: waltid_hosts needs at least one base URL"


@pytest.mark.parametrize(
    ("url", "keys"),
    [
        ("https://host.name", ("host.name", "host.name:443")),
        ("http://host.name", ("host.name", "host.name:80")),
        ("https://host.name:8443", ("host.name:8443",)),
        ("http://127.0.0.1:8080", ("127.0.0.1:8080",)),
        ("http://[::1]:8080", ("[::1]:8080",)),
    ],
)
def test_host_keys_name_the_default_port_both_ways(url: str, keys: tuple[str, ...]) -> None:
    assert host_keys(url) == keys


def test_the_default_hosts_are_base_urls() -> None:
    for vendor, urls in DEFAULT_HOSTS.items():
        assert base_urls(f"{vendor}_hosts", urls) == urls


@pytest.mark.parametrize(
    ("host", "canonical"),
    [
        ("api.dev.ovok.com", "api.dev.ovok.com"),
        ("API.Dev.Ovok.Com.", "api.dev.ovok.com"),
        ("api.dev.ovok\uff0ecom", "api.dev.ovok.com"),
        ("api\u3002dev\uff61ovok.com\u3002", "api.dev.ovok.com"),
        ("\uff41\uff50\uff49.dev.ovok.com", "api.dev.ovok.com"),
        ("b\u00fccher.example", "xn--bcher-kva.example"),
        ("0:0::1", "::1"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_canonical_host_is_the_one_form_of_every_spelling(host: str, canonical: str) -> None:
    assert canonical_host(host) == canonical


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("", "'' is not a host name: a label is empty or too long"),
        ("api..ovok.com", "'api..ovok.com' is not a host name: a label is empty or too long"),
        ("api.ovok.com..", "'api.ovok.com..' is not a host name: a label is empty or too long"),
        (f"{'a' * 64}.com", f"'{'a' * 64}.com' is not a host name: a label is empty or too long"),
        ("::1::2", "'::1::2' is neither a host name nor an IPv6 address"),
        (
            LONG_IDN,
            f"{LONG_IDN!r} is not a host name IDNA can encode: a label is empty, too long or "
            "not allowed",
        ),
    ],
)
def test_canonical_host_refuses_what_it_cannot_normalise(host: str, why: str) -> None:
    with pytest.raises(ValueError, match=re.escape(why)) as refused:
        canonical_host(host)

    assert str(refused.value) == why


@pytest.mark.parametrize(
    ("netloc", "key"),
    [
        ("user:secret@API.dev.ovok.com.:0443", "api.dev.ovok.com:443"),
        ("api.dev.ovok.com:", "api.dev.ovok.com"),
        ("[0:0::1]:8080", "[::1]:8080"),
        ("[::1]", "[::1]"),
    ],
)
def test_host_key_reads_a_netloc_or_a_host_header(netloc: str, key: str) -> None:
    assert host_key(netloc) == key


@pytest.mark.parametrize(
    ("netloc", "why"),
    [
        ("[::1", "'[::1' has an unbalanced IPv6 bracket"),
        ("[::1]x", "'[::1]x' has an unbalanced IPv6 bracket"),
        ("host.name:https", "'host.name:https' has no valid port"),
        ("host.name:70000", "'host.name:70000' has no valid port"),
    ],
)
def test_host_key_refuses_what_it_cannot_read(netloc: str, why: str) -> None:
    with pytest.raises(ValueError, match=re.escape(why)) as refused:
        host_key(netloc)

    assert str(refused.value) == why


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://api.dev.ovok.com.", "https://api.dev.ovok.com"),
        ("https://api.dev.ovok\uff0ecom:443/", "https://api.dev.ovok.com"),
        ("http://user@host.name:80", "http://host.name"),
        ("http://host.name:443", "http://host.name:443"),
    ],
)
def test_base_url_normalises_the_host_and_drops_the_default_port(url: str, normalised: str) -> None:
    assert base_url(url, expected=EXPECTED) == normalised
