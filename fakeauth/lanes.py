"""Lanes: isolated states side by side on one server (one ``FakeAuth`` per lane name).

A request picks its lane by the ``X-Fakeauth-Lane`` header or by a path prefix
``/_lanes/NAME/`` (a browser cannot set a header on navigation); no lane is the default lane.
The URL grammar of the live server is ``[/_lanes/NAME][/ovok|/b2core|/waltid]/path``, and
``/_fakeauth/...`` after a lane prefix is that lane's control API and dashboard.

A lane other than the default one is created on first use from the server's starting state
(the default lane as the server started: ``--seed``, ``--import``, ``--data``) or, through
``POST /_fakeauth/lanes/NAME?from=SNAPSHOT``, from a named snapshot of the default lane. Its
random streams come from a seed derived from the default lane's seed and the lane's name: with a
seed every answer is the same from run to run, yet no two lanes ever issue one token or key, and a
credential of one lane is refused by every other.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# The documents and their schema load with the first lane made from a state, as
# `persistence.<name>`: a server started without a state file never imports them.
from fakeauth import persistence
from fakeauth.errors import ConfigurationError
from fakeauth.fake import FakeAuth
from fakeauth.journal import JournalBudget
from fakeauth.lane_names import LANE_HEADER, LANE_PREFIX, Refused, check_lane_name
from fakeauth.lanes_app import LanesApp
from fakeauth.persistence.format import DEFAULT_LANE, FORMAT, VERSION, WARNING

if TYPE_CHECKING:
    from fakeauth.persistence.model import LaneDoc

__all__ = [
    "DEFAULT_JOURNAL_BUDGET",
    "DEFAULT_LANE",
    "DEFAULT_MAX_LANES",
    "LANE_HEADER",
    "LANE_PREFIX",
    "LaneInfo",
    "Lanes",
    "LanesApp",
    "Refused",
    "check_lane_name",
]

#: The most lanes a server holds besides the default one, unless told otherwise.
DEFAULT_MAX_LANES = 1000
#: The most journal entries the lanes of a server keep between them, unless told otherwise:
#: ten lanes' worth of ``fakeauth serve``'s journal (``--journal-limit``, 10,000 a lane).
DEFAULT_JOURNAL_BUDGET = 100_000


def _monotonic() -> float:
    # The kernel's monotonic clock: freezegun patches time.monotonic, not clock_gettime.
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def _derived_seed(seed: int | str | bytes | None, name: str, generation: int) -> bytes | None:
    """The seed of the ``generation``-th lane of that name (0: the first): a lane deleted and
    created again issues nothing the deleted one issued."""
    if seed is None:
        return None
    material = seed if isinstance(seed, bytes) else repr(seed).encode()
    material += b"\x00" + name.encode()
    if generation:
        material += b"\x00generation:%d" % generation
    return hashlib.sha256(b"fakeauth-lane\x00" + material).digest()


@dataclass
class LaneInfo:
    """One lane: its fake and how much it was used (idle time on the monotonic clock)."""

    name: str
    fake: FakeAuth
    requests: int = 0
    last_used: float = field(default_factory=_monotonic)

    def describe(self) -> dict[str, Any]:
        """The lane's row in ``GET /_fakeauth/lanes``."""
        fake = self.fake
        accounts = {vendor.name: 0 for vendor in fake.vendors}  # listing lanes builds no state
        for vendor, state in fake.built_states():
            accounts[vendor.name] = len(state.export_accounts())
        return {
            "name": self.name,
            "requests": self.requests,
            "idle_seconds": round(max(0.0, _monotonic() - self.last_used), 3),
            "accounts": accounts,
            "journal": len(fake.journal),
            "outbox": len(fake.outbox),
        }


class Lanes:
    """The lanes of one server: the default lane's fake and one fake per other lane name.

    ``default``: the default lane (``None``: the root answers 503 until one is set, as the
    pytest plugin's session server between tests). ``start``: the state a new lane starts from
    (``None``: a fresh fake of the default lane's options). ``create``: whether a request to an
    unknown lane creates it (else 404). Thread-safe: concurrent first requests to one lane
    create it once.

    ``journal_budget``: the most journal entries the lanes hold between them, the oldest of all
    dropped first (``None``: no bound across lanes). It binds the fakes the lanes make (and
    ``default`` as given here), not a fake handed to :meth:`add` or set as :attr:`default` later,
    which keep their own journals.
    """

    def __init__(
        self,
        default: FakeAuth | None,
        *,
        start: LaneDoc | None = None,
        max_lanes: int = DEFAULT_MAX_LANES,
        create: bool = True,
        journal_limit: int | None = None,
        journal_budget: int | None = DEFAULT_JOURNAL_BUDGET,
    ) -> None:
        if isinstance(max_lanes, bool) or not isinstance(max_lanes, int) or max_lanes < 0:
            raise ConfigurationError(
                f"max_lanes is a whole number of lanes (0 or more), not {max_lanes!r}"
            )
        self.default = default
        self.max_lanes = max_lanes
        self.create = create
        self._start = start
        self._journal_limit = journal_limit
        #: The bound on the journal entries of every lane together (``None``: none).
        self.journal_budget = None if journal_budget is None else JournalBudget(journal_budget)
        if default is not None:
            self.bounded(default)
        self._lock = threading.Lock()
        self._lanes: dict[str, LaneInfo] = {}
        self._generations: dict[str, int] = {}
        self._count_lock = threading.Lock()
        self._control_hosts: frozenset[str] = frozenset()
        #: The WSGI application that routes each request to its lane.
        self.wsgi_app = LanesApp(self)

    @classmethod
    def from_state(
        cls,
        document: Any,
        *,
        max_lanes: int = DEFAULT_MAX_LANES,
        journal_limit: int | None = None,
        journal_budget: int | None = DEFAULT_JOURNAL_BUDGET,
    ) -> Lanes:
        """Lanes holding every lane of an exported ``document``, each where it stood; a new
        lane starts from the document's default lane. Raises :class:`ConfigurationError`."""
        docs = persistence.lanes_of(document)
        for name in docs:
            check_lane_name(name)
        extra = len(docs) - 1
        if extra > max_lanes:
            raise ConfigurationError(
                f"the state document holds {extra} lanes besides the default one, "
                f"more than max_lanes ({max_lanes}); raise --max-lanes"
            )
        lanes = cls(
            persistence.from_lane(
                docs[DEFAULT_LANE], factory=FakeAuth, journal_limit=journal_limit
            ),
            start=docs[DEFAULT_LANE],
            max_lanes=max_lanes,
            journal_limit=journal_limit,
            journal_budget=journal_budget,
        )
        for name, lane in docs.items():
            if name != DEFAULT_LANE:
                made = persistence.from_lane(
                    lane, factory=FakeAuth, name=name, journal_limit=journal_limit
                )
                lanes.add(name, lanes.bounded(made))
        return lanes

    def bounded(self, fake: FakeAuth) -> FakeAuth:
        """``fake``, its journal bound by the lanes' budget (for a fake the lanes serve as one of
        their own: :meth:`add` leaves a fake's journal as it is)."""
        if self.journal_budget is not None:
            fake.journal.join(self.journal_budget)
        return fake

    def _new_fake(self, name: str, start: LaneDoc | None) -> FakeAuth:
        default = self._require_default()
        generation = self._generations.get(name, 0)
        self._generations[name] = generation + 1
        seed = _derived_seed(default.options.seed, name, generation)
        if start is None:  # a fresh fake of the default lane's options: as cheap as FakeAuth()
            options = default.options.replace(seed=seed, journal_limit=self._journal_limit)
            fake = FakeAuth(**options.arguments())
        else:
            fake = persistence.start_lane(
                start,
                factory=FakeAuth,
                seed=seed,
                vendors=default.vendors,
                journal_limit=self._journal_limit,
            )
        fake.control_hosts = self._control_hosts
        return self.bounded(fake)

    @property
    def control_hosts(self) -> frozenset[str]:
        """The host names every lane's control API answers on besides loopback, IP addresses and
        the vendor hosts (``fakeauth serve --allow-host``): set on every lane, new ones too."""
        return self._control_hosts

    @control_hosts.setter
    def control_hosts(self, names: frozenset[str]) -> None:
        with self._lock:
            self._control_hosts = frozenset(names)
            fakes = [info.fake for info in self._lanes.values()]
        if self.default is not None:
            fakes.append(self.default)
        for fake in fakes:
            fake.control_hosts = self._control_hosts

    def _require_default(self) -> FakeAuth:
        default = self.default
        if default is None:
            raise Refused(503, "fakeauth: no test is using the fakeauth_server fixture now")
        return default

    def get(self, name: str, *, create: bool | None = None) -> FakeAuth:
        """The fake of lane ``name`` (the default lane for ``"default"``), created from the
        starting state if it does not exist yet and ``create`` (default: the registry's);
        raises ``KeyError`` for an unknown lane that is not created."""
        if name == DEFAULT_LANE:
            return self._require_default()
        return self._info(name, create=self.create if create is None else create).fake

    def _info(self, name: str, *, create: bool, start: LaneDoc | None = None) -> LaneInfo:
        check_lane_name(name)
        info = self._lanes.get(name)
        if info is not None:
            return info
        if not create:
            raise KeyError(name)
        with self._lock:  # one creation per name, however many first requests race
            info = self._lanes.get(name)
            if info is None:
                self._check_room(name)
                info = LaneInfo(name, self._new_fake(name, start or self._start))
                self._lanes[name] = info
            return info

    def _check_room(self, name: str) -> None:
        if len(self._lanes) >= self.max_lanes:
            raise Refused(
                429,
                f"fakeauth: too many lanes ({self.max_lanes}, --max-lanes) to create {name!r}; "
                "delete idle ones with DELETE /_fakeauth/lanes/NAME or "
                "DELETE /_fakeauth/lanes?idle=SECONDS",
            )

    def add(self, name: str, fake: FakeAuth) -> None:
        """Serve ``fake`` as lane ``name`` (replacing a lane of that name)."""
        if check_lane_name(name) == DEFAULT_LANE:
            raise ConfigurationError(
                "the default lane is the server's own fake; give another lane name"
            )
        with self._lock:
            if name not in self._lanes:
                self._check_room(name)
            self._lanes[name] = LaneInfo(name, fake)

    def discard(self, name: str) -> None:
        """Delete lane ``name`` if there is one."""
        with self._lock:
            self._release(self._lanes.pop(name, None))

    def create_lane(self, name: str, *, snapshot: str | None = None) -> FakeAuth:
        """Create lane ``name`` now, from the starting state or from the default lane's named
        ``snapshot``; raises :class:`ConfigurationError` if it exists."""
        if check_lane_name(name) == DEFAULT_LANE or name in self._lanes:
            raise ConfigurationError(
                f"the lane {name!r} exists already; delete it first "
                f"(DELETE /_fakeauth/lanes/{name})"
            )
        start = None
        if snapshot is not None:
            from fakeauth.persistence.model import LaneDoc  # the schema, on first use

            start = LaneDoc.model_validate(self._require_default().snapshots.get(snapshot).lane)
        return self._info(name, create=True, start=start).fake

    def remove(self, name: str) -> None:
        """Delete lane ``name`` and its state; raises :class:`ConfigurationError` if there is
        none, or for the default lane."""
        if check_lane_name(name) == DEFAULT_LANE:
            raise ConfigurationError(
                "the default lane cannot be deleted; reset it with "
                "POST /_fakeauth/lanes/default/reset"
            )
        with self._lock:
            info = self._lanes.pop(name, None)
            if info is None:
                raise Refused(404, self.no_lane_message(name))
            self._release(info)

    def reset(self, name: str) -> None:
        """Put lane ``name`` back to its starting state (a new random epoch: nothing issued
        before is accepted or issued again)."""
        fake = self.get(name, create=False) if name != DEFAULT_LANE else self._require_default()
        fake.reset()
        if self._start is not None:
            persistence.reload_lane(fake, self._start)

    def delete_idle(self, seconds: float) -> list[str]:
        """Delete every lane (but the default one) idle for ``seconds`` or more; their names."""
        now = _monotonic()
        with self._lock:
            idle = sorted(n for n, i in self._lanes.items() if now - i.last_used >= seconds)
            for name in idle:
                self._release(self._lanes.pop(name))
        return idle

    def _release(self, info: LaneInfo | None) -> None:
        # A deleted lane's entries leave the budget now rather than when they are the oldest.
        budget = self.journal_budget
        if info is not None and budget is not None and info.fake.journal.budget is budget:
            info.fake.journal.clear()

    def names(self) -> list[str]:
        """Every lane's name, the default lane first."""
        return [DEFAULT_LANE, *sorted(self._lanes)]

    def __iter__(self) -> Iterator[LaneInfo]:
        return iter(sorted(self._lanes.values(), key=lambda info: info.name))

    def __contains__(self, name: object) -> bool:
        """Whether a lane ``name`` exists now (the default lane always does)."""
        return name == DEFAULT_LANE or name in self._lanes

    def __len__(self) -> int:
        return len(self._lanes)

    def export_state(self, *, journal: bool = False) -> dict[str, Any]:
        """Every lane's state as one document (``lanes: {"default": ..., NAME: ...}``)."""
        lanes = {DEFAULT_LANE: persistence.export_lane(self._require_default(), journal=journal)}
        for info in list(self):
            lanes[info.name] = persistence.export_lane(info.fake, journal=journal)
        return {"format": FORMAT, "version": VERSION, "warning": WARNING, "lanes": lanes}

    def no_lane_message(self, name: str) -> str:
        """The 404's sentence for an unknown lane ``name``: how to get one."""
        return (
            f"fakeauth: no lane {name!r}; a request through /_lanes/{name}/ or with "
            f"'{LANE_HEADER}: {name}' creates it"
            if self.create
            else f"fakeauth: no lane {name!r}; register it with server.add_lane({name!r}, fake)"
        )

    def lane_for_request(self, name: str) -> FakeAuth:
        """The fake that serves a request to lane ``name`` (created if the registry creates),
        its use counted; raises :class:`Refused` (404, 429, 503)."""
        if name == DEFAULT_LANE:
            return self._require_default()
        try:
            info = self._info(name, create=self.create)
        except KeyError:
            raise Refused(404, self.no_lane_message(name)) from None
        with self._count_lock:  # exact counts with many requests at once
            info.requests += 1
            info.last_used = _monotonic()
        return info.fake
