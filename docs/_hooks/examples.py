"""The examples of the route pages: each operation's requests and replies, as HTTP messages.

They come from ``VendorApi.examples(route)`` (the examples each route carries in its vendor module,
and the seam's 413 and injected faults), the same source as the OpenAPI documents' ``examples``
and ``tests/test_route_examples.py``, which sends every one to a fresh fake. An example whose
``sequence`` is set is shown as numbered steps: every exchange of its set-up, then itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.http import HTTP_STATUS_CODES

from fakeauth.apis.base import Route
from fakeauth.apis.docs import FORM, Example, Step
from fakeauth.vendor import Vendor
from fakeauth.vendors import VENDORS

__all__ = ["status_examples"]

#: Every route of every vendor, by operation id.
_ROUTES: dict[str, tuple[Vendor, Route]] = {
    route.operation: (vendor, route) for vendor in VENDORS for route in vendor.api.routes
}


def _example(step: Step) -> Example:
    vendor, route = _ROUTES[step[0]]
    return vendor.api.examples(route)[step[1]]


def status_examples(operation: str, status: int, anchor: Callable[[str], str]) -> list[str]:
    """The Markdown of ``operation``'s examples of ``status``; ``anchor`` is the page anchor of
    an operation id."""
    vendor, route = _ROUTES[operation]
    lines: list[str] = []
    for name, example in vendor.api.examples(route).items():
        if example.status != status:
            continue
        lines += [f"**Example:** {example.title}.", ""]
        if example.sequence:
            lines += _sequence((operation, name), example, anchor)
            continue
        lines += _set_up(operation, example, anchor)
        lines += _exchange(operation, example)
    return lines


def _sequence(step: Step, example: Example, anchor: Callable[[str], str]) -> list[str]:
    """Every exchange of ``step``'s set-up, then ``step``, as numbered steps."""
    steps: list[Step] = []

    def add(current: Step) -> None:
        for prior in _example(current).after:
            if prior not in steps:
                add(prior)
                steps.append(prior)

    add(step)
    steps.append(step)
    lines = [
        f"*{example.sequence}* (each value a reply shows, such as a `uuid` or a token, is the "
        "one the later requests send):",
        "",
    ]
    for number, current in enumerate(steps, 1):
        shown = _example(current)
        route = _ROUTES[current[0]][1]
        link = f"[`{route.method} {route.path}`](#{anchor(current[0])})"
        lines += [f"{number}. {link}: {shown.title}.", ""]
        body = _set_up(current[0], shown, anchor, chained=True) + _exchange(current[0], shown)
        lines += [f"    {line}" if line else "" for line in body]
    return lines


def _set_up(
    operation: str, example: Example, anchor: Callable[[str], str], *, chained: bool = False
) -> list[str]:
    """What happens before the request, in words."""
    notes = []
    if example.seed:
        notes.append(
            f"on a fake seeded with `{json.dumps(example.seed)}` "
            "(`fakeauth serve --seed`, `POST /_fakeauth/seed`)"
        )
    if example.after and not chained:
        earlier = ", then ".join(
            f"[{_example(step).title.rstrip('.')}](#{anchor(step[0])}) (`{step[0]}`)"
            for step in example.after
        )
        notes.append(f"after {earlier}, whose replies' values this request carries")
    if example.fault is not None:
        notes.append(f"after `fake.fail_next({operation!r}, {example.fault})`")
    if example.times > 1:
        notes.append(f"sent {example.times} times; the reply shown is the last one's")
    lines = [f"Set-up: {'; '.join(notes)}.", ""] if notes else []
    if example.note:
        lines += [example.note, ""]
    return lines


def _exchange(operation: str, example: Example) -> list[str]:
    """The request and the reply, as HTTP messages."""
    vendor, route = _ROUTES[operation]
    path = route.path
    for name, value in example.path.items():
        path = path.replace(f"<{name}>", value)
    request = [
        f"{route.method} {path} HTTP/1.1",
        f"Host: {urlsplit(vendor.default_hosts[0]).netloc}",
    ]
    request += [f"{name}: {value}" for name, value in example.headers.items()]
    if example.body_size:
        request += [f"Content-Type: {example.media}", "", f"(a body of {example.body_size} bytes)"]
    elif example.body is not None:
        request += [f"Content-Type: {example.media}", "", _body(example.body, example.media)]
    status = example.status
    reply = [f"HTTP/1.1 {status} {HTTP_STATUS_CODES.get(status, '')}".rstrip()]
    if example.reply is not None:
        reply += [
            f"Content-Type: {example.reply_media}",
            "",
            _body(example.reply, example.reply_media),
        ]
    request, reply = "\n".join(request).splitlines(), "\n".join(reply).splitlines()
    return ["```http", *request, "```", "", "```http", *reply, "```", ""]


def _body(value: Any, media: str) -> str:
    if isinstance(value, str):  # a text body, or JSON that is not valid on purpose
        return value
    if media == FORM:
        return urlencode(value)
    return json.dumps(value, indent=2, ensure_ascii=False)
