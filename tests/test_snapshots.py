"""Snapshots inside a test run: ``fake.snapshot()`` / ``fake.restore(snap)``, ``with
fake.snapshot():``, named snapshots over HTTP, and the ``fakeauth_seed`` fixture.

Restore puts the state back; the clock, journal, outbox and queued faults are the run's and stay;
a credential issued after the snapshot is refused after the restore and never issued again; a
token revoked after the snapshot is live again (restore means restore).
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable

import pytest
from freezegun import freeze_time
from test_persistence import FROZEN, ovok_login, send
from werkzeug.test import Client

from fakeauth import FakeAuth

BASE = "http://127.0.0.1:8080"


def test_restore_forgets_what_came_after_the_snapshot() -> None:
    with freeze_time(FROZEN):
        fake = FakeAuth(seed=7)
        kept = ovok_login(fake, "alice@example.test")
        snap = fake.snapshot()
        later = ovok_login(fake, "bob@example.test")

        fake.restore(snap)

        assert [a.email for a in fake.ovok.accounts] == ["alice@example.test"]
        assert send(fake, "ovok", "GET", "/auth/me", token=kept["access"])[0] == 200
        assert send(fake, "ovok", "GET", "/auth/me", token=later["access"])[0] == 401


def test_a_token_revoked_after_the_snapshot_is_live_again() -> None:
    with freeze_time(FROZEN):
        fake = FakeAuth(seed=7)
        tokens = ovok_login(fake, "alice@example.test")
        snap = fake.snapshot()
        assert send(fake, "ovok", "POST", "/v1/auth/logout", token=tokens["access"])[0] == 204
        assert send(fake, "ovok", "GET", "/auth/me", token=tokens["access"])[0] == 401

        fake.restore(snap)

        assert send(fake, "ovok", "GET", "/auth/me", token=tokens["access"])[0] == 200


def test_a_restored_token_still_expires_by_the_fakes_clock() -> None:
    with freeze_time(FROZEN):
        fake = FakeAuth(seed=7)
        tokens = ovok_login(fake, "alice@example.test")
        snap = fake.snapshot()
        fake.clock.shift(3600)  # Ovok access tokens live 3,600 s

        fake.restore(snap)

        assert send(fake, "ovok", "GET", "/auth/me", token=tokens["access"])[0] == 401
        assert fake.clock.is_shifted  # the clock is the run's: not rewound


def test_a_credential_issued_after_the_snapshot_is_never_issued_again() -> None:
    with freeze_time(FROZEN):
        fake = FakeAuth(seed=7)
        snap = fake.snapshot()
        first = ovok_login(fake, "alice@example.test")
        first_ids = [a.id for a in fake.ovok.accounts]
        fake.restore(snap)

        again = ovok_login(fake, "alice@example.test")  # the same calls at the same instant

        assert again["access"] != first["access"]
        assert again["refresh"] != first["refresh"]
        assert [a.id for a in fake.ovok.accounts] != first_ids
        assert send(fake, "ovok", "GET", "/auth/me", token=first["access"])[0] == 401
        status, _ = send(
            fake, "ovok", "POST", "/auth/refresh-token", {"refresh_token": first["refresh"]}
        )
        assert status == 401


def test_the_journal_outbox_and_faults_belong_to_the_run() -> None:
    fake = FakeAuth()
    snap = fake.snapshot()
    ovok_login(fake, "alice@example.test")  # journaled, and sends a verification email
    fault = fake.fail_next("ovok.b2b_login", 503)

    fake.restore(snap)

    assert fake.calls("ovok.b2b_register").call_count == 1
    assert [m.kind for m in fake.outbox] == ["email-verification"]
    assert fake.faults.pending == [fault]


def test_with_snapshot_restores_on_exit() -> None:
    fake = FakeAuth()
    fake.waltid.add_account(email="ann@example.org", password="password123456")

    with fake.snapshot():
        fake.waltid.add_account(email="max@example.org", password="password123456")
        fake.features.disable("account-registration")
        assert len(fake.waltid.accounts) == 2

    assert [a.email for a in fake.waltid.accounts] == ["ann@example.org"]
    assert fake.features.is_enabled("account-registration")


def test_a_snapshot_does_not_change_when_the_state_does() -> None:
    fake = FakeAuth()
    fake.b2core.add_account(email="t@example.test", password="Secret123")
    snap = fake.snapshot()
    given = fake.b2core.get_account("t@example.test").given_name
    fake.b2core.remove_account(fake.b2core.get_account("t@example.test").id)
    fake.b2core.add_account(email="t@example.test", password="Secret123", given_name="Other")

    fake.restore(snap)
    fake.b2core.remove_account(fake.b2core.get_account("t@example.test").id)
    fake.restore(snap)  # a snapshot restores as often as asked, unchanged by the restored state

    assert fake.b2core.get_account("t@example.test").given_name == given != "Other"


def test_a_records_form_is_read_only() -> None:
    fake = FakeAuth()
    account = fake.b2core.add_account(email="t@example.test", password="Secret123")

    with pytest.raises(TypeError, match="does not support item assignment"):
        account.form["info"]["givenName"] = "changed"


def test_a_snapshot_of_another_fakes_options_is_refused() -> None:
    snap = FakeAuth(seed=1).snapshot()

    with pytest.raises(ValueError, match="seed is 2 here, 1 in it"):
        FakeAuth(seed=2).restore(snap)


#: A template of this many accounts per vendor: one copy of a container of that many records
#: alone allocates about 200 KiB, and validating them again as a document many MiB.
TEMPLATE_ACCOUNTS = 10_000
#: What a restore may allocate at its peak, whatever the template's size (measured: 7 to 13 KB).
RESTORE_BYTES = 64 * 1024


def peak_allocated(work: Callable[[], object]) -> int:
    """The most memory ``work`` held at once while it ran, in bytes (``tracemalloc``: a count
    of allocations, the same on a loaded machine as on an idle one)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_restore_allocates_a_few_kib_whatever_the_templates_size() -> None:
    template = FakeAuth(seed=1)
    for i in range(TEMPLATE_ACCOUNTS):
        template.ovok.add_account(email=f"o{i}@example.test", password="Secret123")
        template.b2core.add_account(email=f"b{i}@example.test", password="Secret123")
        template.waltid.add_account(email=f"w{i}@example.test", password="Secret123")
    snapshot = template.snapshot()
    template.ovok.add_account(email="after@example.test", password="Secret123")
    FakeAuth(seed=1).restore(snapshot)  # first use: what a restore imports, once per process
    fresh = FakeAuth(seed=1)

    into_the_changed_fake = peak_allocated(lambda: template.restore(snapshot))
    into_a_fresh_fake = peak_allocated(lambda: fresh.restore(snapshot))

    assert into_the_changed_fake < RESTORE_BYTES
    assert into_a_fresh_fake < RESTORE_BYTES
    assert fresh.waltid.get_account(f"w{TEMPLATE_ACCOUNTS - 1}@example.test").email == (
        f"w{TEMPLATE_ACCOUNTS - 1}@example.test"
    )
    assert len(template.ovok.accounts) == TEMPLATE_ACCOUNTS


# -- named snapshots over HTTP -------------------------------------------------------------------


def test_named_snapshots_over_http() -> None:
    fake = FakeAuth()
    client = Client(fake.wsgi_app)
    fake.ovok.add_account(email="ann@example.test", password="s3cret")

    taken = client.post("/_fakeauth/snapshots", base_url=BASE, json={"name": "seeded"})
    fake.ovok.add_account(email="max@example.test", password="s3cret")
    fake.reset()  # a reset keeps the named snapshots
    listed = client.get("/_fakeauth/snapshots", base_url=BASE)
    shown = client.get("/_fakeauth/snapshots/seeded", base_url=BASE)
    restored = client.post("/_fakeauth/snapshots/seeded/restore", base_url=BASE)
    emails = [a.email for a in fake.ovok.accounts]
    deleted = client.delete("/_fakeauth/snapshots/seeded", base_url=BASE)
    gone = client.post("/_fakeauth/snapshots/seeded/restore", base_url=BASE)

    assert taken.status_code == 201
    assert taken.json == {"name": "seeded", "accounts": {"ovok": 1, "b2core": 0, "waltid": 0}}
    assert listed.json == {"snapshots": ["seeded"]}
    assert shown.json == {"name": "seeded", "accounts": {"ovok": 1, "b2core": 0, "waltid": 0}}
    assert b"signer" not in shown.data  # the keys never leave through a GET
    assert restored.status_code == 200
    assert emails == ["ann@example.test"]
    assert deleted.json == {"deleted": "seeded"}
    assert gone.status_code == 404
    assert "no snapshot 'seeded'" in json.loads(gone.data)["error"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("POST", "/_fakeauth/snapshots", {"nom": "x"}, 400, 'the body is {"name": "..."}'),
        ("POST", "/_fakeauth/snapshots", {"name": "a b"}, 400, "a snapshot name is 1 to 100"),
        ("POST", "/_fakeauth/snapshots", {"name": 5}, 400, "a snapshot name is 1 to 100"),
        ("GET", "/_fakeauth/snapshots/nope", None, 404, "no snapshot 'nope'"),
        ("PUT", "/_fakeauth/snapshots/nope", None, 405, "takes DELETE or GET, not PUT"),
        ("GET", "/_fakeauth/snapshots/nope/restore", None, 405, "takes POST, not GET"),
    ],
)
def test_bad_snapshot_requests_get_a_clear_4xx(
    method: str, path: str, body: object, status: int, message: str
) -> None:
    fake = FakeAuth()

    response = Client(fake.wsgi_app).open(path, method=method, base_url=BASE, json=body)

    assert response.status_code == status
    assert message in json.loads(response.data)["error"]


# -- seed once, start every test from the seed ---------------------------------------------------


def test_fakeauth_seed_seeds_once_and_every_test_starts_from_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest

        SEEDINGS = []

        @pytest.fixture(scope="session")
        def fakeauth_seed(fakeauth_template):
            SEEDINGS.append(1)
            fakeauth_template.ovok.add_account(email="ann@example.test", password="s3cret")
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from conftest import SEEDINGS

        @pytest.mark.parametrize("run", range(3))
        def test_starts_from_the_seed(fakeauth, run):
            assert [a.email for a in fakeauth.ovok.accounts] == ["ann@example.test"]
            fakeauth.ovok.add_account(email=f"max{run}@example.test", password="s3cret")
            assert fakeauth.ovok.get_account("ann@example.test").password.matches("s3cret")
            assert SEEDINGS == [1]
        """
    )

    result = pytester.runpytest_inprocess("-p", "no:randomly")

    result.assert_outcomes(passed=3)


def test_without_an_override_the_fake_starts_fresh(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fresh(fakeauth, request):
            assert fakeauth.ovok.accounts == []
            assert fakeauth.randomness.epoch == 0  # not a restore: nothing was seeded
            assert "fakeauth_seed" in request.fixturenames  # asked for, and seeds nothing
            assert "fakeauth_template" not in request.fixturenames
        """
    )

    result = pytester.runpytest_inprocess("-p", "no:randomly")

    result.assert_outcomes(passed=1)


SEED_ANN = """
import pytest

@pytest.fixture(scope="session")
def fakeauth_seed(fakeauth_template):
    fakeauth_template.ovok.add_account(email="ann@example.test", password="s3cret")
"""
SEES_ANN = """
def test_seeded(fakeauth):
    assert [a.email for a in fakeauth.ovok.accounts] == ["ann@example.test"]
"""
STARTS_EMPTY = """
def test_empty(fakeauth):
    assert fakeauth.ovok.accounts == []
"""
TWO_SEEDS = (
    "fakeauth: fakeauth_seed seeds one template for the whole session, but the tests of this "
    "run see 2 definitions of it: sub/conftest.py (for sub/test_sub.py::test_seeded); the "
    "plugin's own, which seeds nothing (for test_top.py::test_empty). Define fakeauth_seed "
    "once, in conftest.py (above every test that uses fakeauth), and seed there what they all "
    "start from"
)


@pytest.mark.parametrize("order", [["sub", "test_top.py"], ["test_top.py", "sub"]])
def test_an_override_in_a_subfolder_beside_other_fakeauth_tests_fails_before_any_test(
    pytester: pytest.Pytester, order: list[str]
) -> None:
    pytester.makepyfile(**{"sub/conftest": SEED_ANN, "sub/test_sub": SEES_ANN})
    pytester.makepyfile(test_top=STARTS_EMPTY)

    result = pytester.runpytest_inprocess("-p", "no:randomly", *order)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {TWO_SEEDS}"])
    result.assert_outcomes()


def test_an_override_in_a_subfolder_seeds_the_tests_of_a_run_below_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(**{"sub/conftest": SEED_ANN, "sub/test_sub": SEES_ANN})
    pytester.makepyfile(
        test_top="""
        def test_no_fakeauth():
            pass
        """
    )

    everything = pytester.runpytest_inprocess("-p", "no:randomly")
    below = pytester.runpytest_inprocess("-p", "no:randomly", "sub")

    everything.assert_outcomes(passed=2)  # the only fakeauth tests are below the override
    below.assert_outcomes(passed=1)


def test_a_module_override_beside_the_conftest_one_fails_before_any_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(SEED_ANN)
    pytester.makepyfile(test_top=SEES_ANN, test_own=SEED_ANN + STARTS_EMPTY)

    result = pytester.runpytest_inprocess("-p", "no:randomly")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: fakeauth: fakeauth_seed seeds one template for the whole session, but the "
            "tests of this run see 2 definitions of it: conftest.py (for "
            "test_top.py::test_seeded); test_own.py (for test_own.py::test_empty). Define "
            "fakeauth_seed once, in conftest.py (above every test that uses fakeauth), and seed "
            "there what they all start from"
        ]
    )


def test_a_restore_gives_back_exactly_the_credentials_of_the_snapshot() -> None:
    with freeze_time(FROZEN):
        fake = FakeAuth(seed=7)
        before = ovok_login(fake, "alice@example.test")
        snap = fake.snapshot()
        assert send(fake, "ovok", "POST", "/v1/auth/logout", token=before["access"])[0] == 204
        status, after = send(
            fake, "ovok", "POST", "/auth/refresh-token", {"refresh_token": before["refresh"]}
        )
        assert status == 200, after

        fake.restore(snap)

        assert send(fake, "ovok", "GET", "/auth/me", token=before["access"])[0] == 200
        assert send(fake, "ovok", "GET", "/auth/me", token=after["access_token"])[0] == 401
        refreshed = send(
            fake, "ovok", "POST", "/auth/refresh-token", {"refresh_token": before["refresh"]}
        )
        assert refreshed[0] == 200  # single use, and not used yet at the snapshot


def test_one_snapshot_restored_into_two_fakes_keeps_them_apart() -> None:
    template = FakeAuth()
    template.waltid.add_organization("acme")
    template.waltid.add_account(email="ann@example.org", password="password123456")
    snap = template.snapshot()
    first, second = FakeAuth(), FakeAuth()
    first.restore(snap)
    second.restore(snap)

    account = first.waltid.get_account("ann@example.org")
    first.waltid.grant_role(account.id, "acme", "acme.admin")
    first.waltid.add_account(email="max@example.org", password="password123456")

    assert second.waltid.get_account("ann@example.org").roles == {}
    assert [a.email for a in second.waltid.accounts] == ["ann@example.org"]
    assert [a.email for a in template.waltid.accounts] == ["ann@example.org"]
    assert first.waltid.get_account("ann@example.org").roles == {"acme": ("acme.admin",)}


@pytest.mark.parametrize("name", ["x\n", ".", ".."])
def test_a_snapshot_name_with_a_trailing_newline_or_of_dots_is_refused(name: str) -> None:
    client = Client(FakeAuth().wsgi_app)

    response = client.post("/_fakeauth/snapshots", base_url=BASE, json={"name": name})

    assert response.status_code == 400
    assert response.json == {
        "error": "fakeauth: a snapshot name is 1 to 100 letters, digits, '.', '_' or '-' (but "
        f"not '.' or '..'), not {name!r}"
    }
