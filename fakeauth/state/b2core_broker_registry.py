"""The broker registry of :class:`~fakeauth.state.b2core.B2CoreState`: its brokers by base URL
and by host, and each broker's email index of accounts, which a snapshot shares and the registry
copies on its next write (the copy-on-write rule of :mod:`fakeauth.state.tables`)."""

from __future__ import annotations

from dataclasses import replace

from fakeauth.errors import ConfigurationError
from fakeauth.hosts import base_url, host_key, host_keys
from fakeauth.state.b2core_brokers import B2CoreAccount, B2CoreBroker
from fakeauth.state.b2core_options import BROKER_URL as BROKER_URL

__all__ = ["BROKER_URL", "B2CoreBrokerRegistry", "broker_copy"]


def broker_copy(broker: B2CoreBroker) -> B2CoreBroker:
    """A copy of ``broker`` that shares its (copy-on-write) email index of accounts."""
    return replace(
        broker,
        extra_steps=dict(broker.extra_steps),
        failures={key: list(times) for key, times in broker.failures.items()},
        locked_until=dict(broker.locked_until),
    )


class B2CoreBrokerRegistry:
    """The brokers of one state, by base URL (:attr:`by_url`, the default first) and by host.

    The owning state calls every method under its lock.
    """

    def __init__(self) -> None:
        self.by_url: dict[str, B2CoreBroker] = {}
        self._by_host: dict[str, B2CoreBroker] = {}
        self._shared: set[str] = set()  # brokers whose email index a snapshot shares

    def add(self, broker: B2CoreBroker) -> None:
        """Hold ``broker`` (its URL new), reachable by its URL and by every spelling of its host."""
        self.by_url[broker.url] = broker
        for host in host_keys(broker.url):
            self._by_host[host] = broker

    def get(self, url: str) -> B2CoreBroker:
        """The broker on ``url``; raises :class:`ConfigurationError` naming the brokers."""
        broker = self.by_url.get(base_url(url, expected=BROKER_URL))
        if broker is None:
            raise ConfigurationError(
                f"no B2Core broker on {url!r}; add it with fake.b2core.add_broker({url!r}); "
                f"the brokers are: {', '.join(self.by_url)}"
            )
        return broker

    def for_host(self, host: str) -> B2CoreBroker | None:
        """The broker serving a ``Host`` header value, or ``None``."""
        try:
            return self._by_host.get(host_key(host))
        except ValueError:  # not a host at all
            return None

    def accounts_of(self, broker: B2CoreBroker) -> dict[str, B2CoreAccount]:
        """The email index of ``broker``, copied first if a snapshot shares it."""
        if broker.url in self._shared:
            self._shared.discard(broker.url)
            broker.accounts = dict(broker.accounts)
        return broker.accounts

    def share(self) -> dict[str, B2CoreBroker]:
        """Copies of the brokers for a snapshot, by URL; their email indexes shared from now on."""
        self._shared = set(self.by_url)
        return {url: broker_copy(b) for url, b in self.by_url.items()}

    def hold(self, brokers: dict[str, B2CoreBroker]) -> None:
        """Hold ``brokers`` (copies of a snapshot's, by URL), their email indexes shared."""
        self.by_url = brokers
        self._by_host = {h: b for b in brokers.values() for h in host_keys(b.url)}
        self._shared = set(brokers)
