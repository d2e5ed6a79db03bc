"""B2Core front office: brokers, accounts, wizard sessions and tokens (to be built, issue 3)."""

from __future__ import annotations

from fakeauth.clock import Clock
from fakeauth.features import FeatureRegistry
from fakeauth.outbox import Outbox
from fakeauth.randomness import Randomness

__all__ = ["B2CoreState"]


class B2CoreState:
    """The state of the B2Core API of one fake."""

    def __init__(
        self,
        *,
        hosts: tuple[str, ...] = ("https://host.name",),
        clock: Clock,
        randomness: Randomness,
        outbox: Outbox,
        features: FeatureRegistry,
        access_token_ttl: int = 20 * 60,
        refresh_token_ttl: int = 30 * 24 * 3600,
    ) -> None:
        self.clock = clock
        self.outbox = outbox
        self.features = features
        self.access_token_ttl = access_token_ttl
        self.refresh_token_ttl = refresh_token_ttl
        self._randomness = randomness

    def reset(self) -> None:
        """Back to the embedded defaults."""

    def broker_for_host(self, host: str) -> object | None:
        """The broker serving a ``Host`` header value (``"host.name"``), or ``None``."""
        return None
