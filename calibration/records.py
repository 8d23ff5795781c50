"""The decided-case record schema, and loading records from JSON, NDJSON or CSV reporting every problem.

A `CaseRecord` is one decided Chinese copyright case as described in `calibration/data/README.md`.
Real judgments leave much unstated, so every field but `id` may be `null`: unknown is a value of its
own and is never filled in by a guess. Field constraints are `msgspec.Meta` annotations (so they also
appear in the JSON Schema); rules that relate two fields are in `CaseRecord.__post_init__`.

The loaders validate a whole upload before failing, so one `RecordsError` lists every bad record
(up to `MAX_ISSUES`), each with its 0-based position, its id and the field at fault.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import msgspec
from msgspec import Meta

from estimator.cells import LIST_SEPARATOR, cell_value, field_types, kind_of
from estimator.errors import InvalidInputError
from estimator.jsondecode import BOM, decode, out_of_range_at
from estimator.model.case import (
    AMOUNT_TOLERANCE,
    Fame,
    LawVersion,
    PartyType,
    PlaintiffType,
    Procedure,
    Remediation,
    Role,
    WorkType,
    check_claim_parts,
    check_parts_within,
)

__all__ = [
    "FIELD_NAMES",
    "MAX_ISSUES",
    "CaseRecord",
    "Format",
    "RecordIssue",
    "RecordsError",
    "TooManyRecordsError",
    "Yuan",
    "bundled_records",
    "load_records",
    "parse_records",
    "records_to_csv",
]

# --- value types -----------------------------------------------------------------------------------

Yuan = Annotated[float, Meta(ge=0, le=1e12)]
"""An amount of money in yuan; 1e12 matches `estimator.money.MAX_AMOUNT` (beyond it, a typo)."""

Count = Annotated[int, Meta(ge=0, le=10**15)]
"""A non-negative whole number (days, views, copies)."""

Text = Annotated[str, Meta(min_length=1, max_length=10_000)]
"""Free text. Never empty: a missing value is `null`, which also keeps CSV round-trips exact."""

Right = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""A right name in snake_case (`dissemination`, `reproduction`); no `;`, the CSV list separator."""

Instance = Literal["first", "second"]
# The facts' enumerations are the estimator's (`estimator.model.case`): one definition for both.
DefendantType = PartyType
InfringementRole = Role
DamagesMethod = Literal["statutory", "actual_loss", "illegal_gain", "royalty", "punitive"]

# Lowercase slugs in the bundled data; uploads may also use capitals, `_` and `.`.
ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# Only the shape here; whether the day exists (2023-02-30) is checked in `__post_init__`.
DATE_PATTERN: Final = r"^[0-9]{4}(-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?$"

# The first Copyright Law of the PRC took effect on 1991-06-01: no copyright judgment predates it.
FIRST_COPYRIGHT_LAW_YEAR: Final = 1991
# The 2020 amendment took effect on 2021-06-01; a judgment before that cannot have applied it.
LAW_2020_IN_FORCE: Final = date(2021, 6, 1)
# Sums of yuan amounts are compared with this slack, so float rounding of cents never trips a rule.
TOLERANCE: Final = AMOUNT_TOLERANCE


# --- the record ------------------------------------------------------------------------------------


class CaseRecord(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One decided case; every field but `id` is `None` where the source does not state it.

    Constraints are enforced when a record is decoded or converted by msgspec (as the loaders do);
    constructing one directly only runs the cross-field checks of `__post_init__`.
    """

    id: Annotated[str, Meta(min_length=1, max_length=200, pattern=ID_PATTERN, description="Stable slug.")]
    case_number: Annotated[
        Text | None, Meta(description="Court case number, e.g. `(2023)京0491民初11279号`, when known.")
    ] = None
    court: Annotated[Text | None, Meta(description="The court, by its English name.")] = None
    city: Annotated[Text | None, Meta(description="The city of the court.")] = None
    judgment_date: Annotated[
        Annotated[str, Meta(pattern=DATE_PATTERN)] | None,
        Meta(description="Date (`YYYY-MM-DD`) or year (`YYYY`) of the judgment."),
    ] = None
    instance: Annotated[Instance | None, Meta(description="`first` instance, or `second` (an appeal).")] = None
    procedure: Annotated[
        Procedure | None, Meta(description="Trial procedure: `ordinary`, `simplified` or `small_claims`.")
    ] = None
    law_version: Annotated[
        LawVersion | None,
        Meta(
            description="Copyright Law version applied: `2010` (acts before 2021-06-01; statutory cap "
            "500,000, no floor) or `2020` (statutory 500 to 5,000,000; punitive 1-5x); `2001` for the "
            "text in force before 2010-04-01 (same cap as 2010)."
        ),
    ] = None
    work_type: Annotated[WorkType | None, Meta(description="Kind of work infringed.")] = None
    works_count: Annotated[
        Annotated[int, Meta(ge=1, le=10**9)] | None, Meta(description="Number of works infringed.")
    ] = None
    plaintiff_type: Annotated[PlaintiffType | None, Meta(description="Plaintiff: `individual` or `company`.")] = None
    defendant_type: Annotated[
        DefendantType | None, Meta(description="Defendant: `individual`, `company` or `platform`.")
    ] = None
    infringement_role: Annotated[
        InfringementRole | None,
        Meta(description="`direct`, or `contributory` (aiding, e.g. a platform that failed its duty of care)."),
    ] = None
    rights: Annotated[
        Annotated[tuple[Right, ...], Meta(min_length=1)] | None,
        Meta(description="Rights found infringed (or asserted, see `note`); null, never empty, when unknown."),
    ] = None
    commercial_use: Annotated[
        bool | None,
        Meta(description="The defendant used the work commercially or profited from the service."),
    ] = None
    fame: Annotated[
        Fame | None, Meta(description="Fame of the work, only where the court commented on its recognition.")
    ] = None
    intentional: Annotated[bool | None, Meta(description="Wilful or repeated infringement.")] = None
    remediation: Annotated[
        Remediation | None,
        Meta(description="When the defendant stopped or removed: `none`, `before_suit`, `after_notice`, `after_suit`."),
    ] = None
    duration_days: Annotated[Count | None, Meta(description="Length of the infringement in days.")] = None
    audience: Annotated[
        Count | None, Meta(description="Reach of the infringement: views, followers, downloads or copies.")
    ] = None
    damages_method: Annotated[
        DamagesMethod | None,
        Meta(
            description="Basis of the damages: `statutory`, `actual_loss`, `illegal_gain`, `royalty` or "
            "`punitive` (null: not stated)."
        ),
    ] = None
    claimed_economic_loss: Annotated[Yuan | None, Meta(description="Economic loss the plaintiff claimed, in yuan.")] = (
        None
    )
    claimed_expenses: Annotated[
        Yuan | None, Meta(description="Reasonable expenses the plaintiff claimed, in yuan.")
    ] = None
    claimed_total: Annotated[
        Yuan | None, Meta(description="What the plaintiff claimed in all (loss and expenses), in yuan.")
    ] = None
    notarization_fee: Annotated[
        Yuan | None, Meta(description="Notarization fee, a part of the claimed expenses, in yuan.")
    ] = None
    attorney_fee_claimed: Annotated[
        Yuan | None, Meta(description="Attorney fee, a part of the claimed expenses, in yuan.")
    ] = None
    evidence_fee: Annotated[
        Yuan | None, Meta(description="Evidence costs, a part of the claimed expenses, in yuan.")
    ] = None
    awarded_economic_loss: Annotated[Yuan | None, Meta(description="Economic loss the court awarded, in yuan.")] = None
    awarded_expenses: Annotated[Yuan | None, Meta(description="Reasonable expenses the court awarded, in yuan.")] = None
    awarded_total: Annotated[Yuan | None, Meta(description="What the court awarded in all, in yuan.")] = None
    award_includes_expenses: Annotated[
        bool | None, Meta(description="True when the court gave one figure covering loss and expenses.")
    ] = None
    acceptance_fee: Annotated[
        Yuan | None,
        Meta(description="Court acceptance fee as the source states it (before halving), in yuan."),
    ] = None
    fee_plaintiff: Annotated[
        Yuan | None, Meta(description="Part of the acceptance fee charged to the plaintiff, in yuan.")
    ] = None
    fee_defendant: Annotated[
        Yuan | None, Meta(description="Part of the acceptance fee charged to the defendant, in yuan.")
    ] = None
    fee_halved: Annotated[
        bool | None,
        Meta(description="Whether the acceptance fee was halved (the shares then add up to half)."),
    ] = None
    punitive_multiplier: Annotated[
        Annotated[float, Meta(ge=1, le=5)] | None,
        Meta(description="The multiple applied in a punitive award (1 to 5)."),
    ] = None
    source_url: Annotated[
        Text | None, Meta(description="Where the record was read: a URL, or a citation where there is none.")
    ] = None
    note: Annotated[Text | None, Meta(description="The court's reasons in brief, in our own words.")] = None

    def __post_init__(self) -> None:
        """Reject combinations of fields that cannot all be true; each rule holds on the bundled data.

        Rules considered and left out, because a bundled record (and so real data) breaks them:
        - `claimed_total` = `claimed_economic_loss` + `claimed_expenses`: `mianmian-v-google-books`
          also claimed 10,000 of mental damages, so the total is larger (only `<=` is checked).
        - a `statutory` award within the cap of its law version: `youku-v-letv-xiaoao-jianghu-3` is
          marked statutory with 1,000,000 under the 2010 law (cap 500,000).
        - `law_version` `2010` only for judgments from 2010: eight judgments of 2004-2009 are filed
          under `2010` (the README groups every act before 2021-06-01 there; the 2001 cap is the same).
        - `source_url` must be a URL: two records cite a source that has none.
        Not a rule for another reason: `fee_halved` without `simplified` procedure, since the fee is
        also halved on mediation or withdrawal under ordinary procedure (Measures art. 15).
        """
        judgment = _judgment_date(self.judgment_date)
        _check_law_version(self, judgment)
        _check_punitive(self)
        _check_procedure(self)
        _check_parts_within_total(self)
        _check_award_within_claim(self)
        _check_fee_shares(self)

    @property
    def year(self) -> int | None:
        """Year of the judgment, or None when its date is unknown."""
        return None if self.judgment_date is None else int(self.judgment_date[:4])


def _judgment_date(value: str | None) -> date | None:
    """The judgment date as the earliest day it can be (1 January for a bare year), checking it exists."""
    if value is None:
        return None
    try:
        day = date(int(value), 1, 1) if len(value) == 4 else date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"`judgment_date` {value!r} is not a real date (YYYY or YYYY-MM-DD)") from None
    if day.year < FIRST_COPYRIGHT_LAW_YEAR:
        raise ValueError(f"`judgment_date` {value} is before the first Copyright Law ({FIRST_COPYRIGHT_LAW_YEAR})")
    return day


def _check_law_version(record: CaseRecord, judgment: date | None) -> None:
    if record.law_version != "2020" or judgment is None:
        return
    # A bare year stands for its 1 January, so compare whole years for it: `2021` may be after June.
    too_early = (
        judgment.year < LAW_2020_IN_FORCE.year
        if record.judgment_date is not None and len(record.judgment_date) == 4
        else judgment < LAW_2020_IN_FORCE
    )
    if too_early:
        raise ValueError(
            f"`law_version` 2020 took effect on {LAW_2020_IN_FORCE.isoformat()}, "
            f"after the `judgment_date` {record.judgment_date}"
        )


def _check_punitive(record: CaseRecord) -> None:
    punitive = record.damages_method == "punitive" or record.punitive_multiplier is not None
    if record.punitive_multiplier is not None and record.damages_method not in (None, "punitive"):
        raise ValueError(
            f"`punitive_multiplier` is given but `damages_method` is {record.damages_method!r}, not 'punitive'"
        )
    if punitive and record.law_version in ("2001", "2010"):
        raise ValueError(
            f"punitive damages (`damages_method`, `punitive_multiplier`) need `law_version` 2020; "
            f"law {record.law_version} has none"
        )


def _check_procedure(record: CaseRecord) -> None:
    # Simplified and small-claims procedures exist only at first instance; small claims are final.
    if record.instance == "second" and record.procedure in ("simplified", "small_claims"):
        raise ValueError(f"`procedure` {record.procedure} is a first-instance procedure, but `instance` is second")


def _check_parts_within_total(record: CaseRecord) -> None:
    check_claim_parts(record)
    check_parts_within(
        "awarded_total",
        record.awarded_total,
        {"awarded_economic_loss": record.awarded_economic_loss, "awarded_expenses": record.awarded_expenses},
    )


def _check_award_within_claim(record: CaseRecord) -> None:
    # README: "A court never awards more than was claimed" (the claim bounds the judgment).
    for part in ("total", "economic_loss", "expenses"):
        awarded = getattr(record, f"awarded_{part}")
        claimed = getattr(record, f"claimed_{part}")
        if awarded is not None and claimed is not None and awarded > claimed + TOLERANCE:
            raise ValueError(
                f"`awarded_{part}` ({_fmt(awarded)}) is more than `claimed_{part}` ({_fmt(claimed)}); "
                "a court does not award more than was claimed"
            )


def _check_fee_shares(record: CaseRecord) -> None:
    if record.acceptance_fee is None:
        return
    # README: `acceptance_fee` is the full fee; when it was halved the shares add up to half of it.
    payable = record.acceptance_fee / 2 if record.fee_halved else record.acceptance_fee
    shares = {
        name: value for name in ("fee_plaintiff", "fee_defendant") if (value := getattr(record, name)) is not None
    }
    if sum(shares.values()) > payable + TOLERANCE:
        named = " + ".join(f"`{name}`" for name in shares)
        halved = " halved (`fee_halved`)" if record.fee_halved else ""
        raise ValueError(
            f"{named} ({_fmt(sum(shares.values()))}) exceed the fee payable: "
            f"`acceptance_fee` {_fmt(record.acceptance_fee)}{halved} = {_fmt(payable)}"
        )


def _fmt(amount: float) -> str:
    return f"{amount:,.2f}".removesuffix(".00")


FIELD_NAMES: Final[tuple[str, ...]] = CaseRecord.__struct_fields__
"""The record fields in schema order: the keys of a JSON record and the columns of a CSV file."""

# --- errors ----------------------------------------------------------------------------------------

MAX_ISSUES: Final = 100
"""At most this many issues are kept on a `RecordsError`; the message says how many more there were."""


class RecordIssue(msgspec.Struct, frozen=True, kw_only=True):
    """One problem in an upload of case records.

    `index` is the 0-based position of the record (None when the problem is not about one record:
    a malformed JSON document, a bad CSV header, an empty upload); `field` is the record field or CSV
    column at fault (None when no single field is); `message` is a complete sentence that also says
    where the record is (its line, for NDJSON and CSV) so it can be shown on its own.
    """

    index: int | None
    id: str | None
    field: str | None
    message: str


class RecordsError(InvalidInputError):
    """An upload of case records has bad records; `errors` lists them (at most `MAX_ISSUES`).

    `issue_count` is the number of issues found, which can exceed `len(errors)`. `field` follows
    `estimator.errors`: the path of the first issue from the root of the upload, e.g.
    `[2].claimed_total`.
    """

    title = "Invalid case records"

    def __init__(self, issues: Sequence[RecordIssue], *, issue_count: int | None = None) -> None:
        if not issues:
            raise ValueError("a RecordsError needs at least one issue")
        self.errors: list[RecordIssue] = list(issues[:MAX_ISSUES])
        self.issue_count: int = max(issue_count or 0, len(issues))
        super().__init__(_summary(self.errors, self.issue_count), field=_path(self.errors[0]))


def _path(issue: RecordIssue) -> str | None:
    if issue.index is None:
        return issue.field
    return f"[{issue.index}]" if issue.field is None else f"[{issue.index}].{issue.field}"


def _summary(issues: Sequence[RecordIssue], issue_count: int) -> str:
    first = issues[0].message
    if issue_count == 1:
        return first
    bad_records = len({issue.index for issue in issues if issue.index is not None})
    if bad_records > 1:
        head = f"{bad_records} records are invalid ({issue_count} problems)"
    else:
        head = f"{issue_count} problems in the records"
    unlisted = issue_count - len(issues)
    tail = f"; {unlisted} more not listed" if unlisted else ""
    return f"{head}; first: {first}{tail}"


# --- loaders ---------------------------------------------------------------------------------------

Format = Literal["json", "ndjson", "csv"]
_EXTENSIONS: Final[dict[str, Format]] = {
    ".json": "json",
    ".jsonl": "ndjson",
    ".ndjson": "ndjson",
    ".csv": "csv",
}


@dataclass(frozen=True, slots=True)
class _Entry:
    """One record as read from the upload, before validation (`value` is None when unreadable)."""

    index: int
    line: int | None
    value: Any
    problems: tuple[tuple[str | None, str], ...] = ()  # (field, message) found while reading it


class _Collector:
    """Gathers issues (keeping the first `MAX_ISSUES`) and raises them all at once."""

    def __init__(self) -> None:
        self.issues: list[RecordIssue] = []
        self.count = 0

    def add(self, entry: _Entry | None, field: str | None, problem: str, *, record_id: str | None = None) -> None:
        self.count += 1
        if len(self.issues) >= MAX_ISSUES:
            return
        index = None if entry is None else entry.index
        self.issues.append(
            RecordIssue(index=index, id=record_id, field=field, message=_locate(entry, record_id, field, problem))
        )

    def raise_if_any(self) -> None:
        if self.count:
            raise RecordsError(self.issues, issue_count=self.count)


def _locate(entry: _Entry | None, record_id: str | None, field: str | None, problem: str) -> str:
    if entry is None:
        return problem
    where = [f"line {entry.line}"] if entry.line is not None else []
    if record_id is not None:
        where.append(f"id `{record_id}`")
    head = f"record {entry.index}" + (f" ({', '.join(where)})" if where else "")
    if field is not None:
        head += f", field `{field}`"
    return f"{head}: {problem}"


def _fail(message: str, *, field: str | None = None) -> RecordsError:
    return RecordsError([RecordIssue(index=None, id=None, field=field, message=message)])


def parse_records(data: bytes, fmt: Format, *, max_records: int | None = None) -> list[CaseRecord]:
    """Decode and validate case records from a JSON array, NDJSON lines or CSV with a header row.

    Every record is checked before failing, so the `RecordsError` lists all bad records; ids must be
    unique, the upload must hold at least one record and no more than `max_records`.
    """
    if max_records is not None and max_records < 1:
        raise ValueError(f"max_records must be at least 1, got {max_records}")
    data = data.removeprefix(BOM)
    if not data.strip():
        raise _fail("the input is empty: there are no records")
    if fmt == "json":
        entries = _json_entries(data, max_records)
    elif fmt == "ndjson":
        entries = _ndjson_entries(data, max_records)
    elif fmt == "csv":
        entries = _csv_entries(data, max_records)
    else:
        raise _fail(f"unknown format {fmt!r}; use json, ndjson or csv", field="fmt")
    if not entries:
        raise _fail(f"the {fmt} input holds no records")
    return _validate(entries)


def load_records(path: str | os.PathLike[str], *, max_records: int | None = None) -> list[CaseRecord]:
    """Read case records from a file, by extension: `.json`, `.jsonl`/`.ndjson` or `.csv`.

    An unreadable file raises `OSError` as usual; bad contents raise `RecordsError`.
    """
    file = Path(path)
    fmt = _EXTENSIONS.get(file.suffix.lower())
    if fmt is None:
        known = ", ".join(_EXTENSIONS)
        raise _fail(f"cannot tell the format of {file.name!r} from its extension; use one of {known}", field="path")
    return parse_records(file.read_bytes(), fmt, max_records=max_records)


def bundled_records() -> list[CaseRecord]:
    """The decided cases shipped with the package (`calibration/data/cases.jsonl`)."""
    return list(_bundled())


@functools.cache
def _bundled() -> tuple[CaseRecord, ...]:
    # A tuple is cached, and a fresh list handed out, so no caller can change another's records.
    data = importlib.resources.files("calibration").joinpath("data/cases.jsonl").read_bytes()
    return tuple(parse_records(data, "ndjson"))


class TooManyRecordsError(RecordsError):
    """An upload with more records than allowed: a size limit, not a fault of any one record."""


def _too_many(max_records: int) -> RecordsError:
    return TooManyRecordsError(
        [
            RecordIssue(
                index=max_records,
                id=None,
                field=None,
                message=f"more than the {max_records} records allowed in one upload (record {max_records},"
                " counting from 0, is the first too many)",
            )
        ]
    )


def _json_entries(data: bytes, max_records: int | None) -> list[_Entry]:
    try:
        document = decode(data)
    except msgspec.DecodeError as exc:
        if where := _out_of_range(exc, data):  # `$[3].claimed_expenses`: its record and field
            index, _, field = where.removeprefix("$[").partition("].")
            if index.isdigit():
                raise RecordsError(
                    [
                        RecordIssue(
                            index=int(index),
                            id=None,
                            field=field or None,
                            message=f"record {index}: the JSON is malformed: {_syntax(exc, data)}",
                        )
                    ]
                ) from None
        raise _fail(f"the JSON is malformed: {_syntax(exc, data)}") from None
    if not isinstance(document, list):
        raise _fail(f"the JSON must be an array of record objects, not {_json_kind(document)}")
    if max_records is not None and len(document) > max_records:
        raise _too_many(max_records)
    return [_Entry(index, None, value) for index, value in enumerate(document)]


def _ndjson_entries(data: bytes, max_records: int | None) -> list[_Entry]:
    entries: list[_Entry] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue  # blank lines (and a final newline) separate nothing
        if max_records is not None and len(entries) >= max_records:
            raise _too_many(max_records)
        index = len(entries)
        try:
            entries.append(_Entry(index, number, decode(line)))
        except msgspec.DecodeError as exc:
            problem = f"the JSON is malformed: {_syntax(exc, line)}"
            field = (_out_of_range(exc, line) or "").removeprefix("$").removeprefix(".") or None
            entries.append(_Entry(index, number, None, ((field, problem),)))
    return entries


def _out_of_range(exc: msgspec.DecodeError, data: bytes) -> str | None:
    """Where the number too big to read is (`$.claimed_expenses`), when that is what `exc` is about."""
    return out_of_range_at(data) if str(exc).startswith("Number out of range") else None


def _syntax(exc: msgspec.DecodeError, data: bytes) -> str:
    message = str(exc).removeprefix("JSON is malformed: ")
    if message.startswith("Input data was truncated"):
        # msgspec gives no position for a document cut short: it is the end of the input.
        return f"{message} (at byte {len(data)}, the end of the input)"
    if message.startswith("Number out of range"):  # 1e400: where it is, not "the end of the input"
        return message.replace("Number out of range", "a number is beyond the largest that can be read (about 1.8e308)")
    return message


def _json_kind(value: Any) -> str:
    kinds = {dict: "an object", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


# CSV cells are text: each is turned into the JSON-like value its field's type expects.
_FIELD_TYPES: Final = field_types(CaseRecord)
_CELL_KINDS: Final = {name: kind_of(t) for name, t in _FIELD_TYPES.items()}
_CHOICES: Final = {
    name: tuple(str(value) for value in t.values)
    for name, t in _FIELD_TYPES.items()
    if isinstance(t, msgspec.inspect.LiteralType)
}
# What a value of a field with a regex must look like, said in words rather than as the regex.
_PATTERN_HINTS: Final = {
    "id": "a slug of letters, digits, `.`, `_` and `-`",
    "judgment_date": "a date YYYY-MM-DD or a year YYYY",
    "rights": "a right name in snake_case, such as `dissemination`",
}


def _csv_entries(data: bytes, max_records: int | None) -> list[_Entry]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(f"the CSV is not UTF-8 text (bad byte at {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = _csv_rows(reader)
    # The header is the first row with something in it: blank lines (or `,,,`) before it are skipped.
    header_row = next((row for row in rows if any(cell.strip() for cell in row[1])), None)
    if header_row is None:
        return []
    header = _check_header(header_row[1])
    entries: list[_Entry] = []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or a row of empty cells left by a spreadsheet
        if max_records is not None and len(entries) >= max_records:
            raise _too_many(max_records)
        entries.append(_csv_entry(len(entries), line, header, cells))
    return entries


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, cells) for each row; a malformed row ends the reading with an error."""
    line = 1
    while True:
        try:
            cells: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _fail(f"the CSV is malformed near line {reader.line_num}: {exc}") from None
        yield line, cells
        line = reader.line_num + 1


def _check_header(header: list[str]) -> list[str]:
    """The column names, once every one is known and none repeats."""
    names = [name.strip() for name in header]
    issues = [
        RecordIssue(index=None, id=None, field=name, message=f"unknown column `{name}` in the CSV header")
        if name
        else RecordIssue(index=None, id=None, field=None, message=f"column {number} of the CSV header has no name")
        for number, name in enumerate(names, start=1)
        if name not in _CELL_KINDS
    ]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            issues.append(RecordIssue(index=None, id=None, field=name, message=f"column `{name}` appears twice"))
        seen.add(name)
    if "id" not in names:
        issues.append(RecordIssue(index=None, id=None, field="id", message="the CSV header has no `id` column"))
    if issues:
        raise RecordsError(issues)
    return names


def _csv_entry(index: int, line: int, header: list[str], cells: list[str]) -> _Entry:
    if len(cells) != len(header):
        problem = f"has {len(cells)} cells but the header has {len(header)} columns"
        return _Entry(index, line, None, ((None, problem),))
    value: dict[str, Any] = {}
    problems: list[tuple[str | None, str]] = []
    for name, cell in zip(header, cells, strict=True):
        if not cell.strip():
            continue  # an empty cell is null: leave the field at its default
        try:
            value[name] = cell_value(_CELL_KINDS[name], cell)
        except ValueError as exc:
            problems.append((name, str(exc)))
    return _Entry(index, line, value, tuple(problems))


def _validate(entries: list[_Entry]) -> list[CaseRecord]:
    issues = _Collector()
    records: list[CaseRecord] = []
    first_seen: dict[str, _Entry] = {}
    for entry in entries:
        record_id = _peek_id(entry.value)
        for field, problem in entry.problems:
            issues.add(entry, field, problem, record_id=record_id)
        if record_id is not None:
            if (earlier := first_seen.get(record_id)) is not None:
                issues.add(
                    entry,
                    "id",
                    f"duplicate id `{record_id}`, already used by {_position(earlier)}",
                    record_id=record_id,
                )
            else:
                first_seen[record_id] = entry
        if entry.value is None and entry.problems:
            continue  # unreadable: there is nothing to validate
        # A CSV row with bad cells is still validated without them, so its other faults show too.
        try:
            records.append(msgspec.convert(entry.value, CaseRecord))
        except msgspec.ValidationError as exc:
            field, problem = _explain(str(exc), entry.value)
            issues.add(entry, field, problem, record_id=record_id)
    issues.raise_if_any()
    return records


def _position(entry: _Entry) -> str:
    return f"record {entry.index}" + (f" (line {entry.line})" if entry.line is not None else "")


def _peek_id(value: Any) -> str | None:
    if isinstance(value, dict):
        record_id = value.get("id")
        if isinstance(record_id, str) and record_id:
            return record_id
    return None


_AT_PATH = re.compile(r"^(?P<problem>.*) - at `\$(?P<path>[^`]*)`$", re.DOTALL)
_NAMED_FIELD = re.compile(r"^Object (contains unknown|missing required) field `(?P<name>[^`]+)`")
_BACKTICKED = re.compile(r"`([a-z_]+)`")


def _explain(message: str, value: Any) -> tuple[str | None, str]:
    """Split a msgspec validation message into the field at fault and the problem, for one record."""
    match = _AT_PATH.match(message)
    if match is not None:
        problem, path = match["problem"], match["path"].removeprefix(".")
        field = re.split(r"[.\[]", path, maxsplit=1)[0] or None
        problem = _reword(field, problem)
        if field is not None and path != field:
            problem += f" (at `{path}`)"
        elif isinstance(value, dict) and field not in _CHOICES and ", got" not in problem:
            got = value.get(field)
            if isinstance(got, str | int | float | bool):
                problem += f", got {msgspec.json.encode(got).decode()}"
        return field, problem
    named = _NAMED_FIELD.match(message)
    if named is not None:
        return named["name"], message
    # A rule from `__post_init__` names its fields in backticks, the first being the one at fault.
    fields = [name for name in _BACKTICKED.findall(message) if name in _CELL_KINDS]
    return (fields[0] if fields else None), message


def _reword(field: str | None, problem: str) -> str:
    """Say what a value should be in words where msgspec quotes an enum or a regex."""
    if field in _CHOICES and problem.startswith("Invalid enum value"):
        return f"{problem.removeprefix('Invalid enum value ')} is not one of " + ", ".join(_CHOICES[field])
    if field in _PATTERN_HINTS and "matching regex" in problem:
        return f"expected {_PATTERN_HINTS[field]}"
    return problem


# --- writing ---------------------------------------------------------------------------------------


def records_to_csv(records: Iterable[CaseRecord]) -> str:
    """Write records as CSV with a header of `FIELD_NAMES`, in the form `parse_records(..., "csv")` reads.

    Null is an empty cell, booleans are `true`/`false`, `rights` is `;`-separated, and whole amounts
    are written without a decimal point.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELD_NAMES)
    for record in records:
        writer.writerow([_cell_text(getattr(record, name)) for name in FIELD_NAMES])
    return out.getvalue()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    return str(value)
