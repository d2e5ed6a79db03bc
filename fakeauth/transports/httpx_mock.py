"""Intercept httpx (sync and async clients) with respx and answer vendor hosts from the fake.

One catch-all respx route decides per request: a vendor host is answered through the WSGI seam,
anything else passes through to the network (the fake's own live servers included). httpx and
respx are optional: ``pip install 'fakeauth[httpx]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakeauth.errors import ConfigurationError
from fakeauth.faults import InjectedConnectionError
from fakeauth.transports.base import Interceptor
from fakeauth.wsgi import request_from_parts

if TYPE_CHECKING:
    import httpx
    import respx

    from fakeauth.fake import FakeAuth

__all__ = ["HttpxInterceptor", "make_transport"]


def _import_httpx() -> Any:
    try:
        import httpx
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigurationError(
            "httpx is not installed; install it with: pip install 'fakeauth[httpx]'"
        ) from None
    return httpx


def _answer(fake: FakeAuth, request: httpx.Request) -> httpx.Response:
    module = _import_httpx()
    parts = request_from_parts(
        request.method, str(request.url), request.headers.multi_items(), request.content
    )
    try:
        response = fake.wsgi_app.dispatch(parts)
    except InjectedConnectionError as exc:
        raise module.ConnectError(str(exc), request=request) from exc
    return module.Response(  # type: ignore[no-any-return]
        response.status, headers=response.headers, content=response.body, request=request
    )


def make_transport(fake: FakeAuth) -> httpx.MockTransport:
    """An httpx transport (sync and async) that sends every request to ``fake``."""
    module = _import_httpx()

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        return _answer(fake, request)

    return module.MockTransport(handler)  # type: ignore[no-any-return]


class HttpxInterceptor(Interceptor):
    """``with fake.mock_httpx(): ...`` (also a decorator). See :meth:`FakeAuth.mock_httpx`."""

    name = "mock_httpx()"

    def _side_effect(self, request: httpx.Request) -> httpx.Response | httpx.Request:
        if self._fake.vendor_for_host(request.url.netloc.decode("ascii")) is None:
            return request  # respx: pass through to the network
        request.read()
        return _answer(self._fake, request)

    def _install(self) -> respx.MockRouter:
        _import_httpx()
        try:
            import respx
        except ImportError:  # pragma: no cover - depends on the environment
            raise ConfigurationError(
                "respx is not installed; install it with: pip install 'fakeauth[httpx]'"
            ) from None
        router = respx.MockRouter(assert_all_mocked=False, assert_all_called=False)
        router.route().mock(side_effect=self._side_effect)
        router.start()
        return router

    def _uninstall(self, active: respx.MockRouter) -> None:
        active.stop(quiet=True)
