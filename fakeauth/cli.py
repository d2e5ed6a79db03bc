"""The ``fakeauth`` command: ``fakeauth serve`` runs the fake on a local port."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from fakeauth import __version__
from fakeauth.errors import ConfigurationError
from fakeauth.fake import FakeAuth
from fakeauth.seeding import apply_seed, load_seed_file
from fakeauth.state.ovok import DEFAULT_CLIENT_ID, DEFAULT_PROJECT_ID, DEFAULT_TENANT_ID
from fakeauth.state.waltid import (
    DEFAULT_SUPERADMIN_EMAIL,
    DEFAULT_SUPERADMIN_PASSWORD,
    DEFAULT_SUPERADMIN_TOKEN,
)
from fakeauth.transports.server import LiveServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fakeauth",
        description="A stateful fake of the Ovok, B2Core and walt.id auth APIs.",
    )
    parser.add_argument("--version", action="version", version=f"fakeauth {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve every vendor API on one local port (Ctrl-C stops)",
        description="Serve every vendor API on one local port, on the embedded default data.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind (default 8080)")
    serve.add_argument(
        "--seed",
        metavar="FILE",
        help="a JSON or TOML file of tenants, clients, accounts and flags to start from",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log a line per request")
    return parser


class _RequestLog:
    """WSGI middleware: one line per request, ``METHOD path -> status (ms)``."""

    def __init__(self, app: WSGIApplication, out: TextIO) -> None:
        self.app = app
        self.out = out

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def capture(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info)

        result = self.app(environ, capture)
        elapsed = (time.perf_counter() - started) * 1000
        code = status[0].split(" ", 1)[0] if status else "---"
        path = environ.get("PATH_INFO", "")
        print(
            f"{environ.get('REQUEST_METHOD', '?')} {path} -> {code} ({elapsed:.1f} ms)",
            file=self.out,
            flush=True,
        )
        return result


def banner(fake: FakeAuth, url: str) -> str:
    """What ``fakeauth serve`` prints on start: where it serves and the default data."""
    lines = [
        f"fakeauth {__version__} serving on {url}",
        "",
        "Ovok B2B auth:  POST /auth/b2b/register, /auth/b2b/login, /auth/refresh-token,",
        "                POST /v1/auth/logout, GET /auth/me",
        f"  tenantId      {DEFAULT_TENANT_ID}",
        f"  clientId      {DEFAULT_CLIENT_ID}",
        f"  project       Project/{DEFAULT_PROJECT_ID} (My Medical Project)",
    ]
    lines += ["", "B2Core:", *(f"  {line}" for line in fake.b2core.describe())]
    lines += [
        "",
        "walt.id:        POST /v1/superadmin/create-by-token, /auth/account/emailpass,",
        "                POST /v1/admin/account/register, /v1/account/register, ...",
        f"  token         {DEFAULT_SUPERADMIN_TOKEN} (super-admin registration, not yet used)",
        f"  super admin   {DEFAULT_SUPERADMIN_EMAIL} / {DEFAULT_SUPERADMIN_PASSWORD}",
        "  account-registration "
        + ("on" if fake.features.is_enabled("account-registration") else "off"),
    ]
    lines += ["", "Ctrl-C stops."]
    return "\n".join(lines)


def _counts(added: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in added.items()) or "nothing"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    fake = FakeAuth()
    if args.seed:
        try:
            added = apply_seed(fake, load_seed_file(args.seed))
        except ConfigurationError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"fakeauth: seeded from {args.seed}: " + _counts(added), flush=True)
    app: WSGIApplication = fake.wsgi_app
    if not args.quiet:
        app = _RequestLog(app, sys.stdout)
    server = LiveServer(app, host=args.host, port=args.port)
    # Before the server starts: a SIGTERM right after the banner must stop it as cleanly as Ctrl-C.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _serve(fake, server, args.host, args.port)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve(fake: FakeAuth, server: LiveServer, host: str, port: int) -> int:
    try:
        server.start()
    except OSError as exc:
        print(f"fakeauth: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(banner(fake, server.url), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nfakeauth: stopping", flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
