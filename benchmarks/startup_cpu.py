"""The ``startup`` rows' children, timed in CPU as well as wall time, for one or more fakeauth
source trees in the same run (issue 25, target 2).

``bench.py --only startup`` times each child's wall clock; on a loaded machine that mixes in the
time other work took the CPU away. This tool runs the same children (a bare interpreter, the
first ``FakeAuth()`` and Ovok login, ``fakeauth serve`` until its first answer), interleaved in a
fresh order each round, and reports for each the median wall time and the median CPU time the
child used (user + system, from ``getrusage``), both less the bare interpreter's for the first
use. Give it several trees (a ``git worktree`` of an older commit, say) to compare them in one
run::

    python benchmarks/startup_cpu.py --rounds 20 /tmp/old-tree .
    python benchmarks/startup_cpu.py --rounds 20 --no-bytecode-cache /tmp/old-tree .

Byte-code caches are on by default (``PYTHONDONTWRITEBYTECODE`` removed, as the ``startup`` rows
do). ``--no-bytecode-cache`` runs each tree's ``fakeauth`` from a copy without ``__pycache__``
and with ``PYTHONDONTWRITEBYTECODE=1``, so that every fakeauth module is compiled at each start,
as in a development shell that sets it (the libraries keep the caches their install wrote).
It is a tool, not a test: nothing here is judged.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from contenders import FIRST_USE, LOGIN, LOGIN_PATH

#: A child's wall and CPU time, in milliseconds.
Sample = tuple[float, float]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(run: Callable[[], None]) -> Sample:
    cpu, wall = _children_cpu(), time.perf_counter()
    run()
    return (time.perf_counter() - wall) * 1000, (_children_cpu() - cpu) * 1000


def _run(code: str, tree: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, check=True)


def _serve(tree: str, env: dict[str, str]) -> None:
    """``fakeauth serve`` from exec until its first answer (an Ovok login, 401) has been read;
    then stopped and waited for, so that its CPU time is counted."""
    command = [sys.executable, "-c", "import sys; from fakeauth.cli import main; sys.exit(main())"]
    command += ["serve", "--host", "127.0.0.1", "--port", "0", "--quiet"]
    process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = next(
            int(found.group(1))
            for line in process.stdout
            if (found := re.search(r"serving on http://127\.0\.0\.1:(\d+)", line))
        )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({**LOGIN, "password": "not-the-password"})
        connection.request("POST", "/ovok" + LOGIN_PATH, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 401:
            raise RuntimeError(f"fakeauth serve answered {response.status}, not 401")
    finally:
        process.terminate()
        process.wait(30)


def _environment(cache: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _uncached_copy(tree: str, into: Path) -> str:
    """A copy of ``tree``'s ``fakeauth`` package, in the new directory ``into``, without its
    byte-code caches."""
    target = into
    shutil.copytree(
        Path(tree) / "fakeauth", target / "fakeauth", ignore=shutil.ignore_patterns("__pycache__")
    )
    return str(target)


def measure(trees: list[str], rounds: int, cache: bool) -> dict[str, list[Sample]]:
    """Every child's samples by row name, over ``rounds`` rounds after one of warm-up."""
    env = _environment(cache)
    with tempfile.TemporaryDirectory() as scratch:
        roots = (
            trees
            if cache
            else [_uncached_copy(tree, Path(scratch, str(n))) for n, tree in enumerate(trees)]
        )
        rows: dict[str, Callable[[], None]] = {"bare": lambda: _run("pass", roots[0], env)}
        for tree, root in zip(trees, roots, strict=True):
            rows[f"first use  {tree}"] = lambda root=root: _run(FIRST_USE, root, env)
            rows[f"serve      {tree}"] = lambda root=root: _serve(root, env)
        samples: dict[str, list[Sample]] = {name: [] for name in rows}
        for index in range(rounds + 1):
            order = list(rows)
            random.shuffle(order)
            for name in order:
                sample = _timed(rows[name])
                if index:  # the first round warms the caches up
                    samples[name].append(sample)
    return samples


def report(samples: dict[str, list[Sample]], cache: bool) -> str:
    """The medians, the first use's less the bare interpreter's (as the target is judged)."""
    bare_wall = statistics.median(wall for wall, _ in samples["bare"])
    bare_cpu = statistics.median(cpu for _, cpu in samples["bare"])
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        f"load average {load}; byte-code caches {'on' if cache else 'off (fakeauth compiled)'}",
        f"{'row':58} {'wall ms':>9} {'cpu ms':>9}",
    ]
    for name, found in samples.items():
        wall = statistics.median(w for w, _ in found)
        cpu = statistics.median(c for _, c in found)
        if name.startswith("first use"):
            wall, cpu, name = wall - bare_wall, cpu - bare_cpu, f"{name} (beyond bare)"
        lines.append(f"{name[:58]:58} {wall:9.1f} {cpu:9.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure the trees given on the command line (default: this one)."""
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("trees", nargs="*", default=[str(Path(__file__).resolve().parent.parent)])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-bytecode-cache", dest="cache", action="store_false")
    args = parser.parse_args(argv)
    print(report(measure(args.trees, args.rounds, args.cache), args.cache))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
