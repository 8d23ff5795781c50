"""`POST /v1/estimates/batch`: order, ids, bad rows in place, formats, limits, and agreement with single estimates."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.resources.estimates import ESTIMATE_EXAMPLES
from api.settings import Settings

Client = TestClient[Litestar]
NDJSON = {"content-type": "application/x-ndjson"}


def _rows(n: int) -> list[dict[str, object]]:
    kinds = ["photograph", "film", "text", "music", "character"]
    return [
        {"id": f"row-{i}", "law_version": "2020", "work_type": kinds[i % 5], "claimed_economic_loss": 1_000 + 37 * i}
        for i in range(n)
    ]


def _ndjson(rows: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def _scored_csv(client: Client, body: str | bytes) -> list[dict[str, Any]]:
    """A CSV batch's answer, asked for as NDJSON (every field of a row, typed), one dict per row."""
    response = client.post(
        "/v1/estimates/batch", content=body, headers={"content-type": "text/csv", "accept": "application/x-ndjson"}
    )
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def test_ten_thousand_ndjson_rows_come_back_in_order_with_their_ids(client: Client) -> None:
    rows = _rows(10_000)
    response = client.post("/v1/estimates/batch", content=_ndjson(rows), headers=NDJSON)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = response.text.splitlines()
    assert len(lines) == 10_000
    assert [json.loads(line)["id"] for line in lines] == [row["id"] for row in rows]


def test_a_csv_batch_with_three_bad_rows_reports_exactly_those(client: Client) -> None:
    text = "id,law_version,work_type,claimed_economic_loss\n" + "".join(
        f"r{i},2020,{'painting' if i in (2, 5) else 'film'},{'-5' if i == 7 else 10_000 + i}\n" for i in range(10)
    )
    response = client.post("/v1/estimates/batch", content=text, headers={"content-type": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(response.text.splitlines()))
    assert [r["id"] for r in rows if r["error_type"]] == ["r2", "r5", "r7"]
    assert all(r["economic_loss_p50"] for r in rows if not r["error_type"])
    errors = [row["error"] for row in _scored_csv(client, text) if "error" in row]
    assert [e["errors"][0]["field"] for e in errors] == ["[2].work_type", "[5].work_type", "[7].claimed_economic_loss"]


def test_batch_and_single_estimates_are_identical(client: Client) -> None:
    rows = [
        {"id": "blogger", "law_version": "2020", "work_type": "ai_image", "claimed_economic_loss": 5000},
        {"id": "platform", "law_version": "2020", "work_type": "character", "fame": "high", "claimed_total": 300000,
         "procedure": "simplified", "notarization_fee": 300},
        {"id": "unknown"},
        {"id": "royalty", "law_version": "2020", "work_type": "photograph", "proved_royalty": 8000,
         "claimed_economic_loss": 30000, "outcome": "mediation"},
        {"id": "punitive", "law_version": "2020", "proved_actual_loss": 20000, "intentional_and_serious": True,
         "punitive_multiplier": 2, "claimed_economic_loss": 100000, "procedure": "simplified"},
        {"id": "dated-2010", "act_start": "2019-03-01", "work_type": "photograph", "claimed_economic_loss": 900000},
        {"id": "continuing", "act_start": "2020-09-01", "act_end": "2021-07-01", "claimed_economic_loss": 900000},
    ]  # fmt: skip
    batch = client.post("/v1/estimates/batch", json=rows).json()
    singles = [client.post("/v1/estimates", json=row).json() for row in rows]
    # A single estimate also explains itself (`factors`, `precedents`); every figure is the same.
    assert all(single.pop("factors") and single.pop("precedents") for single in singles)
    assert batch == singles
    # The dates chose the law: the 2010 text caps statutory damages at 500,000, and a continuing act
    # takes the law in force on its last day.
    assert [(row["law"]["version"], row["law"]["cap"]) for row in batch[-2:]] == [("2010", 500000), ("2020", 900000)]


def test_rows_dated_by_their_acts_are_checked_like_a_single_estimate(client: Client) -> None:
    text = (
        "id,law_version,act_start,act_end\n"
        "ok,,2019-03-01,\n"
        "both,2020,2019-03-01,\n"
        "end-only,,,2019-03-01\n"
        "reversed,,2022-03-01,2021-03-01\n"
        "before-2010,,2009-03-01,\n"
        "before-any-law,,1999-03-01,\n"
        "not-a-date,,2022-13-01,\n"
    )
    rows = _scored_csv(client, text)
    assert rows[0]["law"]["version"] == "2010"
    errors = {row["id"]: (row["error"]["errors"][0]["field"], row["error"]["detail"]) for row in rows[1:]}
    assert errors == {
        "both": ("[1].law_version", "row 1: give `law_version` or `act_start`, not both"),
        "end-only": ("[2].act_end", "row 2: `act_end` needs `act_start`"),
        "reversed": ("[3].act_end", "row 3: `act_end` is before `act_start`"),
        "before-2010": ("[4].act_start", "row 4: `act_start`: acts before 2010-04-01 are outside the estimate's data"),
        "before-any-law": (
            "[5].act_start",
            "row 5: `act_start`: no copyright damages regime is covered for an act on 1999-03-01; coverage starts "
            "on 2001-10-27",
        ),
        "not-a-date": ("[6].act_start", "row 6: `act_start`: Invalid RFC3339 encoded date"),
    }
    # Well-formed, outside what the model covers: a 422, like an act before any covered law.
    single = client.post("/v1/estimates", json={"act_start": "2009-03-01"})
    assert (single.status_code, single.json()["errors"][0]["field"]) == (422, "act_start")


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/csv", "text/csv"),
        ("application/json", "application/json"),
        ("text/*", "text/csv"),  # a range names the formats in it
        ("application/*", "application/x-ndjson"),  # the body's format, which is in the range
        ("*/*", "application/x-ndjson"),
    ],
)
def test_the_answer_follows_accept(client: Client, accept: str, media: str) -> None:
    response = client.post("/v1/estimates/batch", content=_ndjson(_rows(3)), headers={**NDJSON, "accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)


def test_a_media_range_does_not_reach_outside_itself(client: Client) -> None:
    csv_body = {"content-type": "text/csv"}
    text = "id,law_version\na,2020\n"
    in_json = client.post("/v1/estimates/batch", content=text, headers={**csv_body, "accept": "application/*"})
    assert in_json.headers["content-type"].startswith("application/json")  # not the CSV body's text/csv
    refused = client.post("/v1/estimates/batch", content=text, headers={**csv_body, "accept": "text/*, text/csv;q=0"})
    assert refused.status_code == 406
    elsewhere = client.post("/v1/estimates/batch", content=text, headers={**csv_body, "accept": "text/*;q=0, */*"})
    assert elsewhere.headers["content-type"].startswith("application/json")  # a refused range is refused
    # Both names of NDJSON are one answer: refusing the one we send refuses the format.
    aliased = client.post(
        "/v1/estimates/batch", content=_ndjson(_rows(1)), headers={**NDJSON, "accept": "application/x-ndjson;q=0, */*"}
    )
    assert aliased.headers["content-type"].startswith("application/json")


def test_a_json_array_comes_back_as_a_json_array(client: Client) -> None:
    got = client.post("/v1/estimates/batch", json=_rows(20)).json()
    assert [e["id"] for e in got] == [f"row-{i}" for i in range(20)]


def test_limits_and_formats_are_problems(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=str(tmp_path), max_batch_rows=5))) as small:
        too_many = small.post("/v1/estimates/batch", content=_ndjson(_rows(6)), headers=NDJSON)
        assert too_many.status_code == 413
        assert too_many.json()["errors"][0]["field"] == "rows"
        assert (
            small.post("/v1/estimates/batch", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
        )
        refused = small.post(
            "/v1/estimates/batch", content=_ndjson(_rows(2)), headers={**NDJSON, "accept": "text/html"}
        )
        assert refused.status_code == 406
        assert refused.json()["errors"][0]["path"] == "header.accept"  # a header, not a field of the body
        spaced = _ndjson(_rows(5)).replace(b", ", b",\r ")  # a bare CR is JSON whitespace, not a line break
        assert small.post("/v1/estimates/batch", content=spaced, headers=NDJSON).status_code == 200
        unknown = small.post("/v1/estimates/batch?calibration_id=nope", content=_ndjson(_rows(2)), headers=NDJSON)
        assert unknown.status_code == 404
        assert unknown.json()["errors"][0]["path"] == "query.calibration_id"


@pytest.mark.parametrize(
    ("content_type", "body", "fragment"),
    [
        pytest.param("application/json", b"[{", "malformed JSON", id="truncated"),
        pytest.param("application/json", b"", "the input is empty", id="empty"),
        pytest.param("application/x-ndjson", b"\n \n", "the input is empty", id="empty-ndjson"),
        pytest.param("text/csv", b"\xef\xbb\xbf\r\n", "the input is empty", id="empty-csv"),
        pytest.param("application/json", b'{"claimed_economic_loss": 5000}', "must be an array", id="not-array"),
        pytest.param("application/json", b"[" * 5000 + b"]" * 5000, "nested too deeply", id="deep"),
        pytest.param("text/csv", b"id,claim\n1,5000\n", "unknown CSV column `claim`", id="unknown-column"),
        pytest.param("text/csv", b"id,claimed_\xffeconomic_loss\n1,5\n", "header cannot be read", id="not-utf8"),
        pytest.param("text/csv", b"id,id,law_version\na,b,2020\n", "CSV column `id` appears twice", id="twice"),
        pytest.param("text/csv", b"id,calibration_id\na,x\n", "unknown CSV column `calibration_id`", id="query-name"),
        pytest.param("application/json", b'[{"id": "\xff"}]', "not UTF-8", id="json-not-utf8"),
    ],
)
def test_an_unreadable_body_is_a_400_before_anything_is_scored(
    client: Client, content_type: str, body: bytes, fragment: str
) -> None:
    response = client.post("/v1/estimates/batch", content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert fragment in response.json()["detail"]
    assert response.json()["errors"][0]["path"].startswith("$")  # the body's, even for a query parameter's name


def test_blank_lines_before_the_csv_header_are_skipped(client: Client) -> None:
    rows = _scored_csv(client, b"\r\n,,\r\nid,claimed_economic_loss,law_version\r\na,5000,2020\r\n")
    assert [row["id"] for row in rows] == ["a"]
    assert "error" not in rows[0]


def test_no_rows_is_an_empty_answer_and_rows_of_empty_cells_are_no_rows(client: Client) -> None:
    """`[]` and a bare CSV header hold no cases (an empty answer); a spreadsheet's `,,,` rows are skipped."""
    for media, body in (("application/json", b"[]"), ("text/csv", b"id,law_version\r\n")):
        response = client.post("/v1/estimates/batch", content=body, headers={"content-type": media})
        assert response.status_code == 200, response.text
    text = "id,law_version,claimed_economic_loss\n,,\na,2020,5000\n , ,\nb,2020,x\n,,\n"
    rows = _scored_csv(client, text)
    assert [row.get("id") for row in rows] == ["a", "b"]
    assert rows[1]["error"]["errors"][0]["field"] == "[1].claimed_economic_loss"  # counted without the empty rows


def test_a_csv_row_that_is_no_row_is_an_error_in_its_place_and_the_others_are_scored(client: Client) -> None:
    """Too few or too many cells, a value under a nameless column, bytes that are not UTF-8 (even
    thousands of rows in): each is its own row's error, named by index, and every other row is scored."""
    good = [f"r{i},2020,{5000 + i}" for i in range(3000)]
    bad = ["short,2020", "long,2020,5000,9", "bytes\udcff,2020,5000"]
    lines = [*good[:2], bad[0], bad[1], *good[2:], bad[2], "last,2020,5000"]
    text = "id,law_version,claimed_economic_loss\n" + "\n".join(lines) + "\n"
    body = text.encode("utf-8", "surrogateescape")
    rows = _scored_csv(client, body)
    assert len(rows) == 3004
    errors = {i: row["error"]["detail"] for i, row in enumerate(rows) if "error" in row}
    assert errors == {
        2: "row 2: has 2 cells but the header has 3 columns",
        3: "row 3: has 4 cells but the header has 3 columns",
        3002: 'row 3002: it is not UTF-8 text (byte 0xff); save it as UTF-8 (in Excel: "CSV UTF-8")',
    }
    assert [rows[i].get("id") for i in (2, 3, 3002, 3003)] == ["short", "long", None, "last"]
    first, second = _scored_csv(client, "id,,law_version\na,zzz,2020\nb,,2020\n")
    assert first["error"]["detail"] == "row 0: column 2 has no name in the header but holds `zzz`"
    assert second["id"] == "b"
    assert "error" not in second


def test_csv_cells_are_read_as_the_decided_case_csv_reads_them(client: Client) -> None:
    """Padded numbers, whole numbers written 3.0, yes/no: read; a thousands separator or a fraction of a
    work: an error naming the cell and saying what to write."""
    text = (
        "id,law_version,claimed_economic_loss,commercial_use,works_count\n"
        "a,2020, 5000 ,yes,3.0\n"
        'b,2020,"10,000",no,1\n'
        "c,2020,5000,maybe,1\n"
        "d,2020,5000,true,2.5\n"
        "e,2020,5000,true,3\n"
    )
    a, b, c, d, e = _scored_csv(client, text)
    assert {k: v for k, v in a.items() if k != "id"} == {k: v for k, v in e.items() if k != "id"}
    assert b["error"]["errors"][0]["path"] == "$[1].claimed_economic_loss"
    assert b["error"]["detail"] == (
        "row 1: `claimed_economic_loss`: '10,000' is not a number: write it without thousands separators (10000)"
    )
    assert c["error"]["detail"] == "row 2: `commercial_use`: 'maybe' is not a boolean (use true/false, yes/no or 1/0)"
    assert d["error"]["detail"] == "row 3: `works_count`: '2.5' is not a whole number"


def test_a_number_for_a_choice_is_answered_with_the_choices_as_text(client: Client) -> None:
    response = client.post("/v1/estimates/batch", json=[{"law_version": 2020}])
    (row,) = response.json()
    assert row["error"]["detail"].endswith('one of: "2001", "2010", "2020", as text in quotes')
    single = client.post("/v1/estimates", json={"law_version": 2020})
    assert single.json()["errors"][0]["message"].endswith('one of: "2010", "2020", as text in quotes')


def test_csv_answers_do_not_echo_a_formula_to_a_spreadsheet(client: Client) -> None:
    """Ids come back as sent, except that one a spreadsheet would run as a formula is marked as text."""
    text = 'id,law_version,claimed_economic_loss\n"=HYPERLINK(""http://x"")",2020,5000\n@SUM(A1),2020,x\n-5,2020,5000\n'
    response = client.post("/v1/estimates/batch", content=text, headers={"content-type": "text/csv"})
    rows = list(csv.DictReader(response.text.splitlines()))
    assert [r["id"] for r in rows] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "-5"]
    assert rows[1]["error_detail"].startswith("row 1: ")
    assert [row["id"] for row in _scored_csv(client, text)][:2] == ['=HYPERLINK("http://x")', "@SUM(A1)"]


def test_a_misspelt_csv_column_is_named_with_the_field_it_probably_means(client: Client) -> None:
    body = b"id,claimed_economc_loss,work_typ\n1,5000,photograph\n"
    response = client.post("/v1/estimates/batch", content=body, headers={"content-type": "text/csv"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "`claimed_economc_loss` (did you mean `claimed_economic_loss`?)" in detail
    assert "`work_typ` (did you mean `work_type`?)" in detail
    assert response.json()["errors"][0]["field"] == "claimed_economc_loss"


def test_rows_with_an_unknown_field_or_contradictory_claims_are_errors_naming_the_field(client: Client) -> None:
    rows = [
        {"id": "typo", "claimed_economc_loss": 5000},
        {"id": "contradiction", "claimed_economic_loss": 100_000, "claimed_total": 100},
        {"id": "zero", "claimed_economic_loss": 0},
        {"id": "wrong-type", "audience": [1, 2]},
        # The outcome fields of a decided-case record are ignored, so decided cases back-test as they are.
        {
            "id": "decided",
            "claimed_economic_loss": 5000,
            "awarded_economic_loss": 3000,
            "court": "Hangzhou Internet Court",
        },
    ]
    response = client.post("/v1/estimates/batch", json=rows, headers={"accept": "application/json"})
    assert response.status_code == 200
    got = {row["id"]: row for row in response.json()}
    assert got["typo"]["error"]["errors"][0] == {
        "path": "$[0].claimed_economc_loss",
        "field": "[0].claimed_economc_loss",
        "message": "row 0: unknown field `claimed_economc_loss` (did you mean `claimed_economic_loss`?)",
    }
    assert got["contradiction"]["error"]["errors"][0]["field"] == "[1].claimed_economic_loss"
    assert "exceeds `claimed_total`" in got["contradiction"]["error"]["detail"]
    assert got["zero"]["error"]["errors"][0]["path"] == "$[2].claimed_economic_loss"
    assert got["wrong-type"]["error"]["errors"][0]["field"] == "[3].audience"
    assert "error" not in got["decided"]
    assert got["decided"]["economic_loss"]["p50"] > 0


def test_a_row_too_deeply_nested_is_an_error_in_its_place_and_the_others_are_scored(client: Client) -> None:
    body = b'{"id": "a", "claimed_economic_loss": 5000}\n' + b"[" * 5000 + b"]" * 5000 + b'\n{"id": "b"}\n'
    response = client.post("/v1/estimates/batch", content=body, headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert [row.get("id") for row in rows] == ["a", None, "b"]
    assert "nested too deeply" in rows[1]["error"]["detail"]
    assert rows[1]["error"]["errors"][0]["path"] == "$[1]"


def test_the_reasons_follow_lang_or_accept_language(client: Client) -> None:
    rows = _ndjson(_rows(3))
    english = client.post("/v1/estimates/batch", content=rows, headers=NDJSON)
    by_header = client.post("/v1/estimates/batch", content=rows, headers={**NDJSON, "accept-language": "zh-CN"})
    by_query = client.post(
        "/v1/estimates/batch?lang=zh", content=rows, headers={**NDJSON, "accept-language": "en"}
    )  # the query wins over the header, as `lang` in a single estimate's body does
    reasons = {
        name: [json.loads(line)["law"]["route_reason"] for line in response.text.splitlines()]
        for name, response in (("en", english), ("header", by_header), ("query", by_query))
    }
    assert all("art. 54" in reason for reason in reasons["en"])
    assert reasons["header"] == reasons["query"]
    assert all("《著作权法》第五十四条" in reason for reason in reasons["query"]), reasons["query"]
    single = client.post("/v1/estimates", json={**_rows(1)[0], "lang": "zh"}).json()
    assert single["law"] == json.loads(by_query.text.splitlines()[0])["law"]


def test_an_unknown_lang_is_a_400_naming_the_query_parameter(client: Client) -> None:
    response = client.post("/v1/estimates/batch?lang=fr", content=_ndjson(_rows(2)), headers=NDJSON)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["path"], error["field"]) == ("query.lang", "lang"), error


def test_a_row_the_law_refuses_is_named_by_its_index_and_field(client: Client) -> None:
    rows = [
        {"id": "fine", "law_version": "2020", "claimed_economic_loss": 10000},
        {"id": "no-base", "law_version": "2020", "punitive_multiplier": 2, "claimed_economic_loss": 10000},
    ]
    got = client.post("/v1/estimates/batch", json=rows).json()
    assert "error" not in got[0]
    error = got[1]["error"]
    assert error["type"] == "/problems/outside-law"
    assert error["errors"][0]["field"] == "[1].punitive_multiplier"
    assert error["detail"].startswith("row 1: statutory damages are not a punitive base")


def test_a_decided_records_punitive_multiplier_is_its_outcome_and_ignored(client: Client) -> None:
    record = {"id": "decided", "law_version": "2020", "claimed_economic_loss": 100000, "awarded_economic_loss": 50000}
    plain, with_multiple = client.post(
        "/v1/estimates/batch", json=[record, {**record, "punitive_multiplier": 2}]
    ).json()
    assert plain["law"]["route"] == with_multiple["law"]["route"] == "statutory"
    assert {**with_multiple, "id": None} == {**plain, "id": None}


def test_csv_rows_carry_proved_amounts_and_outcomes(client: Client) -> None:
    text = (
        "id,law_version,proved_royalty,intentional_and_serious,punitive_multiplier,claimed_economic_loss,outcome\n"
        "r1,2020,10000,true,3,200000,withdrawal\n"
        "r2,2020,,,,5000,settled\n"
    )
    response = client.post("/v1/estimates/batch", content=text, headers={"content-type": "text/csv"})
    first, second = csv.DictReader(response.text.splitlines())
    assert (first["route"], first["economic_loss_p50"], first["halved"]) == ("royalty", "30000.0", "true")
    assert second["error_detail"] == (
        "row 1: `outcome`: Invalid enum value 'settled'; one of: judgment, mediation, withdrawal"
    )


def test_ndjson_rows_stay_one_to_one_with_lines_whatever_bytes_they_hold(client: Client) -> None:
    """A line that is not UTF-8, or that holds two objects, is an error in its place; its neighbours are scored."""
    good = b'{"id": "a", "law_version": "2020", "claimed_economic_loss": 5000}\n'
    for bad, fragment in (
        (b'{"id": "\xff"}\n', "byte 0xff, which is not UTF-8"),
        (b'{"id": "x", "law_version": "2020"},{"id": "y", "law_version": "2020"}\n', "trailing characters"),
    ):
        response = client.post("/v1/estimates/batch", content=good + bad + good, headers=NDJSON)
        assert response.status_code == 200
        rows = [json.loads(line) for line in response.text.splitlines()]
        assert [row.get("id") for row in rows] == ["a", None, "a"]
        assert fragment in rows[1]["error"]["detail"]
        assert rows[1]["error"]["errors"][0]["path"] == "$[1]"


@pytest.mark.parametrize(
    ("media", "body"),
    [
        ("application/json", json.dumps(_rows(3)).encode()),
        ("application/x-ndjson", _ndjson(_rows(3))),
        ("text/csv", b"id,law_version,claimed_economic_loss\nrow-0,2020,1000\nrow-1,2020,1037\nrow-2,2020,1074\n"),
    ],
)
def test_a_byte_order_mark_before_the_body_is_skipped(client: Client, media: str, body: bytes) -> None:
    """Windows tools and Excel's "CSV UTF-8" start a file with one; in every format it is not part of the first row."""
    headers = {"content-type": media, "accept": "application/x-ndjson"}
    plain = client.post("/v1/estimates/batch", content=body, headers=headers)
    marked = client.post("/v1/estimates/batch", content=b"\xef\xbb\xbf" + body, headers=headers)
    assert marked.status_code == plain.status_code == 200
    assert marked.text == plain.text
    assert [json.loads(line)["id"] for line in marked.text.splitlines()] == ["row-0", "row-1", "row-2"]


def test_an_unclosed_csv_quote_is_an_error_not_the_rest_of_the_file_in_one_cell(client: Client) -> None:
    text = 'id,law_version,claimed_economic_loss\nok,2020,5000\n"a,2020,5000\nb,2020,5000\nc,2020,5000\n'
    rows = _scored_csv(client, text)
    assert [row.get("id") for row in rows] == ["ok", None]
    assert "unexpected end of data" in rows[1]["error"]["detail"]


def test_the_row_limit_counts_csv_rows_not_lines(tmp_path: Path) -> None:
    """Quoted cells may hold line breaks: 60 two-line rows are 60 rows, within a limit of 100."""
    rows = "".join(f'"c{i}\nsecond line",2020\n' for i in range(60))
    with TestClient(create_app(Settings(data_dir=str(tmp_path), max_batch_rows=100))) as small:
        within = small.post(
            "/v1/estimates/batch", content="id,law_version\n" + rows, headers={"content-type": "text/csv"}
        )
        assert within.status_code == 200, within.text
        assert len(list(csv.DictReader(within.text.splitlines()))) == 60
        over = rows + "".join(f"d{i},2020\n" for i in range(41))
        refused = small.post(
            "/v1/estimates/batch", content="id,law_version\n" + over, headers={"content-type": "text/csv"}
        )
        assert refused.status_code == 413
        assert refused.json()["detail"].startswith("101 rows")


def test_a_bug_while_streaming_ends_the_answer_with_a_problem_row(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the 200 is sent a failure cannot change the status: the answer says where it stopped."""
    import api.service

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.service, "score_raw", broken)
    response = client.post("/v1/estimates/batch", content=_ndjson(_rows(3)), headers=NDJSON)
    assert response.status_code == 200
    (last,) = [json.loads(line) for line in response.text.splitlines()]
    assert last["error"]["type"] == "/problems/internal-error"
    assert "a bug" not in response.text


def test_the_example_csv_holds_the_four_swagger_scenarios(client: Client) -> None:
    """README: `examples/cases.csv` holds the Swagger examples' scenarios; scored, it gives their figures."""
    body = (Path(__file__).parents[2] / "examples" / "cases.csv").read_bytes()
    batch = _scored_csv(client, body)
    singles = [client.post("/v1/estimates", json=example.value).json() for example in ESTIMATE_EXAMPLES[:4]]
    assert all(single.pop("factors") and single.pop("precedents") for single in singles)
    assert batch == singles


@pytest.mark.parametrize("value", ["../x", "x" * 65, ""])
def test_a_malformed_calibration_id_in_the_query_is_a_400(client: Client, value: str) -> None:
    response = client.post(f"/v1/estimates/batch?calibration_id={value}", content=_ndjson(_rows(1)), headers=NDJSON)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["path"] == "query.calibration_id"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'[{"id": "a"}, {"id": "b", "claimed_economic_loss": 1e400}, {"id": "c"}]', {}),
        (b'{"id": "a"}\n{"id": "b", "claimed_economic_loss": 1e400}\n{"id": "c"}\n', NDJSON),
    ],
    ids=["json array", "ndjson"],
)
def test_a_number_too_big_to_read_spoils_only_its_row(client: Client, body: bytes, headers: dict[str, str]) -> None:
    answer = client.post("/v1/estimates/batch", content=body, headers={"content-type": "application/json", **headers})
    assert answer.status_code == 200, answer.text
    rows = answer.json() if answer.text.startswith("[") else [json.loads(line) for line in answer.text.splitlines()]
    assert [row["id"] for row in rows] == ["a", "b", "c"]
    assert "error" not in rows[0]
    assert "error" not in rows[2]
    assert rows[1]["error"]["errors"][0]["field"] == "[1].claimed_economic_loss"
