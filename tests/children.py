"""Helpers of the tests that run pytest in a child interpreter where some packages cannot be
imported (as in a project that does not install them)."""

from __future__ import annotations

import pytest

#: A ``sitecustomize`` that makes the packages ``{BLOCKED}`` fail to import.
BLOCK_IMPORTS = """
import importlib.abc, sys

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED}:
            raise ImportError(f"{{name}} is blocked in this interpreter")
        return None

sys.meta_path.insert(0, Blocked())
"""


def run_child(pytester: pytest.Pytester, blocked: set[str], tests: str) -> pytest.RunResult:
    """Run ``tests`` in a child pytest where the packages ``blocked`` cannot be imported."""
    pytester.makepyfile(sitecustomize=BLOCK_IMPORTS.format(BLOCKED=sorted(blocked)))
    pytester.makepyfile(test_child=tests)
    # The child runs in pytester's directory, which is on its PYTHONPATH: it imports that
    # sitecustomize at start-up, before anything else.
    # As in a project without them: no plugin of the blocked packages (respx has one) loads.
    pytester._monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester.runpytest_subprocess(
        "-p", "conftest_plugin", "-p", "no:cacheprovider", "-p", "no:randomly", "-rA"
    )
