"""The memoised checks of ``FakeAuth()``'s vendors and hosts (issue 25, target 4) answer what the
plain checks answer, are bounded, and never keep a refusal."""

from __future__ import annotations

import pytest

from fakeauth import FakeAuth
from fakeauth.errors import ConfigurationError
from fakeauth.options import checked_host_table, checked_vendor_tuple
from fakeauth.vendors import DEFAULT_HOSTS, VENDORS, checked_vendors

OVOK, B2CORE, WALTID = VENDORS
CUSTOM_HOSTS = ("https://Ovok.Example:443", "http://127.0.0.1:8080/")
TWICE = "fakeauth: two vendors are named 'ovok'; give each once"
NOT_A_BASE_URL = (
    "fakeauth: ovok_hosts takes base URLs such as 'https://api.example.com', not 'ftp://x'"
)


def test_the_kept_vendor_check_is_the_plain_check() -> None:
    assert checked_vendor_tuple(VENDORS) == checked_vendors(VENDORS)
    assert checked_vendor_tuple((WALTID, OVOK)) == checked_vendors((WALTID, OVOK))
    assert checked_vendor_tuple.cache_info().maxsize == 16


def test_a_refused_vendor_set_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ConfigurationError) as caught:
            FakeAuth(vendors=(OVOK, OVOK))

        assert str(caught.value) == TWICE


@pytest.mark.parametrize("hosts", [DEFAULT_HOSTS["ovok"], CUSTOM_HOSTS, "https://a.example"])
def test_the_kept_host_table_is_the_plain_check(hosts: tuple[str, ...] | str) -> None:
    given = ((OVOK, hosts), (B2CORE, DEFAULT_HOSTS["b2core"]))

    assert checked_host_table(given) == checked_host_table.__wrapped__(given)
    assert checked_host_table.cache_info().maxsize == 64


def test_hosts_given_as_a_generator_are_read_once_as_a_tuple_would_be() -> None:
    fake = FakeAuth(ovok_hosts=(url for url in CUSTOM_HOSTS))

    assert fake.hosts["ovok"] == FakeAuth(ovok_hosts=CUSTOM_HOSTS).hosts["ovok"]
    assert fake.hosts["ovok"] == ("https://ovok.example", "http://127.0.0.1:8080")


def test_a_refused_host_is_refused_every_time_even_after_a_good_one() -> None:
    FakeAuth(ovok_hosts=CUSTOM_HOSTS)

    for _ in range(2):
        with pytest.raises(ConfigurationError) as caught:
            FakeAuth(ovok_hosts=("ftp://x",))

        assert str(caught.value) == NOT_A_BASE_URL


def test_hosts_that_cannot_be_a_cache_key_are_still_checked() -> None:
    with pytest.raises(ConfigurationError) as caught:
        FakeAuth(ovok_hosts=[["https://a.example"]])  # type: ignore[list-item]

    assert str(caught.value) == (
        "fakeauth: ovok_hosts takes base URLs such as 'https://api.example.com', not ['https://a.example']"
    )
