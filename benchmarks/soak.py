"""Does ``fakeauth serve`` hold its memory? A soak run, by hand (not in CI).

    python benchmarks/soak.py             # 200,000 requests (a minute or two)
    python benchmarks/soak.py --quick     # 40,000 requests, to iterate

It starts ``fakeauth serve`` in a subprocess on loopback and sends it, over one keep-alive
connection, a repeating mix of Ovok calls: a failed login, a login, ``GET /auth/me`` with the new
token and a logout (each login opens a session whose refresh token stays live for 14 days, so the
sessions of the one account pile up until the clock passes them). Every ``--shift-every``
requests it moves the fake's clock past every expiry (``POST /_fakeauth/clock``), and every
``--sample-every`` requests it reads the server's resident memory (``VmRSS`` in
``/proc/PID/status``). The figure is the growth per request once the journal is full (its cap,
``--journal-limit``, 10,000 by default for ``fakeauth serve``): the least-squares slope of the
samples from there on. Target: under 100 bytes a request.

    python benchmarks/soak.py --lanes 1000   # the journal bound across lanes (a minute or two)

With ``--lanes N`` it measures instead the worst case of the journal across lanes at serve's
defaults: the same cycle sent round-robin to ``N`` lanes (``X-Fakeauth-Lane``), each started
from a seed file with the account, until the server has handled 10% more requests than its
``--journal-budget`` (100,000 by default), so that the journals of all the lanes together are
full. The figure is the server's resident memory then. Target: under 1 GiB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TENANT = "87ea5dfc-8b8e-384d-8489-79496e706390"  # the embedded default tenant and client
EMAIL = "soak@example.test"
PASSWORD = "soak-password-1"
SERVE_JOURNAL_LIMIT = 10_000  # fakeauth serve's default
PAST_EVERY_EXPIRY = 31 * 24 * 3600  # B2Core's refresh token (30 days) is the longest lifetime
TARGET_BYTES = 100
SERVE_JOURNAL_BUDGET = 100_000  # fakeauth serve's default
TARGET_FILLED_RSS = 2**30


@dataclass
class Sample:
    """The server's memory after some requests."""

    requests: int
    rss_bytes: int
    journal_dropped: int
    seconds: float


class Client:
    """One keep-alive connection to the server, checking every status."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        expect: int = 200,
        lane: str | None = None,
    ) -> tuple[Any, http.client.HTTPResponse]:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if lane is not None:
            headers["X-Fakeauth-Lane"] = lane
        data = None if body is None else json.dumps(body).encode()
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        if response.status != expect:
            raise SystemExit(
                f"soak: {method} {path} answered {response.status}, not {expect}: {raw[:300]!r}"
            )
        return (json.loads(raw) if raw else None), response


def rss_bytes(pid: int) -> int:
    """The resident set size of process ``pid``."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    if match is None:
        raise SystemExit(f"soak: no VmRSS in /proc/{pid}/status (Linux only)")
    return int(match.group(1)) * 1024


def start_server(
    journal_limit: int | None, extra: Sequence[str] = ()
) -> tuple[subprocess.Popen[str], int]:
    """``fakeauth serve`` on a free loopback port (with the ``extra`` arguments); the process
    and its port."""
    command = [
        sys.executable,
        "-c",
        "import sys; from fakeauth.cli import main; sys.exit(main())",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--quiet",
    ]
    if journal_limit is not None:
        command += ["--journal-limit", str(journal_limit)]
    command += extra
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"serving on http://127\.0\.0\.1:(\d+)", line)
        if match:
            return process, int(match.group(1))
    process.kill()
    raise SystemExit("soak: fakeauth serve did not print its address")


def slope(points: Sequence[tuple[int, int]]) -> float:
    """The least-squares slope of ``(x, y)`` points."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def soak(args: argparse.Namespace) -> dict[str, Any]:
    """Run the soak; the samples and the figures."""
    process, port = start_server(args.journal_limit)
    try:
        client = Client(port)
        client.call(
            "POST",
            "/_fakeauth/seed",
            {"ovok": {"accounts": [{"email": EMAIL, "password": PASSWORD}]}},
        )
        good = {"email": EMAIL, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}
        bad = {**good, "password": "wrong-password"}
        samples = [Sample(0, rss_bytes(process.pid), 0, 0.0)]
        started = time.perf_counter()
        sent = 0
        while sent < args.requests:
            client.call("POST", "/auth/b2b/login", bad, expect=401)
            tokens, _ = client.call("POST", "/auth/b2b/login", good)
            client.call("GET", "/auth/me", token=tokens["accessToken"])
            client.call("POST", "/v1/auth/logout", token=tokens["accessToken"], expect=204)
            sent += 4
            if sent % args.shift_every == 0:
                client.call("POST", "/_fakeauth/clock", {"shift": PAST_EVERY_EXPIRY})
            if sent % args.sample_every == 0:
                dropped = -1
                if not args.no_probe:  # an empty page: only its header is read
                    _, response = client.call("GET", "/_fakeauth/journal?after=999999999999")
                    dropped = int(response.getheader("X-Fakeauth-Journal-Dropped") or 0)
                elapsed = time.perf_counter() - started
                samples.append(Sample(sent, rss_bytes(process.pid), dropped, elapsed))
                if not args.json_only:
                    print(
                        f"  {sent:>9,} requests  {samples[-1].rss_bytes / 2**20:8.1f} MiB  "
                        f"journal dropped {dropped:>9,}  {sent / elapsed:7,.0f}/s",
                        flush=True,
                    )
    finally:
        process.terminate()
        process.wait(timeout=10)
    cap = args.journal_limit or SERVE_JOURNAL_LIMIT
    after_cap = [(s.requests, s.rss_bytes) for s in samples if s.requests >= cap]
    growth = slope(after_cap) if len(after_cap) >= 2 else float("nan")
    return {
        "requests": sent,
        "journal_limit": cap,
        "samples": [s.__dict__ for s in samples],
        "rss_start_mib": samples[0].rss_bytes / 2**20,
        "rss_at_cap_mib": after_cap[0][1] / 2**20 if after_cap else None,
        "rss_end_mib": samples[-1].rss_bytes / 2**20,
        "bytes_per_request_after_cap": growth,
        "target_bytes_per_request": TARGET_BYTES,
        "met": growth < TARGET_BYTES,
        "requests_per_second": sent / samples[-1].seconds if samples[-1].seconds else None,
    }


def cycle(client: Client, lane: str | None = None) -> None:
    """One cycle of four requests: a failed login, a login, ``/auth/me`` and a logout."""
    good = {"email": EMAIL, "password": PASSWORD, "tenantId": TENANT, "clientId": TENANT}
    client.call(
        "POST", "/auth/b2b/login", {**good, "password": "wrong-password"}, expect=401, lane=lane
    )
    tokens, _ = client.call("POST", "/auth/b2b/login", good, lane=lane)
    client.call("GET", "/auth/me", token=tokens["accessToken"], lane=lane)
    client.call("POST", "/v1/auth/logout", token=tokens["accessToken"], expect=204, lane=lane)


def fill_lanes(args: argparse.Namespace) -> dict[str, Any]:
    """Fill the journals of ``args.lanes`` lanes past the server's budget; the memory then."""
    budget = args.journal_budget or SERVE_JOURNAL_BUDGET
    requests = budget + budget // 10
    with tempfile.TemporaryDirectory() as folder:
        seed = Path(folder) / "seed.json"
        seed.write_text(
            json.dumps({"ovok": {"accounts": [{"email": EMAIL, "password": PASSWORD}]}})
        )
        extra = ["--seed", str(seed), "--max-lanes", str(args.lanes)]
        if args.journal_budget is not None:
            extra += ["--journal-budget", str(args.journal_budget)]
        process, port = start_server(args.journal_limit, extra)
        try:
            client = Client(port)
            names = [f"lane-{index:04}" for index in range(args.lanes)]
            rss_start = rss_bytes(process.pid)
            started = time.perf_counter()
            sent = 0
            rss_lanes_made = 0
            while sent < requests:
                for name in names:
                    cycle(client, name)
                    sent += 4
                if not rss_lanes_made:
                    rss_lanes_made = rss_bytes(process.pid)
                if not args.json_only:
                    print(
                        f"  {sent:>9,} requests  {rss_bytes(process.pid) / 2**20:8.1f} MiB",
                        flush=True,
                    )
            elapsed = time.perf_counter() - started
            rss_filled = rss_bytes(process.pid)
            listing, _ = client.call("GET", "/_fakeauth/lanes")
        finally:
            process.terminate()
            process.wait(timeout=10)
    held = sum(row["journal"] for row in listing["lanes"])  # the default lane got none
    return {
        "lanes": args.lanes,
        "requests": sent,
        "journal_budget": budget,
        "journal_entries_held": held,
        "rss_start_mib": rss_start / 2**20,
        "rss_lanes_made_mib": rss_lanes_made / 2**20,
        "rss_filled_mib": rss_filled / 2**20,
        "target_mib": TARGET_FILLED_RSS / 2**20,
        "met": rss_filled < TARGET_FILLED_RSS,
        "requests_per_second": sent / elapsed,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="40,000 requests, sampled each 5,000")
    parser.add_argument("--requests", type=int, default=200_000, help="how many (default 200,000)")
    parser.add_argument("--sample-every", type=int, default=10_000, metavar="N")
    parser.add_argument("--shift-every", type=int, default=10_000, metavar="N")
    parser.add_argument(
        "--journal-limit",
        type=int,
        default=None,
        metavar="N",
        help="passed to fakeauth serve (default: leave serve's own default, 10,000)",
    )
    parser.add_argument(
        "--no-probe",
        action="store_true",
        help="do not read the journal's dropped count (for a fakeauth without paging, which "
        "would answer the probe with its whole journal)",
    )
    parser.add_argument(
        "--lanes",
        type=int,
        default=0,
        metavar="N",
        help="measure the journal bound across N lanes instead (the worst case at the defaults)",
    )
    parser.add_argument(
        "--journal-budget",
        type=int,
        default=None,
        metavar="N",
        help="with --lanes: passed to fakeauth serve (default: serve's own, 100,000)",
    )
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON report")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.sample_every = 40_000, 5_000
    for name in ("requests", "sample_every", "shift_every"):
        if getattr(args, name) <= 0 or getattr(args, name) % 4:
            parser.error(f"--{name.replace('_', '-')} must be a positive multiple of 4 (one cycle)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.lanes:
        return main_lanes(args)
    if not args.json_only:
        print(f"soak: {args.requests:,} requests through fakeauth serve", flush=True)
    report = soak(args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.json_only:
        print(json.dumps(report, indent=2))
        return 0
    growth = report["bytes_per_request_after_cap"]
    print(
        f"\nRSS {report['rss_start_mib']:.1f} MiB at start, {report['rss_at_cap_mib']:.1f} MiB "
        f"once the journal held {report['journal_limit']:,} entries, {report['rss_end_mib']:.1f} "
        f"MiB after {report['requests']:,} requests ({report['requests_per_second']:,.0f}/s)\n"
        f"growth once the journal is full: {growth:.1f} bytes a request "
        f"(target: under {TARGET_BYTES}) -> {'met' if report['met'] else 'MISSED'}"
    )
    return 0


def main_lanes(args: argparse.Namespace) -> int:
    """The ``--lanes`` run: fill, then print the figures."""
    if not args.json_only:
        print(f"soak: the journals of {args.lanes:,} lanes filled past the budget", flush=True)
    report = fill_lanes(args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.json_only:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"\nRSS {report['rss_start_mib']:.1f} MiB at start, {report['rss_lanes_made_mib']:.1f} "
        f"MiB once the {report['lanes']:,} lanes were made, {report['rss_filled_mib']:.1f} MiB "
        f"after {report['requests']:,} requests ({report['requests_per_second']:,.0f}/s), the "
        f"journals holding {report['journal_entries_held']:,} entries (budget "
        f"{report['journal_budget']:,})\n"
        f"target: under {report['target_mib']:,.0f} MiB -> {'met' if report['met'] else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
