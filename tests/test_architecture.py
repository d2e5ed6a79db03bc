"""The layers of docs/architecture.md hold (issue 21 §4): no import cycle among fakeauth's
modules, imports inside functions included (``lint-imports`` checks the layers themselves)."""

from __future__ import annotations

import grimp


def cycles() -> list[list[str]]:
    """Every set of fakeauth modules that import each other, directly or not (Tarjan's strongly
    connected components of the import graph; imports under ``TYPE_CHECKING`` run nothing and
    do not count)."""
    graph = grimp.build_graph(
        "fakeauth", include_external_packages=False, exclude_type_checking_imports=True
    )
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return sorted(found)


def test_no_import_cycle_at_all() -> None:
    assert cycles() == []
