"""One CSV cell read as the value a field of a msgspec Struct takes, for every CSV this project reads.

A CSV knows only text, so each field's type decides how its cell is read: numbers (`46000`,
`46000.0` for a whole number, `1e5`; surrounding spaces ignored; no thousands separators), booleans
(`true`/`false`, `yes`/`no`, `1`/`0`), choices (trimmed), lists (`;`-separated) and free text (kept
as it is, so that it round-trips). A bad cell is a `ValueError` saying what is wrong with it.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final, Literal

import msgspec

CellKind = Literal["str", "enum", "int", "float", "bool", "list"]

LIST_SEPARATOR: Final = ";"
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")  # 10,000 or 1,234,567.50
_BOOLEANS: Final = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def base_type(t: msgspec.inspect.Type) -> msgspec.inspect.Type:
    """The type of a field's value once null and any description are set aside."""
    if isinstance(t, msgspec.inspect.Metadata):
        return base_type(t.type)
    if isinstance(t, msgspec.inspect.UnionType):
        (value_type,) = (m for m in t.types if not isinstance(m, msgspec.inspect.NoneType))
        return base_type(value_type)
    return t


def field_types(struct: type[msgspec.Struct]) -> dict[str, msgspec.inspect.Type]:
    """Each field of `struct` with the type of its value (`base_type`)."""
    info = msgspec.inspect.type_info(struct)
    if not isinstance(info, msgspec.inspect.StructType):
        raise TypeError(f"{struct.__name__} is expected to be a msgspec Struct")
    return {field.name: base_type(field.type) for field in info.fields}


def kind_of(t: msgspec.inspect.Type) -> CellKind:
    """How a cell of a field of type `t` is read; text for what msgspec itself parses from text (dates)."""
    if isinstance(t, msgspec.inspect.BoolType):
        return "bool"
    if isinstance(t, msgspec.inspect.IntType):
        return "int"
    if isinstance(t, msgspec.inspect.FloatType):
        return "float"
    if isinstance(t, msgspec.inspect.LiteralType | msgspec.inspect.EnumType):
        return "enum"
    if isinstance(t, msgspec.inspect.StrType | msgspec.inspect.DateType | msgspec.inspect.AnyType):
        return "str"
    if isinstance(t, msgspec.inspect.VarTupleType | msgspec.inspect.ListType):
        return "list"
    raise TypeError(f"no CSV form for a field of type {t!r}")


def cell_value(kind: CellKind, cell: str) -> Any:
    """The value of a non-empty cell of a field of `kind`; a ValueError naming what is wrong."""
    text = cell.strip()
    if kind == "str":
        return cell  # free text keeps its spaces, so it round-trips exactly
    if kind == "enum":
        return text
    if kind == "list":
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    if kind == "bool":
        try:
            return _BOOLEANS[text.lower()]
        except KeyError:
            raise ValueError(f"{text!r} is not a boolean (use true/false, yes/no or 1/0)") from None
    if not _NUMBER.fullmatch(text):
        if _GROUPED.fullmatch(text):
            plain = text.replace(",", "")
            raise ValueError(f"{text!r} is not a number: write it without thousands separators ({plain})")
        raise ValueError(f"{text!r} is not a number")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is out of range")
    if kind == "int":
        # Spreadsheets write whole numbers as `46000.0`; a fraction is still an error.
        if not number.is_integer():
            raise ValueError(f"{text!r} is not a whole number")
        return int(text) if text.lstrip("+-").isdigit() else int(number)
    return number
