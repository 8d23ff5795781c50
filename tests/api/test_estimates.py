"""`POST /v1/estimates` over HTTP: the estimate contract, routes, and bad input."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings

Client = TestClient[Litestar]
BLOGGER = {
    "id": "blogger",
    "law_version": "2020",
    "work_type": "ai_image",
    "plaintiff_type": "individual",
    "defendant_type": "individual",
    "commercial_use": False,
    "claimed_economic_loss": 5000,
}


def test_estimate_carries_the_contract_fields(client: Client) -> None:
    response = client.post("/v1/estimates", json=BLOGGER)
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["id"] == "blogger"
    assert {"statute", "version", "article", "route", "floor", "cap"} <= got["law"].keys()
    for block in ("economic_loss", "total_award"):
        assert {"mean", "p10", "p25", "p50", "p75", "p90"} <= got[block].keys()
    assert {"p_floor", "p_full_claim"} <= got["economic_loss"].keys()
    assert {"claimed", "expected_supported"} <= got["expenses"].keys()
    fees = got["court_fees"]
    assert (fees["acceptance_fee"], fees["fee_due"]) == (50, 50)
    assert {"plaintiff", "defendant"} == fees["proportional"].keys() == fees["fitted"].keys()
    assert {"expected", "p_negative"} == got["net_recovery"].keys()
    assert {"id", "schema_version", "cases", "data_cutoff"} <= got["model"].keys()


def test_act_dates_choose_the_law(client: Client) -> None:
    old = client.post("/v1/estimates", json={**BLOGGER, "law_version": None, "act_start": "2019-03-01"}).json()
    assert (old["law"]["version"], old["law"]["floor"]) == ("2010", 0)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        pytest.param({"claimed_economic_loss": -1}, 400, "claimed_economic_loss", id="negative claim"),
        pytest.param({"work_type": "painting"}, 400, "work_type", id="unknown work type"),
        pytest.param({"claimed_totl": 5}, 400, "claimed_totl", id="typo in a field name"),
        pytest.param({"punitive_multiplier": 6}, 400, "punitive_multiplier", id="multiplier above 5"),
        pytest.param({"act_start": "2019-01-01"}, 400, "law_version", id="law version and dates"),
        pytest.param(
            {"punitive_multiplier": 2, "intentional_and_serious": True},
            422,
            "punitive_multiplier",
            id="punitive statutory",
        ),
        pytest.param({"calibration_id": "nope"}, 404, "calibration_id", id="unknown calibration"),
        pytest.param({"calibration_id": "../../etc"}, 400, "calibration_id", id="hostile calibration id"),
        pytest.param({"claimed_economic_loss": 0.5}, 400, "claimed_economic_loss", id="claim under 1 yuan"),
        pytest.param({"proved_actual_loss": 0.2}, 400, "proved_actual_loss", id="proved loss under 1 yuan"),
        pytest.param(
            {"claimed_economic_loss": 100_000, "claimed_total": 100}, 400, "claimed_economic_loss", id="loss > total"
        ),
        pytest.param({"claimed_expenses": 100, "notarization_fee": 300}, 400, "notarization_fee", id="item > expenses"),
        pytest.param(
            {"claimed_economic_loss": None, "claimed_total": 10_000, "claimed_expenses": 10_000},
            400,
            "claimed_expenses",
            id="expenses use up the total",
        ),
        pytest.param(
            {"claimed_economic_loss": None, "claimed_total": 10_000, "notarization_fee": 12_000},
            400,
            "notarization_fee",
            id="itemised expenses > total",
        ),
        pytest.param(
            {
                "intentional": False,
                "intentional_and_serious": True,
                "proved_illegal_gains": 20_000,
                "punitive_multiplier": 5,
            },
            400,
            "intentional_and_serious",
            id="punitive intent for an act said not intentional",
        ),
    ],
)
def test_bad_estimates_name_the_field(client: Client, change: dict[str, Any], status: int, field: str) -> None:
    response = client.post("/v1/estimates", json={**BLOGGER, **change})
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field


def test_a_proved_loss_takes_its_own_route(client: Client) -> None:
    got = client.post("/v1/estimates", json={**BLOGGER, "proved_actual_loss": 3000}).json()
    assert got["law"]["route"] == "actual_loss"
    assert got["economic_loss"]["p50"] == 3000


@pytest.mark.parametrize("claim", [1, 10, 300, 500])
def test_a_claim_no_higher_than_the_floor_is_awarded_in_full_with_certainty(client: Client, claim: int) -> None:
    """The court awards no more than asked, so a claim at or under the 500 yuan floor pins the award."""
    response = client.post("/v1/estimates", json={"law_version": "2020", "claimed_economic_loss": claim})
    assert response.status_code == 200, response.text
    loss = response.json()["economic_loss"]
    assert [loss[k] for k in ("mean", "p10", "p50", "p90")] == [claim] * 4
    assert (loss["p_floor"], loss["p_full_claim"]) == (1.0, 1.0)
    claim_factor = next(f for f in response.json()["factors"] if f["feature"] == "log_claim")
    assert 0 < claim_factor["effect"] < 0.01  # small, never rounded to 0
    chart = client.post("/v1/estimates/chart", json={"law_version": "2020", "claimed_economic_loss": claim})
    assert chart.status_code == 200
    assert chart.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param(b"", "the request body is empty", id="empty"),
        pytest.param(b'{"a":' * 2000 + b"1" + b"}" * 2000, "nested too deeply", id="nested 2000 deep"),
        pytest.param(b'{"claimed_economic_loss": NaN}', "malformed", id="NaN"),
        pytest.param(b'{"claimed_economic_loss": 5', "truncated", id="truncated"),
        pytest.param(b'{"id": "\xff"}', "byte 0xff, which is not UTF-8", id="not UTF-8"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_400_with_an_errors_list(client: Client, body: bytes, fragment: str) -> None:
    response = client.post("/v1/estimates", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    problem = response.json()
    assert fragment in problem["detail"]
    assert problem["errors"][0]["path"] == "$"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/v1/estimates", {"law_version": "2020", "claimed_economic_loss": 5000}),
        ("/v1/estimates/batch", [{"law_version": "2020", "claimed_economic_loss": 5000}]),
        ("/v1/fees", {"claim_amount": 5000}),
    ],
)
def test_a_compressed_body_is_a_415_naming_the_header(client: Client, path: str, value: object) -> None:
    body = gzip.compress(json.dumps(value).encode())
    response = client.post(path, content=body, headers={"content-type": "application/json", "content-encoding": "gzip"})
    assert response.status_code == 415, response.text
    assert response.json()["errors"][0]["path"] == "header.content-encoding"
    assert "`Content-Encoding: gzip` is not supported" in response.json()["detail"]
    plain = {"content-type": "application/json", "content-encoding": "identity"}
    assert client.post(path, content=gzip.decompress(body), headers=plain).status_code == 200
    assert client.get("/v1/statutes", headers={"content-encoding": "gzip"}).status_code == 200  # no body, no matter
    empty = client.post(path, content=b"", headers={"content-encoding": "gzip", "content-length": "00"})
    assert empty.status_code == 400  # an empty body, read as such: not a 415 for compression


@pytest.mark.parametrize(
    "expenses",
    [{"claimed_expenses": 3_000}, {"notarization_fee": 1_000, "attorney_fee_claimed": 2_000}],
    ids=["stated", "itemised"],
)
def test_the_award_never_exceeds_the_total_claimed(client: Client, expenses: dict[str, float]) -> None:
    """The loss claimed is the total less the expenses, however they are stated: the two together stay within it."""
    got = client.post("/v1/estimates", json={"law_version": "2020", "claimed_total": 10_000, **expenses}).json()
    assert got["law"]["cap"] == 7_000
    assert got["total_award"]["p90"] <= 10_000
    assert got["expenses"]["claimed"] == 3_000


@pytest.mark.parametrize("path", ["/v1/estimates", "/v1/fees", "/v1/claims/advice"])
def test_a_byte_order_mark_before_a_json_body_is_skipped(client: Client, path: str) -> None:
    body = {"claim_amount": 5000} if path == "/v1/fees" else {"law_version": "2020", "claimed_economic_loss": 5000}
    if path == "/v1/claims/advice":
        body = {"case": body}
    plain = client.post(path, json=body)
    marked = client.post(
        path, content=b"\xef\xbb\xbf" + json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    assert marked.status_code == plain.status_code == 200, marked.text
    assert marked.json() == plain.json()
    only_the_mark = client.post(path, content=b"\xef\xbb\xbf", headers={"content-type": "application/json"})
    assert only_the_mark.status_code == 400
    assert "the request body is empty" in only_the_mark.json()["detail"]


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9", "zh"),
        ("en-GB,en;q=0.9,zh;q=0.8", "en"),
        ("fr, zh;q=0.1, en;q=0.5", "en"),  # weights decide, not the order
        ("fr, en;q=0.1, zh;q=0.5", "zh"),
        ("zh;q=0, en;q=0.2", "en"),  # q=0 means "not this one"
        ("de, fr", "en"),
        ("zh;q=abc, en;q=0.3", "en"),
        ("zha, zh;q=0.5", "zh"),  # Zhuang first, then Chinese: the Chinese is read, not the Zhuang
        ("zha", "en"),
    ],
)
def test_accept_language_is_weighed_by_q_value(client: Client, header: str, language: str) -> None:
    factors = client.post("/v1/estimates", json=BLOGGER, headers={"accept-language": header}).json()["factors"]
    chinese = any("\u4e00" <= c <= "\u9fff" for c in factors[0]["explanation"])
    assert chinese == (language == "zh")


def _prose(estimate: dict[str, Any]) -> list[str]:
    """Every sentence (and label) an estimate writes for a reader."""
    law = estimate["law"]
    texts = [law["statute"], law["article"], law["route_reason"], *law["assumptions"]]
    texts += [f["explanation"] for f in estimate.get("factors", [])]
    if estimate["court_fees"]["halving_reason"]:
        texts.append(estimate["court_fees"]["halving_reason"])
    return texts


@pytest.mark.parametrize(
    "case",
    [
        pytest.param({"work_type": "photograph", "procedure": "simplified", "outcome": "mediation"}, id="statutory"),
        pytest.param(
            {
                "law_version": "2020",
                "claimed_economic_loss": 100_000,
                "proved_actual_loss": 20_000,
                "intentional_and_serious": True,
                "punitive_multiplier": 2,
            },
            id="punitive",
        ),
        pytest.param({"law_version": "2010", "proved_royalty": 30_000, "outcome": "withdrawal"}, id="2010 royalty"),
    ],
)
def test_a_chinese_estimate_is_written_wholly_in_chinese(client: Client, case: dict[str, Any]) -> None:
    """Not only the factors: the route's reason, the assumptions and the fee halving too."""
    chinese = client.post("/v1/estimates", json=case, headers={"accept-language": "zh"}).json()
    english = client.post("/v1/estimates", json=case).json()
    assert len(_prose(chinese)) == len(_prose(english)) >= 4
    for text in _prose(chinese):
        assert re.findall(r"[A-Za-z]{2,}", text) == [], text
    for text in _prose(english):
        assert re.search(r"[\u4e00-\u9fff]", text) is None or "诉讼费用交纳办法" in text, text
    # The codes and every figure are the same in both languages.
    written = ("statute", "article", "route_reason", "assumptions")
    assert {k: v for k, v in chinese["law"].items() if k not in written} == {
        k: v for k, v in english["law"].items() if k not in written
    }
    assert {k: v for k, v in chinese.items() if k not in ("law", "factors", "precedents", "court_fees")} == {
        k: v for k, v in english.items() if k not in ("law", "factors", "precedents", "court_fees")
    }
    assert {**chinese["court_fees"], "halving_reason": None} == {**english["court_fees"], "halving_reason": None}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/estimates", BLOGGER),
        ("/v1/claims/advice", {"case": BLOGGER}),
        ("/v1/estimates/compare", {"base": BLOGGER, "variations": [{"name": "famous", "changes": {"fame": "high"}}]}),
    ],
)
def test_a_json_endpoint_refuses_a_body_declared_as_another_format(client: Client, path: str, body: Any) -> None:
    """CSV sent where JSON is read is a 415 that says where CSV goes, not 'malformed JSON'."""
    csv = client.post(path, content=b"id,work_type\na,photograph\n", headers={"content-type": "text/csv"})
    assert csv.status_code == 415, csv.text
    assert csv.json()["errors"][0] | {"message": ""} == {
        "path": "header.content-type",
        "field": "content-type",
        "message": "",
    }
    assert "/v1/estimates/batch" in csv.json()["detail"]
    xml = client.post(path, content=b"<case/>", headers={"content-type": "application/xml"})
    assert xml.status_code == 415
    assert "`application/xml`" in xml.json()["detail"]
    # What clients send by default is still read as JSON: no type, curl -d's form type, plain text, +json.
    encoded = json.dumps(body).encode()
    for media in (None, "application/x-www-form-urlencoded", "text/plain; charset=utf-8", "application/problem+json"):
        response = client.post(path, content=encoded, headers={} if media is None else {"content-type": media})
        assert response.status_code == 200, (media, response.text)


@pytest.mark.parametrize(
    ("method", "path", "body", "typo", "meant"),
    [
        ("POST", "/v1/estimates/chart?fromat=svg", BLOGGER, "fromat", "format"),
        ("GET", "/v1/calibrations?limt=5", None, "limt", "limit"),
        ("POST", "/v1/estimates/batch?calibraton_id=default", [BLOGGER], "calibraton_id", "calibration_id"),
        ("GET", "/v1/statutes/applicable?act_start=2022-01-01&act_ned=2022-02-01", None, "act_ned", "act_end"),
    ],
)
def test_an_undeclared_query_parameter_is_refused_with_the_one_meant(
    client: Client, method: str, path: str, body: Any, typo: str, meant: str
) -> None:
    """`?fromat=svg` used to give a PNG without a word; a typo is now a 400 that names the right one."""
    response = client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["path"], error["field"]) == (f"query.{typo}", typo)
    assert f"did you mean `{meant}`" in error["message"]
    correct = client.request(method, path.replace(typo, meant), json=body)
    assert correct.status_code != 400 or "unknown query parameter" not in correct.text


@pytest.mark.parametrize(
    ("method", "path", "body", "name"),
    [
        ("POST", "/v1/estimates/batch?calibration_id=zzz&calibration_id=default", [BLOGGER], "calibration_id"),
        ("POST", "/v1/estimates/batch?calibration_id=default&calibration_id=zzz", [BLOGGER], "calibration_id"),
        ("POST", "/v1/estimates/chart?format=svg&format=png", BLOGGER, "format"),
        (
            "GET",
            "/v1/statutes/limitation?known_on=2021-01-01&filed_on=2024-01-01&act_start=2020-01-01&known_on=2022-01-01",
            None,
            "known_on",
        ),
    ],
)
def test_a_query_parameter_given_twice_is_refused_not_read_as_either(
    client: Client, method: str, path: str, body: Any, name: str
) -> None:
    assert "more than once" in _query_error(client, method, path, body, name)["message"]


def _query_error(client: Client, method: str, path: str, body: Any, name: str) -> dict[str, Any]:
    """The first error of a request refused for its query parameter `name`, checked to name it."""
    response = client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["errors"][0]
    assert (error["path"], error["field"]) == (f"query.{name}", name)
    return error


@pytest.mark.parametrize(
    ("method", "path", "body", "name", "said"),
    [
        ("POST", "/v1/estimates/chart?format=PNG", BLOGGER, "format", "(did you mean `png`?); one of: png, svg"),
        (
            "GET",
            "/v1/statutes/applicable?law=Patent&act_start=2022-01-01",
            None,
            "law",
            "`patent`?); one of: copyright, trademark, patent, unfair_competition",
        ),
        ("POST", "/v1/estimates/batch?lang=fr", [BLOGGER], "lang", "'fr'; one of: en, zh"),
    ],
)
def test_a_query_value_outside_its_list_is_answered_with_the_list(
    client: Client, method: str, path: str, body: Any, name: str, said: str
) -> None:
    message = _query_error(client, method, path, body, name)["message"]
    assert message.endswith(said)
    assert message.count("one of:") == 1


def test_an_endpoint_without_query_parameters_says_so(client: Client) -> None:
    response = client.post("/v1/estimates?lang=zh", json=BLOGGER)
    assert response.status_code == 400
    message = "unknown query parameter `lang` (`lang` goes in the JSON body); it takes none"
    assert response.json()["errors"][0]["message"] == message
    assert client.get("/schema/swagger?anything=1").status_code == 200  # the docs' own pages are left alone


def test_a_chinese_estimate_names_the_law_as_a_chinese_lawyer_writes_it(client: Client) -> None:
    case = {"law_version": "2010", "work_type": "text", "claimed_economic_loss": 30000}
    english = client.post("/v1/estimates", json=case).json()["law"]
    chinese = client.post("/v1/estimates", json=case, headers={"accept-language": "zh"}).json()["law"]
    assert (chinese["statute"], chinese["article"]) == ("《著作权法》（2010年修正）", "第四十九条")
    assert (english["statute"], english["article"]) == ("Copyright Law (2010 amendment)", "art. 49")


def test_the_civil_code_punitive_window_is_read_from_the_acts_dates(tmp_path: Path) -> None:
    """ESTIMATOR_CIVIL_CODE_PUNITIVE_WINDOW: punitive damages for an act of 2021-01-01…05-31 (2010 law)."""
    body = {
        "act_start": "2021-03-01",
        "proved_actual_loss": 10_000,
        "intentional_and_serious": True,
        "punitive_multiplier": 2,
        "claimed_economic_loss": 50_000,
    }
    row = {**body, "id": "r"}
    with TestClient(create_app(Settings(data_dir=str(tmp_path)))) as default:
        assert default.post("/v1/estimates", json=body).status_code == 422
        assert default.post("/v1/estimates/batch", json=[row]).json()[0]["error"]["type"] == "/problems/outside-law"
    with TestClient(create_app(Settings(data_dir=str(tmp_path), civil_code_punitive_window=True))) as window:
        single = window.post("/v1/estimates", json=body).json()
        (batch,) = window.post("/v1/estimates/batch", json=[row]).json()
        outside = window.post("/v1/estimates", json={**body, "act_start": "2021-06-01"}).json()  # 2020 law anyway
        before = window.post("/v1/estimates", json={**body, "act_start": "2020-12-31"})
    assert (single["law"]["version"], single["economic_loss"]["p50"]) == ("2010", 20_000)
    assert batch["economic_loss"]["p50"] == 20_000
    assert (outside["law"]["version"], outside["economic_loss"]["p50"]) == ("2020", 20_000)
    assert before.status_code == 422  # before the Civil Code: no punitive damages under the 2010 law


@pytest.mark.parametrize(
    ("path", "body", "where", "message"),
    [
        (
            "/v1/estimates",
            {"work_type": "Photograph"},
            "$.work_type",
            "Invalid enum value 'Photograph' (did you mean `photograph`?); one of: ai_image, ai_text, character, "
            "film, fine_art, game, music, other, photograph, software, text, video",
        ),
        (
            "/v1/claims/advice",
            {"case": {"defendant_type": "platfrom"}},
            "$.case.defendant_type",
            "Invalid enum value 'platfrom' (did you mean `platform`?); one of: company, individual, platform",
        ),
        (
            "/v1/estimates/compare",
            {"base": {}, "variations": [{"name": "a", "changes": {"fame": "famous"}}]},
            "$.variations[0].changes.fame",
            "variation `a`: Invalid enum value 'famous'; one of: high, low, medium",
        ),
        (
            "/v1/fees",
            {"claim_amount": 5000, "procedure": "summary"},
            "$.procedure",
            "Invalid enum value 'summary'; one of: ordinary, simplified, small_claims",
        ),
    ],
)
def test_a_value_outside_a_list_is_answered_with_the_list(
    client: Client, path: str, body: dict[str, Any], where: str, message: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"path": where, "field": where.removeprefix("$."), "message": message}


_LEFT_NO_LOSS = {"law_version": "2020", "claimed_total": 1000, "notarization_fee": 999, "attorney_fee_claimed": 0.5}
_NOT_INTENDED = {"law_version": "2020", "intentional": False, "intentional_and_serious": True}


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/v1/claims/advice", {"case": _LEFT_NO_LOSS}, "$.case.notarization_fee"),
        ("/v1/claims/advice", {"case": {"act_end": "2021-01-01"}}, "$.case.act_end"),
        ("/v1/claims/advice", {"case": _NOT_INTENDED}, "$.case.intentional_and_serious"),
        ("/v1/claims/advice/chart", {"case": _LEFT_NO_LOSS}, "$.case.notarization_fee"),
        ("/v1/precedents", {"case": _LEFT_NO_LOSS}, "$.case.notarization_fee"),
        ("/v1/precedents/report", {"case": _LEFT_NO_LOSS}, "$.case.notarization_fee"),
        ("/v1/estimates/compare", {"base": _LEFT_NO_LOSS, "variations": []}, "$.base.notarization_fee"),
        (
            "/v1/estimates/compare",
            {
                "base": {"law_version": "2020", "claimed_total": 1000},
                "variations": [{"name": "fees", "changes": {"notarization_fee": 999, "attorney_fee_claimed": 0.5}}],
            },
            "$.variations[0].changes.notarization_fee",
        ),
        (
            "/v1/estimates/compare",
            {"base": {"law_version": "2020"}, "variations": [{"name": "tick", "changes": {"a`b": 1}}]},
            "$.variations[0].changes.a`b",
        ),
    ],
)
def test_a_rule_of_a_nested_case_names_the_field_from_the_root(
    client: Client, path: str, body: dict[str, Any], where: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["path"] == where


def test_a_batch_row_said_not_intentional_gets_no_punitive_damages(client: Client) -> None:
    row = {**_NOT_INTENDED, "id": "r", "proved_illegal_gains": 20_000, "punitive_multiplier": 5}
    good = {"law_version": "2020", "id": "ok", "claimed_economic_loss": 5000}
    answer = client.post("/v1/estimates/batch", json=[row, good])
    assert answer.status_code == 200
    first, second = answer.json()
    assert first["error"]["errors"][0]["field"] == "[0].intentional_and_serious"
    assert "economic_loss" in second


def test_a_negative_zero_is_answered_as_zero(client: Client) -> None:
    estimate = client.post("/v1/estimates", json={**BLOGGER, "claimed_expenses": -0.0})
    assert estimate.status_code == 200
    assert "-0" not in estimate.text
    assert estimate.json()["expenses"]["claimed"] == 0
    fees = client.post("/v1/fees", json={"claim_amount": 10_000, "awarded_amount": -0.0})
    assert fees.status_code == 200
    assert "-0" not in fees.text
    batch = client.post(
        "/v1/estimates/batch",
        content=b"id,law_version,claimed_economic_loss,claimed_expenses\na,2020,5000,-0.0\n",
        headers={"content-type": "text/csv"},
    )
    assert batch.status_code == 200
    assert ",-0" not in batch.text


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/estimates", b'{"law_version": "2020", "claimed_economic_loss": 1e400}', "claimed_economic_loss"),
        ("/v1/estimates", b'{"law_version": "2020", "audience": ' + b"9" * 5000 + b"}", "audience"),
        ("/v1/estimates", b'{"law_version": "2020", "works_count": -1e999}', "works_count"),
        ("/v1/claims/advice", b'{"case": {"law_version": "2020"}, "assessed_loss": 1e400}', "assessed_loss"),
        ("/v1/fees", b'{"claim_amount": ' + b"1" * 400 + b"}", "claim_amount"),
        (
            "/v1/interest",
            b'{"amount": 1000, "due_date": "2024-01-01", "paid_date": "2024-02-01",'
            b' "payments": [{"date": "2024-01-10", "amount": 1e400}]}',
            "payments[0].amount",
        ),
        (
            "/v1/estimates/compare",
            b'{"base": {"law_version": "2020"}, "variations": [{"name": "a", "changes": {"audience": 1e400}}]}',
            "variations[0].changes.audience",
        ),
    ],
)
def test_a_number_too_big_to_read_is_named_where_it_is(client: Client, path: str, body: bytes, field: str) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["path"], error["field"]) == (f"$.{field}", field)
    assert "out of range" in error["message"]


def test_a_lone_surrogate_in_a_body_is_named_as_such(client: Client) -> None:
    body = b'{"law_version": "2020", "id": "\\ud800"}'
    response = client.post("/v1/estimates", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "half of a surrogate pair" in response.json()["errors"][0]["message"]


def test_a_body_nested_too_deeply_is_logged_in_one_line(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING"):
        response = client.post("/v1/estimates", content=b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400
    records = [r for r in caplog.records if "nested too deeply" in r.getMessage()]
    assert records
    assert all(r.exc_info is None for r in records)  # no traceback for a client to flood the log with
