"""A field constraint for the vendor models: a length limit that takes any string.

pydantic-core refuses a string holding a lone surrogate (``"\\ud800"`` in a JSON body) as soon as
it checks the string's length, as ``string_unicode``: "not a string". Node's ``JSON.parse`` takes
such a string and class-validator counts the surrogate as one character. :class:`TextLength`
checks a length that way, in Python, and documents it in the JSON Schema as pydantic's own
``min_length``/``max_length`` would.
"""

from __future__ import annotations

from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from fakeauth.records import assign, record

__all__ = ["TextLength"]


@record
class TextLength:
    """``Annotated[str, TextLength(1, 128)]``: a length limit that takes any Python string.

    A failure is pydantic's own ``string_too_short`` or ``string_too_long``, with the limit in
    its context, so the vendor modules word it as they word pydantic's.
    """

    min_length: int = 0
    max_length: int | None = None

    def __init__(self, min_length: int = 0, max_length: int | None = None) -> None:
        assign(self, min_length=min_length, max_length=max_length)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        if self.min_length:
            json_schema["minLength"] = self.min_length
        if self.max_length is not None:
            json_schema["maxLength"] = self.max_length
        return json_schema

    def _check(self, value: str) -> str:
        if len(value) < self.min_length:
            raise PydanticCustomError(
                "string_too_short",
                "String should have at least {min_length} characters",
                {"min_length": self.min_length},
            )
        if self.max_length is not None and len(value) > self.max_length:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": self.max_length},
            )
        return value
