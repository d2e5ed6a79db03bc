"""One bound on the journals of every lane of a server together (:class:`JournalBudget`): the
oldest entry of all is dropped first, unserved requests count, and a clear, a reset or a deleted
lane gives its entries back."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timezone
from typing import Any

import pytest
from werkzeug.test import Client

from fakeauth import ConfigurationError, FakeAuth, cli
from fakeauth.cli import main
from fakeauth.journal import Journal, JournalBudget, JournalEntry
from fakeauth.journal.budget import COMPACT_FLOOR
from fakeauth.lanes import DEFAULT_JOURNAL_BUDGET, Lanes
from fakeauth.transports.server import LiveServer

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"  # the embedded default tenant and client
BUDGET = 10
LANE_LIMIT = 4
LANES = 30
SERVED = "/ovok/auth/me"  # 401 without a token: served, and cheap
UNSERVED = "/ovok/auth/b2b/nothing-here"  # a vendor path no route serves: 501


def entry(operation: str | None = "ovok.me") -> JournalEntry:
    when = datetime(2026, 5, 4, tzinfo=timezone.utc)
    return JournalEntry(operation, "ovok", "GET", f"{OVOK}/x", "/x", 200, when, None, None)


def joined(budget: JournalBudget, limit: int | None = None) -> Journal:
    journal = Journal(limit)
    journal.join(budget)
    return journal


def held(*journals: Journal) -> int:
    """How many distinct entries the journals hold (kept, or kept apart as unserved)."""
    return len({id(e) for journal in journals for e in [*journal, *journal.unserved]})


# -- the budget, without HTTP -----------------------------------------------------------------


def test_a_lane_at_its_own_limit_leaves_the_budget_no_entry_to_keep_alive() -> None:
    # fakeauth serve's soak: a lane at its journal_limit (10,000) under a budget of 100,000
    # left the budget holding up to 200,000 entries its journal had let go of (about 2.5 KB each)
    budget = JournalBudget(1000)
    journal = joined(budget, limit=10)

    for _ in range(5000):
        journal.record(entry())

    assert (budget.held, budget.tracked, len(journal)) == (10, 10, 10)


def test_stale_references_behind_a_quiet_lanes_entry_never_outnumber_the_floor_twice() -> None:
    budget = JournalBudget(100_000)
    quiet, busy = joined(budget), joined(budget, limit=10)
    quiet.record(entry())  # the oldest of all, held for good: nothing behind it is the oldest

    tracked = []
    for _ in range(10 * COMPACT_FLOOR):
        busy.record(entry())
        tracked.append(budget.tracked)

    assert budget.held == 11
    assert max(tracked) == 2 * COMPACT_FLOOR  # rebuilt once past it, down to the 11 held


def test_the_oldest_entry_of_all_the_journals_is_dropped_first() -> None:
    budget = JournalBudget(5)
    first, second = joined(budget), joined(budget)

    for _ in range(4):
        first.record(entry())
    for _ in range(3):
        second.record(entry())

    assert (len(first), len(second), budget.held) == (2, 3, 5)
    assert [e.seq for e in first] == [3, 4]
    assert (first.dropped, second.dropped, first.total) == (2, 0, 4)
    assert first.count("ovok.me") == 4  # the counts stay exact


def test_a_journal_bound_of_its_own_and_the_budget_together() -> None:
    budget = JournalBudget(10)
    small, other = joined(budget, limit=3), joined(budget)

    for _ in range(100):
        small.record(entry())
    assert (len(small), budget.held) == (3, 3)
    for _ in range(9):
        other.record(entry())

    assert (len(small), len(other), budget.held) == (1, 9, 10)
    assert [e.seq for e in small] == [100]
    assert small.dropped == 99


def test_unserved_requests_kept_apart_count_in_the_budget() -> None:
    budget = JournalBudget(100)
    journal = joined(budget, limit=2)

    for operation in (None, None, None, "ovok.me", "ovok.me", "ovok.me", None):
        journal.record(entry(operation))

    assert budget.held == held(journal) == 3
    assert [e.seq for e in journal.unserved] == [3, 7]


def test_the_budget_drops_an_unserved_request_kept_apart() -> None:
    budget = JournalBudget(4)
    first, second = joined(budget, limit=2), joined(budget)
    for operation in (None, "ovok.me", "ovok.me"):  # the unserved one is kept apart
        first.record(entry(operation))
    assert (budget.held, [e.seq for e in first.unserved]) == (3, [1])

    second.record(entry())
    second.record(entry())

    assert first.unserved == []
    assert (budget.held, held(first, second)) == (4, 4)


def test_clear_gives_the_entries_back_to_the_budget() -> None:
    budget = JournalBudget(6)
    first, second = joined(budget, limit=2), joined(budget)
    for operation in (None, "ovok.me", "ovok.me", None):
        first.record(entry(operation))
    second.record(entry())
    assert budget.held == 4

    first.clear()
    for _ in range(5):
        second.record(entry())

    assert (budget.held, len(second), second.dropped) == (6, 6, 0)


def test_many_journals_stay_within_the_budget() -> None:
    budget = JournalBudget(BUDGET)
    journals = [joined(budget, limit=LANE_LIMIT) for _ in range(LANES)]

    for round_ in range(3):
        for index, journal in enumerate(journals):
            journal.record(entry(None if (round_ + index) % 4 == 0 else "ovok.me"))
        assert budget.held == held(*journals) <= BUDGET

    assert budget.held == BUDGET
    assert [len(journal) for journal in journals[-BUDGET:]] == [1] * BUDGET


def test_a_journal_joins_a_budget_once_and_before_it_records() -> None:
    used = Journal()
    used.record(entry())
    twice = joined(JournalBudget(3))

    with pytest.raises(ConfigurationError) as late:
        used.join(JournalBudget(3))
    with pytest.raises(ConfigurationError) as again:
        twice.join(JournalBudget(3))

    message = (
        "fakeauth: a journal joins a budget once, before it records anything; join the budget "
        "when the fake is made"
    )
    assert str(late.value) == str(again.value) == message


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, None])
def test_a_budget_that_is_not_a_positive_whole_number_is_refused(limit: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        JournalBudget(limit)

    assert str(info.value) == (
        f"fakeauth: journal_budget must be a positive number of entries, not {limit!r}; for "
        "example Lanes(fake, journal_budget=100_000), or None for no bound across lanes"
    )


def test_the_dropped_note_names_the_server_options() -> None:
    budget = JournalBudget(1)
    first, second = joined(budget, limit=5), joined(budget)
    first.record(entry())

    second.record(entry())

    assert first.dropped_note() == (
        "(1 older entry dropped: the server keeps the newest 5 of this lane and the newest 1 "
        "of all its lanes; start fakeauth serve with a larger --journal-limit or "
        "--journal-budget to keep more)"
    )
    assert repr(budget) == "<JournalBudget 1 of 1 entries>"


# -- the lanes of a server --------------------------------------------------------------------


def test_the_lanes_of_a_server_keep_at_most_the_budget_between_them() -> None:
    lanes = Lanes(FakeAuth(), journal_limit=LANE_LIMIT, journal_budget=BUDGET)
    http = Client(lanes.wsgi_app)

    for index in range(LANES):
        for path in (SERVED, UNSERVED, SERVED):
            http.get(f"/_lanes/lane-{index:02}{path}")
    http.get(SERVED)

    journals = [lanes.get("default").journal, *(info.fake.journal for info in lanes)]
    assert sum(len(journal) for journal in journals) == BUDGET
    assert held(*journals) == BUDGET
    kept = {info.name: len(info.fake.journal) for info in lanes if len(info.fake.journal)}
    assert kept == {"lane-27": 3, "lane-28": 3, "lane-29": 3}
    assert (len(lanes.get("default").journal), lanes.get("lane-26").journal.dropped) == (1, 3)


def test_a_deleted_or_reset_lane_gives_its_entries_back() -> None:
    lanes = Lanes(FakeAuth(), journal_budget=BUDGET)
    http = Client(lanes.wsgi_app)
    for name in ("a", "b", "c"):
        http.get(f"/_lanes/{name}{SERVED}")
        http.get(f"/_lanes/{name}{UNSERVED}")
    budget = lanes.journal_budget
    assert budget is not None
    assert budget.held == 6

    lanes.remove("a")
    lanes.reset("b")
    lanes.discard("c")

    assert budget.held == 0


def test_a_fake_added_to_the_lanes_keeps_its_own_journal() -> None:
    lanes = Lanes(FakeAuth(), journal_budget=BUDGET)
    mine = FakeAuth()

    lanes.add("mine", mine)

    assert (lanes.get("default").journal.budget, mine.journal.budget) == (
        lanes.journal_budget,
        None,
    )


def test_lanes_from_a_state_document_share_the_budget() -> None:
    document = Lanes(FakeAuth()).export_state()
    document["lanes"]["other"] = document["lanes"]["default"]

    lanes = Lanes.from_state(document, journal_budget=BUDGET)

    budget = lanes.journal_budget
    assert budget is not None
    assert budget.limit == BUDGET
    assert lanes.get("default").journal.budget is lanes.get("other").journal.budget is budget


def test_fakeauth_serve_bounds_its_lanes_journals_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[Lanes] = []

    class Recording(Lanes):
        def __init__(self, *args: Any, **options: Any) -> None:
            super().__init__(*args, **options)
            made.append(self)

    monkeypatch.setattr(cli, "Lanes", Recording)
    with socket.socket() as busy:  # the server cannot start: main returns once lanes are made
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])

        main(["serve", "--port", port, "--quiet"])
        main(["serve", "--port", port, "--quiet", "--journal-budget", "7"])

    limits = [lanes.journal_budget.limit for lanes in made if lanes.journal_budget is not None]
    assert limits == [DEFAULT_JOURNAL_BUDGET, 7]
    assert DEFAULT_JOURNAL_BUDGET == 100_000


def test_a_bad_journal_budget_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", "--journal-budget", "0"])

    assert info.value.code == 2
    assert capsys.readouterr().err.endswith(
        "argument --journal-budget: expected a whole number of 1 or more, not '0'\n"
    )


def test_an_imported_state_of_the_default_lane_alone_starts_every_new_lane(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # An import without lanes besides the default one was replaced by fresh lanes (an empty
    # Lanes is false), so new lanes started from nothing instead of the imported state.
    fake = FakeAuth()
    fake.ovok.add_account(email="ann@example.test", password="s3cret-pass")
    state = tmp_path / "state.json"
    state.write_text(json.dumps(fake.export_state()))
    served: list[Any] = []

    class Recording(LiveServer):
        def start(self) -> LiveServer:
            served.append(self.app)
            raise OSError(98, "Address already in use")

    monkeypatch.setattr(cli, "LiveServer", Recording)

    main(["serve", "--quiet", "--import", str(state)])

    http = Client(served[0])
    login = {
        "email": "ann@example.test",
        "password": "s3cret-pass",
        "tenantId": TENANT,
        "clientId": TENANT,
    }
    answer = http.post("/_lanes/new/ovok/auth/b2b/login", json=login)
    assert answer.status_code == 200
