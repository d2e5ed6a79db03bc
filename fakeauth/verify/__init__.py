"""A contract suite any user can point at the real vendors: ``fakeauth verify``.

A :class:`Check` is a short request sequence (later steps use values from earlier answers, such
as the access token) and what of the answers to compare: the status, the JSON keys and value
types, and chosen values (error texts, workflow names); ids, timestamps and tokens are never
compared. A :class:`Runner` sends every check to a fresh in-process fake ("fakeauth") and to a
:class:`Target` (a fresh fake by default; ``fakeauth serve`` or a vendor's sandbox when its base
URL is named), and a :class:`Report` prints them side by side: match, or diverge, and whether
the fidelity registry declares the divergence.

In a pytest suite::

    from fakeauth import verify

    RUNNER = verify.Runner(verify.Target.from_env())

    @pytest.mark.parametrize("check", verify.checks(), ids=str)
    def test_vendor_contract(check: verify.Check) -> None:
        result = RUNNER.run_check(check)
        assert result.ok, result.explain()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeauth.lazy import lazy_names
from fakeauth.verify.checks import ACCOUNT_PREFIX, CHECKS, checks
from fakeauth.verify.model import MAX_JSON_DEPTH, Answer, Check, Shape, Step
from fakeauth.verify.remote import MAX_BODY, HostRefusedError, HttpTransport
from fakeauth.verify.targets import (
    DIVERGENCES,
    ENV_PREFIX,
    Credentials,
    Target,
    WsgiTransport,
    diverge,
)

if TYPE_CHECKING:
    from fakeauth.verify.report import Report
    from fakeauth.verify.runner import CheckResult, Runner, is_declared

# The runner and the report read the fidelity registry (every vendor's entries): imported when
# first asked for, so that `fakeauth serve`, which builds this package's command-line parser,
# starts without them (issue 25).
_LATER = {
    "Report": "fakeauth.verify.report",
    "CheckResult": "fakeauth.verify.runner",
    "Runner": "fakeauth.verify.runner",
    "is_declared": "fakeauth.verify.runner",
}


__getattr__, __dir__ = lazy_names(__name__, _LATER)


__all__ = [
    "ACCOUNT_PREFIX",
    "CHECKS",
    "DIVERGENCES",
    "ENV_PREFIX",
    "MAX_BODY",
    "MAX_JSON_DEPTH",
    "Answer",
    "Check",
    "CheckResult",
    "Credentials",
    "HostRefusedError",
    "HttpTransport",
    "Report",
    "Runner",
    "Shape",
    "Step",
    "Target",
    "WsgiTransport",
    "checks",
    "diverge",
    "is_declared",
]
