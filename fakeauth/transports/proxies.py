"""What a request to an HTTP proxy names: the host the proxy is asked to reach.

A client that goes through an HTTP proxy never looks the vendor's name up itself: it connects to
the proxy and names the host in its first line, ``CONNECT api.ovok.com:443 HTTP/1.1`` for an
``https`` URL (a tunnel) or ``GET http://api.ovok.com/auth/me HTTP/1.1`` for an ``http`` one (the
absolute form). Every client writes that line at the start of one write (http.client, urllib3,
httpcore, aiohttp), so the network guard reads the start of each write for it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["proxy_target"]

#: How much of a write is read: a request line's method and the authority that follows it.
_HEAD = 1024
#: The schemes of an absolute-form request target.
_SCHEMES = (b"http://", b"https://")
#: Where an authority ends in an absolute-form target.
_AUTHORITY_ENDS = (b"/", b"?", b"#")


def proxy_target(data: Any) -> str | None:
    """The authority (``host:port``, ``host``, maybe with userinfo) that the HTTP request at the
    start of ``data`` asks a proxy to reach, or ``None`` when ``data`` does not start one (an
    origin-form request such as ``GET /path``, a response, a body, anything that is not bytes).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return None
    try:
        head = bytes(data[:_HEAD])
    except (TypeError, ValueError):  # a memoryview of another shape: not an HTTP request
        return None
    # The cheap refusal first: every write of every socket passes here while a guard is active.
    if not head[:1].isupper():
        return None
    method, space, rest = head.partition(b" ")
    if not space or not method.isalpha():
        return None
    target = rest.split(b" ", 1)[0].split(b"\r", 1)[0].split(b"\n", 1)[0]
    if method == b"CONNECT":
        authority = target
    elif target[:8].lower().startswith(_SCHEMES):
        authority = target.partition(b"://")[2]
        for end in _AUTHORITY_ENDS:
            authority = authority.split(end, 1)[0]
    else:
        return None
    # Bytes that are not UTF-8 stay unreadable (surrogates), so the guard refuses them.
    return authority.decode("utf-8", "surrogateescape") if authority else None
