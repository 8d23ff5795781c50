"""Reading cases to score from JSON, JSON Lines or CSV, one row at a time, bad rows reported in place.

Outcome fields and any other unknown columns are ignored, so a file of decided cases can be scored
as it is (back-testing). Each row yields either a `Case` or the error that row caused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal

import msgspec

from estimator.errors import InvalidInputError
from estimator.model.case import Case

Format = Literal["json", "ndjson", "csv"]
_FORMATS: dict[str, Format] = {".json": "json", ".jsonl": "ndjson", ".ndjson": "ndjson", ".csv": "csv"}


def format_of(path: str | Path) -> Format:
    suffix = Path(path).suffix.lower()
    try:
        return _FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise InvalidInputError(f"cannot tell the format of `{path}`: use one of {known}", field="path") from None


def case_from_mapping(row: object, index: int) -> Case | InvalidInputError:
    """One row as a Case, or the error naming the row and field; numbers in strings are accepted."""
    if isinstance(row, dict):
        row = {k: v for k, v in row.items() if v != "" and v is not None}
    try:
        return msgspec.convert(row, Case, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = None
        if " - at `$." in message:
            message, _, path = message.partition(" - at `$.")
            field = path.rstrip("`")
        return InvalidInputError(f"row {index}: {message}", field=f"[{index}].{field}" if field else f"[{index}]")


def read_cases(stream: BinaryIO, fmt: Format) -> Iterator[Case | InvalidInputError]:
    """Cases from a binary stream, in order; JSON arrays are read whole, the others row by row."""
    if fmt == "json":
        try:
            rows = msgspec.json.decode(stream.read())
        except msgspec.DecodeError as exc:
            yield InvalidInputError(f"malformed JSON: {exc}", field=None)
            return
        if not isinstance(rows, list):
            yield InvalidInputError("a JSON input must be an array of case objects", field=None)
            return
        for index, row in enumerate(rows):
            yield case_from_mapping(row, index)
    elif fmt == "ndjson":
        index = 0
        for line in stream:
            if not line.strip():
                continue
            try:
                row = msgspec.json.decode(line)
            except msgspec.DecodeError as exc:
                yield InvalidInputError(f"row {index}: malformed JSON: {exc}", field=f"[{index}]")
            else:
                yield case_from_mapping(row, index)
            index += 1
    else:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        for index, row in enumerate(csv.DictReader(text)):
            yield case_from_mapping(row, index)
