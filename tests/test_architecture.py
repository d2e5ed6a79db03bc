"""The layers of docs/architecture.md hold (issue 21 §4): no import cycle among fakeauth's
modules, imports inside functions included (``lint-imports`` checks the layers themselves)."""

from __future__ import annotations

import ast
from pathlib import Path

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


#: The code outside the package that builds on it: the documentation's hooks and the plugin.
ROOT = Path(__file__).parent.parent
OUTSIDE = [*sorted(ROOT.glob("docs/_hooks/*.py")), ROOT / "conftest_plugin.py"]


def private_imports(source: str) -> list[str]:
    """Each ``from fakeauth... import _name`` in ``source``, as ``module._name``."""
    return [
        f"{node.module}.{alias.name}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fakeauth")
        for alias in node.names
        if alias.name.startswith("_")
    ]


def test_the_docs_hooks_and_the_plugin_import_only_public_names_of_fakeauth() -> None:
    found = {path.name: private_imports(path.read_text(encoding="utf-8")) for path in OUTSIDE}

    assert len(OUTSIDE) > 1
    assert {name: imports for name, imports in found.items() if imports} == {}
