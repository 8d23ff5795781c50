"""JSON decoding that reports input nested too deeply, or not UTF-8, as malformed JSON, never as a crash.

A UTF-8 byte order mark before the text is skipped (RFC 8259 §8.1 lets a parser ignore it): Windows
tools, Excel's "CSV UTF-8" and PowerShell's `Out-File` among them, write one, and a file that opens
cleanly everywhere else should not be refused as "invalid character (byte 0)".

msgspec decodes recursively, so `[[[[…]]]]` a thousand levels deep raises `RecursionError`, and a
string holding bytes that are not UTF-8 raises `UnicodeDecodeError`; no caller expects either from
bad input. Every place that decodes JSON a client sent goes through here.
"""

from __future__ import annotations

import json
import math
import re
import sys
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
    except msgspec.DecodeError as exc:  # a ValidationError too: it keeps its type, with a truer message
        message, _ = clearer(str(exc), data)
        raise type(exc)(message) from None
    except RecursionError:
        raise msgspec.DecodeError(TOO_DEEP) from None
    except UnicodeDecodeError as exc:
        raise msgspec.DecodeError(not_utf8(exc)) from None


# A `\uD800`-`\uDFFF` escape not in a high-low pair: half a character, which msgspec reports as
# "Input data was truncated" (it reads on for the other half).
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def clearer(message: str, data: bytes) -> tuple[str, str | None]:
    """msgspec's message for failing on `data`, made truer where it misleads, and where a number too big
    to read is when that is the trouble (else None).

    Decoding without a type, msgspec cannot say where such a number is (`$[...]`), and it reports a
    lone surrogate as a cut-short input. Every reader of a client's JSON (`decode`, the API's request
    class) asks here, so the two say the same.
    """
    if "out of range" in message and (where := out_of_range_at(data)) is not None:
        return f"Number out of range - at `{where}`", where
    if "Input data was truncated" in message and (lone := _LONE_SURROGATE.search(data)):
        escape = lone.group().decode()
        return (
            f"JSON is malformed: `{escape}` (byte {lone.start()}) is half of a surrogate pair, which stands for no "
            "character; write the character itself, or both halves of its pair"
        ), None
    return message, None


def not_utf8(exc: UnicodeDecodeError) -> str:
    """What to tell a client whose JSON holds bytes that are not UTF-8 (the position is within a string)."""
    byte = exc.object[exc.start : exc.start + 1].hex()
    return f"JSON is malformed: a string holds byte 0x{byte}, which is not UTF-8 (JSON text must be UTF-8)"


class _OutOfRange:
    """Stands for a number msgspec cannot read, where `out_of_range_at` finds it."""


OUT_OF_RANGE = _OutOfRange()
# msgspec reads an integer of any size up to Python's limit on the digits of one (4,300 by default,
# `sys.set_int_max_str_digits`); a float, up to about 1.8e308.
_INT_DIGITS = sys.get_int_max_str_digits() or math.inf


def _float(text: str) -> float | _OutOfRange:
    value = float(text)
    return OUT_OF_RANGE if math.isinf(value) else value


def _int(text: str) -> int | _OutOfRange:
    return OUT_OF_RANGE if len(text.lstrip("-")) > _INT_DIGITS else int(text)


def with_out_of_range(data: bytes) -> Any:
    """`data` parsed with every number too big to read (`1e400`, an integer of more digits than Python
    allows) left as `OUT_OF_RANGE`; None when `data` is not JSON. Python's own parser: slower than msgspec's, it
    runs only where msgspec has failed on such a number, to say where it is."""
    try:
        return json.loads(data.removeprefix(BOM), parse_float=_float, parse_int=_int, object_pairs_hook=_object)
    except (ValueError, RecursionError):
        return None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose key given twice keeps an out-of-range value over the other (to find it)."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if obj.get(key) is not OUT_OF_RANGE:
            obj[key] = value
    return obj


def out_of_range_in(tree: Any, path: str = "$") -> str | None:
    """The path (`$.claimed_economic_loss`, `$[1].audience`) of the first `OUT_OF_RANGE` in `tree`."""
    stack: list[tuple[Any, str]] = [(tree, path)]
    while stack:
        node, at = stack.pop()
        if node is OUT_OF_RANGE:
            return at
        if isinstance(node, dict):
            stack.extend((value, f"{at}.{key}") for key, value in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((value, f"{at}[{i}]") for i, value in reversed(list(enumerate(node))))
    return None


def out_of_range_at(data: bytes) -> str | None:
    """Where in `data` the first number too big to read is; None when there is none or `data` is not JSON."""
    return out_of_range_in(with_out_of_range(data))


def out_of_range_message(where: str) -> str:
    return f"number out of range at `{where}`: too large to read as a number"
