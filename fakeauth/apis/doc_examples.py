"""One exchange of an operation a user can copy (:class:`Example`): what the route pages, the
OpenAPI documents and ``tests/test_route_examples.py`` show and replay.

Only they read examples: a vendor's route table names its examples by an
:class:`~fakeauth.apis.docs.ExamplesRef`, so a request neither builds them nor defines this class.
It is importable from :mod:`fakeauth.apis.docs` too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fakeauth.apis.docs import JSON, Step

__all__ = ["Example"]


@dataclass(frozen=True)
class Example:
    """One exchange of an operation a user can copy: the request, and the reply (``status``,
    body) a fresh fake gives it after the set-up the example states.

    The set-up: ``seed`` (a seed document, as ``fakeauth serve --seed`` reads) is added to the
    fake, then the exchanges ``after`` names are sent in order (each after its own set-up, run
    once per sequence). A value an earlier reply shows (a wizard ``uuid``, a token, an account
    id) and this request uses stands for the value that reply really carries. ``values`` gives
    the fake's own value of what no reply carries (a 2FA code): shown value -> the fake's, read
    from the fake it is handed. The request is sent ``times`` times; the reply shown is the
    last one's. ``body_size``: the body is that many bytes, not shown (a body over the limit).
    ``fault``: the status injected first with ``fake.fail_next``. ``sequence``: a title under
    which the page shows every exchange of the set-up, step by step, before this one.
    """

    title: str
    status: int
    #: The reply's body: a JSON value, the text of a ``text/plain`` reply, ``None``: empty.
    reply: Any = None
    reply_media: str = JSON
    #: The request's body: a JSON value, a text (``media`` says which), ``None``: none.
    body: Any = None
    media: str = JSON
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The path parameters, by name.
    path: Mapping[str, str] = field(default_factory=dict)
    seed: Mapping[str, Any] = field(default_factory=dict)
    after: tuple[Step, ...] = ()
    values: Callable[[Any], Mapping[str, str]] | None = None
    #: What ``values`` stands for, in words, for the page.
    note: str = ""
    times: int = 1
    body_size: int = 0
    fault: int | None = None
    sequence: str = ""
