"""The suite's jumping clock (``pytest --clock-jumps``, tests/clock_jumps.py): a fake on the
system's clock sees a second pass between any two reads; a clock freezegun or time-machine
holds reads as the library says."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
import time_machine
from clock_jumps import JUMP, JumpingTime
from freezegun import freeze_time
from hardening import ovok_tokens

import fakeauth.clock
from fakeauth import FakeAuth

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def jumping(monkeypatch: pytest.MonkeyPatch) -> JumpingTime:
    jumping = JumpingTime()
    monkeypatch.setattr(fakeauth.clock, "time", jumping)
    return jumping


def test_each_read_of_the_system_time_is_a_jump_past_the_last(jumping: JumpingTime) -> None:
    fake = FakeAuth()
    reads = [fake.clock.time() for _ in range(3)]
    real = time.time()

    assert min(reads[1] - reads[0], reads[2] - reads[1]) > 1
    assert int(reads[0]) != int(reads[1]) != int(reads[2])  # no two reads in one second
    assert reads[2] - real > 2 * JUMP  # the jumps add up, ahead of the real time


def test_a_sentence_worked_out_at_one_read_is_not_the_next_ones(jumping: JumpingTime) -> None:
    """The kind of test the clock is for (issue 25's CI run failed on one): on an idle machine
    the two sentences agree, and once in a while a second passes between them."""
    fake = FakeAuth()
    access = ovok_tokens(fake).access_token
    fake.reset()

    first = fake.explain(access, vendor="ovok").sentence
    second = fake.explain(access, vendor="ovok").sentence

    assert "s ago" in first
    assert first != second


def test_freezegun_holds_the_fakes_clock_exactly(jumping: JumpingTime) -> None:
    fake = FakeAuth()
    with freeze_time(NOON) as frozen:
        first = fake.clock.time()
        frozen.tick(5)
        second = fake.clock.time()

    assert (first, second) == (NOON.timestamp(), NOON.timestamp() + 5)
    assert fake.clock.time() - time.time() > 1  # and it jumps again afterwards


def test_time_machine_holds_the_fakes_clock_exactly(jumping: JumpingTime) -> None:
    fake = FakeAuth()
    with time_machine.travel(NOON, tick=False) as traveller:
        first = fake.clock.time()
        traveller.shift(5)
        second = fake.clock.time()

    assert (first, second) == (NOON.timestamp(), NOON.timestamp() + 5)
    assert fake.clock.time() - time.time() > 1


def test_a_clock_the_fake_holds_itself_does_not_jump(jumping: JumpingTime) -> None:
    fake = FakeAuth()
    fake.clock.set(NOON, frozen=True)

    assert fake.clock.time() == fake.clock.time() == NOON.timestamp()


def test_everything_else_is_the_time_modules(jumping: JumpingTime) -> None:
    assert jumping.monotonic is time.monotonic
    assert jumping.gmtime(0) == time.gmtime(0)
