"""Names a package imports on their first use (PEP 562), so that importing the package stays
cheap: ``__getattr__, __dir__ = lazy_names(__name__, {"Name": "package.module"})``."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package`` for the names of
    ``homes`` (each name and the module that defines it): a name is imported on its first read
    and kept in the package's namespace, so a later read is a plain attribute read; ``dir()``
    lists them all, imported or not."""

    def getattr_(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        setattr(sys.modules[package], name, value)
        return value

    def dir_() -> list[str]:
        return sorted({*vars(sys.modules[package]), *homes})

    return getattr_, dir_
