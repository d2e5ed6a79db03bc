"""What the live server's accept loop does when it runs out: it backs off after a resource error
(out of file descriptors, memory or threads) and refuses a client it cannot serve with ``503``.
"""

from __future__ import annotations

import errno
import socket
import sys

from fakeauth.transports.connection import error_response
from fakeauth.transports.linger import Lingerer

__all__ = ["BACKOFF_FIRST", "BACKOFF_MAX", "CLIENT_ERRORS", "Backoff", "refuse"]

#: The accept loop's back-off after a resource error: first wait, and the most it grows to.
BACKOFF_FIRST = 0.01
BACKOFF_MAX = 1.0
#: ``accept`` errors that only concern the one client (it gave up): accept the next at once.
CLIENT_ERRORS = frozenset({errno.ECONNABORTED, errno.EPROTO, errno.EAGAIN, errno.EINTR})


def refuse(sock: socket.socket, detail: str, lingerer: Lingerer) -> None:
    """Answer ``503`` without blocking the accept loop, then close with a lingering close (the
    client has likely sent its request already: closed at once, it could get a reset instead).
    """
    try:
        sock.setblocking(False)
        sock.send(error_response(503, "Service Unavailable", f"{detail}; retry shortly"))
    except OSError:
        pass
    lingerer.linger(sock)


class Backoff:
    """The accept loop's wait after a resource error, and its one log line per episode.

    An episode lasts from the first failure until the loop has served every queued client,
    however many times it failed and succeeded meanwhile (at the edge of a limit it does both).
    """

    def __init__(self) -> None:
        self.delay = 0.0
        self.logged = False

    def failed(self, what: str) -> None:
        """Note a failure: wait longer before the next accept; log the first of an episode."""
        if not self.logged:
            print(
                f"fakeauth: the live server {what}; it backs off and serves again when "
                "resources return",
                file=sys.stderr,
                flush=True,
            )
            self.logged = True
        self.delay = min(self.delay * 2, BACKOFF_MAX) if self.delay else BACKOFF_FIRST

    def succeeded(self) -> None:
        """A connection was admitted: accept the next at once."""
        self.delay = 0.0
