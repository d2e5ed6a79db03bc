"""walt.id Enterprise: accounts, organizations, the Super Admin, sessions (to be built, issue 4)."""

from __future__ import annotations

from fakeauth.clock import Clock
from fakeauth.features import FeatureRegistry
from fakeauth.outbox import Outbox
from fakeauth.randomness import Randomness

__all__ = ["WaltidState"]


class WaltidState:
    """The state of the walt.id API of one fake."""

    def __init__(
        self,
        *,
        clock: Clock,
        randomness: Randomness,
        outbox: Outbox,
        features: FeatureRegistry,
        token_ttl: int = 7 * 24 * 3600,
    ) -> None:
        self.clock = clock
        self.outbox = outbox
        self.features = features
        self.token_ttl = token_ttl
        self._randomness = randomness

    def reset(self) -> None:
        """Back to the embedded defaults."""
