"""Tests for fakeauth.emails: every expectation is what validator.js isEmail returns."""

from typing import Any

import pytest

from fakeauth.emails import is_email

LOCAL_64 = "a" * 64
DOMAIN_189 = f"{'b' * 63}.{'c' * 63}.{'d' * 61}"  # 64 + 1 + 189 = 254 chars

VALID = [
    pytest.param("max.mustermann@example.com", id="dotted-local"),
    pytest.param("foo@bar.com", id="simple"),
    pytest.param("a@example.test", id="special-use-test"),
    pytest.param("user@x.local", id="special-use-local"),
    pytest.param("u@example.invalid", id="special-use-invalid"),
    pytest.param("Mixed.Case@Example.COM", id="mixed-case"),
    pytest.param("john+tag@example.com", id="plus-addressing"),
    pytest.param("user@sub.domain.example.co.uk", id="many-labels"),
    pytest.param("a@b.co", id="two-letter-tld"),
    pytest.param("x@my-host.example.com", id="inner-hyphen"),
    pytest.param("123@456.com", id="numeric-local-and-label"),
    pytest.param("!#$%&'*+-/=?^_`{|}~@example.com", id="all-atext-specials"),
    pytest.param('"foo bar"@example.com', id="quoted-space"),
    pytest.param('"foo..bar"@example.com', id="quoted-consecutive-dots"),
    pytest.param('"a@b"@example.com', id="quoted-at"),
    pytest.param('"a\\"b"@example.com', id="quoted-escaped-quote"),
    pytest.param('"@example.com', id="lone-quote-quirk"),
    pytest.param("üñîçøðé@example.com", id="utf8-local"),
    pytest.param("用户@例子.广告", id="cjk-local-and-domain"),
    pytest.param("user@пример.рф", id="cyrillic-domain"),
    pytest.param("user@example.xn--p1ai", id="punycode-tld"),
    pytest.param("user@xn--e1afmkfd.XN--P1AI", id="punycode-upper-tld"),
    pytest.param("user@" + "😀" * 31 + ".com", id="astral-label-62-utf16-units"),
    pytest.param(f"{LOCAL_64}@example.com", id="local-64-bytes"),
    pytest.param("é" * 32 + "@example.com", id="local-64-utf8-bytes"),
    pytest.param(f"user@{'a' * 63}.com", id="label-63-chars"),
    pytest.param(f"{LOCAL_64}@{DOMAIN_189}", id="254-chars"),
]

INVALID = [
    pytest.param("", id="empty"),
    pytest.param("plainaddress", id="no-at"),
    pytest.param("@example.com", id="empty-local"),
    pytest.param("user@", id="empty-domain"),
    pytest.param("user@localhost", id="no-dot-domain"),
    pytest.param("user@example.123", id="numeric-tld"),
    pytest.param("user@example.c", id="one-letter-tld"),
    pytest.param("user@example.ab©", id="copyright-in-tld"),
    pytest.param("user@127.0.0.1", id="ip-domain"),
    pytest.param("user@[127.0.0.1]", id="ip-literal"),
    pytest.param("user@[IPv6:::1]", id="ipv6-literal"),
    pytest.param("user@example.com.", id="trailing-dot"),
    pytest.param("user@.example.com", id="leading-dot-domain"),
    pytest.param("user@example..com", id="consecutive-dots-domain"),
    pytest.param("user@-example.com", id="leading-hyphen-label"),
    pytest.param("user@example-.com", id="trailing-hyphen-label"),
    pytest.param("user@exa_mple.com", id="underscore-domain"),
    pytest.param("user..name@example.com", id="consecutive-dots-local"),
    pytest.param(".user@example.com", id="leading-dot-local"),
    pytest.param("user.@example.com", id="trailing-dot-local"),
    pytest.param("user name@example.com", id="space-local"),
    pytest.param("user@exa mple.com", id="space-domain"),
    pytest.param(" user@example.com", id="leading-space"),
    pytest.param("user@example.com ", id="trailing-space"),
    pytest.param("user@example.com\n", id="trailing-newline"),
    pytest.param("a@b@example.com", id="unquoted-at-in-local"),
    pytest.param("user(comment)@example.com", id="comment"),
    pytest.param('"unterminated@example.com', id="unterminated-quote"),
    pytest.param("😀@example.com", id="astral-local"),
    pytest.param("user@ｅｘａｍｐｌｅ.com", id="full-width-domain"),
    pytest.param("user@" + "😀" * 32 + ".com", id="astral-label-64-utf16-units"),
    pytest.param(f"a{LOCAL_64}@example.com", id="local-65-bytes"),
    pytest.param("é" * 33 + "@example.com", id="local-33-chars-66-bytes"),
    pytest.param(f"user@{'a' * 64}.com", id="label-64-chars"),
    pytest.param(f"{LOCAL_64}@{DOMAIN_189}d", id="255-chars"),
    pytest.param("Max <max@example.com>", id="display-name"),
    pytest.param('"Max Mustermann" <max@example.com>', id="quoted-display-name"),
    pytest.param("<max@example.com>", id="angle-brackets"),
]


@pytest.mark.parametrize("address", VALID)
def test_valid(address: str) -> None:
    assert is_email(address) is True


@pytest.mark.parametrize("address", INVALID)
def test_invalid(address: str) -> None:
    assert is_email(address) is False


@pytest.mark.parametrize(
    "value",
    [None, 123, b"foo@bar.com", ["foo@bar.com"], {"email": "foo@bar.com"}],
    ids=["none", "int", "bytes", "list", "dict"],
)
def test_non_str_is_rejected(value: Any) -> None:
    assert is_email(value) is False


def test_public_api() -> None:
    import fakeauth.emails as emails

    assert emails.__all__ == ["is_email"]
