"""The live server's default limits, apart from the server itself: ``FakeAuth.serve()`` shows them
as its defaults without importing the server (and its HTTP parser) before a test serves."""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_CONNECTIONS", "DEFAULT_REQUEST_TIMEOUT"]

#: The most connections a live server keeps open at once.
DEFAULT_MAX_CONNECTIONS = 512
#: How long a request may take to arrive once begun, in seconds.
DEFAULT_REQUEST_TIMEOUT = 30.0
