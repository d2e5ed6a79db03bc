"""What the in-process transports share: the check for unserved vendor requests."""

from __future__ import annotations

from fakeauth.errors import FakeAuthError
from fakeauth.journal import Journal

__all__ = ["UnservedRequestsError", "check_all_served"]


class UnservedRequestsError(FakeAuthError, AssertionError):
    """Requests reached a vendor host on a path fakeauth does not serve (each answered 501)."""


def check_all_served(journal: Journal, mark: int) -> None:
    """Raise :class:`UnservedRequestsError` listing the unserved requests since ``mark``."""
    unserved = [entry for entry in journal.since(mark) if not entry.served]
    if not unserved:
        return
    lines = "\n".join(f"  {e.method} {e.url} -> {e.status}" for e in unserved)
    raise UnservedRequestsError(
        f"fakeauth: {len(unserved)} request(s) to a vendor host that fakeauth does not serve "
        f"(each answered 501):\n{lines}\n"
        "See docs/fidelity.md for what is served; pass assert_all_served=False to allow them."
    )
