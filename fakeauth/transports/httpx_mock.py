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
from fakeauth.transports.base import Interceptor, cut_short, held_back, read_timeout
from fakeauth.transports.wrapping import Wrapper
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
        seconds, timed_out = cut_short(delay, _client_timeout(request))
        await asyncio.sleep(seconds)
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


class _Patch:
    """One fake's wrappers around httpx's two network sends (see :class:`Wrapper`)."""

    def __init__(self, fake: FakeAuth, module: Any) -> None:
        self.fake = fake

        def sync_send(wrapper: Wrapper) -> Callable[..., httpx.Response]:
            def handle_request(transport: Any, request: httpx.Request) -> httpx.Response:
                if wrapper.active and self.serves(request):
                    return answer(fake, request)
                return wrapper.wrapped(transport, request)  # type: ignore[no-any-return]

            return handle_request

        def async_send(wrapper: Wrapper) -> Callable[..., Awaitable[httpx.Response]]:
            async def handle_async_request(
                transport: Any, request: httpx.Request
            ) -> httpx.Response:
                if wrapper.active and self.serves(request):
                    return await answer_async(fake, request)
                return await wrapper.wrapped(transport, request)  # type: ignore[no-any-return]

            return handle_async_request

        self.wrappers = (
            Wrapper(module.HTTPTransport, "handle_request", sync_send),
            Wrapper(module.AsyncHTTPTransport, "handle_async_request", async_send),
        )

    def serves(self, request: httpx.Request) -> bool:
        return self.fake.vendor_for_host(request.url.netloc.decode("ascii")) is not None

    def undo(self) -> None:
        for wrapper in self.wrappers:
            wrapper.undo()


class HttpxInterceptor(Interceptor):
    """``with fake.mock_httpx(): ...`` (also a decorator). See :meth:`FakeAuth.mock_httpx`."""

    name = "mock_httpx()"

    def _install(self) -> _Patch:
        return _Patch(self._fake, _import_httpx())

    def _uninstall(self, active: _Patch) -> None:
        active.undo()
