"""What revoked a token, across snapshots: a restore gives back exactly the causes of snapshot
time (copied on write like the revoked set they sit beside), an import none."""

from __future__ import annotations

from test_explain import OVOK, frozen_fake, ovok_login
from werkzeug.test import Client

from fakeauth.clock import Clock
from fakeauth.explain import fingerprint
from fakeauth.tokens import Revocation, TokenRecord, TokenStore

NOON = 1_772_366_400.0
HOUR = 3600.0


def store_of_two() -> TokenStore:
    clock = Clock()
    clock.set(NOON, frozen=True)
    store = TokenStore(clock)
    for token_id in ("a", "b"):
        store.add(TokenRecord(token_id, "access", "acct", "s-" + token_id, NOON, NOON + HOUR))
    return store


def test_a_snapshot_keeps_the_causes_of_its_moment_whatever_the_store_revokes_after() -> None:
    store = store_of_two()
    store.revoke("a", by="ovok.logout")
    snapshot = store.snapshot()

    store.revoke("b", by="the account's removal")
    store.revoke("a", by="again")  # revoked already: the first cause stays

    assert store.revocation("a") == Revocation("ovok.logout", NOON)
    assert snapshot.revocations == {"a": Revocation("ovok.logout", NOON)}
    assert store.revocation("b") == Revocation("the account's removal", NOON)


def test_a_restore_gives_back_exactly_the_causes_of_snapshot_time() -> None:
    store = store_of_two()
    store.revoke("a", by="ovok.logout")
    snapshot = store.snapshot()
    store.revoke("b", by="the account's removal")

    store.restore(snapshot)
    store.revoke_session("s-b", by="ovok.logout_all")  # a write after the restore copies

    assert store.revocation("a") == Revocation("ovok.logout", NOON)
    assert store.revocation("b") == Revocation("ovok.logout_all", NOON)
    assert snapshot.revocations == {"a": Revocation("ovok.logout", NOON)}


def test_a_load_keeps_the_revoked_flags_but_no_cause() -> None:
    store = store_of_two()
    store.revoke("a", by="ovok.logout")
    records = store.records()

    store.load(records)

    assert store.is_revoked("a")
    assert store.revocation("a") is None


def test_a_token_revoked_before_the_snapshot_is_explained_by_its_logout_after_a_restore() -> None:
    fake = frozen_fake()
    access, refresh = ovok_login(fake)
    client = Client(fake.wsgi_app)
    client.post("/auth/refresh-token", base_url=OVOK, json={"refresh_token": refresh})
    logout = client.post(
        "/v1/auth/logout", base_url=OVOK, headers={"Authorization": f"Bearer {access}"}
    )
    snapshot = fake.snapshot()

    fake.restore(snapshot)
    revoked, rotated = fake.explain(access), fake.explain(refresh)

    assert logout.status_code == 204
    assert revoked.sentence == (
        f"Ovok access token {fingerprint(access)} was revoked by ovok.logout at 12:00:00Z, "
        "0 s ago, journal entry 3"
    )
    assert rotated.verdict == "rotated"
    assert rotated.revoked_by == "ovok.refresh_token"


def test_a_token_revoked_after_the_snapshot_is_live_again_and_without_a_cause() -> None:
    fake = frozen_fake()
    access, _ = ovok_login(fake)
    snapshot = fake.snapshot()
    Client(fake.wsgi_app).post(
        "/v1/auth/logout", base_url=OVOK, headers={"Authorization": f"Bearer {access}"}
    )

    fake.restore(snapshot)
    explanation = fake.explain(access)

    assert explanation.verdict == "live"
    assert explanation.revoked_by is None
