"""What the dashboard and the fidelity page read of a vendor: an account's summary, what of an
account can be edited, and the vendor's section of the fidelity page.

A vendor's ``summary``, ``edits`` and ``load_fidelity`` functions make them (see
:class:`fakeauth.vendor.Vendor`); no request does, so this module is imported by their first use,
not by ``FakeAuth()`` nor a login. Every name is importable from :mod:`fakeauth.vendor` too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fakeauth.fidelity.model import Entry
    from fakeauth.vendor import AccountField

__all__ = ["AccountEdits", "AccountSummary", "FidelitySection"]


@dataclass(frozen=True)
class AccountSummary:
    """What the dashboard shows of an account besides the vendor's own export."""

    name: str
    scope: str
    roles: tuple[str, ...] = ()
    two_factor: str | None = None


@dataclass(frozen=True)
class AccountEdits:
    """What of an existing account can be changed: the ``fields``, the state's method that
    changes them (``update(account_id, **changes)``, checked by the seeding rules), and
    ``values``, which reads the fields' current values from one exported account (a password
    has none: it is never shown)."""

    fields: tuple[AccountField, ...]
    update: Callable[..., Any]
    values: Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class FidelitySection:
    """A vendor's section of the fidelity page: its title, introduction and entries."""

    title: str
    intro: str
    entries: tuple[Entry, ...]
