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


#: Every module of the package, the plugin and the documentation's hooks.
SOURCES = [*sorted(ROOT.glob("fakeauth/**/*.py")), *OUTSIDE]

#: The private names read outside their own module on purpose, none of them fakeauth's: each
#: third-party or standard-library name that has no public equivalent, with where it is read.
THIRD_PARTY_PRIVATES = {
    # aioresponses replaces this method with a mock; reading it is how an active aioresponses
    # is found (aiohttp_mock.py), and its passthrough list is where live-server URLs go.
    ("fakeauth/transports/aiohttp_mock.py", "aiohttp.ClientSession._request"),
    ("fakeauth/transports/aiohttp_mock.py", "mock._passthrough"),
    # The network's own send as ``responses`` captured it on import, before any mock patched it.
    ("fakeauth/transports/requests_mock.py", "responses._real_send"),
    # CPython's resolvers behind socket have no public name (the comment in guard.py).
    ("fakeauth/transports/guard.py", "import _socket"),
    # argparse has no public way to list a parser's arguments (the CLI reference page).
    ("docs/_hooks/pages.py", "parser._actions"),
    ("docs/_hooks/pages.py", "command._actions"),
    ("docs/_hooks/pages.py", "argparse._SubParsersAction"),
    ("docs/_hooks/pages.py", "argparse._HelpAction"),
}

#: The names of the object whose own private attributes a method reads (``self``, ``cls``).
OWN = {"self", "cls"}
#: typeshed's module of types that exist only for type checkers, imported under TYPE_CHECKING:
#: private by its name, public by its documentation.
TYPES_ONLY = "_typeshed"
#: The functions that read or write an attribute named by a string.
BY_NAME = {"getattr", "setattr", "hasattr", "delattr"}


def is_private(name: str) -> bool:
    """``_name`` but not ``__dunder__``."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_own(node: ast.expr) -> bool:
    """``self``, ``cls`` or ``super()``: the object whose own attributes these are."""
    if isinstance(node, ast.Name):
        return node.id in OWN
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def private_reads(source: str) -> set[str]:
    """Every private name ``source`` reads or writes on something other than itself: an import
    of ``_name`` or of a module ``_name``, ``obj._name``, ``getattr(obj, "_name")``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            top = (node.module or "").split(".")[0]
            if is_private(top) and top != TYPES_ONLY:
                found.add(f"from {node.module} import ...")
            found.update(
                f"from {'.' * node.level}{node.module or ''} import {alias.name}"
                for alias in node.names
                if is_private(alias.name)
            )
        elif isinstance(node, ast.Import):
            found.update(f"import {alias.name}" for alias in node.names if is_private(alias.name))
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            if not is_own(node.value):
                found.add(ast.unparse(node))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in BY_NAME
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
            and not is_own(node.args[0])
        ):
            found.add(f"{ast.unparse(node.args[0])}.{node.args[1].value}")
    return found


def test_the_check_finds_each_kind_of_private_read() -> None:
    source = (
        "from fakeauth.state import _rows\n"
        "from ._tables import Tables\n"
        "import _thread\n"
        "state._accounts.clear()\n"
        "getattr(clock, '_fixed')\n"
        "self._own = super()._base() + cls._also\n"
    )

    assert private_reads(source) == {
        "from fakeauth.state import _rows",
        "from _tables import ...",
        "import _thread",
        "state._accounts",
        "clock._fixed",
    }


def test_no_module_reads_a_private_name_of_another_module() -> None:
    found = {
        (str(path.relative_to(ROOT)), read)
        for path in SOURCES
        for read in private_reads(path.read_text(encoding="utf-8"))
    }

    assert len(SOURCES) > 100
    assert found - THIRD_PARTY_PRIVATES == set()
    assert THIRD_PARTY_PRIVATES - found == set()


#: Lines a module may hold before it counts as oversized (issue 21: at most three such modules).
MODULE_LINES = 400
#: The oversized modules allowed, at most: the facade, the token records and the journal, each
#: one concept (docs/architecture.md); a fourth is split by concept instead.
MAX_OVERSIZED = 3


def test_at_most_three_modules_are_over_400_lines() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(ROOT.glob("fakeauth/**/*.py"))
    }

    oversized = {name: lines for name, lines in sizes.items() if lines > MODULE_LINES}

    assert len(oversized) <= MAX_OVERSIZED, oversized


def test_a_package_with_names_loaded_on_first_use_lists_them() -> None:
    import fakeauth.persistence

    assert set(fakeauth.persistence.__all__) <= set(dir(fakeauth.persistence))
