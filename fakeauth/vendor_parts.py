"""The small records a :class:`~fakeauth.vendor.Vendor` record holds: the fields of the
dashboard's account forms (:class:`AccountField`) and how its clients sign in
(:class:`AuthFlow`). Both are importable from :mod:`fakeauth.vendor`, where they are documented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fakeauth.records import assign, record

__all__ = ["AccountField", "AuthFlow"]


@record
class AccountField:
    """One field of the dashboard's account forms: a keyword argument of the state's
    ``add_account`` (the form that creates an account) or ``update_account`` (the one that edits
    it), its label, and its input: ``text``, ``password``, ``checkbox`` (true or false),
    ``choice`` (one of ``choices``; ``""`` stands for none, sent as null) or ``choices`` (any of
    ``choices``, sent as a list). ``default`` is what the create form starts with."""

    name: str
    label: str
    kind: Literal["text", "password", "checkbox", "choice", "choices"] = "text"
    choices: tuple[str, ...] = ()
    default: str | bool | None = None

    def __init__(
        self,
        name: str,
        label: str,
        kind: Literal["text", "password", "checkbox", "choice", "choices"] = "text",
        choices: tuple[str, ...] = (),
        default: str | bool | None = None,
    ) -> None:
        assign(self, name=name, label=label, kind=kind, choices=choices, default=default)

    def to_dict(self) -> dict[str, Any]:
        """The field as the control API serves it (``GET /_fakeauth/vendors``)."""
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "choices": list(self.choices),
            "default": self.default,
        }


@record
class AuthFlow:
    """How a vendor's clients sign in, for code that acts on "the login" or "the refresh" of
    every vendor alike (the weather conditions of :mod:`fakeauth.weather`).

    ``login``: the operation ids that check a password; ``refresh``: those that swap a refresh
    token; ``bearer_kinds``: the :class:`~fakeauth.tokens.TokenRecord` kinds a client sends as
    its bearer (the others are refresh tokens); ``lock_out``: locks every account of a state out
    as the vendor itself does (``None``: the vendor has no lockout, and ``lockout_message`` is
    the message of the 429 fakeauth answers in its place, in the vendor's error shape).
    """

    login: tuple[str, ...] = ()
    refresh: tuple[str, ...] = ()
    bearer_kinds: tuple[str, ...] = ()
    lock_out: Callable[[Any], None] | None = None
    lockout_message: str = "Too many requests"

    def __init__(
        self,
        login: tuple[str, ...] = (),
        refresh: tuple[str, ...] = (),
        bearer_kinds: tuple[str, ...] = (),
        lock_out: Callable[[Any], None] | None = None,
        lockout_message: str = "Too many requests",
    ) -> None:
        assign(
            self,
            login=login,
            refresh=refresh,
            bearer_kinds=bearer_kinds,
            lock_out=lock_out,
            lockout_message=lockout_message,
        )
