"""Reusable constrained wire types: their descriptions and examples flow into the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

# 10^12 yuan: larger than any claim a Chinese court has seen; beyond it a figure is a typo.
MAX_YUAN = 1e12

Yuan = Annotated[float, Meta(ge=0, le=MAX_YUAN, description="An amount in yuan (RMB), 0 or more.")]
PositiveYuan = Annotated[float, Meta(gt=0, le=MAX_YUAN, description="An amount in yuan (RMB), more than 0.")]
# The estimate's amounts are whole yuan, so an amount it reads as a claim or a proved loss is at least
# 1 yuan (the symbolic claim courts do see); a smaller one would be estimated as 0.
ClaimYuan = Annotated[
    float, Meta(ge=1, le=MAX_YUAN, description="An amount claimed or proved, in yuan (RMB): at least 1.")
]
Share = Annotated[float, Meta(ge=0, le=1, description="A share between 0 and 1.")]
Date = Annotated[dt.date, Meta(description="A calendar date, YYYY-MM-DD.")]
Days = Annotated[int, Meta(ge=0, le=36_600, description="A number of days (at most a century).")]
RoundingChoice = Literal["cent", "yuan"]


class Request(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every request body: immutable, keyword-only, and a typo in a field name is an error."""


class Response(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every response body."""


class FieldError(Response, frozen=True):
    path: Annotated[str, Meta(description="JSON path of the offending field, e.g. `$.claim_amount`.")]
    field: Annotated[str | None, Meta(description="The field's name, as sent.")]
    message: str


class Problem(Response, frozen=True):
    """RFC 9457 problem details, as every error of this API is reported."""

    type: Annotated[str, Meta(description="A URI reference naming the kind of problem.")]
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


# A label a person can read, in any script: no control characters (C0, DEL, C1), line or paragraph
# separators, text-direction overrides, isolates or marks (which make "exe.txt" display as "txt.exe"),
# or U+FFFD (what a query's bytes that are not UTF-8 decode to). `label_problem` asks, besides, for
# one character that shows: a label of spaces or invisible characters is no label.
LABEL_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffd]+$"
# Letters that draw nothing: Hangul fillers and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
NOT_A_LABEL = (
    "a label needs a character that shows (not only spaces or invisible characters), and no control "
    "characters, line breaks, text-direction controls or unassigned code points"
)


def label_problem(text: str) -> str | None:
    """Why `text` is no readable label (`NOT_A_LABEL`), or None: one character must be neither a space,
    a control or format character, a combining mark, nor a letter that draws nothing, and none may be
    a code point Unicode leaves unassigned (U+FFFF, say), which no font draws."""
    categories = [unicodedata.category(c) for c in text]
    shows = any(cat[0] not in "ZCM" and c not in _BLANK_LETTERS for c, cat in zip(text, categories, strict=True))
    return None if shows and "Cn" not in categories else NOT_A_LABEL
