"""Ovok's tenants (projects) and their client applications: the store an
:class:`~fakeauth.state.ovok.OvokState` owns (copy-on-write, under the state's lock)."""

from __future__ import annotations

from fakeauth.errors import ConfigurationError, NotFound
from fakeauth.randomness import RandomStream
from fakeauth.state.ovok_records import OvokClient, OvokTenant
from fakeauth.state.tables import Tables

__all__ = ["OvokTenants"]


class OvokTenants(Tables):
    """The tenants of one Ovok state and their clients."""

    NAMES = ("tenants", "clients")

    def __init__(self, default_tenant_id: str) -> None:
        super().__init__()
        self.default_tenant_id = default_tenant_id
        self.tenants: dict[str, OvokTenant] = {}
        self.clients: dict[str, OvokClient] = {}

    def add_tenant(
        self,
        tenant_id: str | None,
        *,
        display: str,
        project_id: str | None,
        strict_mode: bool,
        client_id: str | None,
        ids: RandomStream,
    ) -> OvokTenant:
        """Add a tenant with one client (see :meth:`~fakeauth.state.ovok.OvokState.add_tenant`)."""
        tenant_id = tenant_id or ids.uuid4()
        if tenant_id in self.tenants:
            raise ConfigurationError(f"the Ovok tenant {tenant_id!r} exists already")
        client = client_id or tenant_id
        if client in self.clients:
            raise ConfigurationError(
                f"the Ovok client {client!r} exists already (of tenant "
                f"{self.clients[client].tenant_id!r}); pass add_tenant another client_id"
            )
        tenant = OvokTenant(
            id=tenant_id,
            project_id=project_id or ids.uuid4(),
            display=display,
            strict_mode=strict_mode,
            client_id=client,
        )
        self.own("tenants")[tenant.id] = tenant
        self.own("clients")[client] = OvokClient(id=client, tenant_id=tenant.id)
        return tenant

    def add_client(self, client_id: str | None, tenant_id: str, ids: RandomStream) -> OvokClient:
        """Add a client to a tenant (see :meth:`~fakeauth.state.ovok.OvokState.add_client`)."""
        self.seeded(tenant_id)
        client = OvokClient(id=client_id or ids.uuid4(), tenant_id=tenant_id)
        existing = self.clients.get(client.id)
        if existing is not None:
            if existing == client and self.tenants[tenant_id].client_id == client.id:
                return existing
            raise ConfigurationError(
                f"the Ovok client {client.id!r} exists already (of tenant {existing.tenant_id!r})"
            )
        self.own("clients")[client.id] = client
        return client

    def seeded(self, tenant_id: str) -> OvokTenant:
        """The tenant ``tenant_id``, as seeding names it; raises :class:`ConfigurationError`."""
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise ConfigurationError(
                f"no Ovok tenant {tenant_id!r}; add it with fake.ovok.add_tenant({tenant_id!r}) "
                f"or use the default tenant {self.default_tenant_id!r}"
            )
        return tenant

    def of_client(self, tenant_id: str, client_id: str) -> OvokTenant:
        """The tenant ``tenant_id`` if ``client_id`` is one of its clients; raises
        :class:`NotFound` (the API's 404) otherwise."""
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise NotFound("Project not found", kind="tenant")
        client = self.clients.get(client_id)
        if client is None or client.tenant_id != tenant_id:
            raise NotFound("Client not found", kind="client")
        return tenant
