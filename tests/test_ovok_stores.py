"""The Ovok state's stores (tenants, accounts, sessions) under the snapshot rule: a snapshot
shares each store's containers and the store copies each on its next write."""

from __future__ import annotations

from fakeauth import FakeAuth
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

EMAIL = "max@example.test"
OTHER_EMAIL = "ann@example.test"
PASSWORD = "pw-123456"


def test_a_restore_undoes_changes_in_every_store_of_the_state() -> None:
    state = FakeAuth(seed=1).ovok
    account = state.add_account(EMAIL, PASSWORD)
    state.authenticate(
        email=EMAIL, password=PASSWORD, tenant_id=DEFAULT_TENANT_ID, client_id=DEFAULT_CLIENT_ID
    )
    before = state.snapshot()
    sessions_before = dict(state.sessions)
    tenant = state.add_tenant("second-tenant")
    state.add_client("second-client", tenant_id=tenant.id)
    state.update_account(account.id, name="Erika")
    state.add_account(OTHER_EMAIL, PASSWORD)
    state.authenticate(
        email=EMAIL, password=PASSWORD, tenant_id=DEFAULT_TENANT_ID, client_id=DEFAULT_CLIENT_ID
    )

    state.restore(before)

    assert list(state.tenants) == [DEFAULT_TENANT_ID]
    assert list(state.clients) == [DEFAULT_CLIENT_ID]
    assert [a.email for a in state.accounts] == [EMAIL]
    assert state.get_account(EMAIL).name == "Max"
    assert state.sessions == sessions_before
    assert state.live_sessions(state.get_account(EMAIL)) == list(sessions_before.values())


ACCESS_TTL = 60
REFRESH_TTL = 120


def test_lifetimes_set_on_the_state_count_from_the_next_login() -> None:
    # The sessions store issues the tokens: it reads the state's lifetimes at each issue.
    fake = FakeAuth(seed=1)
    fake.ovok.add_account(EMAIL, PASSWORD)
    fake.ovok.access_token_ttl, fake.ovok.refresh_token_ttl = ACCESS_TTL, REFRESH_TTL

    tokens = fake.ovok.authenticate(
        email=EMAIL, password=PASSWORD, tenant_id=DEFAULT_TENANT_ID, client_id=DEFAULT_CLIENT_ID
    )

    assert tokens.expires_in == ACCESS_TTL
    access = fake.ovok.signer.decode(tokens.access_token)
    refresh = fake.ovok.signer.decode(tokens.refresh_token)
    assert (access["exp"] - access["iat"], refresh["exp"] - refresh["iat"]) == (
        ACCESS_TTL,
        REFRESH_TTL,
    )
