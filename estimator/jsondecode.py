"""JSON decoding that reports input nested too deeply, or not UTF-8, as malformed JSON, never as a crash.

A UTF-8 byte order mark before the text is skipped (RFC 8259 §8.1 lets a parser ignore it): Windows
tools, Excel's "CSV UTF-8" and PowerShell's `Out-File` among them, write one, and a file that opens
cleanly everywhere else should not be refused as "invalid character (byte 0)".

msgspec decodes recursively, so `[[[[…]]]]` a thousand levels deep raises `RecursionError`, and a
string holding bytes that are not UTF-8 raises `UnicodeDecodeError`; no caller expects either from
bad input. Every place that decodes JSON a client sent goes through here.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

import msgspec

T = TypeVar("T")
TOO_DEEP = "JSON is malformed: nested too deeply (more levels of arrays and objects than can be read)"
_ANY: msgspec.json.Decoder[Any] = msgspec.json.Decoder()
BOM = b"\xef\xbb\xbf"  # U+FEFF in UTF-8


@overload
def decode(data: bytes) -> Any: ...
@overload
def decode(data: bytes, decoder: msgspec.json.Decoder[T]) -> T: ...


def decode(data: bytes, decoder: msgspec.json.Decoder[Any] = _ANY) -> Any:
    """`decoder.decode(data)` less any byte order mark, with nesting too deep raised as a `msgspec.DecodeError`."""
    try:
        return decoder.decode(data.removeprefix(BOM))
    except RecursionError:
        raise msgspec.DecodeError(TOO_DEEP) from None
    except UnicodeDecodeError as exc:
        raise msgspec.DecodeError(not_utf8(exc)) from None


def not_utf8(exc: UnicodeDecodeError) -> str:
    """What to tell a client whose JSON holds bytes that are not UTF-8 (the position is within a string)."""
    byte = exc.object[exc.start : exc.start + 1].hex()
    return f"JSON is malformed: a string holds byte 0x{byte}, which is not UTF-8 (JSON text must be UTF-8)"
