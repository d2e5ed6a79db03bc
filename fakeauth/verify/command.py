"""``fakeauth verify``: the checks against a fresh fake, ``fakeauth serve`` or a vendor's sandbox.

Exit status: 0 when every check matches or diverges as the fidelity registry declares; 1 when a
divergence is not declared; 2 when the target could not be checked (unreachable, misconfigured,
credentials refused: a check could not run to its end) or on a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, TextIO, cast

from fakeauth.console import write_line
from fakeauth.errors import ConfigurationError
from fakeauth.redaction import redact
from fakeauth.verify.checks import checks
from fakeauth.verify.model import Vendor
from fakeauth.verify.remote import MAX_BODY
from fakeauth.verify.targets import ENV_PREFIX, VENDORS, Target

__all__ = ["add_parser", "run"]

_EPILOG = f"""\
Without a URL, the checks run against a fresh fake (then every check matches). A vendor's URL
comes from --base-url or {ENV_PREFIX}<VENDOR>_URL (OVOK, B2CORE, WALTID); its account from
{ENV_PREFIX}<VENDOR>_EMAIL and _PASSWORD (Ovok also _TENANT and _CLIENT, B2Core
_FINGERPRINT). Without an account, the run registers one named fakeauth-verify-<random>@example.com.
Requests go to the named URLs only. A check that cannot run to its end (no answer within
--timeout, a body over --max-body or nested too deep to parse, a login that gives no token, the
run's --deadline passed) is a row that says why, and the run goes on.

exit status:
  0  every check matches, or diverges as fakeauth's fidelity registry declares
  1  a check diverges where the registry declares nothing
  2  the target could not be checked (unreachable, misconfigured, credentials refused: a check
     could not run to its end), or a usage error"""


_FRESH_NOTE = (
    "No URL is named, so the target is a fresh fake too and every check matches by construction;"
    "\nname a vendor's URL (--base-url, FAKEAUTH_VERIFY_<VENDOR>_URL) to compare with it."
)


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the ``verify`` subcommand to ``commands`` (``parser.add_subparsers()``)."""
    verify: argparse.ArgumentParser = commands.add_parser(
        "verify",
        help="compare the fake's answers with a real vendor's (or fakeauth serve's)",
        description="Run fakeauth's behaviour checks against a target and compare its answers "
        "with a fresh fake's.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument(
        "--vendor",
        action="append",
        choices=VENDORS,
        help="check this vendor (repeatable; default: every vendor that has a URL, or all)",
    )
    verify.add_argument(
        "--base-url",
        action="append",
        default=[],
        metavar="[VENDOR=]URL",
        help="a vendor's base URL, e.g. ovok=https://api.dev.ovok.com or "
        "b2core=http://127.0.0.1:8080/b2core (repeatable; a bare URL needs one --vendor)",
    )
    verify.add_argument("--format", choices=("table", "json"), default="table")
    verify.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds for each request to a URL, from connecting to the last byte (default 10)",
    )
    verify.add_argument(
        "--deadline",
        type=float,
        default=300.0,
        metavar="S",
        help="seconds for the whole run: a request still waiting then is cut, and the checks "
        "after it are not run (default 300)",
    )
    verify.add_argument(
        "--max-body",
        type=int,
        default=MAX_BODY,
        metavar="BYTES",
        help=f"the most bytes of an answer's body read from a URL (default {MAX_BODY}, 1 MiB)",
    )
    return verify


def run(
    args: argparse.Namespace,
    out: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run ``fakeauth verify`` with the parsed ``args``; print the report; the exit status."""
    out = sys.stdout if out is None else out
    try:
        vendors, target = _target(args, os.environ if environ is None else environ)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    # Here, not at the top: `fakeauth serve` builds this command's parser, and the runner and
    # the report bring the fidelity registry (a server that starts fast, issue 25).
    from fakeauth.verify.report import Report
    from fakeauth.verify.runner import Runner

    runner = Runner(target)
    try:
        results = runner.run(check for check in checks() if check.vendor in vendors)
        note = "" if target.base_urls else _FRESH_NOTE
        report = Report(target.name, results, runner.secrets, note)
        text = report.table() if args.format == "table" else report.json()
    except Exception as exc:  # a defect of fakeauth's own: a sentence, never a traceback
        why = redact(f"{type(exc).__name__}: {exc}", runner.secrets)
        print(
            f"fakeauth verify failed ({why}); this is a bug of fakeauth, please report it",
            file=sys.stderr,
        )
        return 2
    # the reader may leave (`fakeauth verify | head`): no traceback
    write_line(text, out)
    return report.exit_status


def _target(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[list[Vendor], Target]:
    if not 0 < args.timeout <= 600:
        raise ConfigurationError("--timeout takes a number of seconds above 0, at most 600")
    if not 0 < args.deadline <= 86400:
        raise ConfigurationError("--deadline takes a number of seconds above 0, at most 86400")
    if args.max_body < 1:
        raise ConfigurationError("--max-body takes a number of bytes, 1 or more")
    chosen = cast("list[Vendor] | None", args.vendor)
    urls: dict[Vendor, str] = {}
    for given in cast("list[str]", args.base_url):
        vendor, sep, url = given.partition("=")
        if sep and vendor in VENDORS:
            urls[vendor] = url
        elif chosen is not None and len(set(chosen)) == 1:
            urls[chosen[0]] = given
        else:
            raise ConfigurationError(
                f"--base-url {given!r}: say whose it is, as VENDOR=URL ({', '.join(VENDORS)}), "
                "or choose one vendor with --vendor"
            )
    target = Target.from_env(urls, environ)
    named = target.base_urls
    vendors = list(dict.fromkeys(chosen or (named or VENDORS)))
    missing = [vendor for vendor in vendors if named and vendor not in named]
    if missing:
        raise ConfigurationError(
            f"no base URL for {', '.join(missing)}: give --base-url {missing[0]}=URL or "
            f"{ENV_PREFIX}{missing[0].upper()}_URL, or leave out every URL to check a fresh fake"
        )
    if named:
        name = ", ".join(f"{vendor} {named[vendor]}" for vendor in vendors)
        target = replace(target, name=name)
    return vendors, replace(
        target, timeout=args.timeout, deadline=args.deadline, max_body=args.max_body
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m fakeauth.verify``: the same as ``fakeauth verify``."""
    parser = argparse.ArgumentParser(prog="fakeauth")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(["verify", *(argv or sys.argv[1:])]))
