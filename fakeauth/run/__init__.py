"""``fakeauth run [serve options] -- COMMAND``: serve the fake for as long as one command runs.

The server binds in this process before the command starts (a port already taken is an error
at once, never a run against another process's server), then answers a probe that carries a
secret made for this run, which no other server can answer. The command runs as a child process,
with this process's standard input, output and error, and finds the server in its environment:

- ``FAKEAUTH_URL``, the server's root (every vendor by path, and the control API);
- ``FAKEAUTH_<VENDOR>_URL`` (``FAKEAUTH_OVOK_URL``, ...), each vendor's base URL.

When the command ends, the server stops and the state files are written. The exit status is the
command's (``128 + N`` when it died of signal N), or as with ``env`` and ``timeout``: 125 when
fakeauth could not serve, 126 when the command cannot be executed, 127 when there is none.
SIGINT and SIGTERM are passed on to the command, except a Ctrl-C typed at the terminal, which
reached the command already (it shares fakeauth's process group).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from fakeauth import __version__
from fakeauth.console import write_line
from fakeauth.hosts import vendor_url
from fakeauth.run.probe import PROBE_PATH, Probe, wait_until_ready
from fakeauth.run.signals import FORWARDED, Signals, terminal_sent_sigint
from fakeauth.vendors import VENDORS

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = [
    "EXIT_CANNOT_EXECUTE",
    "EXIT_NOT_FOUND",
    "EXIT_NOT_SERVING",
    "PROBE_PATH",
    "READY_TIMEOUT",
    "Probe",
    "Server",
    "StateFiles",
    "add_parser",
    "command_of",
    "environment",
    "main",
    "run",
    "terminal_sent_sigint",
]

#: The exit status when fakeauth could not serve (port taken, server not answering).
EXIT_NOT_SERVING = 125
#: The exit status when the command exists but cannot be executed (as a shell's 126).
EXIT_CANNOT_EXECUTE = 126
#: The exit status when there is no such command (as a shell's 127).
EXIT_NOT_FOUND = 127
#: Seconds the server has to answer its probe before the run gives up (it binds in this process,
#: so it answers at once unless something is wrong).
READY_TIMEOUT = 10.0
#: Signal names by number, for the last line of a run.
_SIGNAL_NAMES = {int(s): s.name for s in signal.Signals}
#: A wildcard address is bound on every interface; the command reaches it through loopback.
_LOOPBACK_OF = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}


class Server(Protocol):
    """What :func:`run` needs of a server (a :class:`~fakeauth.transports.server.LiveServer`)."""

    host: str

    @property
    def port(self) -> int:
        """The port bound (known once started)."""

    def start(self) -> object:
        """Bind and serve in the background; raises :class:`OSError` when it cannot bind."""

    def stop(self) -> None:
        """Stop serving."""


class StateFiles(Protocol):
    """The state files of the run (:class:`~fakeauth.persistence.serve.ServeFiles`)."""

    def start(self) -> None:
        """Start writing the ``--data`` file."""

    def stop(self) -> str | None:
        """The clean stop's writes (``--data``, ``--export-on-exit``); the sentence to exit with
        when the last write of the ``--data`` file failed."""


class AddOptions(Protocol):
    """``fakeauth.cli.add_serve_options``: the server's options, with a default port."""

    def __call__(self, parser: argparse.ArgumentParser, /, *, port: int) -> None:
        """Add the server's options to ``parser``."""


def add_parser(commands: Any, add_options: AddOptions) -> None:
    """Add ``fakeauth run`` to the ``fakeauth`` subcommands, with the server's options."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "run",
        usage="%(prog)s [serve options] -- COMMAND [ARG ...]",
        help="serve the fake on a free port while one command runs, then stop",
        description="Serve every vendor API on a free loopback port (or --port) while COMMAND "
        "runs, with FAKEAUTH_URL, FAKEAUTH_OVOK_URL, FAKEAUTH_B2CORE_URL and "
        "FAKEAUTH_WALTID_URL in its environment; stop when it ends and exit with its status "
        f"({EXIT_NOT_SERVING}: fakeauth could not serve, {EXIT_CANNOT_EXECUTE}: the command "
        f"cannot be executed, {EXIT_NOT_FOUND}: no such command, 128+N: it died of signal N). "
        "Ctrl-C and SIGTERM are passed on to the command.",
    )
    add_options(parser, port=0)
    parser.add_argument(
        "command_line",  # not "command": the subcommand's own name is stored there
        nargs=argparse.REMAINDER,
        metavar="-- COMMAND [ARG ...]",
        help="the command to run, after --",
    )
    parser.set_defaults(run_parser=parser)


def command_of(args: argparse.Namespace) -> list[str]:
    """The command line given after ``--``; exits with a usage error when there is none."""
    command: list[str] = list(args.command_line)
    if command[:1] == ["--"]:  # argparse keeps the separator before a REMAINDER on some versions
        command = command[1:]
    if not command:
        args.run_parser.error("give the command to run after --: fakeauth run -- npm test")
    return command


def environment(url: str) -> dict[str, str]:
    """The variables that tell the command where the server is: ``FAKEAUTH_URL`` and each
    vendor's ``FAKEAUTH_<VENDOR>_URL``."""
    found = {"FAKEAUTH_URL": url}
    names = [vendor.name for vendor in VENDORS]
    found.update({f"FAKEAUTH_{name.upper()}_URL": vendor_url(url, name, names) for name in names})
    return found


def _reachable(host: str) -> str:
    """The address a client on this machine uses to reach a server bound on ``host``."""
    return _LOOPBACK_OF.get(host, host)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _say(text: str, out: TextIO) -> None:
    write_line(f"fakeauth: {text}", out)


def _reason(exc: OSError) -> str:
    # Not exc.strerror: socket.create_server adds the address to it, which the sentence names.
    return os.strerror(exc.errno) if exc.errno else str(exc)


def _status(code: int) -> int:
    """A shell's exit status for a child's return code (``-N``: it died of signal N)."""
    return 128 - code if code < 0 else code


def main(
    args: argparse.Namespace,
    app: WSGIApplication,
    files: StateFiles,
    live_server: Callable[[WSGIApplication], Server],
) -> int:
    """``fakeauth run`` with its parsed options: :func:`run` on the command given after ``--``."""
    return run(command_of(args), app, files, live_server, where=f"{args.host}:{args.port}")


def run(
    command: Sequence[str],
    app: WSGIApplication,
    files: StateFiles,
    live_server: Callable[[WSGIApplication], Server],
    *,
    where: str,
    out: TextIO | None = None,
    ready_timeout: float = READY_TIMEOUT,
) -> int:
    """Serve ``app`` on the server ``live_server`` makes (bound to ``where``, ``HOST:PORT``),
    run ``command`` until it ends, stop; returns the exit status. Messages go to ``out``
    (standard error). Call it from the main thread: it handles SIGINT and SIGTERM meanwhile."""
    out = sys.stderr if out is None else out
    secret = secrets.token_urlsafe(16)
    server = live_server(Probe(app, secret))
    signals = Signals()
    # Before the server starts: from now on a signal stops the run cleanly.
    previous = {signum: signal.signal(signum, signals.receive) for signum in FORWARDED}
    try:
        try:
            server.start()
        except OSError as exc:
            _say(
                f"cannot listen on {where}: {_reason(exc)}; give another --port, or "
                f"leave --port out for a free one. {shlex.join(command)} did not run.",
                out,
            )
            return EXIT_NOT_SERVING
        try:
            files.start()
            started = _Started(command, server, secret, signals, out)
            status = started.run(ready_timeout)
        finally:
            server.stop()
            failure = files.stop()
        if started.ended is not None:  # after the stop: the state files are written by now
            _say(f"{started.shown} {started.ended}; the server stopped", out)
        if failure is not None:  # the state was not kept: say so; a passing command fails then
            print(failure, file=out, flush=True)
            return status or 1
        return status
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Started:
    """A run whose server is bound: wait until it answers, then run the command."""

    def __init__(
        self,
        command: Sequence[str],
        server: Server,
        secret: str,
        signals: Signals,
        out: TextIO,
    ) -> None:
        self.command = list(command)
        self.shown = shlex.join(command)
        self.host = _reachable(server.host)
        self.port = server.port
        self.url = _url(self.host, self.port)
        self.secret = secret
        self.signals = signals
        self.out = out
        #: How the command ended, once it has.
        self.ended: str | None = None

    def run(self, ready_timeout: float) -> int:
        problem = wait_until_ready(
            self.host, self.port, self.secret, ready_timeout, self.signals.stopping
        )
        if problem is not None:
            _say(
                f"the server on {self.url} is not serving: {problem}. {self.shown} did not run.",
                self.out,
            )
            return EXIT_NOT_SERVING
        if self.signals.received:
            signum = self.signals.received[0]
            _say(f"stopped by {signal.Signals(signum).name} before {self.shown} started", self.out)
            return 128 + signum
        _say(f"{__version__} serving on {self.url}; running {self.shown}", self.out)
        return self._command({**os.environ, **environment(self.url)})

    def _command(self, env: dict[str, str]) -> int:
        try:
            child = subprocess.Popen(self.command, env=env)
        except FileNotFoundError:
            _say(
                f"cannot run {self.shown}: there is no command {self.command[0]!r}; check its "
                "name and PATH",
                self.out,
            )
            return EXIT_NOT_FOUND
        except OSError as exc:
            _say(
                f"cannot run {self.shown}: {exc.strerror or exc}; make it executable "
                "(chmod +x) or run it through its interpreter",
                self.out,
            )
            return EXIT_CANNOT_EXECUTE
        self.signals.attach(child)
        code = _status(child.wait())
        for signum in self.signals.passed_on:
            _say(f"passed {signal.Signals(signum).name} on to {self.shown}", self.out)
        if self.signals.terminal:
            _say(f"Ctrl-C reached {self.shown} from the terminal", self.out)
        self.ended = f"exited with {code}"
        if code > 128 and code - 128 in _SIGNAL_NAMES:
            self.ended = f"died of {_SIGNAL_NAMES[code - 128]} (exit status {code})"
        return code
