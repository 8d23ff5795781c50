"""`POST /v1/interest` and `GET /v1/statutes` over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]


def test_interest_on_100000_for_30_days_is_525(client: Client) -> None:
    response = client.post("/v1/interest", json={"amount": 100000, "days": 30})
    assert response.status_code == 200
    assert response.json()["doubled_interest"] == 525


def test_interest_between_dates_with_a_partial_payment(client: Client) -> None:
    body = {
        "amount": 100000,
        "due_date": "2024-03-01",
        "paid_date": "2024-03-31",
        "payments": [{"date": "2024-03-11", "amount": 40000}],
    }
    got = client.post("/v1/interest", json=body).json()
    assert [p["days"] for p in got["periods"]] == [10, 20]
    assert got["doubled_interest"] == 175 + 210
    assert got["total_due"] == 100_000 + 385  # the whole, before payments
    assert got["outstanding"] == 60_000 + 385  # what the last payment has to be
    unpaid = client.post("/v1/interest", json={"amount": 100000, "days": 30}).json()
    assert unpaid["outstanding"] == unpaid["total_due"] == 100_525


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        pytest.param({"amount": 100000}, 400, "days", id="neither days nor dates"),
        pytest.param({"amount": 100000, "days": 3, "due_date": "2024-03-01"}, 400, "days", id="both"),
        pytest.param({"amount": 100000, "days": -3}, 400, "days", id="negative days"),
        pytest.param(
            {"amount": 100000, "due_date": "2024-03-01", "paid_date": "2024-02-01"}, 400, "paid_date", id="order"
        ),
        pytest.param(
            {"amount": 100000, "due_date": "2010-03-01", "paid_date": "2011-02-01"}, 422, "due_date", id="pre-2014"
        ),
        pytest.param(
            {"amount": 100000, "due_date": "2024-02-30", "paid_date": "2024-03-01"}, 400, "due_date", id="bad date"
        ),
        pytest.param(
            {"amount": 100, "due_date": "9999-12-31", "paid_date": "9999-12-31"}, 400, "due_date", id="last day due"
        ),
        pytest.param(
            {
                "amount": 100,
                "due_date": "9999-12-30",
                "paid_date": "9999-12-31",
                "payments": [{"date": "9999-12-31", "amount": 5}],
            },
            400,
            "paid_date",
            id="last day paid",
        ),
    ],
)
def test_bad_interest_requests_name_the_field(client: Client, body: dict[str, Any], status: int, field: str) -> None:
    response = client.post("/v1/interest", json=body)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field


def test_statutes_are_listed_with_bounds_and_sources(client: Client) -> None:
    statutes = client.get("/v1/statutes", params={"law": "copyright"}).json()["statutes"]
    assert [s["version"] for s in statutes] == ["2001", "2010", "2020"]
    cl2020 = statutes[-1]
    assert (cl2020["statutory_floor"], cl2020["statutory_cap"]) == (500, 5_000_000)
    assert cl2020["punitive"]["max_multiplier"] == 5
    assert all(source["verification"] for source in cl2020["sources"])


def test_continuing_act_takes_the_new_law(client: Client) -> None:
    got = client.get("/v1/statutes/applicable", params={"act_start": "2021-05-01", "act_end": "2021-07-01"}).json()
    assert got["statute"]["id"] == "copyright-2020"


def test_the_reason_and_the_interest_source_are_written_in_chinese_on_request(client: Client) -> None:
    params = {"act_start": "2021-05-01", "act_end": "2021-07-01"}
    zh = client.get("/v1/statutes/applicable", params=params, headers={"Accept-Language": "zh-CN"}).json()
    assert zh["reason"] == "侵权行为的最后一日（2021-07-01）施行的是《著作权法》（2020年修正）"
    asked = client.get("/v1/statutes/applicable", params={**params, "lang": "zh"}).json()
    assert asked["reason"] == zh["reason"]
    en = client.get("/v1/statutes/applicable", params=params).json()
    assert en["reason"].startswith("Copyright Law (2020 amendment) was in force on 2021-07-01")
    body = {"amount": 100000, "days": 30}
    by_header = client.post("/v1/interest", json=body, headers={"Accept-Language": "zh"}).json()
    by_field = client.post("/v1/interest", json={**body, "lang": "zh"}, headers={"Accept-Language": "en"}).json()
    assert by_header["source"] == by_field["source"]
    assert by_field["source"].startswith("《中华人民共和国民事诉讼法》（2023年修正）第二百六十四条")
    assert client.post("/v1/interest", json=body).json()["source"].startswith("Civil Procedure Law (2023) art. 264")


def test_act_before_coverage_is_422(client: Client) -> None:
    response = client.get("/v1/statutes/applicable", params={"act_start": "1995-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "act_start"


def test_health(client: Client) -> None:
    assert client.get("/health").json()["status"] == "ok"


def test_the_root_sends_a_browser_to_swagger_and_lists_where_to_start(client: Client) -> None:
    browser = client.get("/", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, follow_redirects=False)
    assert (browser.status_code, browser.headers["location"]) == (307, "/schema/swagger")
    index = client.get("/").json()
    assert client.get(index["docs"]).status_code == 200
    assert client.get(index["openapi"]).json()["info"]["version"] == index["version"]
    assert client.get(index["health"]).json()["status"] == "ok"
    paths = client.get(index["openapi"]).json()["paths"]
    for endpoint in index["start_with"]:
        method, path = endpoint.split(" ")
        assert method.lower() in paths[path], endpoint


@pytest.mark.parametrize(
    ("query", "path"),
    [("act_start=1990-01-01", "query.act_start"), ("act_start=2022-01-01&act_end=2021-01-01", "query.act_end")],
)
def test_a_refused_query_parameter_is_named_in_the_query(client: Client, query: str, path: str) -> None:
    response = client.get(f"/v1/statutes/applicable?{query}")
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["path"] == path


def test_a_late_suit_against_a_continuing_act_keeps_three_years_of_damages(client: Client) -> None:
    params = {"known_on": "2016-05-01", "filed_on": "2024-06-20", "act_start": "2016-01-01"}
    got = client.get("/v1/statutes/limitation", params=params).json()
    assert (got["in_time"], got["continuing_at_filing"], got["time_barred_if_pleaded"]) == (False, True, False)
    assert (got["period_ends"], got["damages_from"], got["damages_to"]) == ("2019-05-01", "2021-06-20", None)
    zh = client.get("/v1/statutes/limitation", params=params, headers={"Accept-Language": "zh"}).json()
    assert "向前推算三年" in zh["reason"]
    asked = client.get("/v1/statutes/limitation", params={**params, "lang": "zh"}, headers={"Accept-Language": "en"})
    assert asked.json()["reason"] == zh["reason"]
    assert "Accept-Language" in asked.headers["vary"]


@pytest.mark.parametrize(
    ("params", "status", "path"),
    [
        ({"known_on": "2021-01-01", "filed_on": "2020-01-01", "act_start": "2020-01-01"}, 400, "query.filed_on"),
        ({"known_on": "2021-01-01", "filed_on": "2022-01-01", "act_start": "2021-02-01"}, 400, "query.known_on"),
        ({"known_on": "2015-01-01", "filed_on": "2016-01-01", "act_start": "2014-01-01"}, 422, "query.filed_on"),
        (
            {"known_on": "2021-01-01", "filed_on": "2022-01-01", "act_start": "2020-01-01", "lang": "fr"},
            400,
            "query.lang",
        ),
        ({"known_on": "2021-01-01", "filed_on": "2022-01-01"}, 400, "query.act_start"),
        ({"known_on": "2021-13-01", "filed_on": "2022-01-01", "act_start": "2020-01-01"}, 400, "query.known_on"),
    ],
)
def test_bad_limitation_questions_name_the_parameter(
    client: Client, params: dict[str, str], status: int, path: str
) -> None:
    response = client.get("/v1/statutes/limitation", params=params)
    assert response.status_code == status, response.text
    assert [error["path"] for error in response.json()["errors"]] == [path]
