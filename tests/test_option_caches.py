"""The memoised checks of ``FakeAuth()``'s vendors and hosts (issue 25, target 4) answer what the
plain checks answer, are bounded, and never keep a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from fakeauth import FakeAuth
from fakeauth.errors import ConfigurationError
from fakeauth.options import (
    FakeAuthOptions,
    checked_host_table,
    checked_options,
    checked_vendor_tuple,
)
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


# -- the whole options, kept per set of arguments ------------------------------------------------

DEFAULTS: dict[str, Any] = {
    "vendors": VENDORS,
    "seed": None,
    "hosts": dict(DEFAULT_HOSTS),
    "features": None,
    "ovok_access_token_ttl": 3600,
    "ovok_refresh_token_ttl": 1_209_600,
    "b2core_access_token_ttl": 1200,
    "b2core_refresh_token_ttl": 2_592_000,
    "waltid_token_ttl": 604_800,
    "journal_limit": None,
}
OPTION_SETS: list[dict[str, Any]] = [
    {},
    {"seed": 7},
    {"seed": "seven"},
    {"seed": b"\x07"},
    {"hosts": {**DEFAULT_HOSTS, "ovok": CUSTOM_HOSTS}},
    {"hosts": {**DEFAULT_HOSTS, "ovok": "https://a.example"}},
    {"vendors": (WALTID, OVOK), "hosts": {"waltid": "https://w.example", "ovok": CUSTOM_HOSTS}},
    {"ovok_access_token_ttl": 60, "waltid_token_ttl": 5, "journal_limit": 100},
]
TTL_NOT_A_NUMBER = "fakeauth: ovok_access_token_ttl must be a number of seconds, not bool True"


@pytest.mark.parametrize("changes", OPTION_SETS)
def test_the_kept_options_are_the_options_checked_anew(changes: dict[str, Any]) -> None:
    arguments = {**DEFAULTS, **changes}

    kept = FakeAuthOptions.checked(**arguments)
    again = FakeAuthOptions.checked(**arguments)

    assert kept == FakeAuthOptions.check_anew(**arguments)
    assert again is kept
    assert checked_options.cache_info().maxsize == 64


def test_options_equal_but_of_another_type_are_checked_on_their_own() -> None:
    FakeAuthOptions.checked(**{**DEFAULTS, "ovok_access_token_ttl": 1})

    with pytest.raises(ConfigurationError) as caught:
        FakeAuthOptions.checked(**{**DEFAULTS, "ovok_access_token_ttl": True})

    assert str(caught.value) == TTL_NOT_A_NUMBER
    assert type(FakeAuthOptions.checked(**{**DEFAULTS, "seed": 1}).seed) is int


def test_refused_options_are_refused_every_time_and_never_kept() -> None:
    before = checked_options.cache_info().currsize

    for _ in range(2):
        with pytest.raises(ConfigurationError) as caught:
            FakeAuthOptions.checked(**{**DEFAULTS, "ovok_access_token_ttl": True})
        with pytest.raises(TypeError):
            FakeAuthOptions.checked(**{**DEFAULTS, "seed": 1.5})

        assert str(caught.value) == TTL_NOT_A_NUMBER
    assert checked_options.cache_info().currsize == before


def test_features_are_checked_anew_for_every_fake() -> None:
    first = FakeAuth(features={"account-registration": False})
    second = FakeAuth(features={"account-registration": False})

    assert first.options.features == second.options.features
    assert first.options is not second.options
    assert first.features.is_enabled("account-registration") is False


def plain_host_table(options: FakeAuthOptions) -> dict[str, str]:
    """Every ``Host`` value the options' base URLs stand for and the vendor it names, worked out
    anew from ``fakeauth.hosts.host_keys`` (what the fake computed per fake before)."""
    from fakeauth.hosts import host_keys

    return {
        key: vendor.name
        for vendor in options.vendors
        for url in options.hosts[vendor.name]
        for key in host_keys(url)
    }


@pytest.mark.parametrize(
    "fake",
    [
        pytest.param(lambda: FakeAuth(), id="kept options"),
        pytest.param(lambda: FakeAuth(ovok_hosts=CUSTOM_HOSTS), id="kept, custom hosts"),
        pytest.param(lambda: FakeAuth(features={"account-registration": False}), id="anew"),
    ],
)
def test_the_host_table_a_fake_reads_is_the_one_its_options_give(fake: Any) -> None:
    made = fake()

    table = {key: vendor.name for key, vendor in made.options.host_vendors.items()}

    assert table == plain_host_table(made.options)
    assert {key: getattr(made.vendor_for_host(key), "name", None) for key in table} == table
    assert dict(made.options.vendor_by_name) == {v.name: v for v in made.options.vendors}


def test_two_fakes_of_one_options_value_share_its_tables_and_route_alike() -> None:
    first, second = FakeAuth(ovok_hosts=CUSTOM_HOSTS), FakeAuth(ovok_hosts=CUSTOM_HOSTS)

    assert first.options is second.options
    assert first.options.host_vendors is second.options.host_vendors
    assert [second.vendor_for_host(host) for host in ("ovok.example", "127.0.0.1:8080")] == [
        second.vendor("ovok").api
    ] * 2
    assert second.vendor_for_host("api.dev.ovok.com") is None
