"""The live server's lingering close: after an early answer, read and discard what still comes.

The server answers some requests before it has read them whole: ``413`` to a body over the
limit, ``408`` to a stalled request, ``431`` to an oversized head, ``400`` to a malformed one,
and ``503`` to a client at the connection cap. If it then closed its socket at once, the kernel
would answer the client's next bytes with a reset: a client still sending its body gets
``EPIPE`` or ``ECONNRESET`` instead of the answer, and an answer already in its receive buffer
may be lost with the connection.

So the socket goes to a :class:`Lingerer`: its writing side is shut at once (the client reads
the answer and then the end of the stream), and what still arrives is read and discarded until
the client closes, :data:`LINGER_BYTES` have been discarded, or :data:`LINGER_SECONDS` have
passed, whichever comes first; then the socket is closed. Apache and nginx close the same way.

One thread with a selector lingers for all of a server's sockets, so a lingering client holds
no connection thread and no connection slot. The thread starts with the first socket and ends
when the last is closed; at most :data:`MAX_LINGERING` sockets linger at once (one more is
closed at once, as when resources run out). Its timing reads the kernel's monotonic clock,
which neither freezegun nor time-machine moves.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time

__all__ = ["LINGER_BYTES", "LINGER_SECONDS", "MAX_LINGERING", "Lingerer"]

#: The most bytes discarded from one client after its early answer (then it is reset).
LINGER_BYTES = 16 * 1024 * 1024
#: The longest one client lingers after its early answer, in seconds.
LINGER_SECONDS = 5.0
#: The most sockets lingering at once, for one server.
MAX_LINGERING = 64
_CHUNK = 64 * 1024
_STOP_SECONDS = 5.0


def _monotonic() -> float:
    # The kernel's monotonic clock: freezegun patches time.monotonic, not clock_gettime.
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class _Lingering:
    """One lingering socket, and what it may still take: until when, and how many bytes."""

    __slots__ = ("deadline", "left", "sock")

    def __init__(self, sock: socket.socket, deadline: float, left: int) -> None:
        self.sock = sock
        self.deadline = deadline
        self.left = left


class Lingerer:
    """Closes a server's sockets after their early answers, lingering on each (bounded).

    ``linger(sock)`` never blocks: the accept loop and the connection threads hand their
    sockets over and go on. ``stop()`` closes every socket still lingering.
    """

    def __init__(
        self,
        *,
        seconds: float | None = None,
        max_bytes: int | None = None,
        max_sockets: int | None = None,
        name: str = "fakeauth-linger",
    ) -> None:
        #: The name of the lingering thread (a server names it after its port).
        self.name = name
        # The module's limits read now, not at import: a test may lower them for one server.
        self.seconds = LINGER_SECONDS if seconds is None else seconds
        self.max_bytes = LINGER_BYTES if max_bytes is None else max_bytes
        self.max_sockets = MAX_LINGERING if max_sockets is None else max_sockets
        self._lock = threading.Lock()
        self._pending: list[socket.socket] = []
        self._held = 0  # pending and registered sockets together
        self._thread: threading.Thread | None = None
        self._waker: tuple[socket.socket, socket.socket] | None = None
        self._stopped = False

    @property
    def lingering(self) -> int:
        """How many sockets are lingering now."""
        with self._lock:
            return self._held

    def linger(self, sock: socket.socket) -> None:
        """Take ``sock``, whose answer is sent: shut its writing side, discard what the client
        still sends (bounded in bytes and time), then close it."""
        with self._lock:
            taken = not self._stopped and self._held < self.max_sockets and self._running()
            if taken:
                # Shut under the lock, the thread started: once the client reads the end of
                # the answer, the socket is already in the lingerer's hands.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_WR)
                self._pending.append(sock)
                self._held += 1
                self._wake()
        if not taken:
            sock.close()

    def stop(self) -> None:
        """Close every lingering socket and end the thread; later sockets close at once."""
        with self._lock:
            self._stopped = True
            thread = self._thread
            self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(_STOP_SECONDS)  # it wakes at once; the bound is for a starved machine

    # -- the thread ---------------------------------------------------------------------------

    def _running(self) -> bool:
        """Start the thread unless it runs (under the lock); ``False``: it cannot start now."""
        if self._thread is not None:
            return True
        try:
            waker = socket.socketpair()
        except OSError:
            return False  # out of descriptors: the socket is closed at once
        waker[1].setblocking(False)
        thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread, self._waker = thread, waker
        try:
            thread.start()
        except (RuntimeError, MemoryError):  # "can't start new thread"
            self._thread = self._waker = None
            for end in waker:
                end.close()
            return False
        return True

    def _wake(self) -> None:
        if self._waker is not None:
            with contextlib.suppress(OSError):  # a full waker is already a pending wake-up
                self._waker[1].send(b"x")

    def _run(self) -> None:
        with self._lock:
            assert self._waker is not None
            wakeup = self._waker[0]
        buffer = memoryview(bytearray(_CHUNK))
        try:
            with selectors.DefaultSelector() as selector:
                try:
                    selector.register(wakeup, selectors.EVENT_READ)
                    while self._admit(selector):
                        self._serve(selector, wakeup, buffer)
                finally:  # stopped (or failed): every socket still held is closed
                    for each in self._registered(selector):
                        self._drop(selector, each.sock)
        finally:
            self._retire()

    def _serve(
        self, selector: selectors.BaseSelector, wakeup: socket.socket, buffer: memoryview
    ) -> None:
        """One round: wait for data or the nearest deadline, discard, close the expired."""
        deadline = min((each.deadline for each in self._registered(selector)), default=None)
        timeout = None if deadline is None else max(0.0, deadline - _monotonic())
        for key, _ in selector.select(timeout):
            if key.data is None:
                with contextlib.suppress(OSError):
                    wakeup.recv(_CHUNK)
            else:
                self._discard(selector, key.data, buffer)
        now = _monotonic()
        for each in self._registered(selector):
            if each.deadline <= now:
                self._drop(selector, each.sock)

    def _admit(self, selector: selectors.BaseSelector) -> bool:
        """Register the sockets handed over; ``False`` (the thread ends) when stopped or when
        none is left."""
        with self._lock:
            if self._stopped or self._held == 0:
                self._retire_locked()
                return False
            pending, self._pending = self._pending, []
        deadline = _monotonic() + self.seconds
        for sock in pending:
            try:
                sock.setblocking(False)
                selector.register(
                    sock, selectors.EVENT_READ, _Lingering(sock, deadline, self.max_bytes)
                )
            except (OSError, ValueError):  # closed meanwhile
                self._forget(sock)
        return True

    def _retire(self) -> None:
        with self._lock:
            self._retire_locked()

    def _retire_locked(self) -> None:
        """This thread ends (under the lock): a socket handed over from now on starts another.
        Closes what is still pending (when stopped) and the waker; a second call does nothing.
        """
        if self._thread is not threading.current_thread():
            return
        pending, self._pending = self._pending, []
        self._held -= len(pending)
        waker, self._waker, self._thread = self._waker, None, None
        for sock in pending:
            sock.close()
        for end in waker or ():
            end.close()

    @staticmethod
    def _registered(selector: selectors.BaseSelector) -> list[_Lingering]:
        return [key.data for key in selector.get_map().values() if key.data is not None]

    def _discard(
        self, selector: selectors.BaseSelector, lingering: _Lingering, buffer: memoryview
    ) -> None:
        try:
            received = lingering.sock.recv_into(buffer, min(_CHUNK, lingering.left))
        except BlockingIOError:
            return
        except OSError:
            received = 0
        lingering.left -= received
        if received == 0 or lingering.left <= 0:
            self._drop(selector, lingering.sock)  # the client closed, or sent all it may

    def _drop(self, selector: selectors.BaseSelector, sock: socket.socket) -> None:
        selector.unregister(sock)
        self._forget(sock)

    def _forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._held -= 1  # first: once the client sees the close, the count is down
        sock.close()
