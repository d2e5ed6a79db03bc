"""walt.id's login sessions: the store a :class:`~fakeauth.state.waltid.WaltidState` owns
(copy-on-write, under the state's lock), with the token store that decides each login token's
validity and the EdDSA tokens it signs."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from fakeauth.clock import Clock
from fakeauth.errors import TokenInvalid
from fakeauth.state.tables import Tables
from fakeauth.state.waltid_accounts import WaltidAccount, WaltidLogin, WaltidSession
from fakeauth.tokens import JwtSigner, TokenRecord, TokenStore, signed_expiry

__all__ = ["LOGIN", "WaltidSessions"]

#: The kind of a walt.id login token in the token store.
LOGIN = "login"


class WaltidSessions(Tables):
    """The sessions of one walt.id state and the token store of their login tokens."""

    NAMES = ("sessions",)

    def __init__(self, clock: Clock, signer: JwtSigner, lock: AbstractContextManager[Any]) -> None:
        super().__init__()
        self.clock = clock
        self.signer = signer
        self._lock = lock
        self.sessions: dict[str, WaltidSession] = {}
        self.tokens = TokenStore(clock, on_sessions_pruned=self.forget)
        self._verified: dict[str, dict[str, Any]] = {}  # token -> claims, signature checked

    def open(self, account: WaltidAccount, session_id: str, token_ttl: int) -> WaltidLogin:
        """Open session ``session_id`` of ``account`` and sign its login token."""
        issued_at = int(self.clock.time())
        expires_at = issued_at + token_ttl
        session = WaltidSession(session_id, account.id, self.clock.now(), expires_at)
        self.own("sessions")[session.id] = session
        claims = {"sub": account.id, "session": session.id, "exp": expires_at}
        token = self.signer.encode(claims)
        self.tokens.add(
            TokenRecord(session.id, LOGIN, account.id, session.id, issued_at, expires_at),
            token=token,
            claims=claims,
        )
        return WaltidLogin(account, session, token)

    def authorize(
        self, token: str, accounts: Mapping[str, WaltidAccount]
    ) -> tuple[WaltidAccount, WaltidSession]:
        """The account (of ``accounts``) and session behind a valid login token; raises
        otherwise."""
        # A token this store issued is known by its text (tokens.token_claims); one it does not
        # hold (an imported one) is verified once and remembered here, with a bound.
        claims = self.tokens.issued_claims(token)
        if claims is None:
            claims = self._verified.get(token)
        if claims is None:  # an Ed25519 check costs more than the rest of a request
            claims = self.signer.decode(token)
            if len(self._verified) >= 4096:
                self._verified.clear()
            self._verified[token] = claims
        record = self.tokens.check(
            str(claims.get("session", "")), LOGIN, expires_at=signed_expiry(claims)
        )
        account = accounts.get(record.subject)
        session = self.sessions.get(record.session)
        if account is None or session is None or claims.get("sub") != account.id:
            raise TokenInvalid("the session of this token is gone")
        return account, session

    def end(self, session_id: str, *, by: str) -> None:
        """End session ``session_id``: its login token is refused from now on."""
        self.tokens.revoke_session(session_id, by=by)
        self.own("sessions").pop(session_id, None)

    def forget(self, ids: list[str]) -> None:
        """Drop the sessions whose login token the token store pruned (expired)."""
        with self._lock:
            sessions = self.own("sessions")
            for session_id in ids:
                sessions.pop(session_id, None)

    def forget_verified(self) -> None:
        """Forget the signature checks (of a key that may no longer be the key)."""
        self._verified = {}
