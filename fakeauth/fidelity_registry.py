"""The fidelity registry of a set of vendors: the entries about every vendor
(:mod:`fakeauth.fidelity.common`), then each vendor's own, from its record."""

from __future__ import annotations

import difflib
from typing import Any

from fakeauth.errors import ConfigurationError
from fakeauth.fidelity import common
from fakeauth.fidelity.model import ALL, Entry
from fakeauth.fidelity.model import problems as entry_problems
from fakeauth.vendor import FidelitySection, Vendor
from fakeauth.vendors import VENDORS

__all__ = ["ENTRIES", "SECTIONS", "Section", "as_json", "entries", "entry", "problems", "sections"]


#: One section of the page: ``(vendor, title, intro, entries)``.
Section = tuple[str, str, str, tuple[Entry, ...]]


def sections(vendors: tuple[Vendor, ...] = VENDORS) -> tuple[Section, ...]:
    """The page's sections in order: the entries about every vendor, then each vendor's."""
    parts: list[tuple[str, FidelitySection]] = [
        (ALL, FidelitySection(common.TITLE, common.INTRO, common.ENTRIES)),
        *((vendor.name, vendor.fidelity) for vendor in vendors),
    ]
    return tuple((name, part.title, part.intro, part.entries) for name, part in parts)


#: The sections of the vendors fakeauth ships, as ``docs/fidelity.md`` shows them.
SECTIONS = sections()
#: Every entry of the vendors fakeauth ships, in the page's order.
ENTRIES: tuple[Entry, ...] = tuple(item for section in SECTIONS for item in section[3])
_BY_ID = {item.id: item for item in ENTRIES}


def entries(vendor: str | None = None, vendors: tuple[Vendor, ...] = VENDORS) -> tuple[Entry, ...]:
    """The entries about ``vendor`` (``"all"`` or one of ``vendors``' names; ``None``: every
    entry).

    ``"all"`` gives the entries about every vendor at once. An unknown vendor raises
    :class:`~fakeauth.ConfigurationError` naming the vendors.
    """
    every = tuple(item for section in sections(vendors) for item in section[3])
    if vendor is None:
        return every
    names = (ALL, *(record.name for record in vendors))
    if vendor not in names:
        raise ConfigurationError(
            f"the fidelity registry has no vendor {str(vendor)[:40]!r}; "
            f"use one of {', '.join(names)}"
        )
    return tuple(item for item in every if item.vendor == vendor)


def entry(entry_id: str) -> Entry:
    """The entry with the id ``entry_id``; ``KeyError`` (naming the closest ids) if none."""
    try:
        return _BY_ID[entry_id]
    except KeyError:
        close = difflib.get_close_matches(entry_id, _BY_ID, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"fakeauth has no fidelity entry {entry_id!r}{hint}") from None


def as_json(
    vendor: str | None = None, vendors: tuple[Vendor, ...] = VENDORS
) -> list[dict[str, Any]]:
    """The entries about ``vendor`` (``None``: all) as a fresh JSON-ready list."""
    return [item.as_json() for item in entries(vendor, vendors)]


def problems(vendors: tuple[Vendor, ...] = VENDORS) -> list[str]:
    """Every mistake in the registry (see :func:`fakeauth.fidelity.model.problems`), with the
    vendors and operation ids checked against the records."""
    operations = [route.operation for vendor in vendors for route in vendor.api.routes]
    operations += [vendor.api.method_not_allowed_operation for vendor in vendors]
    names = [vendor.name for vendor in vendors]
    return entry_problems(entries(None, vendors), operations, names)
