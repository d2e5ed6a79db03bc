"""What names a state document, without its schema: the format marker, the version, the warning
and the default lane's name (read by ``fakeauth serve`` and the lanes before any document is
parsed, so that a server started without a state file never imports the pydantic models)."""

from __future__ import annotations

__all__ = ["DEFAULT_LANE", "FORMAT", "VERSION", "WARNING"]

#: The ``format`` marker of every state document.
FORMAT = "fakeauth-state"
#: The one version this fakeauth writes and reads.
VERSION = 1
#: The ``warning`` every document carries: its keys are a test double's.
WARNING = (
    "fakeauth test-double state: keys and hashes here are a fake's; never use them anywhere real"
)
#: The lane a single fake's state sits in (the one lane of a fake outside a lanes server).
DEFAULT_LANE = "default"
