"""What persistence costs: export and import of a 10,000-account fake; snapshot restores of
1,000, 10,000 and 100,000 accounts against seeding those accounts anew (and with one account
added after the restore, the first write that copies a shared container); a test's set-up from
``fakeauth_seed``'s 10,000-account template against a bare ``FakeAuth()``.

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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from fakeauth import FakeAuth, Snapshot
from fakeauth.persistence.files import dumps, loads

PASSWORD = "s3cret-Pa55word"


def seeded(accounts: int, seed: int | None = 1) -> FakeAuth:
    """A fresh fake with ``accounts`` Ovok accounts, seeded through ``fake.ovok.add_account``."""
    fake = FakeAuth(seed=seed)
    for i in range(accounts):
        fake.ovok.add_account(email=f"user{i}@example.test", password=PASSWORD)
    return fake


def rows(export_accounts: int, sizes: Sequence[int]) -> dict[str, Callable[[], None]]:
    """Each row's unit of work."""
    big = seeded(export_accounts)
    text = dumps(big.export_state())

    def export() -> None:
        dumps(big.export_state())

    def import_() -> None:
        FakeAuth.from_state(loads(text))

    work = {
        f"export, {export_accounts:,} accounts (to JSON text)": export,
        f"import, {export_accounts:,} accounts (from JSON text)": import_,
    }
    for size in sizes:
        fake = seeded(size)
        snapshot = fake.snapshot()
        count = iter(range(10**9))

        def restore(fake: FakeAuth = fake, snapshot: Snapshot = snapshot) -> None:
            fake.restore(snapshot)

        other = FakeAuth(seed=1)  # its own fake: the restore row never frees this row's copies

        def restore_and_add(
            fake: FakeAuth = other, snapshot: Snapshot = snapshot, count: Iterator[int] = count
        ) -> None:
            fake.restore(snapshot)
            fake.ovok.add_account(email=f"new{next(count)}@example.test", password=PASSWORD)

        def seed_anew(size: int = size) -> None:
            seeded(size)

        work[f"restore, {size:,} accounts"] = restore
        work[f"restore + one new account, {size:,} accounts"] = restore_and_add
        work[f"seed anew, {size:,} accounts (the restore's reference)"] = seed_anew
    template = seeded(sizes[1], seed=None).snapshot()  # the plugin's template: default options

    def bare() -> None:
        FakeAuth()

    def from_template() -> None:
        FakeAuth().restore(template)

    work["FakeAuth() (a test's bare fake)"] = bare
    work[f"FakeAuth() + restore of a {sizes[1]:,}-account template (fakeauth_seed)"] = from_template
    return work


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


def report(
    times: dict[str, list[tuple[float, float]]], size: int, sizes: Sequence[int]
) -> dict[str, Any]:
    """The JSON report: every row's medians, each restore's ratio to seeding anew, and a test's
    set-up from ``fakeauth_seed``'s template against a bare ``FakeAuth()``."""
    walls = {name: statistics.median(w for w, _ in values) * 1000 for name, values in times.items()}
    cpus = {name: statistics.median(c for _, c in values) * 1000 for name, values in times.items()}
    names = list(walls)
    restores = {}
    for index, accounts in enumerate(sizes):
        restore, added, seed = names[2 + 3 * index : 5 + 3 * index]
        restores[str(accounts)] = {
            "restore_ms": round(walls[restore], 4),
            "restore_and_add_ms": round(walls[added], 4),
            "seed_ms": round(walls[seed], 2),
            "seed_over_restore": round(walls[seed] / walls[restore], 1),
        }
    bare, seeded_test = names[-2:]
    return {
        "schema": 2,
        "document_bytes": size,
        "rows": [
            {"label": name, "median_ms": round(walls[name], 4), "cpu_ms": round(cpus[name], 4)}
            for name in names
        ],
        "restores": restores,
        "seeded_test_vs_bare": round(walls[seeded_test] / walls[bare], 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the table and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny fakes, 2 rounds")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", type=Path, default=None, help="where the report goes")
    args = parser.parse_args(argv)
    big, sizes, rounds = (
        (50, (10, 20, 50), 2) if args.smoke else (10_000, (1_000, 10_000, 100_000), args.rounds)
    )
    work = rows(big, sizes)
    size = len(dumps(seeded(big).export_state()).encode())
    result = report(measure(work, rounds, random.Random(3)), size, sizes)
    for row in result["rows"]:
        print(f"{row['label']:<72} {row['median_ms']:>10.4f} ms  (CPU {row['cpu_ms']:.4f} ms)")
    for accounts, figures in result["restores"].items():
        print(
            f"{int(accounts):>7,} accounts: seeding anew / restore {figures['seed_over_restore']}x"
        )
    print(f"fakeauth_seed's test set-up / a bare FakeAuth(): {result['seeded_test_vs_bare']}x")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
