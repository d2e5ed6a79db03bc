"""fakeauth.hosts: base-URL normalisation and the Host header keys of a base URL."""

from __future__ import annotations

import pytest

from fakeauth import ConfigurationError
from fakeauth.hosts import base_url, base_urls, host_keys
from fakeauth.vendors import DEFAULT_HOSTS

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
