"""The shape of a fidelity entry, its source kinds and vendors, and the registry's checks.

An entry records one place where a reader may ask "is this what the real service answers?":
the vendor, the behaviour, what fakeauth answers, how sure we are (the source kind) and where
that comes from, and the test that pins it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["ALL", "ID_PATTERN", "KINDS", "KIND_LABELS", "Entry", "Kind", "problems"]

#: The source kinds, strongest evidence first.
#:
#: * ``DOC``: the vendor's documentation says so; fakeauth matches it exactly.
#: * ``SRC``: the vendor's public source code (or a real public client) shows it.
#: * ``PROPOSAL``: the public material is silent; this is our choice (a team decision included:
#:   its ``source`` then says ``decision: ...``).
#: * ``DEVIATION``: the public material says one thing and fakeauth answers another on purpose
#:   (``why`` says why), e.g. 501 for an unserved route where the real service answers 404.
#: * ``CONFLICT``: the vendor's own public material contradicts itself; ``source`` names both
#:   places and ``fakeauth`` says which reading it follows (or that it accepts both).
Kind = Literal["DOC", "SRC", "PROPOSAL", "DEVIATION", "CONFLICT"]
#: Every source kind, in the order of :data:`Kind`.
KINDS: tuple[Kind, ...] = get_args(Kind)
#: How the page writes each kind.
KIND_LABELS: dict[Kind, str] = {kind: f"[{kind}]" for kind in KINDS}

#: The "vendor" of an entry about every vendor at once (the others are the vendors' names).
ALL = "all"

#: ``<vendor>.<topic>[.<aspect>...]``: lowercase words joined by ``-``, levels by ``.``; the
#: first level is the entry's vendor. Ids are stable: other tools look entries up by them.
ID_PATTERN = re.compile(r"[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+")


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One behaviour where fakeauth's answer rests on something a reader may want to check.

    ``operations`` are the operation ids (``fakeauth.wsgi.route_table()``, or a vendor's
    ``<vendor>.method_not_allowed``) of the routes the entry is about, empty when it is about
    no one route; ``test`` is the pytest node id of the test that pins it (that test carries
    ``@pytest.mark.fidelity(<id>)``).
    """

    id: str
    vendor: str
    behaviour: str
    fakeauth: str
    kind: Kind
    source: str
    test: str
    why: str = ""
    operations: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        """The entry as JSON-ready data (a fresh dict; ``operations`` as a list)."""
        return {
            "id": self.id,
            "vendor": self.vendor,
            "behaviour": self.behaviour,
            "fakeauth": self.fakeauth,
            "kind": self.kind,
            "source": self.source,
            "why": self.why,
            "operations": list(self.operations),
            "test": self.test,
        }


def problems(
    entries: Iterable[Entry],
    operations: Iterable[str] | None = None,
    vendors: Iterable[str] | None = None,
) -> list[str]:
    """Every mistake in ``entries``, as sentences: duplicate or malformed ids, an id whose
    first level is not the vendor, a blank field, an unknown kind, a malformed test node id, and
    (when ``operations`` or ``vendors`` are given) an operation id or a vendor (besides
    :data:`ALL`) that is not among them."""
    known = None if operations is None else frozenset(operations)
    names = None if vendors is None else (ALL, *vendors)
    found: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        name = f"fidelity entry {entry.id!r}"
        if entry.id in seen:
            found.append(f"{name} is defined twice; give each entry its own id")
        seen.add(entry.id)
        if not ID_PATTERN.fullmatch(entry.id) or entry.id.split(".")[0] != entry.vendor:
            found.append(
                f"{name}: the id must be {entry.vendor}.<topic>[.<aspect>], lowercase words "
                "joined by '-', e.g. 'ovok.logout.repeat'"
            )
        if names is not None and entry.vendor not in names:
            found.append(f"{name}: the vendor must be one of {', '.join(names)}")
        if entry.kind not in KINDS:
            found.append(f"{name}: the kind must be one of {', '.join(KINDS)}")
        for field in ("behaviour", "fakeauth", "source"):
            if not getattr(entry, field).strip():
                found.append(f"{name}: {field} is blank; say it in a sentence")
        if not re.fullmatch(r"tests/[\w/]+\.py::\w+(::\w+)?", entry.test):
            found.append(
                f"{name}: test {entry.test!r} must be a pytest node id without parameters, "
                "e.g. 'tests/test_ovok_api.py::test_logout_twice'"
            )
        for operation in entry.operations:
            if known is not None and operation not in known:
                found.append(
                    f"{name}: no route has the operation id {operation!r}; "
                    "fakeauth.wsgi.route_table() lists them"
                )
    return found
