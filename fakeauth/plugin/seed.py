"""The session template of the pytest plugin: where the ``fakeauth_seed`` a test sees is defined,
so that a run whose tests see more than one definition stops at collection with a sentence
(one template serves the whole session). The fixtures themselves are in ``conftest_plugin``."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

import pytest

__all__ = ["seed_conftests", "seed_home", "seed_homes_message", "shown_path"]


def seed_conftests(config: pytest.Config) -> list[Path]:
    """The folders whose ``conftest.py`` defines ``fakeauth_seed``, deepest first."""
    files = [
        Path(plugin.__file__)
        for plugin in config.pluginmanager.get_plugins()
        if isinstance(plugin, ModuleType) and plugin.__file__ and "fakeauth_seed" in vars(plugin)
    ]
    found = [file.parent for file in files if file.name == "conftest.py"]
    return sorted(found, key=lambda folder: len(folder.parts), reverse=True)


def seed_home(config: pytest.Config, item: pytest.Item, overrides: list[Path]) -> str:
    """Where the ``fakeauth_seed`` that ``item`` sees is defined (pytest's own lookup: the
    test's class, its module, then the nearest ``conftest.py``, then this plugin)."""
    cls = getattr(item, "cls", None)
    if cls is not None and any("fakeauth_seed" in vars(k) for k in cls.__mro__):
        return f"{shown_path(config, item.path)}::{cls.__name__}"
    module = getattr(item, "module", None)
    if module is not None and "fakeauth_seed" in vars(module):
        return shown_path(config, item.path)
    for folder in overrides:
        if item.path.is_relative_to(folder):
            return shown_path(config, folder / "conftest.py")
    return "the plugin's own, which seeds nothing"


def shown_path(config: pytest.Config, path: Path) -> str:
    """``path`` as a message shows it: relative to the run's root directory, with slashes."""
    return Path(os.path.relpath(path, config.rootpath)).as_posix()


def seed_homes_message(config: pytest.Config, homes: dict[str, list[pytest.Item]]) -> str:
    """The sentence that stops a run whose tests see more than one ``fakeauth_seed`` (``homes``:
    the tests by where the definition they see is)."""
    # One template serves the session: a second definition would leak the first one's seed into
    # its tests, or be ignored, by test order. Said before any test runs.
    seen = "; ".join(f"{home} (for {items[0].nodeid})" for home, items in sorted(homes.items()))
    paths = [str(item.path.parent) for items in homes.values() for item in items]
    above = shown_path(config, Path(os.path.commonpath(paths)) / "conftest.py")
    return (
        f"fakeauth: fakeauth_seed seeds one template for the whole session, but the tests of "
        f"this run see {len(homes)} definitions of it: {seen}. Define fakeauth_seed once, in "
        f"{above} (above every test that uses fakeauth), and seed there what they all start from"
    )
