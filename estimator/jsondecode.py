"""JSON decoding that reports input nested too deeply to read as malformed JSON, never as a crash.

msgspec decodes recursively, so `[[[[…]]]]` a thousand levels deep raises `RecursionError`, which
no caller expects from bad input. Every place that decodes JSON a client sent goes through here.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

import msgspec

T = TypeVar("T")
TOO_DEEP = "JSON is malformed: nested too deeply (more levels of arrays and objects than can be read)"
_ANY: msgspec.json.Decoder[Any] = msgspec.json.Decoder()


@overload
def decode(data: bytes) -> Any: ...
@overload
def decode(data: bytes, decoder: msgspec.json.Decoder[T]) -> T: ...


def decode(data: bytes, decoder: msgspec.json.Decoder[Any] = _ANY) -> Any:
    """`decoder.decode(data)`, with nesting too deep raised as a `msgspec.DecodeError`."""
    try:
        return decoder.decode(data)
    except RecursionError:
        raise msgspec.DecodeError(TOO_DEEP) from None
