"""Intercept ``requests`` with the ``responses`` library and answer vendor hosts from the fake.

One registered ``responses`` entry matches every vendor host (decided per request, so a B2Core
broker added at run time is intercepted too) and answers through the WSGI seam. Every other URL
passes through: to the ``requests`` send that was active when the interception started, which is
the network, or the user's own ``responses`` mock if one is active (its registrations keep
answering), except the fake's own live servers, which are always reached over their real socket.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import responses

from fakeauth.faults import InjectedConnectionError
from fakeauth.transports.base import Interceptor
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

    def __init__(self, fake: FakeAuth) -> None:
        super().__init__("ANY", "fakeauth://vendor-hosts", self._answer, content_type=None)
        self._fake = fake

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        host = urlsplit(request.url or "").netloc
        if self._fake.vendor_for_host(host) is None:
            return False, "not a vendor host of this FakeAuth"
        return True, ""

    def _answer(self, prepared: PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        body = prepared.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = prepared.headers
        request = request_from_parts(
            prepared.method or "GET",
            prepared.url or "",
            # requests' own lowercased view: one generator, not a lookup per header
            headers.lower_items() if hasattr(headers, "lower_items") else headers.items(),
            body or b"",
        )
        try:
            response = self._fake.wsgi_app.dispatch(request)
        except InjectedConnectionError as exc:
            raise requests.ConnectionError(str(exc), request=prepared) from exc
        return response.status, response.headers, response.body


class RequestsInterceptor(Interceptor):
    """``with fake.mock_requests(): ...`` (also a decorator). See :meth:`FakeAuth.mock_requests`."""

    name = "mock_requests()"
    _previous_send: Any = None

    def _install(self) -> responses.RequestsMock:
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
        return mock

    def _uninstall(self, active: responses.RequestsMock) -> None:
        active.stop(allow_assert=False)

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
        return self._active.calls
