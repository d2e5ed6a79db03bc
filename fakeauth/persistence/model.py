"""The state document's envelope: pydantic models of its format, lanes, options and clock.

A document is ``{"format": "fakeauth-state", "version": 1, "warning": ..., "lanes":
{"default": <lane>}}``; a lane is one fake's whole state (:class:`LaneDoc`): its options, clock
setting, random epoch and flags, and one part per vendor, whose schema is the vendor state's own
(``fakeauth.state.ovok_document``, say, and the shared pieces in :mod:`fakeauth.state.document`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fakeauth.persistence.format import FORMAT, VERSION, WARNING
from fakeauth.state.document import Hex, Seconds

__all__ = [
    "FORMAT",
    "VERSION",
    "WARNING",
    "BytesSeed",
    "ClockDoc",
    "Document",
    "LaneDoc",
    "OptionsDoc",
]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, defer_build=True)


class BytesSeed(_Doc):
    """A ``bytes`` seed, as hex."""

    bytes_hex: Hex


class OptionsDoc(_Doc):
    """The fake's constructor options that shape its state (``FakeAuth(...)``)."""

    seed: int | str | BytesSeed | None
    ovok_hosts: list[str]
    b2core_hosts: list[str]
    waltid_hosts: list[str]
    features: dict[str, bool]
    ovok_access_token_ttl: int | float
    ovok_refresh_token_ttl: int | float
    b2core_access_token_ttl: int | float
    b2core_refresh_token_ttl: int | float
    waltid_token_ttl: int


class ClockDoc(_Doc):
    """The fake's clock setting: frozen at an instant, or the system time plus an offset."""

    frozen_at: Seconds | None
    offset: Seconds


class LaneDoc(_Doc):
    """One fake's whole state: the envelope's fields, and one part per vendor under the
    vendor's name (``"ovok": {...}``), which the vendor's state validates when it loads it
    (``state.load_document``); ``model_extra`` holds them."""

    # the vendor parts are the lane's other keys: a vendor is data, not a field here
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    options: OptionsDoc
    clock: ClockDoc
    epoch: int = Field(ge=0)
    features: dict[str, bool]
    journal: list[dict[str, Any]] | None = None
    outbox: list[dict[str, Any]] | None = None


class Document(_Doc):
    """A whole state file."""

    format: str
    version: int
    warning: str
    lanes: dict[str, LaneDoc]
