"""fakeauth's fidelity registry: every place where fakeauth may differ from the real services.

Each :class:`Entry` names the vendor, the behaviour, what fakeauth answers, the source kind
(``DOC``, ``SRC``, ``PROPOSAL``, ``DEVIATION`` or ``CONFLICT``) with where it comes from, and the
test that pins it (marked ``@pytest.mark.fidelity("<entry id>")``). ``docs/fidelity.md`` is
generated from it (``python -m fakeauth.fidelity --write``); ``fake.fidelity()`` and
``GET /_fakeauth/fidelity[?vendor=ovok]`` serve it as JSON.

Entry ids are stable (``<vendor>.<topic>[.<aspect>]``): other tools look entries up by them.
"""

from __future__ import annotations

from typing import Any

from fakeauth.errors import ConfigurationError
from fakeauth.fidelity import b2core, common, ovok, waltid
from fakeauth.fidelity.model import ID_PATTERN, KIND_LABELS, KINDS, VENDORS, Entry, Kind, Vendor
from fakeauth.fidelity.model import problems as _problems

__all__ = [
    "ENTRIES",
    "ID_PATTERN",
    "KINDS",
    "KIND_LABELS",
    "SECTIONS",
    "VENDORS",
    "Entry",
    "Kind",
    "Vendor",
    "as_json",
    "entries",
    "entry",
    "problems",
]

#: The page's sections in order: ``(vendor, title, intro, entries)``.
SECTIONS: tuple[tuple[Vendor, str, str, tuple[Entry, ...]], ...] = (
    ("all", common.TITLE, common.INTRO, common.ENTRIES),
    ("ovok", ovok.TITLE, ovok.INTRO, ovok.ENTRIES),
    ("b2core", b2core.TITLE, b2core.INTRO, b2core.ENTRIES),
    ("waltid", waltid.TITLE, waltid.INTRO, waltid.ENTRIES),
)

#: Every entry, in the page's order.
ENTRIES: tuple[Entry, ...] = tuple(item for section in SECTIONS for item in section[3])

_BY_ID = {item.id: item for item in ENTRIES}


def entries(vendor: str | None = None) -> tuple[Entry, ...]:
    """The entries about ``vendor`` (one of :data:`VENDORS`; ``None``: every entry).

    ``"all"`` gives the entries about every vendor at once. An unknown vendor raises
    :class:`~fakeauth.ConfigurationError` naming the vendors.
    """
    if vendor is None:
        return ENTRIES
    if vendor not in VENDORS:
        raise ConfigurationError(
            f"the fidelity registry has no vendor {str(vendor)[:40]!r}; "
            f"use one of {', '.join(VENDORS)}"
        )
    return tuple(item for item in ENTRIES if item.vendor == vendor)


def entry(entry_id: str) -> Entry:
    """The entry with the id ``entry_id``; ``KeyError`` (naming the closest ids) if none."""
    try:
        return _BY_ID[entry_id]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(entry_id, _BY_ID, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"fakeauth has no fidelity entry {entry_id!r}{hint}") from None


def as_json(vendor: str | None = None) -> list[dict[str, Any]]:
    """The entries about ``vendor`` (``None``: all) as a fresh JSON-ready list."""
    return [item.as_json() for item in entries(vendor)]


def problems() -> list[str]:
    """Every mistake in the registry (see :func:`fakeauth.fidelity.model.problems`), with the
    operation ids checked against the routes served."""
    from fakeauth.wsgi import VENDOR_APIS, route_table  # wsgi imports the control API

    operations = [operation for operation, _, _ in route_table()]
    operations += [api.method_not_allowed_operation for api in VENDOR_APIS]
    return _problems(ENTRIES, operations)
