"""The rows of a ``fakeauth verify`` table report, for the tests that read one."""

from __future__ import annotations


def rows(table: str) -> dict[str, list[str]]:
    """The report's table rows by check id: [fakeauth, target, result, declared or why]."""
    found = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 5 and cells[0] != "check":
            found[cells[0]] = cells[1:]
    return found
