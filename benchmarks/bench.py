"""How much a test waits for fakeauth: every contender against its floor, in one run.

    python benchmarks/bench.py            # the full run (a few minutes)
    python benchmarks/bench.py --quick    # about a minute
    python benchmarks/bench.py --smoke    # seconds: proves the script runs (no useful figures)

The contenders run interleaved: every round runs a small batch of every row, in a shuffled order,
so load from other work on the machine hits all rows alike. Each row reports the median time of
one unit (a call, a flow, a test's set-up) over all rounds and the median rate over the rounds,
and its ratio to its floor. The same figures, the targets and whether each is met go to a JSON
file. See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib.metadata
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contenders import Contender, Suite, iter_rows, seed
from live_rows import SERVER_TARGETS, ceiling_lines, latency_lines, server_rows
from login_probe import probe_lines

from fakeauth import FakeAuth

SCHEMA = 1
DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"
PACKAGES = (
    "fakeauth", "requests", "responses", "httpx", "respx", "werkzeug", "httptools", "pydantic",
    "PyJWT", "moto", "boto3", "cheroot",
)  # fmt: skip


@dataclass(frozen=True)
class Mode:
    """How long a run is."""

    rounds: int
    batch: int
    warmup: int
    scale: tuple[int, ...]
    memory_accounts: int


SIZES = (1, 10_000, 100_000)
MODES = {
    "full": Mode(rounds=600, batch=10, warmup=2, scale=SIZES, memory_accounts=100_000),
    "quick": Mode(rounds=200, batch=8, warmup=1, scale=SIZES, memory_accounts=10_000),
    "smoke": Mode(rounds=2, batch=2, warmup=0, scale=(1, 100, 1_000), memory_accounts=1_000),
}


@dataclass(frozen=True)
class Target:
    """A figure the issue fixes: ``numerator / denominator`` compared with ``limit``."""

    name: str
    description: str
    numerator: str
    denominator: str
    # "time": ratio of median times; "rate": ratio of calls per second; "ms": the numerator's
    # median in milliseconds; "ms_over": the numerator's median less the denominator's, in ms;
    # "p99": the ratio of the 99th percentiles.
    measure: str
    comparison: str  # "<=" or ">="
    limit: float


TARGETS = (
    Target("login_vs_floor", "Ovok login through mock_requests() / the responses floor",
           "requests.ovok_login", "requests.floor", "time", "<=", 1.2),
    Target("flow_vs_moto_requests", "moto's sign up + confirm + log in / fakeauth's register "
           "+ login through mock_requests()", "flow.moto", "flow.requests", "time", ">=", 2.5),
    Target("flow_vs_moto_wsgi", "moto's sign up + confirm + log in / fakeauth's register + "
           "login through the WSGI app", "flow.moto", "flow.wsgi", "time", ">=", 5.0),
    Target("per_test_overhead", "FakeAuth() + mock_requests() start and stop / a bare "
           "RequestsMock start and stop", "overhead.fakeauth", "overhead.responses", "time",
           "<=", 2.5),
    Target("live_throughput", "fake.serve() calls per second / werkzeug's development server's",
           "live.fake_serve", "live.werkzeug", "rate", ">=", 1.4),
    Target("first_use_ms", "first FakeAuth() + Ovok login in a fresh interpreter, ms beyond a "
           "bare interpreter's exec to exit", "startup.first_use", "startup.bare", "ms_over",
           "<=", 200.0),
    Target("serve_first_answer_ms", "fakeauth serve, ms from exec to its first answer",
           "startup.serve_answer", "startup.bare", "ms", "<=", 250.0),
    Target("me_vs_login", "Ovok GET /auth/me / an Ovok login, through the WSGI app",
           "tokens.ovok_me", "tokens.ovok_login", "time", "<=", 1.0),
    Target("refresh_vs_login", "Ovok refresh / an Ovok login, through the WSGI app",
           "tokens.ovok_refresh", "tokens.ovok_login", "time", "<=", 1.0),
    Target("logout_vs_login", "Ovok logout / an Ovok login, through the WSGI app",
           "tokens.ovok_logout", "tokens.ovok_login", "time", "<=", 1.0),
    *(Target(*target) for target in SERVER_TARGETS),
)  # fmt: skip
#: Login latency with the most accounts / with one: flat within 10%.
SCALE_LIMIT = 1.10


@dataclass
class Row:
    """A contender's measured figures."""

    contender: Contender
    samples: list[float]
    rates: list[float]

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples) * 1e6

    def quantile_us(self, q: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6

    @property
    def per_second(self) -> float:
        return statistics.median(self.rates)


def run_rounds(
    contenders: Sequence[Contender], mode: Mode, rng: random.Random, *, progress: bool
) -> dict[str, Row]:
    """Run every contender, interleaved round by round; the samples of each."""
    active = [c for c in contenders if c.skipped is None]
    rows = {c.name: Row(c, [], []) for c in active}
    clock = time.perf_counter
    total = mode.warmup + mode.rounds
    for index in range(total):
        order = [c for c in active if index % c.every == 0]
        rng.shuffle(order)
        for contender in order:
            count = max(1, round(mode.batch * contender.weight))
            times = []
            if contender.enter is not None:
                contender.enter()
            try:
                call = contender.call
                for _ in range(count):
                    start = clock()
                    call()
                    times.append(clock() - start)
            finally:
                if contender.exit is not None:
                    contender.exit()
            samples = times if contender.latencies is None else contender.latencies()
            if index >= mode.warmup:
                row = rows[contender.name]
                row.samples.extend(samples)
                row.rates.append(count / sum(times))
        if progress and (index + 1) % max(1, total // 10) == 0:
            print(f"  round {index + 1}/{total}", file=sys.stderr, flush=True)
    return rows


def measure_memory(accounts: int) -> dict[str, float]:
    """Bytes a fake holds per account seeded through ``add_account`` (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fake = FakeAuth()
        before, _ = tracemalloc.get_traced_memory()
        add = fake.ovok.add_account
        for i in range(accounts):
            add(email=f"mem{i}@example.test", password=f"password-{i}")
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del fake
    return {
        "accounts": accounts,
        "bytes": after - before,
        "bytes_per_account": (after - before) / accounts,
    }


def evaluate(rows: dict[str, Row], scale: Sequence[int]) -> list[dict[str, Any]]:
    """Each target with its measured ratio and whether it is met (``None``: not measured)."""
    results = []
    for target in TARGETS:
        num, den = rows.get(target.numerator), rows.get(target.denominator)
        measured: float | None = None
        if num is not None and den is not None:
            if target.measure == "rate":
                measured = num.per_second / den.per_second
            elif target.measure == "ms":
                measured = num.median_us / 1000
            elif target.measure == "ms_over":
                measured = (num.median_us - den.median_us) / 1000
            elif target.measure == "p99":
                measured = num.quantile_us(0.99) / den.quantile_us(0.99)
            else:
                measured = num.median_us / den.median_us
        results.append(_target_result(target.name, target.description, measured,
                                      target.comparison, target.limit,
                                      target.numerator, target.denominator))  # fmt: skip
    floor = rows.get(f"scale.{scale[0]}")
    sizes = [rows[f"scale.{n}"] for n in scale[1:] if f"scale.{n}" in rows]
    worst = max(r.median_us for r in sizes) / floor.median_us if floor and sizes else None
    # The random-account row is reported, not judged: it measures the machine's memory latency.
    results.append(
        _target_result(
            "scale_flat",
            f"Ovok login with up to {scale[-1]:,} seeded accounts / with {scale[0]} "
            "(the worst size; the same account each time)",
            worst,
            "<=",
            SCALE_LIMIT,
            f"scale.{scale[-1]}",
            f"scale.{scale[0]}",
        )
    )
    return results


def _target_result(
    name: str,
    description: str,
    measured: float | None,
    comparison: str,
    limit: float,
    numerator: str,
    denominator: str,
) -> dict[str, Any]:
    met = None
    if measured is not None:
        met = measured <= limit if comparison == "<=" else measured >= limit
    return {
        "name": name,
        "description": description,
        "numerator": numerator,
        "denominator": denominator,
        "comparison": comparison,
        "limit": limit,
        "measured": measured,
        "met": met,
    }


def row_document(contender: Contender, rows: dict[str, Row]) -> dict[str, Any]:
    """One row of the JSON output."""
    row = rows.get(contender.name)
    ref = rows.get(contender.ref) if contender.ref else None
    document: dict[str, Any] = {
        "name": contender.name,
        "group": contender.group,
        "label": contender.label.strip(),
        "unit": contender.unit,
        "ref": contender.ref,
        "skipped": contender.skipped,
        "samples": 0,
        "median_us": None,
        "p10_us": None,
        "p90_us": None,
        "p99_us": None,
        "per_second": None,
        "ratio": None,
        **contender.info,
    }
    if row is not None:
        document.update(
            samples=len(row.samples),
            median_us=row.median_us,
            p10_us=row.quantile_us(0.1),
            p90_us=row.quantile_us(0.9),
            p99_us=row.quantile_us(0.99),
            per_second=row.per_second,
            ratio=row.median_us / ref.median_us if ref is not None else None,
        )
    return document


def format_table(documents: list[dict[str, Any]], targets: list[dict[str, Any]]) -> str:
    """The printed report: every row with its ratio to its floor, then the targets."""
    lines = [f"{'row':<58} {'median us':>10} {'per second':>11} {'x floor':>8}"]
    group = None
    for doc in documents:
        if doc["group"] != group:
            group = doc["group"]
            lines.append(f"-- {group} " + "-" * (86 - len(group)))
        label = doc["label"] if not doc["label"].startswith("of which") else "  " + doc["label"]
        if doc["skipped"]:
            lines.append(f"{label:<58} {'skipped: ' + doc['skipped']}")
            continue
        ratio = f"{doc['ratio']:.2f}" if doc["ratio"] is not None else "floor"
        lines.append(
            f"{label:<58} {doc['median_us']:>10.1f} {doc['per_second']:>11,.0f} {ratio:>8}"
        )
    lines.append("")
    lines.append("targets")
    for target in targets:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[target["met"]]
        value = f"{target['measured']:.2f}" if target["measured"] is not None else "-"
        lines.append(
            f"  {verdict:<12} {value:>6} {target['comparison']} {target['limit']:<5} "
            f"{target['description']}"
        )
    return "\n".join(lines)


def package_versions() -> dict[str, str | None]:
    """The versions of the packages the figures depend on."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a run of about a minute")
    size.add_argument("--smoke", action="store_true", help="a few rounds, to prove it runs")
    parser.add_argument("--rounds", type=int, help="override the mode's number of rounds")
    parser.add_argument("--batch", type=int, help="override the mode's calls per row per round")
    parser.add_argument("--no-moto", action="store_true", help="leave out moto's rows")
    parser.add_argument(
        "--only", metavar="GROUPS", help="run only these groups (comma-separated), for profiling"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write JSON")
    parser.add_argument("--seed", type=int, default=8, help="seed of the round order")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    name = "smoke" if args.smoke else "quick" if args.quick else "full"
    mode = MODES[name]
    if args.rounds is not None or args.batch is not None:
        mode = Mode(
            rounds=args.rounds or mode.rounds,
            batch=args.batch or mode.batch,
            warmup=mode.warmup,
            scale=mode.scale,
            memory_accounts=mode.memory_accounts,
        )
    progress = not args.smoke
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.perf_counter
    begin = clock()

    if progress:
        print(f"seeding {', '.join(f'{n:,}' for n in mode.scale)} accounts", file=sys.stderr)
    seeded = [seed(n, clock) for n in mode.scale]
    suite = Suite()
    try:
        contenders = [*iter_rows(suite, seeded, use_moto=not args.no_moto), *server_rows(suite)]
        if args.only:
            groups = set(args.only.split(","))
            contenders = [c for c in contenders if c.group in groups]
        if progress:
            print(f"{mode.rounds} rounds of {len(contenders)} rows", file=sys.stderr)
        rows = run_rounds(contenders, mode, random.Random(args.seed), progress=progress)
    finally:
        suite.close()
    largest = seeded[-1]
    del seeded[1:]  # free the big fakes before measuring memory
    memory = measure_memory(mode.memory_accounts)

    documents = [row_document(c, rows) for c in contenders]
    targets = evaluate(rows, mode.scale)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "mode": name,
        "meta": {
            "started": started.isoformat(),
            "seconds": clock() - begin,
            "rounds": mode.rounds,
            "batch": mode.batch,
            "warmup": mode.warmup,
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "packages": package_versions(),
        },
        "rows": documents,
        "targets": targets,
        "scale": {
            "accounts": list(mode.scale),
            "seed_seconds": largest.seconds,
            "seed_accounts": largest.accounts,
            "seed_per_second": largest.accounts / largest.seconds if largest.seconds else None,
            "memory": memory,
        },
    }
    print(format_table(documents, targets))
    threaded, serve = rows.get("live.werkzeug_threaded"), rows.get("live.fake_serve")
    if threaded is not None and serve is not None:
        report["comparisons"] = {
            "live_vs_werkzeug_threaded": serve.per_second / threaded.per_second,
        }
        print(
            f"  {'info':<12} fake.serve() calls per second / werkzeug's threaded dev server's "
            f"(flask run): {report['comparisons']['live_vs_werkzeug_threaded']:.2f}"
        )
    login_limit = next(t.limit for t in TARGETS if t.name == "login_vs_floor")
    probe = probe_lines(documents, login_limit)
    for line in [*latency_lines(documents), *ceiling_lines(documents), *probe]:
        print(f"  {'info':<12} {line}")
    print(
        f"  {'info':<12} seeding {largest.accounts:,} accounts through add_account: "
        f"{largest.seconds:.2f} s ({report['scale']['seed_per_second']:,.0f}/s); "
        f"{memory['bytes_per_account']:,.0f} bytes per account"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.json} ({report['meta']['seconds']:.0f} s)")
    missed = [t for t in targets if t["met"] is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
