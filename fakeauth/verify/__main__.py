"""``python -m fakeauth.verify``: the same as ``fakeauth verify``."""

from __future__ import annotations

from fakeauth.verify.command import main

raise SystemExit(main())
