"""Tests for the stores of fakeauth.state.b2core: a snapshot keeps every store as it was."""

from __future__ import annotations

from fakeauth.clock import Clock
from fakeauth.features import FeatureRegistry
from fakeauth.outbox import Outbox
from fakeauth.randomness import Randomness
from fakeauth.state.b2core import B2CoreState

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
HOST = "https://host.name"
OTHER_HOST = "https://broker.example"
EMAIL = "foo@bar.com"
OTHER_EMAIL = "other@bar.com"
PASSWORD = "Secret123"
NEW_PASSWORD = "Other456"
PHONE = "+15555550100"
FINGERPRINT = "dwqdnNFJBOEBFJEBjqewbkjqbdwjqwbndjnbj"


def make_state() -> B2CoreState:
    clock = Clock()
    clock.set(START, frozen=True)
    return B2CoreState(
        hosts=(HOST,),
        clock=clock,
        randomness=Randomness(7),
        outbox=Outbox(),
        features=FeatureRegistry(),
    )


def sign_in(state: B2CoreState, email: str, password: str = PASSWORD) -> object:
    broker = state.broker()
    session = state.start_signin(broker)
    form = {"email": email, "password": password, "device_fingerprint": FINGERPRINT}
    return state.sign_in(broker, session.uuid, form)


def test_a_restore_undoes_changes_in_every_store_of_the_state() -> None:
    state = make_state()
    account = state.add_account(EMAIL, PASSWORD, two_factor="sms", phone=PHONE)
    sign_in(state, EMAIL)  # an open wizard at the SMS step, and a code sent
    code_before = state.two_factor_code(EMAIL)
    before = state.snapshot()
    wizards_before = {uuid: s.workflow for uuid, s in state.sessions.items()}
    state.add_broker(OTHER_HOST)  # the registry
    state.add_account(OTHER_EMAIL, PASSWORD)  # the book and the broker's email index
    state.update_account(account.id, password=NEW_PASSWORD)
    sign_in(state, EMAIL, NEW_PASSWORD)  # a new wizard, a new SMS code
    state.remove_account(account.id)

    state.restore(before)

    assert [b.url for b in state.brokers] == [HOST]
    assert state.broker_for_host("broker.example") is None
    assert [a.email for a in state.accounts] == [EMAIL]
    assert sorted(state.broker().accounts) == [EMAIL]
    assert state.get_account(EMAIL).password.matches(PASSWORD)
    assert state.two_factor_code(EMAIL) == code_before
    assert {uuid: s.workflow for uuid, s in state.sessions.items()} == wizards_before
