"""Compact JSON of plain values, written by pydantic-core: the documents of every request.

A login writes three JSON documents (two token payloads and the reply). ``json``'s encoder
builds a new C encoder per call and costs three to four times what ``pydantic_core.to_json``
(pydantic's own serializer, public, already loaded with pydantic) costs for the same small
document, and it gives the same bytes for the values :func:`plain_json` takes: dicts with
string keys, lists, tuples, strings, integers, booleans and ``None``. Any other value is left to
``json``: a float (whose text differs: ``1e+16`` against ``1e16``), a key that is not a string, a
type ``json`` refuses and pydantic-core writes (a ``datetime``), a string holding a lone
surrogate. ``tests/test_login_fast_paths.py`` compares the two byte for byte.
"""

from __future__ import annotations

from typing import Any

__all__ = ["plain_json"]

#: The types of a plain value that hold no other value.
_SCALARS = frozenset({str, int, bool, type(None)})
#: The longest document written here: ``json`` refuses an integer of more digits than Python's
#: int-str limit (4,300), which pydantic-core writes; a document this short cannot hold one.
_LONGEST = 4300


def plain_json(value: Any) -> bytes | None:
    """``json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()`` when ``value``
    is plain (see the module) and its JSON at most 4,300 bytes; ``None`` otherwise, for the
    caller to write it with ``json``. A caller that needs ASCII (``ensure_ascii=True``) checks
    ``.isascii()``: the two agree on every ASCII document."""
    try:
        if not _plain(value):
            return None
    except RecursionError:  # deeper than json itself goes: json says what it says of it
        return None
    # Imported here, not with the module: pydantic-core's start-up cost is for the vendors'
    # models to pay, on their first use.
    import pydantic_core

    try:
        text = pydantic_core.to_json(value)
    except ValueError:  # a lone surrogate, which UTF-8 cannot hold
        return None
    return text if len(text) <= _LONGEST else None


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():  # a plain loop: a frame less per item than all()
            if type(key) is not str or (type(item) not in _SCALARS and not _plain(item)):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) in _SCALARS or _plain(item) for item in value)
    return kind in _SCALARS
