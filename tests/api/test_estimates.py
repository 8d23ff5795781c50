"""`POST /v1/estimates` over HTTP: the estimate contract, routes, and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

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
