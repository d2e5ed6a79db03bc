"""A bounded journal: the newest entries kept, exact counts, sequence numbers and paging."""

from __future__ import annotations

import copy
import json
import pickle
import textwrap
import threading
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
from werkzeug.test import Client, TestResponse

from fakeauth import ConfigurationError, FakeAuth, Message, UnservedRequestsError
from fakeauth.journal import Journal, JournalEntry

OVOK = "https://api.dev.ovok.com"
TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"
EMAIL = "ann@example.test"
PASSWORD = "s3cret-pass"
LIMIT = 3
BAD_LIMIT = (
    "fakeauth: journal_limit must be a positive number of entries or None (no bound), not {!r}; "
    "for example FakeAuth(journal_limit=10_000)"
)


def login_body(password: str = PASSWORD) -> dict[str, str]:
    return {"email": EMAIL, "password": password, "tenantId": TENANT, "clientId": TENANT}


def login(client: Client, password: str = PASSWORD) -> TestResponse:
    return client.post("/auth/b2b/login", json=login_body(password), base_url=OVOK)


def seeded(limit: int | None = LIMIT) -> tuple[FakeAuth, Client]:
    fake = FakeAuth(journal_limit=limit)
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)
    return fake, Client(fake.wsgi_app)


def entry(operation: str | None = "ovok.me") -> JournalEntry:
    when = datetime(2026, 5, 4, tzinfo=timezone.utc)
    return JournalEntry(operation, "ovok", "GET", f"{OVOK}/x", "/x", 200, when, None, None)


# -- the option ------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, -1, True, 2.5, "10"])
def test_a_journal_limit_that_is_not_a_positive_whole_number_is_refused(limit: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        FakeAuth(journal_limit=limit)

    assert str(info.value) == BAD_LIMIT.format(limit)


def test_a_fake_keeps_every_entry_by_default() -> None:
    fake, client = seeded(limit=None)

    for _ in range(50):
        login(client, "wrong")

    assert len(fake.journal) == 50
    assert fake.journal.dropped == 0
    assert fake.journal.limit is None


# -- what is kept and what is counted --------------------------------------------------------


def test_a_bounded_journal_keeps_the_newest_entries_and_says_how_many_it_dropped() -> None:
    fake, client = seeded()

    statuses = [login(client, password).status_code for password in ("a", "b", PASSWORD, "c")]

    assert statuses == [401, 401, 200, 401]
    assert [e.status for e in fake.journal] == [401, 200, 401]
    assert [e.seq for e in fake.journal] == [2, 3, 4]
    assert fake.journal.dropped == 1
    assert fake.journal.total == 4
    assert repr(fake.journal) == "<Journal 3 entries, 1 dropped>"
    assert fake.journal.format().splitlines()[0] == (
        "(1 older entry dropped: the journal keeps the newest 3; pass a larger journal_limit "
        "to keep more)"
    )


def test_call_counts_stay_exact_after_their_entries_are_dropped() -> None:
    fake, client = seeded()
    token = login(client).json["accessToken"]  # type: ignore[index]

    for _ in range(LIMIT):
        client.get("/auth/me", base_url=OVOK, headers={"Authorization": f"Bearer {token}"})

    logins = fake.calls("ovok.b2b_login")
    logins.assert_called_once()
    logins.assert_call_count(1)
    fake.calls("ovok.logout").assert_not_called()
    assert logins.entries == []
    assert logins.dropped == 1
    assert repr(logins) == "<OperationCalls ovok.b2b_login: 1 call(s), 1 dropped from the journal>"
    fake.calls("ovok.me").assert_call_count(LIMIT)
    assert fake.calls("ovok.me").dropped == 0


def test_the_last_call_of_an_operation_whose_entries_were_all_dropped_says_so() -> None:
    fake, client = seeded(limit=1)
    login(client)
    login(client, "wrong")
    client.get("/auth/me", base_url=OVOK)

    with pytest.raises(AssertionError) as info:
        fake.calls("ovok.b2b_login").last  # noqa: B018

    assert str(info.value) == (
        "fakeauth: ovok.b2b_login was called 2 time(s), but the journal dropped every one of "
        "those entries (it keeps the newest 1); pass a larger journal_limit to read them"
    )
    assert fake.calls("ovok.me").last.status == 401


def test_a_failed_call_assertion_says_how_many_entries_were_dropped() -> None:
    fake, client = seeded(limit=1)
    login(client, "wrong")
    login(client, "wrong")

    with pytest.raises(AssertionError) as info:
        fake.calls("ovok.b2b_login").assert_called_once()

    assert "it was called 2 time(s). The fake saw:\n(1 older entry dropped" in str(info.value)


def test_an_unserved_request_fails_the_interception_even_after_its_entry_was_dropped() -> None:
    fake, _ = seeded(limit=1)

    # raised when the interception ends, so the whole block belongs inside pytest.raises
    with pytest.raises(UnservedRequestsError) as info, fake.mock_requests():  # noqa: PT012
        requests.get(f"{OVOK}/auth/session", timeout=1)
        for _ in range(3):
            requests.post(f"{OVOK}/auth/b2b/login", json=login_body(), timeout=1)

    assert fake.journal.dropped == 3
    assert [e.path for e in fake.journal.unserved] == ["/auth/session"]
    assert f"GET {OVOK}/auth/session -> 501" in str(info.value)


def test_since_a_mark_lists_dropped_unserved_requests_in_order() -> None:
    journal = Journal(limit=2)
    journal.record(entry())
    mark = journal.mark()

    for operation in (None, "ovok.me", None, "ovok.me", "ovok.me"):
        journal.record(entry(operation))

    assert [(e.seq, e.operation) for e in journal.since(mark)] == [
        (2, None),
        (4, None),
        (5, "ovok.me"),
        (6, "ovok.me"),
    ]
    assert journal.since(journal.mark()) == []


def test_threads_recording_at_once_keep_the_numbers_and_counts_exact() -> None:
    journal = Journal(limit=100)
    threads, each = 4, 500

    workers = [
        threading.Thread(target=lambda: [journal.record(entry()) for _ in range(each)])
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)  # a bound for a starved machine

    assert not any(worker.is_alive() for worker in workers)
    assert journal.count("ovok.me") == threads * each
    assert journal.dropped == threads * each - 100
    assert [e.seq for e in journal] == list(range(threads * each - 99, threads * each + 1))


# -- sequence numbers and clearing -----------------------------------------------------------


def test_sequence_numbers_never_repeat_across_clear_and_reset() -> None:
    fake, client = seeded()
    login(client)
    fake.journal.clear()
    login(client)
    fake.reset()
    fake.ovok.add_account(email=EMAIL, password=PASSWORD)

    login(client)

    assert [e.seq for e in fake.journal] == [3]
    assert fake.journal.dropped == 0


def test_clear_forgets_the_counts_and_the_dropped_entries() -> None:
    fake, client = seeded(limit=1)
    login(client)
    login(client)

    fake.journal.clear()

    fake.calls("ovok.b2b_login").assert_not_called()
    assert fake.journal.dropped == 0
    assert fake.journal.unserved == []


def test_the_same_entry_recorded_twice_is_two_entries() -> None:
    journal = Journal()
    first = entry()

    journal.record(first)
    journal.record(first)

    assert [e.seq for e in journal] == [1, 2]
    assert first.seq == 1


def test_a_journal_slice_reads_like_a_list() -> None:
    journal = Journal(limit=3)
    for _ in range(5):
        journal.record(entry())

    assert [e.seq for e in journal[1:]] == [4, 5]
    assert journal[-1].seq == 5


# -- the control API ---------------------------------------------------------------------------


def control(client: Client, query: str = "") -> TestResponse:
    return client.get(f"/_fakeauth/journal{query}", base_url="http://127.0.0.1:8080")


def test_the_control_api_pages_the_journal_by_sequence_number() -> None:
    _, client = seeded(limit=4)
    for _ in range(6):
        login(client, "wrong")

    everything = control(client)
    first = control(client, "?limit=2")
    second = control(client, f"?after={first.headers['X-Fakeauth-Journal-Next']}&limit=2")
    done = control(client, f"?after={second.headers['X-Fakeauth-Journal-Next']}")

    assert [e["seq"] for e in everything.json] == [3, 4, 5, 6]  # type: ignore[union-attr]
    assert everything.headers["X-Fakeauth-Journal-Dropped"] == "2"
    assert [e["seq"] for e in first.json] == [3, 4]  # type: ignore[union-attr]
    assert [e["seq"] for e in second.json] == [5, 6]  # type: ignore[union-attr]
    assert done.json == []
    assert done.headers["X-Fakeauth-Journal-Next"] == "6"


def test_polling_after_a_clear_neither_misses_nor_repeats() -> None:
    _, client = seeded()
    login(client)
    seen = control(client).headers["X-Fakeauth-Journal-Next"]

    client.delete("/_fakeauth/journal", base_url="http://127.0.0.1:8080")
    login(client, "wrong")
    page = control(client, f"?after={seen}")

    assert [(e["seq"], e["status"]) for e in page.json] == [(2, 401)]  # type: ignore[union-attr]


def test_the_journal_headers_are_readable_by_a_browser_front_end() -> None:
    _, client = seeded()

    response = client.get(
        "/_fakeauth/journal", base_url="http://127.0.0.1:8080", headers={"Origin": "http://ui"}
    )

    exposed = ", ".join(response.headers.getlist("Access-Control-Expose-Headers"))
    assert "X-Fakeauth-Journal-Next" in exposed
    assert "X-Fakeauth-Journal-Dropped" in exposed


@pytest.mark.parametrize(
    ("query", "name", "given", "smallest"),
    [
        ("?limit=0", "limit", "'0'", 1),
        ("?limit=-1", "limit", "'-1'", 1),
        ("?limit=ten", "limit", "'ten'", 1),
        ("?limit=", "limit", "''", 1),
        ("?limit=%D9%A3", "limit", "'\u0663'", 1),
        ("?limit=1_0", "limit", "'1_0'", 1),
        ("?after=1.5", "after", "'1.5'", 0),
        ("?after=-1", "after", "'-1'", 0),
        ("?after=1&after=2", "after", "'1', '2'", 0),
    ],
)
def test_a_bad_paging_value_is_a_400_that_says_what_to_send(
    query: str, name: str, given: str, smallest: int
) -> None:
    _, client = seeded()

    response = control(client, query)

    assert response.status_code == 400
    assert response.json == {
        "error": f"fakeauth: {name!r} must be one whole number, {smallest} or more, not "
        f"{given}: for example GET /_fakeauth/journal?after=120&limit=50"
    }


# -- the failure report -----------------------------------------------------------------------


def test_the_failure_report_says_how_many_entries_were_dropped(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        textwrap.dedent(
            f"""
            import pytest
            import requests

            BODY = {json.dumps(login_body("wrong"))}

            @pytest.mark.fakeauth(journal_limit=2)
            def test_fails(fakeauth):
                for _ in range(5):
                    requests.post("{OVOK}/auth/b2b/login", json=BODY, timeout=1)
                assert False
            """
        )
    )

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*fakeauth journal (the newest 2 of 5 requests)*",
            "(3 older entries dropped: the journal keeps the newest 2; *",
        ]
    )


def test_the_outbox_is_bounded_like_the_journal() -> None:
    fake = FakeAuth(journal_limit=3)
    when = datetime(2026, 5, 4, tzinfo=timezone.utc)

    for n in range(5):
        fake.outbox.send(Message("ovok", "verification", f"user{n}@example.test", "s", "b", when))

    assert [m.to for m in fake.outbox] == [f"user{n}@example.test" for n in (2, 3, 4)]
    assert fake.outbox.dropped == 2
    fake.outbox.clear()
    assert fake.outbox.dropped == 0
    assert len(FakeAuth().outbox) == 0  # unbounded by default: nothing to drop


@pytest.mark.parametrize("copy_of", [lambda e: pickle.loads(pickle.dumps(e)), copy.copy])
def test_a_copied_entry_shows_what_the_entry_shows_and_holds_no_secret(
    copy_of: Any,
) -> None:
    fake, client = seeded(limit=None)
    token = login(client).get_json()["accessToken"]
    entry = fake.journal.last("ovok.b2b_login")
    assert entry is not None

    copied = copy_of(entry)

    assert copied.to_dict() == entry.to_dict()
    assert copied.seq == entry.seq == 1
    kept = repr(vars(copied)) + pickle.dumps(copied).decode("latin-1")
    assert PASSWORD not in kept
    assert token not in kept
