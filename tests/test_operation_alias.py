"""``fake.calls("<id>*")``: one documented alias that counts every method of an id's path."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fakeauth import FakeAuth

B2CORE = "https://host.name"
WIZARD = "/api/v2/my/signin/wizard"


def test_the_star_alias_counts_the_get_and_the_post_of_the_signin_wizard() -> None:
    fake = FakeAuth()
    client = Client(fake.wsgi_app)

    client.get(WIZARD, base_url=B2CORE)
    client.post(WIZARD, base_url=B2CORE, json={})
    client.get(WIZARD, base_url=B2CORE)

    both = fake.calls("b2core.signin_wizard*")
    both.assert_call_count(3)
    assert both.operations == ("b2core.signin_wizard", "b2core.signin_wizard_post")
    assert [e.method for e in both.entries] == ["GET", "POST", "GET"]
    assert both.last.method == "GET"
    assert both.dropped == 0
    fake.calls("b2core.signin_wizard").assert_call_count(2)
    fake.calls("b2core.signin_wizard_post").assert_called_once()


def test_the_star_alias_of_a_path_with_one_method_is_that_id() -> None:
    fake = FakeAuth()

    calls = fake.calls("ovok.me*")

    assert calls.operations == ("ovok.me",)
    calls.assert_not_called()


def test_the_star_alias_fails_with_the_journal_and_its_own_name() -> None:
    fake = FakeAuth()

    with pytest.raises(AssertionError, match=r"expected b2core\.signin_wizard\* to have been"):
        fake.calls("b2core.signin_wizard*").assert_called()
