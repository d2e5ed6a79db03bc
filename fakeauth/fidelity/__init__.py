"""fakeauth's fidelity registry: every place where fakeauth may differ from the real services.

Each :class:`Entry` names the vendor, the behaviour, what fakeauth answers, the source kind
(``DOC``, ``SRC``, ``PROPOSAL``, ``DEVIATION`` or ``CONFLICT``) with where it comes from, and the
test that pins it (marked ``@pytest.mark.fidelity("<entry id>")``). Each vendor's entries are in
its own module here and in its record (:mod:`fakeauth.vendors`); :mod:`fakeauth.fidelity_registry`
gathers a set of vendors' entries. ``docs/fidelity.md`` is generated from it
(``python -m fakeauth.fidelity --write``); ``fake.fidelity()`` and
``GET /_fakeauth/fidelity[?vendor=ovok]`` serve it as JSON.

Entry ids are stable (``<vendor>.<topic>[.<aspect>]``): other tools look entries up by them.
"""

from __future__ import annotations

from fakeauth.fidelity.model import ALL, ID_PATTERN, KIND_LABELS, KINDS, Entry, Kind

__all__ = ["ALL", "ID_PATTERN", "KINDS", "KIND_LABELS", "Entry", "Kind"]
