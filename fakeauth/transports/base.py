"""What the in-process transports share: the check for unserved vendor requests, the network
guard, and how an injected delay meets a client's own timeout."""

from __future__ import annotations

import math
import time
from contextlib import ContextDecorator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from fakeauth.errors import FakeAuthError
from fakeauth.journal import Journal
from fakeauth.transports.guard import NetworkGuard

if TYPE_CHECKING:
    from typing_extensions import Self

    from fakeauth.fake import FakeAuth

__all__ = [
    "Interceptor",
    "UnservedRequestsError",
    "check_all_served",
    "cut_short",
    "held_back",
    "read_timeout",
]


def read_timeout(timeout: Any) -> float | None:
    """The read timeout, in seconds, of what a client library was given as its timeout.

    requests takes a number, a ``(connect, read)`` pair or a urllib3 ``Timeout``; httpx hands
    its transports the read timeout itself. ``None``: wait for ever.
    """
    if isinstance(timeout, tuple):
        timeout = timeout[1] if len(timeout) == 2 else None
    elif timeout is not None and not isinstance(timeout, (int, float)):
        timeout = getattr(timeout, "read_timeout", None)  # urllib3.Timeout
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        return None
    return float(timeout) if math.isfinite(timeout) and timeout >= 0 else None


def cut_short(delay: float, timeout: float | None) -> tuple[float, bool]:
    """How long a client with read ``timeout`` waits for an answer held back ``delay`` seconds,
    and whether its timeout passes first."""
    if timeout is not None and delay > timeout:
        return timeout, True
    return delay, False


def held_back(delay: float, timeout: float | None) -> bool:
    """Wait out an injected ``delay`` as a client with read ``timeout`` would (see
    :func:`cut_short`); returns whether the timeout passed first."""
    seconds, timed_out = cut_short(delay, timeout)
    time.sleep(seconds)
    return timed_out


class UnservedRequestsError(FakeAuthError, AssertionError):
    """Requests reached a vendor host on a path fakeauth does not serve (each answered 501)."""


def check_all_served(
    journal: Journal, mark: int, allow: str = "pass assert_all_served=False"
) -> None:
    """Raise :class:`UnservedRequestsError` listing the unserved requests since ``mark``;
    ``allow`` says how to allow them where the check was asked for."""
    if journal.mark() == mark:  # nothing recorded since: the common case, without a copy
        return
    unserved = [entry for entry in journal.since(mark) if not entry.served]
    if not unserved:
        return
    lines = "\n".join(f"  {e.method} {e.url} -> {e.status}" for e in unserved)
    raise UnservedRequestsError(
        f"fakeauth: {len(unserved)} request(s) to a vendor host that fakeauth does not serve "
        f"(each answered 501):\n{lines}\n"
        'The "Routes" pages of fakeauth\'s documentation list what it serves, one page per '
        f"vendor; to allow such requests, {allow}."
    )


class Interceptor(ContextDecorator):
    """What the in-process interceptions share: start once, stop last-in first-out, and on a
    clean exit fail loudly if a vendor request went unserved. Subclasses patch the client
    library in :meth:`_install` and undo it in :meth:`_uninstall`."""

    #: The user-facing name, for error messages (``"mock_requests()"``).
    name = "interception"

    def __init__(self, fake: FakeAuth, *, assert_all_served: bool = True) -> None:
        self._fake = fake
        self.assert_all_served = assert_all_served
        self._active: Any = None
        self._guard: NetworkGuard | None = None
        self._mark = 0

    @property
    def fake(self) -> FakeAuth:
        """The fake whose vendor hosts this interception serves."""
        return self._fake

    def _install(self) -> Any:
        """Patch the client library; returns what :meth:`_uninstall` needs."""
        raise NotImplementedError

    def _uninstall(self, active: Any) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """Start intercepting; stop with :meth:`stop`, last started first stopped."""
        if self._active is not None:
            raise RuntimeError(f"fakeauth: this {self.name} is already active")
        self._guard = NetworkGuard(self._fake).start()
        try:
            self._active = self._install()
        except BaseException:
            self._guard.stop()
            raise
        self._mark = self._fake.journal.mark()

    def stop(self, *, check: bool = True) -> None:
        """Stop intercepting; with ``check``, raise if a vendor request went unserved or a
        connection to a vendor host was refused."""
        active, self._active = self._active, None
        if active is None:
            return
        self._uninstall(active)
        guard, self._guard = self._guard, None
        if guard is not None:
            guard.stop()
            if check:
                guard.check()
        if check and self.assert_all_served:
            allow = f"pass assert_all_served=False to {self.name}"
            check_all_served(self._fake.journal, self._mark, allow)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop(check=exc_type is None)
