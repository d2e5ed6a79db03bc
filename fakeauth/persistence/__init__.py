"""A fake's whole state as a versioned JSON document: export, import, and snapshots.

``fake.export_state()`` gives the document (``{"format": "fakeauth-state", "version": 1,
"warning": ..., "lanes": {"default": <the fake's state>}}``); ``FakeAuth.from_state(document)``
starts a new fake from one, exactly where the exporting fake stood (its random streams too);
``fake.import_state(document)`` replaces a running fake's state. A snapshot
(``fake.snapshot()``) holds what an export holds; ``fake.restore(snapshot)`` puts it back, except
for what belongs to the run (the clock, journal, outbox and queued faults).

Every load builds complete new vendor states first and swaps them in only once all of them are
built and checked: a refused document (of an unknown version, corrupted, truncated, or
contradicting itself) changes nothing. Import into a running fake and restore never rewind the
random streams: they start a new random epoch (as ``reset()`` does), so nothing issued after a
snapshot is ever issued again.

The documents, their pydantic schema and the snapshots are imported by the first name of theirs
asked for: ``fakeauth serve`` without a state file, which reads only the names of
:mod:`fakeauth.persistence.format` and the files' options, starts without them (issue 25).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeauth.lazy import lazy_names
from fakeauth.persistence.format import DEFAULT_LANE, FORMAT, VERSION, WARNING

if TYPE_CHECKING:
    from fakeauth.persistence.documents import (
        constructor_options,
        export_lane,
        export_state,
        from_lane,
        from_state,
        import_state,
        lane_of,
        lanes_of,
        reload_lane,
        start_lane,
    )
    from fakeauth.persistence.snapshots import Snapshot, Snapshots, restore, take_snapshot

__all__ = [
    "DEFAULT_LANE",
    "FORMAT",
    "VERSION",
    "WARNING",
    "Snapshot",
    "Snapshots",
    "constructor_options",
    "export_lane",
    "export_state",
    "from_lane",
    "from_state",
    "import_state",
    "lane_of",
    "lanes_of",
    "reload_lane",
    "restore",
    "start_lane",
    "take_snapshot",
]

#: The module of each name imported on first use.
_LATER = {
    **dict.fromkeys(
        (
            "constructor_options",
            "export_lane",
            "export_state",
            "from_lane",
            "from_state",
            "import_state",
            "lane_of",
            "lanes_of",
            "reload_lane",
            "start_lane",
        ),
        "fakeauth.persistence.documents",
    ),
    **dict.fromkeys(
        ("Snapshot", "Snapshots", "restore", "take_snapshot"), "fakeauth.persistence.snapshots"
    ),
}


__getattr__, __dir__ = lazy_names(__name__, _LATER)
