"""Reading cases to score from JSON, JSON Lines or CSV in chunks, bad rows reported in place.

Outcome fields and any other unknown columns are ignored, so a file of decided cases can be scored
as it is (back-testing). Reading has two stages so that parsing can run in worker processes: the
reader cuts the input into `RawChunk`s (lines, or decoded objects for a JSON array), and
`parse_chunk` turns one into `Case`s, or the error of each row that is not one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal

import msgspec

from estimator.errors import InvalidInputError
from estimator.model.case import Case

Format = Literal["json", "ndjson", "csv"]
_FORMATS: dict[str, Format] = {".json": "json", ".jsonl": "ndjson", ".ndjson": "ndjson", ".csv": "csv"}


class RawChunk(msgspec.Struct, frozen=True):
    """Consecutive input rows, not yet parsed: `start` is the index of the first row."""

    start: int
    fmt: Format
    rows: list[bytes] | list[dict[str, str]] | list[object]
    header_error: str | None = None


class RowError(InvalidInputError):
    """A row that is not a case, with the id it carried (so the answer can be matched to the row)."""

    def __init__(self, message: str, *, field: str | None, row_id: str | None = None) -> None:
        super().__init__(message, field=field)
        self.row_id = row_id


def format_of(path: str | Path) -> Format:
    suffix = Path(path).suffix.lower()
    try:
        return _FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise InvalidInputError(f"cannot tell the format of `{path}`: use one of {known}", field="path") from None


def raw_chunks(stream: BinaryIO, fmt: Format, size: int) -> Iterator[RawChunk]:
    """Cut the input into chunks of `size` rows; only a JSON array is read whole (it cannot stream)."""
    if fmt == "json":
        try:
            rows = msgspec.json.decode(stream.read())
        except msgspec.DecodeError as exc:
            yield RawChunk(0, fmt, [], header_error=f"malformed JSON: {exc}")
            return
        if not isinstance(rows, list):
            yield RawChunk(0, fmt, [], header_error="a JSON input must be an array of case objects")
            return
        for start in range(0, len(rows), size):
            yield RawChunk(start, fmt, rows[start : start + size])
    elif fmt == "ndjson":
        yield from _cut((line for line in stream if line.strip()), fmt, size)
    else:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        yield from _cut(csv.DictReader(text), fmt, size)
        text.detach()  # leave the caller's stream open


def _cut(rows: Iterator[bytes] | Iterator[dict[str, str]], fmt: Format, size: int) -> Iterator[RawChunk]:
    batch: list[Any] = []
    start = 0
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield RawChunk(start, fmt, batch)
            start += size
            batch = []
    if batch:
        yield RawChunk(start, fmt, batch)


def parse_chunk(chunk: RawChunk) -> list[Case | InvalidInputError]:
    """The rows of a chunk as Cases, or each bad row's error naming its index and field."""
    if chunk.header_error is not None:
        return [InvalidInputError(chunk.header_error, field=None)]
    if chunk.rows and isinstance(chunk.rows[0], bytes):
        # Most chunks are clean: decode all their lines as one typed array in one call, and go
        # row by row (to name the bad row) only when that fails.
        try:
            return list(_CHUNK_DECODER.decode(b"[" + b",".join(chunk.rows) + b"]"))  # type: ignore[arg-type]
        except (msgspec.DecodeError, msgspec.ValidationError):
            pass
    out: list[Case | InvalidInputError] = []
    for offset, row in enumerate(chunk.rows):
        index = chunk.start + offset
        if isinstance(row, bytes):
            try:
                out.append(_case(msgspec.json.decode(row), index))
            except msgspec.DecodeError as exc:
                out.append(InvalidInputError(f"row {index}: malformed JSON: {exc}", field=f"[{index}]"))
        else:
            out.append(_case(row, index))
    return out


_CHUNK_DECODER = msgspec.json.Decoder(list[Case], strict=False)


def read_cases(stream: BinaryIO, fmt: Format, *, size: int = 8_192) -> Iterator[Case | InvalidInputError]:
    """Every row of the input, in order."""
    for chunk in raw_chunks(stream, fmt, size):
        yield from parse_chunk(chunk)


def _case(row: object, index: int) -> Case | RowError:
    """One row as a Case, or the error naming the row and field; numbers in strings are accepted."""
    row_id = None
    if isinstance(row, dict):
        row = {k: v for k, v in row.items() if v != "" and v is not None}
        row_id = row.get("id") if isinstance(row.get("id"), str) else None
    try:
        return msgspec.convert(row, Case, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = None
        if " - at `$." in message:
            message, _, path = message.partition(" - at `$.")
            field = path.rstrip("`")
        located = f"[{index}].{field}" if field else f"[{index}]"
        return RowError(f"row {index}: {message}", field=located, row_id=row_id)
