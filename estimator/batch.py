"""Scoring many cases in chunks and writing them as JSON Lines, a JSON array or flat CSV.

Shared by `python -m estimator score` and `POST /v1/estimates/batch`, so the two give the same
figures in the same shapes. Rows are scored `CHUNK` at a time through the vectorised path; a bad
row becomes a problem-details `error` in its place and the others are scored. Memory is bounded by
the chunk, whatever the number of rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

import msgspec

from estimator.cases_io import CaseRow, RawChunk, parse_chunk
from estimator.errors import EstimatorError, problem_of
from estimator.language import Language
from estimator.model.artifact import FittedModel, default_model, load_model
from estimator.model.estimate import Estimate, Settings, estimate_rows

CHUNK = 8_192
OutputFormat = Literal["json", "ndjson", "csv"]


class RowProblem(msgspec.Struct, frozen=True, kw_only=True):
    """A row that could not be scored: its id (where it had one) and the problem."""

    id: str | None
    error: dict[str, object]


Row = Estimate | RowProblem


def chunks(rows: Iterable[CaseRow | EstimatorError], size: int = CHUNK) -> Iterator[list[CaseRow | EstimatorError]]:
    chunk: list[CaseRow | EstimatorError] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def score_chunk(
    model: FittedModel,
    chunk: Sequence[CaseRow | EstimatorError],
    *,
    settings: Settings,
    lang: Language = "en",
    start: int = 0,
) -> list[Row]:
    """Estimates for the good rows of a chunk, errors in place of the bad ones, in input order.

    What an estimate writes for a reader (the route's reason, the assumptions, the fee halving) is
    in `lang`; problem details stay English, like every error of the service. `start`: the index of
    the chunk's first row in the input, which a row the law refuses is named by.
    """
    good = [(i, row) for i, row in enumerate(chunk) if isinstance(row, CaseRow)]
    questions = [row.question() for _, row in good]
    results: list[Row | None] = [None] * len(chunk)
    for (i, case), result in zip(good, estimate_rows(model, questions, settings=settings, lang=lang), strict=True):
        if isinstance(result, EstimatorError):
            results[i] = RowProblem(id=case.id, error=problem_of(result, row=start + i))
        else:
            results[i] = result
    for i, row in enumerate(chunk):
        if isinstance(row, EstimatorError):
            results[i] = RowProblem(id=getattr(row, "row_id", None), error=problem_of(row))
    return [r for r in results if r is not None]


# --- writers -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "law_version",
    "route",
    "floor",
    "cap",
    *(f"economic_loss_{k}" for k in ("mean", "p10", "p25", "p50", "p75", "p90", "p_floor", "p_full_claim")),
    "expenses_claimed",
    "expenses_expected_supported",
    *(f"total_award_{k}" for k in ("mean", "p10", "p25", "p50", "p75", "p90")),
    "acceptance_fee",
    "fee_due",
    "halved",
    "fee_plaintiff_proportional",
    "fee_defendant_proportional",
    "fee_plaintiff_fitted",
    "fee_defendant_fitted",
    "net_recovery_expected",
    "net_recovery_p_negative",
    "model_id",
    "error_type",
    "error_detail",
)


# A cell a spreadsheet would read as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+cmd|...`): CSV injection.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str | None) -> str | None:
    """Text echoed from the input, with a `'` before a leading formula character (OWASP's advice).

    Excel and LibreOffice take `'` as "this is text" and do not show it. A number (`-5`, `+86`) is
    left as it is: it is no formula, and the mark would turn it into text.
    """
    if not text or not text.startswith(_FORMULA_START):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


def flat_row(row: Row) -> tuple[object, ...]:
    """One estimate as the values of `CSV_COLUMNS` (empty cells for what does not apply).

    The id and an error's detail echo what the client sent, so they are made `spreadsheet_safe`.
    """
    if isinstance(row, RowProblem):
        values: dict[str, object] = {
            "id": spreadsheet_safe(row.id),
            "error_type": row.error.get("type"),
            "error_detail": spreadsheet_safe(str(row.error.get("detail") or "")),
        }
        return tuple(values.get(c) for c in CSV_COLUMNS)
    loss, total, fees = row.economic_loss, row.total_award, row.court_fees
    prop, fitted = fees.proportional, fees.fitted
    return (
        spreadsheet_safe(row.id),
        row.law.version,
        row.law.route,
        row.law.floor,
        row.law.cap,
        loss.mean, loss.p10, loss.p25, loss.p50, loss.p75, loss.p90, loss.p_floor, loss.p_full_claim,
        row.expenses.claimed,
        row.expenses.expected_supported,
        total.mean, total.p10, total.p25, total.p50, total.p75, total.p90,
        fees.acceptance_fee,
        fees.fee_due,
        "true" if fees.halved else "false",  # as the input's CSV cells write booleans, not Python's True
        prop.plaintiff if prop else None,
        prop.defendant if prop else None,
        fitted.plaintiff if fitted else None,
        fitted.defendant if fitted else None,
        row.net_recovery.expected,
        row.net_recovery.p_negative,
        row.model.id,
        None,
        None,
    )  # fmt: skip


def encode_rows(rows: Sequence[Row], fmt: OutputFormat) -> bytes:
    """Rows as JSON lines (for `json` and `ndjson`) or CSV rows, unframed: safe to do in a worker."""
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(flat_row(row) for row in rows)
        return buffer.getvalue().encode()
    encoder = _ENCODER
    out = bytearray()
    for row in rows:
        encoder.encode_into(row, out, -1)
        out += b"\n"
    return bytes(out)


_ENCODER = msgspec.json.Encoder()
MEDIA_TYPES: dict[OutputFormat, str] = {"json": "application/json", "ndjson": "application/x-ndjson", "csv": "text/csv"}


class Writer:
    """Frames encoded chunks into one output: `header`, `frame` (or `chunk`) per chunk, `footer`."""

    def __init__(self, fmt: OutputFormat) -> None:
        self.fmt = fmt
        self._first = True

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]

    def header(self) -> bytes:
        if self.fmt == "json":
            return b"["
        if self.fmt == "csv":
            return _csv_line(CSV_COLUMNS)
        return b""

    def chunk(self, rows: Sequence[Row]) -> bytes:
        return self.frame(encode_rows(rows, self.fmt))

    def frame(self, encoded: bytes) -> bytes:
        """JSON lines become array elements (JSON escapes newlines inside strings, so lines are rows)."""
        if self.fmt != "json" or not encoded:
            return encoded
        separator = b"\n" if self._first else b",\n"
        self._first = False
        return separator + encoded.rstrip(b"\n").replace(b"\n", b",\n")

    def footer(self) -> bytes:
        return b"\n]\n" if self.fmt == "json" else b""


def _csv_line(values: Sequence[object]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue().encode()


# --- whole chunks, in this process or in workers ----------------------------------------------------


def score_raw(
    model: FittedModel, chunk: RawChunk, writer: Writer, *, settings: Settings | None = None, lang: Language = "en"
) -> tuple[int, int, bytes]:
    """Parse, score and frame one raw chunk: (rows, rows with errors, bytes to write)."""
    rows, errors, encoded = score_encoded(model, chunk, writer.fmt, settings=settings, lang=lang)
    return rows, errors, writer.frame(encoded)


def score_encoded(
    model: FittedModel, chunk: RawChunk, fmt: OutputFormat, *, settings: Settings | None = None, lang: Language = "en"
) -> tuple[int, int, bytes]:
    """Parse and score one raw chunk and encode it unframed (what a worker process returns)."""
    rows = score_chunk(model, parse_chunk(chunk), settings=settings or Settings(), lang=lang, start=chunk.start)
    errors = sum(1 for row in rows if isinstance(row, RowProblem))
    return len(rows), errors, encode_rows(rows, fmt)


class _Worker:
    """What each worker process loads once: the model, the output format and the language."""

    model: FittedModel
    fmt: OutputFormat
    lang: Language = "en"


def init_worker(model_path: str | None, fmt: OutputFormat, lang: Language = "en") -> None:
    _Worker.model = load_model(model_path) if model_path else default_model()
    _Worker.fmt = fmt
    _Worker.lang = lang


def work(chunk: RawChunk) -> tuple[int, int, bytes]:
    return score_encoded(_Worker.model, chunk, _Worker.fmt, lang=_Worker.lang)
