"""SIGINT and SIGTERM while ``fakeauth run`` lasts: noted, and passed on to the command, except a
Ctrl-C typed at the terminal, which reached the command already (it shares fakeauth's process
group)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading

__all__ = ["FORWARDED", "Signals", "terminal_sent_sigint"]

#: The signals passed on to the command.
FORWARDED = (signal.SIGINT, signal.SIGTERM)


def terminal_sent_sigint() -> bool:
    """Whether a SIGINT just received was the terminal's Ctrl-C, which the terminal sends to
    its whole foreground process group: this process's group, which the command shares.

    Without a controlling terminal (CI, a service manager, ``kill`` from a script) it is
    ``False``, and the signal is passed on.
    """
    try:
        tty = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(tty) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(tty)


class Signals:
    """SIGINT and SIGTERM while the run lasts: noted, and passed on to the command."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.passed_on: list[int] = []
        self.terminal: list[int] = []
        #: Set on the first signal: a run whose command has not started does not start it.
        self.stopping = threading.Event()
        self._pending: list[int] = []
        self._child: subprocess.Popen[bytes] | None = None

    def receive(self, signum: int, frame: object) -> None:
        """The signal handler. It runs in the main thread between two bytecodes, so it needs no
        lock, and it prints nothing (the main thread may be inside a print)."""
        self.received.append(signum)
        self.stopping.set()
        if self._child is None:
            self._pending.append(signum)
        else:
            self._pass_on(signum)

    def attach(self, child: subprocess.Popen[bytes]) -> None:
        """Pass signals on to ``child`` from now on, and those received while it started."""
        self._child = child
        while self._pending:  # a signal arriving meanwhile is passed on by the handler itself
            self._pass_on(self._pending.pop(0))

    def _pass_on(self, signum: int) -> None:
        assert self._child is not None
        if signum == signal.SIGINT and terminal_sent_sigint():
            self.terminal.append(signum)  # the command got it from the terminal already
            return
        self._child.send_signal(signum)
        self.passed_on.append(signum)
