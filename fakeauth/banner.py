"""What ``fakeauth serve`` prints when it starts: where it serves, and the default data a user
needs for a first request (:func:`banner`)."""

from __future__ import annotations

from fakeauth import __version__
from fakeauth.fake import FakeAuth
from fakeauth.state.b2core_options import description as b2core_description
from fakeauth.state.ovok_records import DEFAULT_CLIENT_ID, DEFAULT_PROJECT_ID, DEFAULT_TENANT_ID
from fakeauth.state.waltid_options import (
    DEFAULT_SUPERADMIN_EMAIL,
    DEFAULT_SUPERADMIN_PASSWORD,
    DEFAULT_SUPERADMIN_TOKEN,
)

__all__ = ["banner"]


def banner(fake: FakeAuth, url: str) -> str:
    """What ``fakeauth serve`` prints on start: where it serves and the default data."""
    lines = [
        f"fakeauth {__version__} serving on {url}",
        "",
        "Base URLs (under each, every route of that vendor answers as on its own hosts;",
        "the root serves them all, routed by path):",
        f"  Ovok          {url}/ovok",
        f"  B2Core        {url}/b2core",
        f"  walt.id       {url}/waltid",
        f"  control API   {url}/_fakeauth/",
        "",
        "Lanes (isolated states, each created on first use from the starting state):",
        f"  {url}/_lanes/NAME/... or the header X-Fakeauth-Lane: NAME",
        f"  list, reset, delete: {url}/_fakeauth/lanes",
        "",
        f"Dashboard (open it in a browser): {url}/_fakeauth/",
        "",
        "Ovok B2B auth:  POST /auth/b2b/register, /auth/b2b/login, /auth/refresh-token,",
        "                POST /v1/auth/logout, /auth/logout (under /ovok), GET /auth/me",
        f"  tenantId      {DEFAULT_TENANT_ID}",
        f"  clientId      {DEFAULT_CLIENT_ID}",
        f"  project       Project/{DEFAULT_PROJECT_ID} (My Medical Project)",
    ]
    lines += ["", "B2Core:", *(f"  {line}" for line in _b2core_lines(fake))]
    lines += [
        "",
        "walt.id:        POST /v1/superadmin/create-by-token, /auth/account/emailpass,",
        "                POST /v1/admin/account/register, /v1/account/register, ...",
        f"  token         {DEFAULT_SUPERADMIN_TOKEN} (super-admin registration, not yet used)",
        f"  super admin   {DEFAULT_SUPERADMIN_EMAIL} / {DEFAULT_SUPERADMIN_PASSWORD}",
        "  account-registration "
        + ("on" if fake.features.is_enabled("account-registration") else "off"),
    ]
    lines += ["", "Ctrl-C stops."]
    return "\n".join(lines)


def _b2core_lines(fake: FakeAuth) -> list[str]:
    # A B2Core state not built yet holds the configured brokers, reCAPTCHA off: described
    # without loading B2Core's code before the first answer (tests/test_cli.py checks that the
    # two descriptions agree).
    if any(vendor.name == "b2core" for vendor, _ in fake.built_states()):
        return fake.b2core.describe()
    return b2core_description((url, False) for url in fake.hosts["b2core"])
