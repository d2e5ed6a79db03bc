"""Reading a control request's body: once, under one size limit, as standard JSON, and checking
it against a pydantic model with errors worded as sentences."""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from fakeauth.apis.base import INT_DIGITS, JsonConstant, refuse_constant
from fakeauth.errors import ConfigurationError
from fakeauth.http import Request, Response

__all__ = ["MAX_BODY", "ControlBody", "error", "json_body", "sentence", "too_large", "validated"]

#: The largest body the control API takes (a state document to import); larger answers 413.
MAX_BODY = 64 * 1024 * 1024


def error(status: int, message: str) -> Response:
    """The control API's error: ``{"error": message}``."""
    return Response.json(status, {"error": message})


def too_large(request: Request) -> Response | None:
    """The 413 for a body over :data:`MAX_BODY` (by its declared or its read length), or
    ``None``; the seam never reads such a body (it keeps no more than the limit)."""
    if request.declared_length <= MAX_BODY and len(request.body) <= MAX_BODY:
        return None
    return error(
        413,
        f"fakeauth: the request body is larger than the control API takes "
        f"({MAX_BODY // (1024 * 1024)} MiB); send a smaller document",
    )


class _NotStandardJson(ValueError):
    """A number standard JSON, or a Python float, cannot hold."""


def _int(text: str) -> int:
    if len(text) > INT_DIGITS:  # int() refuses it (Python's int-str limit): say why
        raise _NotStandardJson(f"an integer of {len(text):,} digits is too long")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise _NotStandardJson(f"{text[:20]} is beyond a 64-bit float")
    return value


def json_body(request: Request) -> Any:
    """The request's JSON body (``{}`` when empty): standard JSON only, so no ``NaN``,
    ``Infinity``, overlong integer or overflowing float gets past the control API."""
    if not request.body.strip():
        return {}
    try:
        return json.loads(
            request.body, parse_constant=refuse_constant, parse_int=_int, parse_float=_float
        )
    except JsonConstant as exc:
        raise ConfigurationError(
            f"the body must be standard JSON: {exc.name} is not a JSON number"
        ) from None
    except _NotStandardJson as exc:
        raise ConfigurationError(f"the body must be standard JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"the body must be JSON: {exc.msg} at position {exc.pos}"
        ) from None
    except (ValueError, RecursionError):  # not UTF-8, or nested too deep
        raise ConfigurationError(
            "the body must be JSON in UTF-8, not nested thousands deep"
        ) from None


class ControlBody(BaseModel):
    """A control request's body: strict, no unknown field, no ``NaN``."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, defer_build=True)


_WANTED = {
    "bool_type": "must be true or false",
    "float_type": "must be a number of seconds",
    "finite_number": "must be a finite number",
    "string_type": "must be a string",
    "missing": "is required",
    "dict_type": "must be an object",
}


def validated(model: type[ControlBody], body: Any, example: str) -> Any:
    """``body`` as ``model``; raises :class:`ConfigurationError` with one sentence."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise ConfigurationError(sentence(exc, model, example)) from None


def sentence(exc: ValidationError, model: type[BaseModel] | None, example: str) -> str:
    """The first failure as one sentence naming the field."""
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden" and model is not None:
        fields = ", ".join(f'"{name}"' for name in model.model_fields)
        return f'unknown field "{field}"; the fields are {fields}, as in {example}'
    wanted = _WANTED.get(first["type"], first["msg"].lower())
    subject = f'"{field}"' if field else "the body"
    return f"{subject} {wanted}, as in {example}"
