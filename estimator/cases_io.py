"""Reading cases to score from JSON, JSON Lines or CSV in chunks, bad rows reported in place.

A row holds what a single estimate request does: the facts of the case (`Case`), the dates of the
infringing act (`act_start`, `act_end`) when the law version is not stated, what the claimant can
prove (`proved_actual_loss`, `proved_illegal_gains`, `proved_royalty`, `intentional_and_serious`,
`punitive_multiplier`) and how the case ends (`outcome`), so a batch of scenarios gets the same
figures as `POST /v1/estimates` would give each of them.

The fields of a decided-case record that a case does not read (its outcome, court, citation) are
ignored, so a file of decided cases can be scored as it is (back-testing). A record's
`punitive_multiplier` is the court's, not one asked for: it is read only in a row without an award
(`awarded_economic_loss`, `awarded_expenses`, `awarded_total`). Any other unknown field is a
mistake (a misspelt `claimed_economc_loss` would silently drop the claim) and is reported: an
unknown CSV column rejects the whole input, an unknown field a JSON row.

Reading has two stages so that parsing can run in worker processes: the reader cuts the input into
`RawChunk`s (lines, or decoded objects for a JSON array), and `parse_chunk` turns one into `CaseRow`s,
or the error of each row that is not one.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, Literal

import msgspec
from msgspec import Meta

from estimator.cells import cell_value, field_types, kind_of
from estimator.errors import EstimatorError, InvalidInputError, field_named_in, literal_choices, with_choices
from estimator.jsondecode import BOM, decode, out_of_range_in, out_of_range_message, with_out_of_range
from estimator.law.fees import Outcome, Procedure
from estimator.model.case import (
    RECORD_ONLY_FIELDS,
    Case,
    Claim,
    check_act_dates,
    check_intent,
    law_version_of_acts,
)
from estimator.model.estimate import NO_EVIDENCE, Evidence, Question

if TYPE_CHECKING:
    from _csv import Reader

Format = Literal["json", "ndjson", "csv"]
_FORMATS: dict[str, Format] = {".json": "json", ".jsonl": "ndjson", ".ndjson": "ndjson", ".csv": "csv"}


class RawChunk(msgspec.Struct, frozen=True):
    """Consecutive input rows, not yet parsed: `start` is the index of the first row."""

    start: int
    fmt: Format
    rows: list[bytes] | list[dict[str | None, str]] | list[object]


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
    """Cut the input into chunks of `size` rows; only a JSON array is read whole (it cannot stream).

    What makes the whole input unreadable (malformed JSON, not an array, an unknown CSV column) is
    raised here, before any chunk, as an `InvalidInputError`: a caller has written nothing yet.
    """
    if fmt == "json":
        data = stream.read().removeprefix(BOM)
        if not data.strip():
            raise _empty(fmt)
        try:
            rows = decode(data)
        except msgspec.DecodeError as exc:
            # A number too big to read spoils its own row only: the array is read again, with it marked.
            rows = with_out_of_range(data) if "out of range" in str(exc) else None
            if rows is None:
                raise InvalidInputError(_malformed(exc), field=None) from None
        if not isinstance(rows, list):
            raise InvalidInputError("a JSON input must be an array of case objects", field=None)
        return (RawChunk(start, fmt, rows[start : start + size]) for start in range(0, len(rows), size))
    if fmt == "ndjson":
        lines = _lines(stream)
        first = next(lines, None)
        if first is None:
            raise _empty(fmt)
        return _cut(itertools.chain([first], lines), fmt, size)
    # Undecodable bytes are carried as lone surrogates and reported on their own row (`_csv_row`),
    # so one bad cell does not cost the rows after it.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text, strict=True)  # an unclosed quote is an error, not the rest of the file in one cell
    try:
        # The header is the first row with something in it: blank lines before it are skipped.
        header = next((row for row in reader if any(cell.strip() for cell in row)), [])
    except csv.Error as exc:
        raise InvalidInputError(f"the CSV cannot be read: {exc}", field=None) from None
    if not header:
        raise _empty(fmt)
    if bad := _not_utf8(header):
        raise InvalidInputError(f"the CSV header cannot be read: {bad}", field=None)
    unknown = [name for name in header if name and name not in KNOWN_FIELDS]
    if unknown:
        raise InvalidInputError("; ".join(f"unknown CSV column {_unknown(name)}" for name in unknown), field=unknown[0])
    if twice := sorted({name for name in header if name and header.count(name) > 1}):
        raise InvalidInputError("; ".join(f"CSV column `{name}` appears twice" for name in twice), field=twice[0])
    return _csv_chunks(text, reader, header, size)


_WHAT_TO_SEND: dict[Format, str] = {
    "json": "a JSON array of case objects",
    "ndjson": "one case object per line",
    "csv": "a header row naming the fields, then one row per case",
}


def _empty(fmt: Format) -> InvalidInputError:
    """Nothing at all (not even a CSV header) is a mistake in every format; `[]` or a bare header is no rows."""
    return InvalidInputError(f"the input is empty: send {_WHAT_TO_SEND[fmt]}", field=None)


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of an NDJSON input that hold something, a byte order mark before the first skipped."""
    for number, line in enumerate(stream):
        text = line.removeprefix(BOM) if number == 0 else line
        if text.strip():
            yield text


def _csv_chunks(text: io.TextIOWrapper, reader: Reader, header: list[str], size: int) -> Iterator[RawChunk]:
    def rows() -> Iterator[dict[str | None, str]]:
        try:
            for cells in reader:
                # A row of empty cells (`,,,`: a spreadsheet's formatted but unused rows) is no case, and is
                # skipped and not counted, as a blank line is.
                if any(cell.strip() for cell in cells):
                    yield _csv_row(header, cells)
        except csv.Error as exc:
            raise InvalidInputError(f"the CSV cannot be read after line {reader.line_num}: {exc}", field=None) from None

    try:
        yield from _cut(rows(), "csv", size)
    finally:
        text.detach()  # leave the caller's stream open


def _csv_row(header: list[str], cells: list[str]) -> dict[str | None, str]:
    """A row's cells by column name; what makes it no row at all is filed under None, with its id.

    A column without a name (a trailing comma in the header) must hold nothing.
    """
    named: dict[str | None, str] = {name: cell for name, cell in zip(header, cells, strict=False) if name}
    problem = None
    if len(cells) != len(header):
        problem = f"has {len(cells)} cell{'' if len(cells) == 1 else 's'} but the header has {len(header)} columns"
    elif bad := _not_utf8(cells):
        problem = bad
    else:
        stray = next(
            (n for n, (name, cell) in enumerate(zip(header, cells, strict=True), 1) if not name and cell.strip()), None
        )
        if stray is not None:
            problem = f"column {stray} has no name in the header but holds `{cells[stray - 1].strip()}`"
    if problem is None:
        return named
    row_id = named.get("id")
    return {None: problem, **({"id": row_id} if row_id and not _not_utf8([row_id]) else {})}


def _not_utf8(cells: list[str]) -> str | None:
    """Why cells read with `surrogateescape` are not UTF-8 text, or None when they are."""
    for cell in cells:
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError as exc:
            byte = ord(cell[exc.start]) - 0xDC00  # surrogateescape maps byte b to U+DC00 + b
            return f'it is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8 (in Excel: "CSV UTF-8")'
    return None


def _cut(rows: Iterator[bytes] | Iterator[dict[str | None, str]], fmt: Format, size: int) -> Iterator[RawChunk]:
    batch: list[Any] = []
    start = 0
    try:
        for row in rows:
            batch.append(row)
            if len(batch) == size:
                yield RawChunk(start, fmt, batch)
                start += size
                batch = []
    except InvalidInputError:
        if batch:  # the rows read before the input became unreadable are still scored
            yield RawChunk(start, fmt, batch)
        raise
    if batch:
        yield RawChunk(start, fmt, batch)


class CaseRow(Case, frozen=True, kw_only=True):
    """A row to score: a case, when its act took place, what the claimant can prove and how the case ends."""

    act_start: dt.date | None = None
    act_end: dt.date | None = None
    proved_actual_loss: Claim | None = None
    proved_illegal_gains: Claim | None = None
    proved_royalty: Claim | None = None
    intentional_and_serious: bool | None = None
    punitive_multiplier: Annotated[float, Meta(ge=1, le=5)] | None = None
    outcome: Literal["judgment", "mediation", "withdrawal"] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        check_intent(self.intentional, self.intentional_and_serious)
        if self.act_start is not None or self.act_end is not None:
            check_act_dates(self.law_version, self.act_start, self.act_end)
            assert self.act_start is not None  # checked: an end needs a start
            try:
                law_version_of_acts(self.act_start, self.act_end)
            except EstimatorError as exc:  # a failed rule of a row is a ValueError naming its field
                named = f"`{exc.field}`"
                raise ValueError(str(exc) if named in str(exc) else f"{named}: {exc}") from None

    def question(self) -> Question:
        """The row as an estimate's question; a decided-case record's punitive multiple is left out."""
        case: Case = self
        act_date = None
        if self.act_start is not None:
            version = law_version_of_acts(self.act_start, self.act_end)
            case = msgspec.structs.replace(self, law_version=version, act_start=None, act_end=None)
            act_date = self.act_end or self.act_start
        evidence = NO_EVIDENCE
        stated = (self.proved_actual_loss, self.proved_illegal_gains, self.proved_royalty, self.punitive_multiplier)
        if self.intentional_and_serious is not None or stated != _NOTHING_STATED:
            decided = any(getattr(self, name, None) is not None for name in _AWARD_FIELDS)
            evidence = Evidence(
                actual_loss=self.proved_actual_loss,
                illegal_gains=self.proved_illegal_gains,
                royalty=self.proved_royalty,
                intentional_and_serious=bool(self.intentional_and_serious),
                punitive_multiplier=None if decided else self.punitive_multiplier,
                act_date=act_date,
            )
        return Question(
            case=case,
            evidence=evidence,
            procedure=_PROCEDURES[self.procedure],
            outcome=_OUTCOMES[self.outcome],
        )


_NOTHING_STATED = (None, None, None, None)
_PROCEDURES = {None: Procedure.ORDINARY} | {p.value: p for p in Procedure}
_OUTCOMES = {None: Outcome.JUDGMENT} | {o.value: o for o in Outcome}
_AWARD_FIELDS = ("awarded_economic_loss", "awarded_expenses", "awarded_total")


def parse_chunk(chunk: RawChunk) -> list[CaseRow | InvalidInputError]:
    """The rows of a chunk, or each bad row's error naming its index and field."""
    if chunk.rows and isinstance(chunk.rows[0], bytes):
        # Most chunks are clean: decode all their lines as one typed array in one call, and go
        # row by row (to name the bad row) only when that fails.
        try:
            rows = decode(b"[" + b",".join(chunk.rows) + b"]", _CHUNK_DECODER)  # type: ignore[arg-type]
        except (msgspec.DecodeError, msgspec.ValidationError):
            pass
        else:
            if len(rows) == len(chunk.rows):  # a line `{…},{…}` joins into two rows: it is malformed
                return list(rows)
    out: list[CaseRow | InvalidInputError] = []
    for offset, row in enumerate(chunk.rows):
        index = chunk.start + offset
        if isinstance(row, bytes):
            try:
                out.append(_case(decode(row), index))
            except msgspec.DecodeError as exc:
                spoilt = _out_of_range(with_out_of_range(row), index) if "out of range" in str(exc) else None
                out.append(spoilt or InvalidInputError(f"row {index}: {_malformed(exc)}", field=f"[{index}]"))
        else:
            out.append(_case(row, index, from_csv=chunk.fmt == "csv"))
    return out


# A CaseRow that also accepts (and ignores) the fields only a decided-case record has, and refuses any other.
_CaseRow: type[CaseRow] = msgspec.defstruct(  # type: ignore[assignment]  # a subclass of CaseRow, built at run time
    "DecidedCaseRow",
    [(name, Any, None) for name in sorted(RECORD_ONLY_FIELDS - set(CaseRow.__struct_fields__))],
    bases=(CaseRow,),
    kw_only=True,
    frozen=True,
    forbid_unknown_fields=True,
)
KNOWN_FIELDS: frozenset[str] = frozenset(_CaseRow.__struct_fields__)
_CELL_KINDS = {name: kind_of(t) for name, t in field_types(_CaseRow).items()}
_CHUNK_DECODER = msgspec.json.Decoder(list[_CaseRow], strict=False)  # type: ignore[valid-type]
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")
_CHOICES = literal_choices([CaseRow])


def read_cases(stream: BinaryIO, fmt: Format, *, size: int = 8_192) -> Iterator[CaseRow | InvalidInputError]:
    """Every row of the input, in order."""
    for chunk in raw_chunks(stream, fmt, size):
        yield from parse_chunk(chunk)


def _unknown(name: str) -> str:
    """`name`, with the known field it is probably a misspelling of."""
    close = difflib.get_close_matches(name, sorted(KNOWN_FIELDS), n=1)
    return f"`{name}`" + (f" (did you mean `{close[0]}`?)" if close else "")


def _out_of_range(row: object, index: int) -> RowError | None:
    """The error of a row holding a number too big to read (`OUT_OF_RANGE`), naming it; None if none."""
    where = out_of_range_in(row)
    if where is None:
        return None
    field = where.removeprefix("$").removeprefix(".")
    row_id = row.get("id") if isinstance(row, dict) and isinstance(row.get("id"), str) else None
    return RowError(f"row {index}: {out_of_range_message(field)}", field=f"[{index}].{field}", row_id=row_id)


def _malformed(exc: msgspec.DecodeError) -> str:
    return "malformed JSON: " + str(exc).removeprefix("JSON is malformed: ")


def _case(row: object, index: int, *, from_csv: bool = False) -> CaseRow | RowError:
    """One row as a CaseRow, or the error naming the row and field; numbers in strings are accepted.

    A CSV row's cells are read by their fields' types (`estimator.cells`), as the decided-case CSV is.
    """
    row_id = None
    if isinstance(row, dict):
        row_id = row.get("id") if isinstance(row.get("id"), str) else None
        if None in row:  # a CSV row that is no row: `_csv_row` says why
            return RowError(f"row {index}: {row[None]}", field=f"[{index}]", row_id=row_id)
        if from_csv:
            values = {}
            for name, cell in row.items():
                if not cell.strip():
                    continue  # an empty cell is an unstated fact
                try:
                    values[name] = cell_value(_CELL_KINDS[name], cell)
                except ValueError as exc:
                    return RowError(f"row {index}: `{name}`: {exc}", field=f"[{index}].{name}", row_id=row_id)
            row = values
    try:
        return msgspec.convert(row, _CaseRow, strict=False)
    except msgspec.ValidationError as exc:
        if spoilt := _out_of_range(row, index):  # marked when its JSON array was read
            return spoilt
        message = str(exc)
        field = field_named_in(message)  # a cross-field rule fails at the row's root and names its fields
        if " - at `$." in message:
            message, _, path = message.partition(" - at `$.")
            field = path.rstrip("`")
        if unknown := _UNKNOWN_FIELD.search(message):
            field = unknown.group(1)
            message = f"unknown field {_unknown(field)}"
        message = with_choices(message, field, _CHOICES)
        if field and f"`{field}`" not in message:
            message = f"`{field}`: {message}"  # CSV output keeps only the message: it must name the field
        located = f"[{index}].{field}" if field else f"[{index}]"
        return RowError(f"row {index}: {message}", field=located, row_id=row_id)
