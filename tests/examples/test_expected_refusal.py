"""A test that expects a client that is not intercepted to be refused a vendor host."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from fakeauth import FakeAuth

OVOK_ME = "https://api.dev.ovok.com/auth/me"


def test_urllib_is_refused_the_vendor_hosts(fakeauth: FakeAuth) -> None:
    with fakeauth.network_refusals.expected() as refused, pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(OVOK_ME, timeout=10)  # not intercepted: refused

    assert refused == ["api.dev.ovok.com"]
