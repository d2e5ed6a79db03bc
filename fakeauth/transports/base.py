"""What the in-process transports share: the check for unserved vendor requests."""

from __future__ import annotations

from contextlib import ContextDecorator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from fakeauth.errors import FakeAuthError
from fakeauth.journal import Journal

if TYPE_CHECKING:
    from typing_extensions import Self

    from fakeauth.fake import FakeAuth

__all__ = ["Interceptor", "UnservedRequestsError", "check_all_served"]


class UnservedRequestsError(FakeAuthError, AssertionError):
    """Requests reached a vendor host on a path fakeauth does not serve (each answered 501)."""


def check_all_served(journal: Journal, mark: int) -> None:
    """Raise :class:`UnservedRequestsError` listing the unserved requests since ``mark``."""
    if journal.mark() == mark:  # nothing recorded since: the common case, without a copy
        return
    unserved = [entry for entry in journal.since(mark) if not entry.served]
    if not unserved:
        return
    lines = "\n".join(f"  {e.method} {e.url} -> {e.status}" for e in unserved)
    raise UnservedRequestsError(
        f"fakeauth: {len(unserved)} request(s) to a vendor host that fakeauth does not serve "
        f"(each answered 501):\n{lines}\n"
        "See docs/fidelity.md for what is served; pass assert_all_served=False to allow them."
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
        self._mark = 0

    def _install(self) -> Any:
        """Patch the client library; returns what :meth:`_uninstall` needs."""
        raise NotImplementedError

    def _uninstall(self, active: Any) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """Start intercepting; stop with :meth:`stop`, last started first stopped."""
        if self._active is not None:
            raise RuntimeError(f"fakeauth: this {self.name} is already active")
        self._active = self._install()
        self._mark = self._fake.journal.mark()

    def stop(self, *, check: bool = True) -> None:
        """Stop intercepting; with ``check``, raise if a vendor request went unserved."""
        active, self._active = self._active, None
        if active is None:
            return
        self._uninstall(active)
        if check and self.assert_all_served:
            check_all_served(self._fake.journal, self._mark)

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
