"""The ``fakeauth`` command: ``fakeauth serve`` runs the fake on a local port; ``fakeauth run``
serves it for as long as one command runs (:mod:`fakeauth.run`); ``fakeauth verify`` compares the
fake's answers with a target's (:mod:`fakeauth.verify`)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import re
import signal
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fakeauth import __version__
from fakeauth.banner import banner
from fakeauth.console import write_line
from fakeauth.errors import ConfigurationError
from fakeauth.fake import FakeAuth
from fakeauth.lanes import DEFAULT_JOURNAL_BUDGET, DEFAULT_MAX_LANES, Lanes
from fakeauth.persistence.serve import ServeFiles
from fakeauth.persistence.serve import add_arguments as add_state_arguments
from fakeauth.request_log import RequestLog, loggable
from fakeauth.seeding import apply_seed, load_seed_file
from fakeauth.transports.server import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT,
    LiveServer,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from fakeauth.persistence.model import LaneDoc

__all__ = [
    "COMMANDS",
    "DEFAULT_JOURNAL_LIMIT",
    "DEFAULT_PORT",
    "add_serve_options",
    "banner",
    "command_parser",
    "loggable",
    "main",
]

#: The most requests the journal of ``fakeauth serve`` keeps (the oldest are dropped first).
DEFAULT_JOURNAL_LIMIT = 10_000
#: The port ``fakeauth serve`` binds unless told (``fakeauth run`` binds a free one).
DEFAULT_PORT = 8080
#: The subcommands, in the order ``fakeauth --help`` lists them.
COMMANDS = ("serve", "run", "verify")


def command_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of the ``fakeauth`` command, every subcommand added (the CLI reference is
    generated from it), or only ``only``: a command line naming its subcommand first parses the
    same with it alone, so ``fakeauth serve`` imports neither run's nor verify's code."""
    if only is not None and only not in COMMANDS:
        raise ConfigurationError(
            f"no subcommand {only!r}; give one of {', '.join(COMMANDS)}, or None"
        )
    parser = argparse.ArgumentParser(
        prog="fakeauth",
        description="A stateful fake of the Ovok, B2Core and walt.id auth APIs.",
    )
    parser.add_argument("--version", action="version", version=f"fakeauth {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if only in (None, "serve"):
        serve = commands.add_parser(
            "serve",
            help="serve every vendor API on one local port (Ctrl-C stops)",
            description="Serve every vendor API on one local port, on the embedded default data.",
        )
        add_serve_options(serve, port=DEFAULT_PORT)
    if only in (None, "run"):
        from fakeauth.run import add_parser as add_run_parser

        add_run_parser(commands, add_serve_options)
    if only in (None, "verify"):
        from fakeauth.verify.command import add_parser as add_verify_parser

        add_verify_parser(commands)
    return parser


def add_serve_options(serve: argparse.ArgumentParser, *, port: int) -> None:
    """Add the server's options (those of ``serve``, shared by ``run``) to a parser."""
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=int,
        default=port,
        help=f"port to bind (default {port or 'a free one'})",
    )
    serve.add_argument(
        "--seed",
        metavar="FILE",
        help="a JSON or TOML file of tenants, clients, accounts and flags to start from",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log a line per request")
    serve.add_argument(
        "--max-connections",
        type=_positive_int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="most client connections open at once; the longest idle makes room for a new one "
        f"(default {DEFAULT_MAX_CONNECTIONS})",
    )
    serve.add_argument(
        "--request-timeout",
        type=_positive_seconds,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="S",
        help="seconds a request may take to arrive once begun; an idle connection never times "
        f"out (default {DEFAULT_REQUEST_TIMEOUT:g})",
    )
    serve.add_argument(
        "--journal-limit",
        type=_positive_int,
        default=DEFAULT_JOURNAL_LIMIT,
        metavar="N",
        help=f"most requests the journal of each lane keeps, the oldest dropped first (default "
        f"{DEFAULT_JOURNAL_LIMIT})",
    )
    serve.add_argument(
        "--journal-budget",
        type=_positive_int,
        default=DEFAULT_JOURNAL_BUDGET,
        metavar="N",
        help="most requests the journals of all the lanes keep between them, the oldest of all "
        f"dropped first (default {DEFAULT_JOURNAL_BUDGET})",
    )
    serve.add_argument(
        "--max-lanes",
        type=_lane_count,
        default=DEFAULT_MAX_LANES,
        metavar="N",
        help="most lanes (isolated states, /_lanes/NAME/... or the X-Fakeauth-Lane header) "
        f"besides the default one; 0 serves the default lane alone (default {DEFAULT_MAX_LANES})",
    )
    serve.add_argument(
        "--allow-host",
        type=_host_name,
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the control API and the dashboard answer on, besides loopback and IP "
        "addresses (a docker compose service name, say); repeatable",
    )
    add_state_arguments(serve)
    # TEST ONLY, hidden: a target that diverges on purpose, for fakeauth's tests of verify.
    serve.add_argument("--diverge", action="append", default=[], help=argparse.SUPPRESS)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def _lane_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, not {text!r}")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return value


_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
#: A host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most.
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


def _host_name(text: str) -> str:
    name = text.strip().lower()
    if not _HOST_NAME.match(name):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a host name (give the name alone, without a scheme or a port)"
        )
    return name


def _counts(added: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in added.items()) or "nothing"


def _interrupt(signum: int, frame: object) -> None:
    # Once: a second Ctrl-C while stopping must not break the (bounded) stop with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    named = argv[0] if argv and argv[0] in COMMANDS else None
    args = command_parser(named).parse_args(argv)
    if args.command == "verify":
        from fakeauth.verify.command import run as run_verify

        return run_verify(args)
    if args.command == "run":
        # What fakeauth itself says goes to stderr: the command's standard output is its own.
        with contextlib.redirect_stdout(sys.stderr):
            return _start(args)
    return _start(args)


def _start(args: argparse.Namespace) -> int:
    try:
        files = ServeFiles(args)
        document = files.document()
        loaded: Lanes | None = None
        if document is None:
            fake = FakeAuth(journal_limit=args.journal_limit)
        else:
            loaded = Lanes.from_state(
                document,
                max_lanes=args.max_lanes,
                journal_limit=args.journal_limit,
                journal_budget=args.journal_budget,
            )
            fake = loaded.get("default")
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        for entry_id in args.diverge:
            from fakeauth.verify.targets import diverge  # TEST ONLY: verify's, when asked for

            diverge(fake, entry_id)
            print(f"fakeauth: TEST ONLY: diverging on purpose on {entry_id}", file=sys.stderr)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.seed and not files.loads:
        try:
            added = apply_seed(fake, load_seed_file(args.seed))
        except ConfigurationError as exc:
            print(exc, file=sys.stderr)
            return 2
        write_line(f"fakeauth: seeded from {args.seed}: " + _counts(added), sys.stdout)
    # Not ``loaded or``: Lanes with no lane besides the default one is empty, hence false.
    lanes = (
        loaded
        if loaded is not None
        else Lanes(
            fake,
            start=_starting_state(fake) if args.seed else None,
            max_lanes=args.max_lanes,
            journal_limit=args.journal_limit,
            journal_budget=args.journal_budget,
        )
    )
    lanes.control_hosts = frozenset(args.allow_host)
    files.attach(lanes)
    app: WSGIApplication = files.wrap(lanes.wsgi_app)
    if not args.quiet:
        app = RequestLog(app, sys.stdout)

    def live_server(app: WSGIApplication) -> LiveServer:
        return LiveServer(
            app,
            host=args.host,
            port=args.port,
            max_connections=args.max_connections,
            request_timeout=args.request_timeout,
        )

    if args.command == "run":
        from fakeauth.run import main as run_command

        return run_command(args, app, files, live_server)
    server = live_server(app)
    # Both, before the server starts and so before the banner: a signal right after it must
    # stop the server cleanly. SIGINT too, since a process started in the background (`cmd &`)
    # starts with SIGINT ignored, and Python then installs no handler of its own.
    previous = {
        signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        return _serve(fake, server, args.host, args.port, files)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _starting_state(fake: FakeAuth) -> LaneDoc:
    # The state a new lane starts from: the seeded default lane. The documents and their schema
    # are imported here, by a run with --seed, not by every start.
    from fakeauth.persistence import export_lane
    from fakeauth.persistence.model import LaneDoc

    return LaneDoc.model_validate(export_lane(fake))


def _serve(fake: FakeAuth, server: LiveServer, host: str, port: int, files: ServeFiles) -> int:
    # A server that never listened served nothing: its run writes no file (an --export-on-exit
    # of the fresh state would overwrite what an earlier run exported there).
    try:
        server.start()
    except OSError as exc:
        print(f"fakeauth: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # stopped while binding: nothing was served
        server.stop()
        return 0
    # The start's objects (modules, server, starting state) live about as long as the process:
    # frozen, no full collection walks them again, nor the teardown at exit (60 -> 15 ms). They
    # are still freed by reference counting (a reset frees seeded accounts); a cycle would stay.
    gc.freeze()
    try:
        files.start()
        write_line(banner(fake, server.url), sys.stdout)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        write_line("\nfakeauth: stopping", sys.stdout)
    finally:
        server.stop()
        failure = files.stop()
    if failure is not None:  # the state was not kept: say so, and exit non-zero
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
