"""Tests of the case record schema and its loaders: the bundled data, round-trips, and every error path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from calibration.observations import case_of
from calibration.records import (
    FIELD_NAMES,
    MAX_ISSUES,
    CaseRecord,
    Format,
    RecordIssue,
    RecordsError,
    bundled_records,
    load_records,
    parse_records,
    records_to_csv,
)
from estimator.errors import InvalidInputError
from estimator.model.case import RECORD_ONLY_FIELDS, Case

CSV_HEADER = "id,work_type,claimed_total,awarded_total,commercial_use,rights,audience\n"


def as_json(records: list[dict[str, Any]]) -> bytes:
    return json.dumps(records).encode()


def as_ndjson(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


def issues_of(data: bytes, fmt: Format, *, max_records: int | None = None) -> list[RecordIssue]:
    with pytest.raises(RecordsError) as caught:
        parse_records(data, fmt, max_records=max_records)
    return caught.value.errors


def by_id() -> dict[str, CaseRecord]:
    return {record.id: record for record in bundled_records()}


# --- the bundled data ----------------------------------------------------------------------------


def test_all_114_bundled_records_load_with_unique_ids() -> None:
    records = bundled_records()

    assert len(records) == 114
    assert len({record.id for record in records}) == 114


def test_bundled_records_match_the_file_line_for_line() -> None:
    path = Path(__file__).parents[2] / "calibration" / "data" / "cases.jsonl"
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    assert [record.id for record in bundled_records()] == [line["id"] for line in lines]


def test_bundled_records_hands_out_a_fresh_list_each_call() -> None:
    first = bundled_records()
    first.clear()

    assert len(bundled_records()) == 114


@pytest.mark.parametrize(
    (
        "case_id",
        "claimed_total",
        "awarded_total",
        "acceptance_fee",
        "fee_plaintiff",
        "fee_defendant",
        "halved",
    ),
    [
        ("ai-image-li-v-liu-bjic-2023", 5_000, 500, 50, 0, 50, False),
        ("ai-text-dreamwriter-nanshan", 19_000, 1_500, 275, 0, 275, False),
        ("ai-ultraman-gzic-2024", 300_000, 10_000, 5_800, 1_400, 1_500, True),
        ("ai-ultraman-lora-hzic", 300_000, 30_000, None, None, None, None),
    ],
)
def test_reference_cases_are_bundled_with_their_known_figures(
    case_id: str,
    claimed_total: float,
    awarded_total: float,
    acceptance_fee: float | None,
    fee_plaintiff: float | None,
    fee_defendant: float | None,
    halved: bool | None,
) -> None:
    record = by_id()[case_id]

    assert record.claimed_total == claimed_total
    assert record.awarded_total == awarded_total
    assert record.acceptance_fee == acceptance_fee
    assert record.fee_plaintiff == fee_plaintiff
    assert record.fee_defendant == fee_defendant
    assert record.fee_halved is halved


def test_reference_cases_keep_their_distinguishing_facts() -> None:
    cases = by_id()

    assert cases["ai-image-li-v-liu-bjic-2023"].work_type == "ai_image"
    assert cases["ai-image-li-v-liu-bjic-2023"].plaintiff_type == "individual"
    assert cases["ai-text-dreamwriter-nanshan"].work_type == "ai_text"
    assert cases["ai-ultraman-gzic-2024"].procedure == "simplified"
    assert cases["ai-ultraman-gzic-2024"].fame == "high"
    assert cases["ai-ultraman-lora-hzic"].infringement_role == "contributory"
    assert cases["ai-ultraman-lora-hzic"].defendant_type == "platform"


def test_bundled_data_keeps_unknowns_as_none_rather_than_guesses() -> None:
    record = by_id()["ai-image-banxin-changshu-2025"]

    assert record.claimed_total is None
    assert record.procedure is None
    assert record.judgment_date == "2025"
    assert record.awarded_total == 10_000


# --- derived values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("judgment_date", "year"),
    [("2023-11-27", 2023), ("2019", 2019), (None, None)],
)
def test_year_comes_from_the_judgment_date(judgment_date: str | None, year: int | None) -> None:
    assert CaseRecord(id="x", judgment_date=judgment_date).year == year


@pytest.mark.parametrize(
    ("fields", "claim"),
    [
        ({"claimed_economic_loss": 10_000.0, "claimed_expenses": 9_000.0, "claimed_total": 19_000.0}, 10_000),
        ({"claimed_expenses": 9_000.0, "claimed_total": 19_000.0}, 10_000),
        ({"notarization_fee": 1_000.0, "evidence_fee": 500.0, "claimed_total": 19_000.0}, 17_500),
        ({"claimed_total": 19_000.0}, 19_000),
        # A total the expenses use up says nothing of the loss; the record still reads (it may be stored).
        ({"claimed_expenses": 19_000.0, "claimed_total": 19_000.0}, None),
        ({"notarization_fee": 20_000.0, "claimed_total": 19_000.0}, None),
        ({}, None),
    ],
)
def test_a_records_claim_is_read_as_an_estimates_is(fields: dict[str, float], claim: float | None) -> None:
    assert case_of(msgspec.convert({"id": "x", **fields}, CaseRecord)).claim == claim


# --- round-trips ---------------------------------------------------------------------------------


def encode_json(records: list[CaseRecord]) -> bytes:
    return msgspec.json.encode(records)


def encode_ndjson(records: list[CaseRecord]) -> bytes:
    return b"\n".join(msgspec.json.encode(record) for record in records) + b"\n"


def encode_csv(records: list[CaseRecord]) -> bytes:
    return records_to_csv(records).encode()


@pytest.mark.parametrize(("fmt", "encode"), [("json", encode_json), ("ndjson", encode_ndjson), ("csv", encode_csv)])
def test_bundled_records_round_trip_through_each_format(fmt: Format, encode: Any) -> None:
    records = bundled_records()

    assert parse_records(encode(records), fmt) == records


def test_csv_header_is_every_field_in_schema_order() -> None:
    header = records_to_csv(bundled_records()[:1]).splitlines()[0]

    assert tuple(header.split(",")) == FIELD_NAMES
    assert FIELD_NAMES[0] == "id"
    assert len(FIELD_NAMES) == 38


def test_csv_writes_nulls_empty_booleans_as_words_and_whole_amounts_without_decimals() -> None:
    record = CaseRecord(id="x", rights=("reproduction", "dissemination"), commercial_use=True, claimed_total=5000.0)

    row = records_to_csv([record]).splitlines()[1].split(",")
    cells = dict(zip(FIELD_NAMES, row, strict=True))

    assert cells["rights"] == "reproduction;dissemination"
    assert cells["commercial_use"] == "true"
    assert cells["claimed_total"] == "5000"
    assert cells["court"] == ""


@pytest.mark.parametrize(
    ("suffix", "encode"),
    [(".json", encode_json), (".jsonl", encode_ndjson), (".ndjson", encode_ndjson), (".CSV", encode_csv)],
)
def test_load_records_picks_the_format_by_extension(tmp_path: Path, suffix: str, encode: Any) -> None:
    records = bundled_records()[:5]
    path = tmp_path / f"cases{suffix}"
    path.write_bytes(encode(records))

    assert load_records(path) == records


@pytest.mark.parametrize("name", ["cases.txt", "cases.xlsx", "cases"])
def test_load_records_rejects_an_unknown_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(encode_json(bundled_records()[:1]))

    with pytest.raises(RecordsError) as caught:
        load_records(path)

    assert caught.value.errors[0].field == "path"
    assert ".jsonl" in caught.value.message


# --- CSV cells -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("Yes", True),
        ("false", False),
        ("0", False),
        ("no", False),
    ],
)
def test_csv_booleans_accept_words_and_digits_in_any_case(cell: str, value: bool) -> None:
    (record,) = parse_records(f"id,commercial_use\nx,{cell}\n".encode(), "csv")

    assert record.commercial_use is value


def test_csv_reads_lists_numbers_and_empty_cells() -> None:
    data = (CSV_HEADER + "x,ai_image,5000,500.5, ,attribution; dissemination,46000.0\n").encode()

    (record,) = parse_records(data, "csv")

    assert record.work_type == "ai_image"
    assert record.claimed_total == 5000.0
    assert record.awarded_total == 500.5
    assert record.commercial_use is None
    assert record.rights == ("attribution", "dissemination")
    assert record.audience == 46000
    assert isinstance(record.audience, int)


def test_csv_skips_blank_lines_and_accepts_a_byte_order_mark() -> None:
    data = b"\xef\xbb\xbfid,claimed_total\n\nx,1\n\ny,2\n\n"

    assert [record.id for record in parse_records(data, "csv")] == ["x", "y"]


def test_ndjson_skips_blank_lines() -> None:
    data = b'\n{"id": "x"}\n\n   \n{"id": "y"}\n'

    assert [record.id for record in parse_records(data, "ndjson")] == ["x", "y"]


# --- one bad record ------------------------------------------------------------------------------

GOOD = {"id": "good", "claimed_total": 5000, "awarded_total": 500}


@pytest.mark.parametrize(
    ("bad", "field", "fragment"),
    [
        ({"id": "neg", "claimed_total": -5}, "claimed_total", ">= 0"),
        ({"id": "huge", "awarded_total": 2e12}, "awarded_total", "<= 1000000000000"),
        ({"id": "typo", "claimed_totl": 5000}, "claimed_totl", "unknown field"),
        (
            {"id": "painting", "work_type": "painting"},
            "work_type",
            "'painting' is not one of ai_image, ai_text,",
        ),
        ({"id": "month", "judgment_date": "2023-13"}, "judgment_date", "YYYY-MM-DD"),
        ({"id": "feb", "judgment_date": "2023-02-30"}, "judgment_date", "not a real date"),
        ({"id": "law", "law_version": 2020}, "law_version", "got `int`"),
        ({"id": "zero-works", "works_count": 0}, "works_count", ">= 1"),
        ({"id": "fraction", "audience": 1.5}, "audience", "Expected `int | null`, got `float`"),
        ({"id": "flag", "commercial_use": "yes"}, "commercial_use", "`str`"),
        ({"id": "rights", "rights": ["reproduction", "a;b"]}, "rights", "at `rights[1]`"),
        ({"id": "no-rights", "rights": []}, "rights", "length >= 1"),
        ({"id": "blank-note", "note": ""}, "note", "length >= 1"),
        ({"id": "bad id!"}, "id", "slug"),
        ({"claimed_total": 5}, "id", "missing required field"),
        ({"id": "x5", "punitive_multiplier": 6}, "punitive_multiplier", "<= 5"),
    ],
)
def test_a_bad_record_is_reported_with_its_index_id_and_field(bad: dict[str, Any], field: str, fragment: str) -> None:
    (issue,) = issues_of(as_json([GOOD, bad]), "json")

    assert issue.index == 1
    assert issue.id == bad.get("id")
    assert issue.field == field
    assert fragment in issue.message
    assert issue.message.startswith("record 1")


@pytest.mark.parametrize(
    ("bad", "field", "fragment"),
    [
        (
            {"acceptance_fee": 100, "fee_plaintiff": 60, "fee_defendant": 60},
            "fee_plaintiff",
            "exceed the fee payable",
        ),
        (
            {"acceptance_fee": 5800, "fee_halved": True, "fee_plaintiff": 1500, "fee_defendant": 1500},
            "fee_plaintiff",
            "halved",
        ),
        ({"claimed_total": 5000, "awarded_total": 6000}, "awarded_total", "more than `claimed_total`"),
        ({"claimed_economic_loss": 100, "awarded_economic_loss": 200}, "awarded_economic_loss", "more than"),
        (
            {"claimed_economic_loss": 900, "claimed_expenses": 200, "claimed_total": 1000},
            "claimed_economic_loss",
            "exceed",
        ),
        (
            {"awarded_economic_loss": 900, "awarded_total": 800},
            "awarded_economic_loss",
            "exceeds `awarded_total`",
        ),
        (
            {"claimed_expenses": 1000, "notarization_fee": 600, "attorney_fee_claimed": 600},
            "notarization_fee",
            "exceed",
        ),
        ({"law_version": "2020", "judgment_date": "2021-05-31"}, "law_version", "2021-06-01"),
        ({"law_version": "2020", "judgment_date": "2020"}, "law_version", "took effect"),
        ({"law_version": "2010", "damages_method": "punitive"}, "damages_method", "need `law_version` 2020"),
        ({"damages_method": "statutory", "punitive_multiplier": 2}, "punitive_multiplier", "not 'punitive'"),
        ({"instance": "second", "procedure": "small_claims"}, "procedure", "first-instance"),
        ({"judgment_date": "1985"}, "judgment_date", "first Copyright Law"),
    ],
)
def test_a_record_breaking_a_cross_field_rule_names_the_field(bad: dict[str, Any], field: str, fragment: str) -> None:
    (issue,) = issues_of(as_json([{"id": "bad", **bad}]), "json")

    assert (issue.index, issue.id, issue.field) == (0, "bad", field)
    assert fragment in issue.message


@pytest.mark.parametrize(
    "fields",
    [
        {"acceptance_fee": 5800, "fee_halved": True, "fee_plaintiff": 1400, "fee_defendant": 1500},
        {"acceptance_fee": 100, "fee_plaintiff": 40.004, "fee_defendant": 60.004},  # within 0.01 yuan
        {
            "claimed_total": 16000,
            "claimed_economic_loss": 5000,
            "claimed_expenses": 1000,
        },  # other heads claimed
        {"law_version": "2020", "judgment_date": "2021"},  # a bare year may be after 1 June
        {"law_version": "2010", "judgment_date": "2004"},  # pre-2010 judgments are filed under 2010
        {"damages_method": "statutory", "law_version": "2010", "awarded_economic_loss": 1_000_000},
    ],
)
def test_combinations_real_cases_contain_are_accepted(fields: dict[str, Any]) -> None:
    (record,) = parse_records(as_json([{"id": "ok", **fields}]), "json")

    assert record.id == "ok"


def test_cross_field_rules_also_apply_when_a_record_is_built_directly() -> None:
    with pytest.raises(ValueError, match="`fee_plaintiff` \\+ `fee_defendant`"):
        CaseRecord(id="x", acceptance_fee=100.0, fee_plaintiff=60.0, fee_defendant=60.0)


def test_records_are_immutable() -> None:
    record = CaseRecord(id="x")

    with pytest.raises(AttributeError):
        record.id = "y"  # type: ignore[misc]


# --- CSV and NDJSON errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        ("x,ai_image,abc,,,,", "claimed_total", "'abc' is not a number"),
        ('x,ai_image,"5,000",,,,', "claimed_total", "not a number"),
        ("x,ai_image,nan,,,,", "claimed_total", "not a number"),
        ("x,ai_image,,,maybe,,", "commercial_use", "not a boolean"),
        ("x,ai_image,,,,,12.5", "audience", "not a whole number"),
        ("x,painting,,,,,", "work_type", "is not one of"),
        ("x,ai_image,-1,,,,", "claimed_total", ">= 0"),
    ],
)
def test_a_bad_csv_cell_names_its_column_and_line(row: str, field: str, fragment: str) -> None:
    data = (CSV_HEADER + "ok,,,,,,\n" + row + "\n").encode()

    (issue,) = issues_of(data, "csv")

    assert (issue.index, issue.id, issue.field) == (1, "x", field)
    assert fragment in issue.message
    assert "line 3" in issue.message


def test_every_bad_cell_of_a_csv_row_is_reported() -> None:
    issues = issues_of((CSV_HEADER + "x,ai_image,abc,def,maybe,,\n").encode(), "csv")

    assert [(issue.index, issue.field) for issue in issues] == [
        (0, "claimed_total"),
        (0, "awarded_total"),
        (0, "commercial_use"),
    ]


def test_a_csv_row_with_a_bad_cell_still_reports_its_other_faults() -> None:
    issues = issues_of(b"id,work_type,claimed_total\nx,painting,abc\n", "csv")

    assert [(issue.index, issue.field) for issue in issues] == [(0, "claimed_total"), (0, "work_type")]


def test_csv_line_numbers_count_lines_inside_quoted_cells() -> None:
    data = b'id,note\na,"two\nlines"\nb,fine\nc,\nbad id,x\n'

    (issue,) = issues_of(data, "csv")

    assert issue.index == 3
    assert "line 6" in issue.message


@pytest.mark.parametrize("header", ["id,claimed_totl", "id,Claimed_Total"])
def test_an_unknown_csv_column_is_named(header: str) -> None:
    (issue,) = issues_of(f"{header}\nx,5\n".encode(), "csv")

    assert issue.index is None
    assert issue.field == header.split(",")[1]
    assert "unknown column" in issue.message


def test_a_csv_without_an_id_column_is_rejected() -> None:
    (issue,) = issues_of(b"claimed_total\n5\n", "csv")

    assert issue.field == "id"


def test_a_repeated_csv_column_is_rejected() -> None:
    (issue,) = issues_of(b"id,note,note\nx,a,b\n", "csv")

    assert issue.field == "note"
    assert "twice" in issue.message


def test_a_csv_row_with_the_wrong_number_of_cells_is_reported() -> None:
    (issue,) = issues_of(b"id,note\nx,a\ny,b,c\n", "csv")

    assert (issue.index, issue.field) == (1, None)
    assert "3 cells" in issue.message


def test_a_malformed_ndjson_line_is_reported_with_its_line_and_the_rest_still_checked() -> None:
    data = b'{"id": "a"}\n{"id": "b",\n\n{"id": "c", "claimed_total": -1}\n'

    issues = issues_of(data, "ndjson")

    assert [(issue.index, issue.field) for issue in issues] == [(1, None), (2, "claimed_total")]
    assert "line 2" in issues[0].message
    assert "malformed" in issues[0].message
    assert "line 4" in issues[1].message


@pytest.mark.parametrize("line", [b"null", b"5", b'"x"', b"[]"])
def test_an_ndjson_line_that_is_not_an_object_is_reported(line: bytes) -> None:
    (issue,) = issues_of(b'{"id": "a"}\n' + line + b"\n", "ndjson")

    assert (issue.index, issue.field) == (1, None)
    assert "Expected `object`" in issue.message


# --- whole-upload errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("json", as_json([GOOD, {"id": "good"}])),
        ("ndjson", as_ndjson([GOOD, {"id": "other"}, {"id": "good"}])),
        ("csv", b"id\ngood\nother\ngood\n"),
    ],
)
def test_duplicate_ids_name_both_positions(fmt: Format, data: bytes) -> None:
    (issue,) = issues_of(data, fmt)
    later = 1 if fmt == "json" else 2

    assert (issue.index, issue.id, issue.field) == (later, "good", "id")
    assert f"record {later}" in issue.message
    assert "already used by record 0" in issue.message


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("json", b""),
        ("json", b"[]"),
        ("json", b"  \n"),
        ("ndjson", b""),
        ("ndjson", b"\n\n  \n"),
        ("csv", b""),
        ("csv", b"id,note\n"),
        ("csv", b"id,note\n\n,\n"),
    ],
)
def test_an_upload_without_records_is_rejected(fmt: Format, data: bytes) -> None:
    (issue,) = issues_of(data, fmt)

    assert (issue.index, issue.field) == (None, None)
    assert "no records" in issue.message


@pytest.mark.parametrize(
    ("data", "position"),
    [
        (b'[{"id": "a"},, {"id": "b"}]', "byte 13"),
        (b'[{"id": "a"}', "byte 12, the end of the input"),
        (b"{'id': 'a'}", "byte 1"),
    ],
)
def test_malformed_json_is_reported_with_its_position_and_no_field(data: bytes, position: str) -> None:
    (issue,) = issues_of(data, "json")

    assert (issue.index, issue.field) == (None, None)
    assert "malformed" in issue.message
    assert position in issue.message
    assert "end of the input" not in issue.message or data.count(b"[") > data.count(b"]")  # only when cut short


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("json", b'[{"id": "a"}, {"id": "b", "awarded_total": 1e400}]'),
        ("ndjson", b'{"id": "a"}\n{"awarded_total": -1e400}'),
    ],
)
def test_a_number_too_big_to_read_names_its_record_and_field(fmt: Format, data: bytes) -> None:
    issue = next(i for i in issues_of(data, fmt) if i.index == 1)

    assert issue.field == "awarded_total"
    assert "a number is beyond the largest that can be read" in issue.message


@pytest.mark.parametrize("data", [b'{"id": "a"}', b'"a"', b"5"])
def test_a_json_upload_must_be_an_array(data: bytes) -> None:
    (issue,) = issues_of(data, "json")

    assert issue.index is None
    assert "array" in issue.message


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("json", as_json([{"id": f"r{n}"} for n in range(4)])),
        ("ndjson", as_ndjson([{"id": f"r{n}"} for n in range(4)])),
        ("csv", b"id\nr0\nr1\nr2\nr3\n"),
    ],
)
def test_more_records_than_max_records_is_rejected(fmt: Format, data: bytes) -> None:
    (issue,) = issues_of(data, fmt, max_records=3)

    assert (issue.index, issue.field) == (3, None)
    assert "more than the 3 records" in issue.message
    assert len(parse_records(data, fmt, max_records=4)) == 4


def test_several_bad_records_are_all_reported_in_order() -> None:
    records: list[dict[str, Any]] = [
        GOOD,
        {"id": "neg", "claimed_total": -5},
        {"id": "fine"},
        {"id": "typo", "claimed_totl": 1},
        {"id": "painting", "work_type": "painting"},
    ]

    with pytest.raises(RecordsError) as caught:
        parse_records(as_json(records), "json")

    error = caught.value
    assert [(issue.index, issue.id, issue.field) for issue in error.errors] == [
        (1, "neg", "claimed_total"),
        (3, "typo", "claimed_totl"),
        (4, "painting", "work_type"),
    ]
    assert error.issue_count == 3
    assert error.message.startswith("3 records are invalid")
    assert "first: record 1 (id `neg`), field `claimed_total`" in error.message
    assert error.field == "[1].claimed_total"


def test_issues_beyond_the_cap_are_counted_but_not_listed() -> None:
    records = [{"id": f"r{n}", "claimed_total": -1} for n in range(MAX_ISSUES + 20)]

    with pytest.raises(RecordsError) as caught:
        parse_records(as_ndjson(records), "ndjson")

    assert len(caught.value.errors) == MAX_ISSUES
    assert caught.value.issue_count == MAX_ISSUES + 20
    assert "20 more not listed" in caught.value.message


def test_records_error_is_an_invalid_input_error_with_a_title() -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_records(b"[]", "json")

    assert isinstance(caught.value, RecordsError)
    assert caught.value.title == "Invalid case records"


def test_max_records_below_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="max_records"):
        parse_records(b'[{"id": "a"}]', "json", max_records=0)


def test_scoring_input_ignores_exactly_the_fields_a_record_has_beyond_a_case() -> None:
    """A file of decided cases scores as it is; a field neither a case nor a record has is refused."""
    assert set(CaseRecord.__struct_fields__) - set(Case.__struct_fields__) == RECORD_ONLY_FIELDS
    assert set(Case.__struct_fields__) <= set(CaseRecord.__struct_fields__)


def test_blank_lines_before_a_csv_header_are_skipped() -> None:
    """As in a batch: a spreadsheet's leading empty rows are no header."""
    text = records_to_csv(bundled_records()[:3])
    plain = parse_records(text.encode(), "csv")
    assert parse_records(("\r\n,,,\r\n" + text).encode(), "csv") == plain
