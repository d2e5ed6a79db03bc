"""Intercept ``requests`` with the ``responses`` library and answer vendor hosts from the fake.

One registered ``responses`` entry matches every vendor host (decided per request, so a B2Core
broker added at run time is intercepted too) and answers through the WSGI seam. Every other URL
passes through: to the ``requests`` send that was active when the interception started, which is
the network, or the user's own ``responses`` mock if one is active (its registrations keep
answering), except the fake's own live servers, which are always reached over their real socket.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import responses

from fakeauth.faults import InjectedConnectionError
from fakeauth.transports.base import Interceptor, held_back, read_timeout
from fakeauth.transports.wrapping import Wrapper, wrapper_of
from fakeauth.wsgi import request_from_parts

if TYPE_CHECKING:
    from requests import PreparedRequest

    from fakeauth.fake import FakeAuth

__all__ = ["RequestsInterceptor"]

_EVERY_URL = re.compile(r".*")
# The original HTTPAdapter.send, as ``responses`` captured it on import (before any mock).
_NETWORK_SEND: Any = getattr(responses, "_real_send", requests.adapters.HTTPAdapter.send)


class _VendorHosts(responses.CallbackResponse):
    """One ``responses`` entry for every vendor host of one fake, whatever the method."""

    def __init__(self, fake: FakeAuth, answer: _Answer | None = None) -> None:
        # The URL is a label (matches() decides): given with its path, as responses would write
        # it, so that its constructor does not rebuild it (about 1 us of every interception).
        answer = answer or _Answer(lambda url: fake)
        super().__init__("ANY", "fakeauth://vendor-hosts/", answer, content_type=None)
        self._fake = fake

    def _fake_for(self, host: str) -> FakeAuth | None:
        return self._fake if self._fake.vendor_for_host(host) is not None else None

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        if self._fake_for(urlsplit(request.url or "").netloc) is None:
            return False, "not a vendor host of this FakeAuth"
        return True, ""


class _Answer:
    """An entry's callback: the request answered by the fake ``target`` gives for its URL.

    It holds that function, never the entry: an entry whose callback is its own bound method is
    a reference cycle, and the fake it holds would then wait for the cycle collector instead of
    being freed when its test drops it.
    """

    __slots__ = ("target",)

    def __init__(self, target: Callable[[str], FakeAuth]) -> None:
        self.target = target

    def __call__(self, prepared: PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        body = prepared.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = prepared.headers
        lowered = hasattr(headers, "lower_items")  # requests' own lowercased view
        request = request_from_parts(
            prepared.method or "GET",
            prepared.url or "",
            headers.lower_items() if lowered else headers.items(),
            body or b"",
            lowercase=lowered,
        )
        try:
            response = self.target(request.url).wsgi_app.dispatch(request)
        except InjectedConnectionError as exc:
            if exc.delay:
                _wait(prepared, exc.delay)
            raise requests.ConnectionError(str(exc), request=prepared) from exc
        if response.delay:
            _wait(prepared, response.delay)
        return response.status, response.headers, response.body


def _wait(prepared: PreparedRequest, delay: float) -> None:
    # responses hands the callback the request alone; the arguments of the send (the timeout
    # among them) ride on it as ``req_kwargs``.
    sent: dict[str, Any] = getattr(prepared, "req_kwargs", None) or {}
    if held_back(delay, read_timeout(sent.get("timeout"))):
        raise requests.exceptions.ReadTimeout(
            "fakeauth: the answer took longer than the read timeout", request=prepared
        )


def _fake_in_chain(patch: _StartPatch, host: str) -> FakeAuth | None:
    """The innermost active fake of ``patch``'s chain whose vendor host ``host`` is."""
    for found in patch.chain():
        if found.interceptor.fake.vendor_for_host(host) is not None:
            return found.interceptor.fake
    return None


class _InUserMock(_VendorHosts):
    """The fakes' vendor hosts, registered in a ``responses`` mock that a user starts while
    ``mock_requests()`` is active (``@responses.activate`` inside a fakeauth test, say), so that
    the user's mock does not refuse them: every fake whose interception is still active, the
    innermost first."""

    def __init__(self, patch: _StartPatch) -> None:
        fake = patch.interceptor.fake
        answer = _Answer(lambda url: _fake_in_chain(patch, urlsplit(url).netloc) or fake)
        super().__init__(fake, answer)
        self._patch = patch

    def _fake_for(self, host: str) -> FakeAuth | None:
        return _fake_in_chain(self._patch, host)

    @property
    def call_count(self) -> int:
        # Not one of the user's registrations: never "not fired" for assert_all_requests_are_fired.
        return max(1, len(self.calls))


class _LiveServersInUserMock(responses.BaseResponse):
    """The fakes' live servers, passed through to their real sockets by the user's mock."""

    def __init__(self, patch: _StartPatch) -> None:
        super().__init__("ANY", "fakeauth://live-servers/", passthrough=True)
        self._patch = patch

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        url = request.url or ""
        if any(p.interceptor.fake.is_live_server_url(url) for p in self._patch.chain()):
            return True, ""
        return False, "not a live server of an active FakeAuth"

    @property
    def call_count(self) -> int:
        return max(1, len(self.calls))


class _StartPatch:
    """While a fake intercepts, a ``responses`` mock started by someone else learns the fake's
    hosts: one registration of the interception on the shared wrapper of
    ``responses.RequestsMock.start`` (see :class:`_StartWrapper`)."""

    def __init__(self, interceptor: RequestsInterceptor, own: responses.RequestsMock) -> None:
        self.interceptor = interceptor
        #: The interception's own mock, which never learns its own fake's hosts this way.
        self.own = own
        self.wrapper = _StartWrapper.on_top() or _StartWrapper()
        self.number = self.wrapper.add(self)

    def chain(self) -> list[_StartPatch]:
        """This patch and the ones started before it on the same wrapper, innermost (newest)
        first, the active ones."""
        return [p for p in self.wrapper.patches if p.number <= self.number]

    def undo(self) -> None:
        self.wrapper.remove(self)


class _StartWrapper:
    """The wrapper of ``responses.RequestsMock.start`` (a public method, see :class:`Wrapper`),
    installed by the first interception that finds none on top and left in place: it bridges a
    starting mock for the registered interceptions and passes every start straight on while
    there is none, so an interception's start and stop do not patch the class (as the network
    guard's wrappers, :class:`fakeauth.transports.guard.GuardWrappers`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        #: The registered patches, newest first (replaced whole, read without a lock).
        self.patches: tuple[_StartPatch, ...] = ()
        self.wrapper = Wrapper(responses.RequestsMock, "start", self._make, context=self)

    @classmethod
    def on_top(cls) -> _StartWrapper | None:
        """The shared wrapper, if it is the function in place."""
        found = wrapper_of(responses.RequestsMock.start)
        context = found.context if found is not None else None
        return context if isinstance(context, cls) else None

    def add(self, patch: _StartPatch) -> int:
        """Register ``patch``, newest first; its number orders it among the others."""
        with self._lock:
            self._count += 1
            self.patches = (patch, *self.patches)
            return self._count

    def remove(self, patch: _StartPatch) -> None:
        """Forget ``patch`` (safe to call twice)."""
        with self._lock:
            self.patches = tuple(p for p in self.patches if p is not patch)

    def _make(self, wrapper: Wrapper) -> Callable[[responses.RequestsMock], None]:
        def start(mock: responses.RequestsMock) -> None:
            # The newest interception that does not own the mock bridges it, once.
            for patch in self.patches:
                if mock is not patch.own:
                    if not _bridged(mock):
                        # Registered first, so they match before the user's own entries.
                        mock.add(_InUserMock(patch))
                        mock.add(_LiveServersInUserMock(patch))
                    break
            wrapper.wrapped(mock)

        return start


def _bridged(mock: responses.RequestsMock) -> bool:
    return any(isinstance(entry, _InUserMock) for entry in mock.registered())


class RequestsInterceptor(Interceptor):
    """``with fake.mock_requests(): ...`` (also a decorator). See :meth:`FakeAuth.mock_requests`."""

    name = "mock_requests()"
    _previous_send: Any = None

    def _install(self) -> tuple[responses.RequestsMock, _StartPatch]:
        self._previous_send = requests.adapters.HTTPAdapter.send
        pass_through: Any = self._pass_through
        every_url: Any = (_EVERY_URL,)  # responses accepts patterns; its stubs say str
        mock = responses.RequestsMock(
            assert_all_requests_are_fired=False,
            passthru_prefixes=every_url,
            real_adapter_send=pass_through,
        )
        mock.add(_VendorHosts(self._fake))
        mock.start()
        return mock, _StartPatch(self, mock)

    def _uninstall(self, active: tuple[responses.RequestsMock, _StartPatch]) -> None:
        mock, patch = active
        patch.undo()
        mock.stop(allow_assert=False)

    def _pass_through(self, adapter: Any, request: PreparedRequest, **kwargs: Any) -> Any:
        previous = self._previous_send
        if previous is _NETWORK_SEND or self._fake.is_live_server_url(request.url or ""):
            return _NETWORK_SEND(adapter, request, **kwargs)
        return previous(adapter, request, **kwargs)

    @property
    def calls(self) -> Any:
        """The ``responses`` call list of this interception (requests and responses)."""
        if self._active is None:
            raise RuntimeError("fakeauth: calls are kept only while mock_requests() is active")
        return self._active[0].calls
