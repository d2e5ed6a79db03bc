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
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from fakeauth.clock import Clock
from fakeauth.errors import ConfigurationError
from fakeauth.features import FeatureRegistry
from fakeauth.persistence.model import (
    FORMAT,
    VERSION,
    WARNING,
    BytesSeed,
    Document,
    LaneDoc,
    OptionsDoc,
)
from fakeauth.persistence.vendors import (
    export_b2core,
    export_ovok,
    export_waltid,
    load_b2core,
    load_ovok,
    load_waltid,
)
from fakeauth.randomness import Randomness

if TYPE_CHECKING:
    from fakeauth.fake import FakeAuth

__all__ = [
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

#: The vendors whose states a snapshot holds.
VENDORS = ("ovok", "b2core", "waltid")
#: The lane a single fake's state sits in (the one lane of a fake outside a lanes server).
DEFAULT_LANE = "default"


def export_state(fake: FakeAuth, *, journal: bool = False) -> dict[str, Any]:
    """The whole state of ``fake`` as a JSON-ready document (``journal``: with the journal and
    the outbox, which a load does not replay)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "warning": WARNING,
        "lanes": {DEFAULT_LANE: export_lane(fake, journal=journal)},
    }


def export_lane(fake: FakeAuth, *, journal: bool = False) -> dict[str, Any]:
    """The state of ``fake`` alone: what a document's lane holds."""
    setting = fake.clock.to_document()
    lane: dict[str, Any] = {
        "options": options_of(fake),
        "clock": setting,
        "epoch": fake.randomness.epoch,
        "features": fake.features.state(),
        "ovok": export_ovok(fake.ovok),
        "b2core": _deep(export_b2core(fake.b2core)),
        "waltid": export_waltid(fake.waltid),
    }
    if journal:
        lane["journal"] = [entry.to_dict() for entry in fake.journal]
        lane["outbox"] = [message.to_dict() for message in fake.outbox]
    return lane


def _deep(part: dict[str, Any]) -> dict[str, Any]:
    # B2Core keeps each sign-up form as sent (nested JSON): the document must not share it.
    for record in part["wizards"]:
        record["form"] = copy.deepcopy(record["form"])
    return part


def options_of(fake: FakeAuth) -> dict[str, Any]:
    """The constructor options of ``fake`` that shape its state, as a document holds them."""
    seed = fake._seed_option
    (ovok_access, ovok_refresh), waltid_ttl = fake._ovok_ttls, fake._waltid_ttl
    _, b2core_access, b2core_refresh = fake._b2core_options
    return {
        "seed": {"bytes_hex": seed.hex()} if isinstance(seed, bytes) else seed,
        "ovok_hosts": list(fake.hosts["ovok"]),
        "b2core_hosts": list(fake.hosts["b2core"]),
        "waltid_hosts": list(fake.hosts["waltid"]),
        "features": dict(fake._initial_features),
        "ovok_access_token_ttl": ovok_access,
        "ovok_refresh_token_ttl": ovok_refresh,
        "b2core_access_token_ttl": b2core_access,
        "b2core_refresh_token_ttl": b2core_refresh,
        "waltid_token_ttl": waltid_ttl,
    }


def constructor_options(options: OptionsDoc) -> dict[str, Any]:
    """The keyword arguments of ``FakeAuth(...)`` that a document's options stand for."""
    given = options.model_dump()
    seed = options.seed
    given["seed"] = bytes.fromhex(seed.bytes_hex) if isinstance(seed, BytesSeed) else seed
    return given


def lane_of(document: Any) -> LaneDoc:
    """The validated lane of a document of one lane (parsed JSON); raises
    :class:`ConfigurationError` with a sentence naming the problem."""
    lanes = lanes_of(document)
    if set(lanes) != {DEFAULT_LANE}:
        raise ConfigurationError(
            f'the state document must hold exactly one lane, "{DEFAULT_LANE}", not '
            f"{sorted(lanes)}: a document of several lanes loads into a lanes server "
            "(fakeauth serve --import FILE, or fakeauth.lanes.Lanes.from_state(document))"
        )
    return lanes[DEFAULT_LANE]


def lanes_of(document: Any) -> dict[str, LaneDoc]:
    """Every validated lane of a document (parsed JSON), by name, ``"default"`` among them;
    raises :class:`ConfigurationError` with a sentence naming the problem."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ConfigurationError(
            f'this is not a fakeauth state document: it has no "format": "{FORMAT}"; export '
            "one with fake.export_state(), POST /_fakeauth/export or fakeauth serve --data FILE"
        )
    version = document.get("version")
    if version != VERSION:
        raise ConfigurationError(
            f"the state document is of version {version!r}, which this fakeauth does not read "
            f"(it reads version {VERSION}); export it again with this fakeauth"
        )
    try:
        parsed = Document.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigurationError(
            f"the state document is not valid at {where}: {first['msg'].lower()}; "
            "nothing was loaded"
        ) from None
    if DEFAULT_LANE not in parsed.lanes:
        raise ConfigurationError(
            f'the state document holds no lane "{DEFAULT_LANE}" (it holds '
            f"{sorted(parsed.lanes)}); export it again with this fakeauth"
        )
    return dict(parsed.lanes)


def from_state(document: Any, *, journal_limit: int | None = None) -> FakeAuth:
    """A new fake holding ``document``'s state, its random streams where they were."""
    return from_lane(lane_of(document), journal_limit=journal_limit)


def from_lane(lane: LaneDoc, *, journal_limit: int | None = None) -> FakeAuth:
    """A new fake holding the state of one validated lane, its random streams where they were."""
    from fakeauth.fake import FakeAuth

    fake = FakeAuth(**constructor_options(lane.options), journal_limit=journal_limit)
    _load(fake, lane, exact=True, take_options=False, take_clock=True)
    return fake


def start_lane(
    lane: LaneDoc, *, seed: int | str | bytes | None, journal_limit: int | None = None
) -> FakeAuth:
    """A new fake holding ``lane``'s records under another ``seed``: its random streams start
    a new epoch from that seed, so what it issues from now on differs from what the fake the
    lane came from (or another fake started from it with another seed) issues."""
    from fakeauth.fake import FakeAuth

    options = constructor_options(lane.options)
    options["seed"] = seed
    fake = FakeAuth(**options, journal_limit=journal_limit)
    given = BytesSeed(bytes_hex=seed.hex()) if isinstance(seed, bytes) else seed
    reseeded = lane.model_copy(update={"options": lane.options.model_copy(update={"seed": given})})
    _load(fake, reseeded, exact=False, take_options=False, take_clock=True)
    return fake


def reload_lane(fake: FakeAuth, lane: LaneDoc) -> None:
    """Load ``lane``'s records (and clock setting) into the running ``fake`` under the fake's own
    options (its seed too), in a new random epoch: a lane's reset to its starting state."""
    mine = OptionsDoc.model_validate(options_of(fake))
    _load(fake, lane.model_copy(update={"options": mine}), exact=False, take_options=False,
          take_clock=True)  # fmt: skip


def import_state(fake: FakeAuth, document: Any, *, take_options: bool = False) -> None:
    """Replace the state of the running ``fake`` with ``document``'s (its clock setting too).

    Refused with a sentence when the document's options differ from the fake's, unless
    ``take_options``. The random streams start a new epoch: nothing is ever issued twice.
    """
    _load(fake, lane_of(document), exact=False, take_options=take_options, take_clock=True)


def take_snapshot(fake: FakeAuth) -> Snapshot:
    """A snapshot of ``fake``: each built state's own records (shared, copied on write), the
    feature flags, the options and the random epoch; cheap whatever the state's size."""
    states: dict[str, Any] = {}
    for vendor in VENDORS:
        state = _built(fake, vendor)
        states[vendor] = None if state is None else state.snapshot()
    return Snapshot(fake, options_of(fake), fake.randomness.epoch, fake.features.snapshot(), states)


def restore(fake: FakeAuth, snapshot: Snapshot) -> None:
    """Put back the state of ``snapshot``, but not the clock (the run's); its cost follows what
    changed since, not the snapshot's size. Refused when ``fake`` has other options."""
    mine = options_of(fake)
    if mine != snapshot.options:
        raise ConfigurationError(_options_differ(mine, OptionsDoc.model_validate(snapshot.options)))
    fake.randomness.advance(past=snapshot.epoch)  # nothing issued since is issued again
    for vendor, state_snapshot in snapshot.states.items():
        if state_snapshot is not None:
            getattr(fake, vendor).restore(state_snapshot)
        else:  # not built at the snapshot: as fresh as a reset one
            state = _built(fake, vendor)
            if state is not None:
                state.reset()
    fake.features.restore(snapshot.features)


def _built(fake: FakeAuth, vendor: str) -> Any:
    """The state of ``vendor`` if ``fake`` has built it (a state not built yet is fresh)."""
    return getattr(type(fake), vendor).built(fake)


def _load(
    fake: FakeAuth, lane: LaneDoc, *, exact: bool, take_options: bool, take_clock: bool
) -> None:
    from fakeauth.fake import _FEATURES, FakeAuth

    target = fake
    if options_of(fake) != lane.options.model_dump(mode="json"):
        if not take_options:
            raise ConfigurationError(_options_differ(options_of(fake), lane.options))
        target = FakeAuth(**constructor_options(lane.options))  # checks the options
    if take_clock:  # checked by the clock's own rules before anything changes
        Clock().load_document(lane.clock.model_dump())
    randomness = Randomness(target._seed_option)
    if exact:
        randomness.resume(lane.epoch)
    else:
        randomness.advance(past=max(lane.epoch, fake.randomness.epoch))
    scratch = FeatureRegistry(_FEATURES)
    scratch.apply(lane.features)  # unknown flags are refused here, before anything changes
    builder = cast(
        "FakeAuth",
        SimpleNamespace(
            clock=fake.clock,
            randomness=randomness,
            outbox=fake.outbox,
            features=fake.features,
            _ovok_ttls=target._ovok_ttls,
            _b2core_options=target._b2core_options,
            _waltid_ttl=target._waltid_ttl,
        ),
    )
    ovok, b2core, waltid = (
        FakeAuth.ovok.build(builder),
        FakeAuth.b2core.build(builder),
        FakeAuth.waltid.build(builder),
    )
    load_ovok(ovok, lane.ovok, exact=exact)
    load_b2core(b2core, lane.b2core, exact=exact)
    load_waltid(waltid, lane.waltid, exact=exact)
    with fake._states_lock:  # nothing below raises: the swap is whole
        if target is not fake:
            fake._adopt_options(target)
        fake.randomness = randomness
        fake.__dict__.update(ovok=ovok, b2core=b2core, waltid=waltid)
        fake.features.reset()
        fake.features.apply(lane.features)
        if take_clock:
            fake.clock.load_document(lane.clock.model_dump())


def _options_differ(mine: dict[str, Any], theirs: OptionsDoc) -> str:
    given = theirs.model_dump(mode="json")
    names = [name for name in mine if mine[name] != given.get(name)]
    shown = "; ".join(f"{name} is {mine[name]!r} here, {given[name]!r} in it" for name in names)
    return (
        f"the state document was exported by a fake with other options ({shown}); start the "
        "fake with the document's options (FakeAuth.from_state(document)), or take them: "
        "fake.import_state(document, take_options=True), POST /_fakeauth/import?take_options=true"
    )


class Snapshot:
    """A fake's state at one moment, in memory; :meth:`FakeAuth.restore` puts it back.

    It holds each state's own records (immutable records in containers the state copies on its
    next write), not a document: taking and restoring one costs what changed, not the state's
    size. ``with fake.snapshot():`` restores it when the block ends.
    """

    def __init__(
        self,
        fake: FakeAuth,
        options: dict[str, Any],
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
        return {v: 0 if s is None else len(s.accounts) for v, s in self.states.items()}

    @property
    def lane(self) -> dict[str, Any]:
        """The snapshot as a state document's lane (made once, on first use: a lane created
        from a named snapshot starts from it)."""
        if self._lane is None:
            from fakeauth.fake import FakeAuth

            scratch = FakeAuth(**constructor_options(OptionsDoc.model_validate(self.options)))
            restore(scratch, self)
            self._lane = export_lane(scratch)
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
