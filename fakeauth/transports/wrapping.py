"""One wrapper in place of another library's function, undone last-in first-out.

fakeauth wraps functions it does not own: httpx's network sends, the resolvers and socket methods
of the network guard (installed once, see :mod:`fakeauth.transports.guard`) and
``responses.RequestsMock.start``. Fakes and other libraries may wrap the same function in any
order and stop in any order, so each wrapper is undone the same way: on top, it puts back what it
wrapped; under a later wrapper, it cannot be taken out without dropping that one, so it is
switched off (it passes every call straight on) and is unwound by the later wrapper's own undo.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Wrapper", "wrapper_of"]

#: The attribute that ties a wrapper function to its :class:`Wrapper`.
_ATTRIBUTE = "_fakeauth_wrapper"


class Wrapper:
    """``make(wrapper)`` becomes ``owner.name``; it may read :attr:`active` and :attr:`wrapped`.

    >>> Wrapper(socket, "getaddrinfo", lambda w: lambda *a: w.wrapped(*a))
    """

    # A test may start several (RequestsMock.start, httpx's two sends): slots make each one's
    # set-up and undo cheaper.
    __slots__ = ("_function", "active", "context", "name", "owner", "wrapped")

    def __init__(
        self,
        owner: Any,
        name: str,
        make: Callable[[Wrapper], Callable[..., Any]],
        *,
        context: Any = None,
    ) -> None:
        self.owner = owner
        self.name = name
        #: What the wrapper works for (the fake it answers for, say), for whoever walks the stack.
        self.context = context
        #: Whether the wrapper still does its work (switched off by :meth:`undo`).
        self.active = True
        #: What was in place when this wrapper was installed.
        self.wrapped: Any = getattr(owner, name)
        function = make(self)
        setattr(function, _ATTRIBUTE, self)
        # Held weakly: the function refers to its wrapper (and, through its closure, to what the
        # wrapper works for: a fake), so a strong reference back would make every interception
        # a reference cycle that keeps its fake until the cycle collector runs. The function
        # lives while it is in place, or while a later wrapper wraps it.
        self._function = weakref.ref(function)
        setattr(owner, name, function)

    @property
    def function(self) -> Callable[..., Any] | None:
        """The function in place of the wrapped one; ``None`` once nothing holds it (taken out,
        and wrapped by no later wrapper)."""
        return self._function()

    def below(self) -> Iterator[Wrapper]:
        """The fakeauth wrappers this one wraps, nearest first."""
        wrapper = wrapper_of(self.wrapped)
        while wrapper is not None:
            yield wrapper
            wrapper = wrapper_of(wrapper.wrapped)

    def undo(self) -> None:
        """Switch off; and, if on top, put back the nearest function below that is not a
        switched-off wrapper."""
        self.active = False
        function = self.function
        if function is None or getattr(self.owner, self.name) is not function:
            return
        wrapped = self.wrapped
        for wrapper in self.below():
            if wrapper.active:
                break
            wrapped = wrapper.wrapped
        setattr(self.owner, self.name, wrapped)


def wrapper_of(function: Any) -> Wrapper | None:
    """The :class:`Wrapper` whose function ``function`` is, if it is one."""
    wrapper: Wrapper | None = getattr(function, _ATTRIBUTE, None)
    return wrapper
