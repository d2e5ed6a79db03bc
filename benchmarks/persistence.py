"""What persistence costs: export and import of a 10,000-account fake, and a 1,000-account
snapshot restore against seeding those accounts anew.

Interleaved rounds, as ``bench.py`` measures: every round runs each row once, in a freshly
shuffled order, so load from other work on the machine hits every row alike; the first round is a
warm-up. Each row reports its median in milliseconds; the restore row also its ratio to seeding
anew. A tool, not a test: nothing here is asserted (``--smoke`` proves it runs).

    .venv/bin/python benchmarks/persistence.py            # about a minute
    .venv/bin/python benchmarks/persistence.py --smoke    # a few seconds; figures mean nothing
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fakeauth import FakeAuth
from fakeauth.persistence.files import dumps, loads

PASSWORD = "s3cret-Pa55word"


def seeded(accounts: int) -> FakeAuth:
    """A fresh fake with ``accounts`` Ovok accounts, seeded through ``fake.ovok.add_account``."""
    fake = FakeAuth(seed=1)
    for i in range(accounts):
        fake.ovok.add_account(email=f"user{i}@example.test", password=PASSWORD)
    return fake


def rows(export_accounts: int, restore_accounts: int) -> dict[str, Callable[[], None]]:
    """Each row's unit of work."""
    big = seeded(export_accounts)
    text = dumps(big.export_state())
    small = seeded(restore_accounts)
    snapshot = small.snapshot()

    def export() -> None:
        dumps(big.export_state())

    def import_() -> None:
        FakeAuth.from_state(loads(text))

    def restore() -> None:
        small.restore(snapshot)

    def seed_anew() -> None:
        seeded(restore_accounts)

    return {
        f"export, {export_accounts:,} accounts (to JSON text)": export,
        f"import, {export_accounts:,} accounts (from JSON text)": import_,
        f"restore, {restore_accounts:,} accounts": restore,
        f"seed anew, {restore_accounts:,} accounts (the restore's reference)": seed_anew,
    }


def measure(
    work: dict[str, Callable[[], None]], rounds: int, order: random.Random
) -> dict[str, list[tuple[float, float]]]:
    """Wall and CPU seconds per unit of every row, over interleaved rounds (the first discarded).

    The CPU time (``time.process_time``) is reported beside the wall time: on a loaded machine
    the wall time is mostly waiting for a core.
    """
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in work}
    for index in range(rounds + 1):
        names = list(work)
        order.shuffle(names)
        for name in names:
            wall, cpu = time.perf_counter(), time.process_time()
            work[name]()
            elapsed = (time.perf_counter() - wall, time.process_time() - cpu)
            if index:
                times[name].append(elapsed)
    return times


def report(times: dict[str, list[tuple[float, float]]], size: int) -> dict[str, Any]:
    """The JSON report: every row's medians, and the restore's ratio to seeding anew."""
    walls = {name: statistics.median(w for w, _ in values) * 1000 for name, values in times.items()}
    cpus = {name: statistics.median(c for _, c in values) * 1000 for name, values in times.items()}
    names = list(walls)
    return {
        "schema": 1,
        "document_bytes": size,
        "rows": [
            {"label": name, "median_ms": round(walls[name], 2), "cpu_ms": round(cpus[name], 2)}
            for name in names
        ],
        "restore_vs_seed": round(walls[names[2]] / walls[names[3]], 3),
        "restore_vs_seed_cpu": round(cpus[names[2]] / cpus[names[3]], 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the table and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny fakes, 2 rounds")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", type=Path, default=None, help="where the report goes")
    args = parser.parse_args(argv)
    big, small, rounds = (50, 10, 2) if args.smoke else (10_000, 1_000, args.rounds)
    work = rows(big, small)
    size = len(dumps(seeded(big).export_state()).encode())
    result = report(measure(work, rounds, random.Random(3)), size)
    for row in result["rows"]:
        print(f"{row['label']:<64} {row['median_ms']:>9.2f} ms  (CPU {row['cpu_ms']:.2f} ms)")
    print(
        f"restore / seed anew: {result['restore_vs_seed']:.3f} "
        f"(CPU {result['restore_vs_seed_cpu']:.3f}); document {size:,} bytes"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
