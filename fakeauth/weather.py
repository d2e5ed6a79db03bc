"""Weather for clients: named auth conditions a fake can be put in, to see whether a client copes.

Each :class:`Condition` is a state of the fake that applies to every vendor the client calls:
the access token expires right after its first use, the session is revoked elsewhere, the first
refresh loses a rotation race, the vendor is briefly unavailable, drops a connection or answers
late, its clock runs ahead or behind, the account is locked out. ``condition.arm(fake)`` puts a
fake in it, built on the fake's public API alone (its request events, faults, clock and token
stores, and each vendor's :class:`~fakeauth.vendor.AuthFlow`).

The pytest plugin runs a test once per condition under ``@pytest.mark.fakeauth_weather`` and
prints a table of the outcomes (see the weather guide).

>>> from fakeauth.weather import condition
>>> condition("expired_access").arm(fake)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from fakeauth.errors import ConfigurationError
from fakeauth.events import RequestEvent
from fakeauth.fault import Fault
from fakeauth.vendor import Vendor

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth
    from fakeauth.tokens import TokenStore

__all__ = [
    "CLOCK_SKEW",
    "CONDITIONS",
    "LOCKOUT_RETRY_AFTER",
    "LOGIN_DELAY",
    "RETRY_AFTER",
    "Condition",
    "condition",
]

#: Seconds the fake's clock runs ahead of (or behind) the client's under the clock conditions.
CLOCK_SKEW = 600
#: The ``Retry-After`` (seconds) of the 503 answers of ``login_unavailable`` and
#: ``refresh_unavailable``.
RETRY_AFTER = 1
#: Seconds the first login of ``login_timeout`` holds its answer back: past a client's timeout.
LOGIN_DELAY = 10.0
#: The ``Retry-After`` of the 429 fakeauth answers for a vendor that has no lockout of its own.
LOCKOUT_RETRY_AFTER = 600


@dataclass(frozen=True)
class Condition:
    """One named auth condition: what happens (``description``, one line), what a well-behaved
    client does about it (``well_behaved``), and how a fake is put in it (:meth:`arm`)."""

    name: str
    description: str
    well_behaved: str
    _arm: Callable[[FakeAuth], None]

    def arm(self, fake: FakeAuth) -> None:
        """Put ``fake`` in this condition, for every vendor it serves, from now until its reset."""
        self._arm(fake)

    def __repr__(self) -> str:
        return f"<Condition {self.name}: {self.description}>"


def _store(fake: FakeAuth, vendor: str) -> TokenStore | None:
    return fake.vendor(vendor).tokens(fake.vendor_state(vendor))


class _OncePerVendor:
    """A request listener that acts once per vendor, at the first request ``wanted`` picks."""

    def __init__(
        self,
        fake: FakeAuth,
        wanted: Callable[[Vendor, RequestEvent], bool],
        act: Callable[[FakeAuth, Vendor, RequestEvent], None],
        *,
        after: bool = False,
    ) -> None:
        self._fake, self._wanted, self._act, self._after = fake, wanted, act, after
        self._lock = threading.Lock()
        self._done: set[str] = set()

    def before(self, event: RequestEvent) -> None:
        """Act before the vendor answers (unless this listener acts after)."""
        if not self._after:
            self._maybe(event)

    def after(self, event: RequestEvent) -> None:
        """Act once the vendor answered (if this listener acts after)."""
        if self._after:
            self._maybe(event)

    def _maybe(self, event: RequestEvent) -> None:
        vendor = self._fake.vendor(event.vendor)
        if not self._wanted(vendor, event):
            return
        with self._lock:
            if event.vendor in self._done:
                return
            self._done.add(event.vendor)
        self._act(self._fake, vendor, event)


def _listen(
    wanted: Callable[[Vendor, RequestEvent], bool],
    act: Callable[[FakeAuth, Vendor, RequestEvent], None],
    *,
    after: bool = False,
) -> Callable[[FakeAuth], None]:
    def arm(fake: FakeAuth) -> None:
        fake.events.add(_OncePerVendor(fake, wanted, act, after=after))

    return arm


def _used_token(vendor: Vendor, event: RequestEvent) -> bool:
    """A request that a bearer token authorised, answered with success."""
    return event.succeeded and event.request.bearer() is not None


def _login(vendor: Vendor, event: RequestEvent) -> bool:
    return event.operation in vendor.auth.login


def _refresh(vendor: Vendor, event: RequestEvent) -> bool:
    return event.operation in vendor.auth.refresh


def _any(vendor: Vendor, event: RequestEvent) -> bool:
    return True


def _expire_access(fake: FakeAuth, vendor: Vendor, event: RequestEvent) -> None:
    store = _store(fake, vendor.name)
    if store is not None:
        for record in store.live():
            if record.kind in vendor.auth.bearer_kinds:
                store.expire(record.id)


def _revoke_sessions(fake: FakeAuth, vendor: Vendor, event: RequestEvent) -> None:
    store = _store(fake, vendor.name)
    if store is not None:
        for record in store.live():
            store.revoke_session(record.session)


def _consume_refresh_tokens(fake: FakeAuth, vendor: Vendor, event: RequestEvent) -> None:
    # What a racing refresh leaves: the refresh token used, so the vendor refuses it as reused.
    store = _store(fake, vendor.name)
    if store is not None:
        for record in store.live():
            if record.kind not in vendor.auth.bearer_kinds:
                store.revoke(record.id)


def _unavailable(fake: FakeAuth, vendor: Vendor, event: RequestEvent) -> None:
    retry = (("Retry-After", str(RETRY_AFTER)),)
    fake.faults.add(Fault(event.operation, 503, headers=retry))


def _drop(fake: FakeAuth, vendor: Vendor, event: RequestEvent) -> None:
    fake.faults.add(Fault(event.operation, drop=True))


def _slow(fake: FakeAuth, vendor: Vendor, event: RequestEvent) -> None:
    fake.faults.add(Fault(event.operation, delay=LOGIN_DELAY))


class _LockedOut:
    """Refuses every login as a locked-out account: the vendor's own lockout, or a 429 in its
    error shape where it has none."""

    def __init__(self, fake: FakeAuth) -> None:
        self._fake = fake
        self._lock = threading.Lock()
        self._locked: set[str] = set()

    def before(self, event: RequestEvent) -> None:
        """Lock the accounts out before a login is answered."""
        vendor = self._fake.vendor(event.vendor)
        if event.operation not in vendor.auth.login:
            return
        lock_out = vendor.auth.lock_out
        if lock_out is None:
            message = vendor.auth.lockout_message
            retry = (("Retry-After", str(LOCKOUT_RETRY_AFTER)),)
            body = vendor.api.error(429, message).document
            self._fake.faults.add(Fault(event.operation, 429, body, headers=retry))
            return
        with self._lock:  # once: the vendor's lockout then lasts as long as it lasts
            if vendor.name in self._locked:
                return
            self._locked.add(vendor.name)
        lock_out(self._fake.vendor_state(vendor.name))

    def after(self, event: RequestEvent) -> None:
        """Nothing to do once answered."""


def _lock_out(fake: FakeAuth) -> None:
    fake.events.add(_LockedOut(fake))


def _shift(seconds: int) -> Callable[[FakeAuth], None]:
    def arm(fake: FakeAuth) -> None:
        fake.clock.shift(seconds)

    return arm


#: Every condition, in the order the weather table lists them.
CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "expired_access",
        "the access token expires right after its first successful use",
        "on a 401 it refreshes (or, where the vendor has no refresh, logs in again) and retries "
        "the call once",
        _listen(_used_token, _expire_access, after=True),
    ),
    Condition(
        "revoked_session",
        "the session is revoked elsewhere after its first use; refresh fails too",
        "on a 401 it refreshes; when the refresh is refused too it logs in again and retries",
        _listen(_used_token, _revoke_sessions, after=True),
    ),
    Condition(
        "refresh_replay",
        "the first refresh is refused as a replay (another client rotated the token first)",
        "it treats a refused refresh as a lost session: logs in again, never loops on refresh",
        _listen(_refresh, _consume_refresh_tokens),
    ),
    Condition(
        "login_unavailable",
        f"the first login answers 503 with Retry-After: {RETRY_AFTER}",
        "it waits as long as Retry-After says (within a cap of its own) and tries again",
        _listen(_login, _unavailable),
    ),
    Condition(
        "refresh_unavailable",
        f"the first refresh answers 503 with Retry-After: {RETRY_AFTER}",
        "it waits as long as Retry-After says and refreshes again, keeping its refresh token",
        _listen(_refresh, _unavailable),
    ),
    Condition(
        "connection_dropped",
        "the first connection to the vendor is dropped without an answer",
        "it retries a call that failed to connect (a login or a read; never blindly a "
        "non-idempotent write)",
        _listen(_any, _drop),
    ),
    Condition(
        "login_timeout",
        f"the first login answers only after {LOGIN_DELAY:g} seconds, past the client's timeout",
        "it sets a timeout on every call, and on its timeout error tries the login again",
        _listen(_login, _slow),
    ),
    Condition(
        "clock_ahead",
        f"the vendor's clock runs {CLOCK_SKEW // 60} minutes ahead of the client's",
        "it takes a token's lifetime from expires_in (or allows for skew), and never refuses "
        "a token whose iat is in its own future",
        _shift(CLOCK_SKEW),
    ),
    Condition(
        "clock_behind",
        f"the vendor's clock runs {CLOCK_SKEW // 60} minutes behind the client's",
        "it takes a token's lifetime from expires_in (or allows for skew), and lets the "
        "vendor's 401 decide when a token is expired",
        _shift(-CLOCK_SKEW),
    ),
    Condition(
        "locked_out",
        "the account is locked out: every login is refused with 429",
        "it stops trying and tells its user, with the wait Retry-After gives; no retry loop",
        _lock_out,
    ),
)

_BY_NAME = MappingProxyType({weather.name: weather for weather in CONDITIONS})


def condition(name: str) -> Condition:
    """The condition called ``name``; raises :class:`~fakeauth.ConfigurationError` naming them."""
    found = _BY_NAME.get(name)
    if found is None:
        raise ConfigurationError(
            f"no weather condition {name!r}; the conditions are: {', '.join(_BY_NAME)}"
        )
    return found
