"""Ovok's login sessions and their tokens: the store an :class:`~fakeauth.state.ovok.OvokState`
owns (copy-on-write, under the state's lock): the sessions, each account's sessions oldest first,
the token store that decides each token's validity, and how a login issues its token pair."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from fakeauth.clock import Clock
from fakeauth.randomness import RandomStream
from fakeauth.state.ovok_records import (
    OvokAccount,
    OvokSession,
    OvokTenant,
    OvokTokens,
    uuid4_of_hex,
)
from fakeauth.state.tables import Tables
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore

__all__ = ["ACCESS", "REFRESH", "OvokSessions"]

#: The kinds of Ovok's tokens in the token store.
ACCESS = "access"
REFRESH = "refresh"


class OvokSessions(Tables):
    """The login sessions of one Ovok state and the token store of their tokens."""

    NAMES = ("sessions", "account_sessions")

    def __init__(
        self,
        clock: Clock,
        signer: JwtSigner,
        lock: AbstractContextManager[Any],
        ttls: Callable[[], tuple[int, int]],
    ) -> None:
        super().__init__()
        self.clock = clock
        self.signer = signer
        self._lock = lock
        #: The access and refresh token lifetimes, read at each issue (the state's attributes)
        self._ttls = ttls
        self.sessions: dict[str, OvokSession] = {}
        # account id -> its sessions, oldest first: /auth/me reads the newest without a scan
        self.account_sessions: dict[str, dict[str, OvokSession]] = {}
        self._owned: set[str] = set()  # accounts whose session table is this store's
        self.tokens = TokenStore(clock, on_sessions_pruned=self.forget)

    def share(self) -> tuple[Any, ...]:
        """The containers, shared from now on; each account's table is shared too."""
        self._owned = set()
        return super().share()

    def hold(self, containers: tuple[Any, ...]) -> None:
        """Hold a snapshot's containers, each account's table shared with it."""
        super().hold(containers)
        self._owned = set()

    def table_of(self, account_id: str) -> dict[str, OvokSession]:
        """The session table of ``account_id``, one this store may write."""
        tables: dict[str, dict[str, OvokSession]] = self.own("account_sessions")
        table = tables.get(account_id)
        if table is None:
            table = tables[account_id] = {}
        elif account_id not in self._owned:
            table = tables[account_id] = dict(table)
        self._owned.add(account_id)
        return table

    def open(
        self,
        account: OvokAccount,
        tenant: OvokTenant,
        client_id: str,
        remote_address: str,
        user_agent: str,
        ids: RandomStream,
    ) -> OvokTokens:
        """Open a login session of ``account`` and issue its first token pair."""
        now = self.clock.now()
        # The session id, then the pair's ids and refresh secret (see issue): one draw, the same
        # bytes as two (tests/test_login_fast_paths.py).
        digits = ids.bytes(64).hex()
        session = OvokSession(
            uuid4_of_hex(digits), account.id, client_id, now, now, remote_address, user_agent
        )
        self.own("sessions")[session.id] = session
        self.table_of(account.id)[session.id] = session
        return self._issue(account, tenant, session, digits[32:])

    def touch(self, session: OvokSession, account_id: str) -> OvokSession:
        """``session`` of ``account_id`` updated now (a refresh), unless it ended meanwhile."""
        if self.sessions.get(session.id) is session:  # not ended meanwhile
            # The record anew by its constructor: dataclasses.replace reads every field's
            # metadata first and costs twice as much, once per refresh.
            # (tests/test_fast_paths.py compares the two field by field).
            session = OvokSession(
                session.id, session.account_id, session.client_id, session.created_at,
                self.clock.now(), session.remote_address, session.user_agent,
            )  # fmt: skip
            self.own("sessions")[session.id] = session
            self.table_of(account_id)[session.id] = session
        return session

    def issue(
        self, account: OvokAccount, tenant: OvokTenant, session: OvokSession, ids: RandomStream
    ) -> OvokTokens:
        """A new access and refresh token of ``session``."""
        return self._issue(account, tenant, session, ids.bytes(48).hex())

    def _issue(
        self, account: OvokAccount, tenant: OvokTenant, session: OvokSession, digits: str
    ) -> OvokTokens:
        """The pair of :meth:`issue`, from the hex of its 48 drawn bytes: the two token ids and
        the refresh secret (the same bytes as three draws)."""
        access_ttl, refresh_ttl = self._ttls()
        issued_at = int(self.clock.time())
        access_id, refresh_id = uuid4_of_hex(digits), uuid4_of_hex(digits[32:])
        # Each dict written whole, the common claims first (what {**common, ...} gave).
        access_claims = {
            "sub": account.id,
            "iat": issued_at,
            "client_id": session.client_id,
            "login_id": session.id,
            "exp": issued_at + access_ttl,
            "jti": access_id,
            "username": account.id,
            "scope": "openid",
            "profile": account.profile_reference,
            "project": tenant.project_reference,
        }
        refresh_claims = {
            "sub": account.id,
            "iat": issued_at,
            "client_id": session.client_id,
            "login_id": session.id,
            "exp": issued_at + refresh_ttl,
            "jti": refresh_id,
            "refresh_secret": digits[64:],
        }
        encode = self.signer.encode
        access, refresh = encode(access_claims), encode(refresh_claims)
        subject, session_id = account.id, session.id
        self.tokens.add_issued(
            (
                (
                    TokenRecord(
                        access_id, ACCESS, subject, session_id, issued_at, issued_at + access_ttl
                    ),
                    access,
                    access_claims,
                ),
                (
                    TokenRecord(
                        refresh_id, REFRESH, subject, session_id, issued_at, issued_at + refresh_ttl
                    ),
                    refresh,
                    refresh_claims,
                ),
            )
        )
        return OvokTokens(access, refresh, access_ttl, account, tenant, session)

    def live(
        self, account: OvokAccount, current: OvokSession | None, newest: int | None
    ) -> list[OvokSession]:
        """See :meth:`~fakeauth.state.ovok.OvokState.live_sessions`."""
        others: list[OvokSession] = []
        newer = None  # how many of the others are newer than the current session
        with self._lock:
            session_live = self.tokens.session_liveness()
            for session in reversed(self.account_sessions.get(account.id, {}).values()):
                if newest is not None and len(others) >= newest:
                    break
                if current is not None and session.id == current.id:
                    newer = len(others)
                elif session_live(session.id):
                    others.append(session)
        others.reverse()
        if current is not None:  # older than every other listed when the walk did not meet it
            others.insert(len(others) - (len(others) if newer is None else newer), current)
        return others

    def forget(self, ids: list[str]) -> None:
        """Drop the sessions the token store pruned every record of."""
        with self._lock:
            for session_id in ids:
                if session_id not in self.sessions:
                    continue
                session = self.own("sessions").pop(session_id)
                if session.account_id in self.account_sessions:
                    sessions = self.table_of(session.account_id)
                    sessions.pop(session_id, None)
                    if not sessions:
                        del self.account_sessions[session.account_id]

    def end_account(self, account_id: str) -> None:
        """Drop every session of ``account_id`` (its tokens are revoked already)."""
        sessions = self.own("sessions")
        for session_id in self.own("account_sessions").pop(account_id, {}):
            sessions.pop(session_id, None)
