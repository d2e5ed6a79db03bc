"""Intercept httpx (sync and async clients) and answer vendor hosts from the fake.

The interception wraps httpx's two network transports, ``httpx.HTTPTransport.handle_request``
and ``httpx.AsyncHTTPTransport.handle_async_request``, which every ``httpx.Client`` and
``httpx.AsyncClient`` sends through unless it was given a transport of its own. A request to a
vendor host is answered through the WSGI seam before it reaches the connection pool; any other
request goes on to the transport's own send: to the network, or to a respx mock the user has
started (respx patches the connection pool underneath), in whichever order the two started.

It needs httpx alone: whenever httpx is importable, it is intercepted (see docs/decisions.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fakeauth.errors import ConfigurationError
from fakeauth.faults import InjectedConnectionError
from fakeauth.transports.base import Interceptor, held_back, read_timeout
from fakeauth.wsgi import request_from_parts

if TYPE_CHECKING:
    import httpx

    from fakeauth.fake import FakeAuth
    from fakeauth.http import Response

__all__ = ["HttpxInterceptor", "make_transport"]


def _import_httpx() -> Any:
    try:
        import httpx
    except ImportError:
        raise ConfigurationError(
            "httpx is not installed; install it with: pip install 'fakeauth[httpx]'"
        ) from None
    return httpx


def _dispatch(fake: FakeAuth, request: httpx.Request) -> tuple[Response | None, float, str]:
    """Serve ``request`` (its body read); the answer (``None``: dropped), its delay, and why."""
    parts = request_from_parts(
        request.method, str(request.url), request.headers.multi_items(), request.content
    )
    try:
        response = fake.wsgi_app.dispatch(parts)
    except InjectedConnectionError as exc:
        return None, exc.delay, str(exc)
    return response, response.delay, ""


def _client_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout")
    return read_timeout(timeout.get("read") if isinstance(timeout, dict) else None)


def _finish(
    module: Any, request: httpx.Request, response: Response | None, timed_out: bool, why: str
) -> httpx.Response:
    if timed_out:
        raise module.ReadTimeout(
            "fakeauth: the answer took longer than the read timeout", request=request
        )
    if response is None:
        raise module.ConnectError(why, request=request)
    return module.Response(  # type: ignore[no-any-return]
        response.status, headers=response.headers, content=response.body, request=request
    )


def answer(fake: FakeAuth, request: httpx.Request) -> httpx.Response:
    """Answer ``request`` from ``fake`` in this thread, waiting for an injected delay (cut short
    by the request's read timeout, which then raises ``httpx.ReadTimeout``)."""
    module = _import_httpx()
    request.read()
    response, delay, why = _dispatch(fake, request)
    timed_out = held_back(delay, _client_timeout(request)) if delay else False
    return _finish(module, request, response, timed_out, why)


async def answer_async(fake: FakeAuth, request: httpx.Request) -> httpx.Response:
    """:func:`answer` for an async client: an injected delay is awaited, never slept, so the
    event loop keeps running."""
    module = _import_httpx()
    await request.aread()
    response, delay, why = _dispatch(fake, request)
    timed_out = False
    if delay:
        timeout = _client_timeout(request)
        timed_out = timeout is not None and delay > timeout
        await asyncio.sleep(timeout if timed_out and timeout is not None else delay)
    return _finish(module, request, response, timed_out, why)


def make_transport(fake: FakeAuth) -> httpx.MockTransport:
    """An httpx transport (sync and async) that sends every request to ``fake``."""
    module = _import_httpx()

    class _FakeTransport(module.MockTransport):  # type: ignore[misc, name-defined]
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return answer(fake, request)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return await answer_async(fake, request)

    return _FakeTransport(lambda request: None)


#: The attribute that ties a wrapper to its patch, so that an undo sees through switched-off ones.
_PATCH_ATTRIBUTE = "_fakeauth_patch"


def _patch_of(send: Any) -> _Patch | None:
    patch: _Patch | None = getattr(send, _PATCH_ATTRIBUTE, None)
    return patch


class _Patch:
    """One fake's wrapper around httpx's network sends; undone last-in first-out.

    If it is stopped while a later patch still wraps it, it is not unwound (that would drop the
    later one) but switched off: it then hands every request straight to what it wrapped.
    """

    def __init__(self, fake: FakeAuth, module: Any) -> None:
        self.fake = fake
        self.active = True
        self.module = module
        self.sync_send: Callable[..., httpx.Response] = module.HTTPTransport.handle_request
        self.async_send: Callable[..., Awaitable[httpx.Response]] = (
            module.AsyncHTTPTransport.handle_async_request
        )
        patch = self

        def handle_request(transport: Any, request: httpx.Request) -> httpx.Response:
            if patch.serves(request):
                return answer(patch.fake, request)
            return patch.sync_send(transport, request)

        async def handle_async_request(transport: Any, request: httpx.Request) -> httpx.Response:
            if patch.serves(request):
                return await answer_async(patch.fake, request)
            return await patch.async_send(transport, request)

        self.sync_wrapper = handle_request
        self.async_wrapper = handle_async_request
        setattr(handle_request, _PATCH_ATTRIBUTE, self)
        setattr(handle_async_request, _PATCH_ATTRIBUTE, self)
        module.HTTPTransport.handle_request = handle_request
        module.AsyncHTTPTransport.handle_async_request = handle_async_request

    def serves(self, request: httpx.Request) -> bool:
        if not self.active:
            return False
        return self.fake.vendor_for_host(request.url.netloc.decode("ascii")) is not None

    def undo(self) -> None:
        self.active = False
        module = self.module
        # Unwound only while on top; underneath a later patch, it stays switched off until that
        # one is undone, which then unwinds every switched-off patch below it as well.
        if module.HTTPTransport.handle_request is self.sync_wrapper:
            send = self.sync_send
            while (below := _patch_of(send)) is not None and not below.active:
                send = below.sync_send
            module.HTTPTransport.handle_request = send
        if module.AsyncHTTPTransport.handle_async_request is self.async_wrapper:
            async_send = self.async_send
            while (below := _patch_of(async_send)) is not None and not below.active:
                async_send = below.async_send
            module.AsyncHTTPTransport.handle_async_request = async_send


class HttpxInterceptor(Interceptor):
    """``with fake.mock_httpx(): ...`` (also a decorator). See :meth:`FakeAuth.mock_httpx`."""

    name = "mock_httpx()"

    def _install(self) -> _Patch:
        return _Patch(self._fake, _import_httpx())

    def _uninstall(self, active: _Patch) -> None:
        active.undo()
