"""Copy-on-write tables: the containers of a store that a snapshot shares in constant time, each
copied on the store's next write to it (the rule every vendor state follows)."""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["Tables"]


class Tables:
    """A store of named dict containers (:attr:`NAMES`) that snapshots share.

    :meth:`share` hands the containers to a snapshot and :meth:`hold` takes a snapshot's back;
    either way each container is copied on the store's next write to it (:meth:`own`), so a
    snapshot never changes. The owning state calls them under its lock.
    """

    #: The attributes that hold the store's containers, in the order a snapshot keeps them.
    NAMES: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self._shared: set[str] = set()

    def share(self) -> tuple[Any, ...]:
        """The containers, in :attr:`NAMES` order, shared from now on (copied on next write)."""
        self._shared = set(self.NAMES)
        return tuple(getattr(self, name) for name in self.NAMES)

    def hold(self, containers: tuple[Any, ...]) -> None:
        """Hold ``containers`` (a snapshot's, in :attr:`NAMES` order), shared with it."""
        for name, container in zip(self.NAMES, containers, strict=True):
            setattr(self, name, container)
        self._shared = set(self.NAMES)

    def own(self, name: str) -> Any:
        """The container ``name``, copied first if a snapshot shares it."""
        if name in self._shared:
            self._shared.discard(name)
            setattr(self, name, dict(getattr(self, name)))
        return getattr(self, name)
