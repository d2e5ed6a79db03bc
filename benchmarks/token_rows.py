"""The ``tokens`` rows of ``bench.py``: what a request that brings an Ovok token costs, through
the WSGI app, against a login (the wsgi group's login row, the baseline).

``GET /auth/me`` reuses one access token; a refresh spends its refresh token and a logout denies
its access token, so those rows take a fresh token per unit from a pool that ``enter`` fills
before each batch, untimed (a login through the state, as a test's earlier login would have).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contenders import LOGIN, LOGIN_PATH, OVOK, Contender, Suite, call_wsgi, expect

from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID

ME_PATH = "/auth/me"
REFRESH_PATH = "/auth/refresh-token"
LOGOUT_PATH = "/v1/auth/logout"
#: Tokens the pool holds after ``enter``: more than any mode's batch (``--batch`` at most this).
POOL = 64


class _Pool:
    """Fresh Ovok tokens of the suite's account, made before a batch and spent one per unit."""

    def __init__(self, suite: Suite, pick: Callable[[Any], str]) -> None:
        self._suite = suite
        self._pick = pick
        self._tokens: list[str] = []

    def fill(self) -> None:
        state = self._suite.fake.ovok
        while len(self._tokens) < POOL:
            tokens = state.authenticate(
                email=LOGIN["email"],
                password=LOGIN["password"],
                tenant_id=DEFAULT_TENANT_ID,
                client_id=DEFAULT_CLIENT_ID,
            )
            self._tokens.append(self._pick(tokens))

    def take(self) -> str:
        if not self._tokens:
            raise RuntimeError(f"benchmark: the token pool ran dry; use --batch {POOL} or less")
        return self._tokens.pop()


def token_rows(suite: Suite) -> list[Contender]:
    """Ovok's login (the baseline), ``GET /auth/me``, refresh and logout through the WSGI app."""
    app = suite.fake.wsgi_app
    base = "tokens.ovok_login"
    me_token = suite.fake.ovok.authenticate(
        email=LOGIN["email"],
        password=LOGIN["password"],
        tenant_id=DEFAULT_TENANT_ID,
        client_id=DEFAULT_CLIENT_ID,
    ).access_token
    me_headers = {"Authorization": f"Bearer {me_token}"}
    refreshes = _Pool(suite, lambda tokens: tokens.refresh_token)
    logouts = _Pool(suite, lambda tokens: tokens.access_token)

    def login() -> None:
        expect(call_wsgi(app, OVOK, LOGIN_PATH, LOGIN), 200, "Ovok login")

    def me() -> None:
        expect(call_wsgi(app, OVOK, ME_PATH, None, me_headers, method="GET"), 200, "/auth/me")

    def refresh() -> None:
        body = {"refresh_token": refreshes.take()}
        expect(call_wsgi(app, OVOK, REFRESH_PATH, body), 200, "Ovok refresh")

    def logout() -> None:
        headers = {"Authorization": f"Bearer {logouts.take()}"}
        expect(call_wsgi(app, OVOK, LOGOUT_PATH, None, headers), 204, "Ovok logout")

    return [
        Contender(base, "tokens", "Ovok login (baseline)", login),
        Contender("tokens.ovok_me", "tokens", "Ovok GET /auth/me", me, ref=base),
        Contender(
            "tokens.ovok_refresh",
            "tokens",
            "Ovok refresh (a fresh refresh token each)",
            refresh,
            ref=base,
            enter=refreshes.fill,
        ),
        Contender(
            "tokens.ovok_logout",
            "tokens",
            "Ovok logout (a fresh access token each)",
            logout,
            ref=base,
            enter=logouts.fill,
        ),
    ]
