"""Snapshots of a fake in memory: taking one, restoring it, and the named snapshots of a fake."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fakeauth.errors import ConfigurationError
from fakeauth.options import FakeAuthOptions
from fakeauth.persistence.documents import export_lane, options_differ
from fakeauth.persistence.model import OptionsDoc

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = ["Snapshot", "Snapshots", "restore", "take_snapshot"]


def take_snapshot(fake: FakeAuth) -> Snapshot:
    """A snapshot of ``fake``: each built state's own records (shared, copied on write), the
    feature flags, the options and the random epoch; cheap whatever the state's size."""
    built = {vendor.name: state for vendor, state in fake.built_states()}
    states = {
        vendor.name: None if vendor.name not in built else built[vendor.name].snapshot()
        for vendor in fake.vendors
    }
    return Snapshot(fake, fake.options, fake.randomness.epoch, fake.features.snapshot(), states)


def restore(fake: FakeAuth, snapshot: Snapshot) -> None:
    """Put back the state of ``snapshot``, but not the clock (the run's); its cost follows what
    changed since, not the snapshot's size. Refused when ``fake`` has other options."""
    mine, theirs = fake.options, snapshot.options
    if mine.document() != theirs.document():
        raise ConfigurationError(
            options_differ(mine.document(), OptionsDoc.model_validate(theirs.document()))
        )
    if mine.vendors != theirs.vendors:
        raise ConfigurationError(
            f"the snapshot is of a fake serving {', '.join(v.name for v in theirs.vendors)}, "
            f"this one serves {', '.join(v.name for v in mine.vendors)}: restore it into a "
            "fake of the same vendors"
        )
    fake.randomness.advance(past=snapshot.epoch)  # nothing issued since is issued again
    built = {vendor.name: state for vendor, state in fake.built_states()}
    for name, state_snapshot in snapshot.states.items():
        if state_snapshot is not None:
            fake.vendor_state(name).restore(state_snapshot)
        elif name in built:  # not built at the snapshot: as fresh as a reset one
            built[name].reset()
    fake.features.restore(snapshot.features)


class Snapshot:
    """A fake's state at one moment, in memory; :meth:`FakeAuth.restore` puts it back.

    It holds each state's own records (immutable records in containers the state copies on its
    next write), not a document: taking and restoring one costs what changed, not the state's
    size. ``with fake.snapshot():`` restores it when the block ends.
    """

    def __init__(
        self,
        fake: FakeAuth,
        options: FakeAuthOptions,
        epoch: int,
        features: Mapping[str, bool],
        states: dict[str, Any],
    ) -> None:
        self._fake = fake
        #: The options of the fake it was taken of (a fake of other options refuses it).
        self.options = options
        #: The random epoch it was taken at (a restore starts a later one).
        self.epoch = epoch
        #: The feature flags switched at the time.
        self.features = features
        #: Each vendor state's own snapshot, ``None`` for a state not built then.
        self.states = states
        self._lane: dict[str, Any] | None = None

    def accounts(self) -> dict[str, int]:
        """How many accounts each vendor held."""
        counts: dict[str, int] = {}
        for name, state in self.states.items():
            held = getattr(state, "accounts", None)  # the shipped states' snapshots count them
            if state is None:
                counts[name] = 0
            elif isinstance(held, Mapping):
                counts[name] = len(held)
            else:  # a snapshot opaque to fakeauth: counted by its own state
                counts[name] = len(self._scratch().vendor_state(name).export_accounts())
        return counts

    def _scratch(self) -> FakeAuth:
        """A new fake of the snapshot's options (and class), holding the snapshot."""
        scratch = type(self._fake)(**self.options.arguments())
        restore(scratch, self)
        return scratch

    @property
    def lane(self) -> dict[str, Any]:
        """The snapshot as a state document's lane (made once, on first use: a lane created
        from a named snapshot starts from it)."""
        if self._lane is None:
            self._lane = export_lane(self._scratch())
        return self._lane

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._fake.restore(self)

    def __repr__(self) -> str:
        counts = self.accounts()
        return f"<Snapshot of {', '.join(f'{n} {v} accounts' for v, n in counts.items())}>"


class Snapshots:
    """The named snapshots of one fake (``POST /_fakeauth/snapshots``); a reset keeps them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_name: dict[str, Snapshot] = {}

    def save(self, name: str, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` as ``name`` (replacing an older one of that name)."""
        with self._lock:
            self._by_name[name] = snapshot

    def get(self, name: str) -> Snapshot:
        """The snapshot ``name``; raises :class:`ConfigurationError` naming the others."""
        with self._lock:
            snapshot = self._by_name.get(name)
            if snapshot is None:
                known = ", ".join(repr(n) for n in sorted(self._by_name)) or "none yet"
                raise ConfigurationError(
                    f"no snapshot {name!r}; take it with POST /_fakeauth/snapshots "
                    f'{{"name": "{name}"}} (the snapshots are: {known})'
                )
            return snapshot

    def delete(self, name: str) -> None:
        """Forget the snapshot ``name``; raises as :meth:`get` does when there is none."""
        self.get(name)
        with self._lock:
            self._by_name.pop(name, None)

    def names(self) -> list[str]:
        """Every snapshot's name, sorted."""
        with self._lock:
            return sorted(self._by_name)
