"""`POST /v1/fees` over HTTP: the issue's vectors and the contract other work builds on."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"claim_amount": 19000}, {"acceptance_fee": 275, "fee_due": 275}, id="19,000 -> 275"),
        pytest.param({"claim_amount": 5000}, {"acceptance_fee": 50, "fee_due": 50}, id="5,000 -> 50"),
        pytest.param({"claim_amount": 10001}, {"acceptance_fee": 50.03}, id="10,001 -> 50.03 half-up"),
        pytest.param({"claim_amount": 10001, "rounding": "yuan"}, {"acceptance_fee": 50}, id="10,001 -> 50 by yuan"),
        pytest.param(
            {"claim_amount": 300000, "procedure": "simplified"},
            {"acceptance_fee": 5800, "fee_due": 2900, "halved": True},
            id="300,000 simplified -> 5,800 / 2,900",
        ),
        pytest.param(
            {"claim_amount": 300000, "procedure": "simplified", "outcome": "mediation"},
            {"acceptance_fee": 5800, "fee_due": 2900, "halved": True},
            id="simplified + mediation still 2,900",
        ),
        pytest.param({"claim_amount": 30000000}, {"acceptance_fee": 191800}, id="30,000,000 -> 191,800"),
        pytest.param(
            {"claim_amount": 100000, "preservation_amount": 50000}, {"preservation_fee": 520}, id="preserve 50,000"
        ),
        pytest.param(
            {"claim_amount": 100000, "preservation_amount": 896000}, {"preservation_fee": 5000}, id="preserve 896,000"
        ),
        pytest.param(
            {"claim_amount": 100000, "enforcement_amount": 20000000}, {"enforcement_fee": 87400}, id="enforce 20M"
        ),
        pytest.param(
            {"claim_amount": 300000, "case_kind": "payment_order"}, {"acceptance_fee": 1933.33}, id="payment order"
        ),
        pytest.param(
            {"case_kind": "ip_without_amount", "province": "Guangdong"},
            {"acceptance_fee": 1000, "acceptance_fee_range": {"min": 500, "max": 1000}},
            id="IP case without amount, Guangdong",
        ),
        pytest.param({"claim_amount": 300000, "appeal_amount": 10000}, {"appeal_fee": 50}, id="appeal on the part"),
    ],
)
def test_fee_vectors_hold_over_http(client: Client, body: dict[str, Any], expected: dict[str, Any]) -> None:
    response = client.post("/v1/fees", json=body)
    assert response.status_code == 200, response.text
    got = response.json()
    assert {key: got[key] for key in expected} == expected


def test_split_of_the_fee_due_is_returned_with_its_basis(client: Client) -> None:
    response = client.post("/v1/fees", json={"claim_amount": 5000, "awarded_amount": 500})
    split = response.json()["split"]
    assert split["rule"] == "proportional"
    assert split["defendant"] == 5.0
    assert split["plaintiff"] == 45.0
    assert "practice, not a rule" in split["basis"]


def test_fields_not_asked_for_are_null(client: Client) -> None:
    got = client.post("/v1/fees", json={"claim_amount": 5000}).json()
    assert got["split"] is None
    assert got["preservation_fee"] is None
    assert got["enforcement_fee"] is None


def test_negative_claim_is_a_problem_naming_claim_amount(client: Client) -> None:
    response = client.post("/v1/fees", json={"claim_amount": -5})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json() == {
        "type": "/problems/validation-error",
        "title": "Invalid request",
        "status": 400,
        "detail": "$.claim_amount: Expected `float` > 0.0",
        "errors": [{"path": "$.claim_amount", "field": "claim_amount", "message": "Expected `float` > 0.0"}],
    }


def test_unknown_field_is_rejected_by_name(client: Client) -> None:
    response = client.post("/v1/fees", json={"claim_amont": 5000})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "$.claim_amont", "field": "claim_amont", "message": "Object contains unknown field `claim_amont`"}
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"claim_amount": "five thousand"}, "claim_amount", id="non-numeric string"),
        pytest.param({"claim_amount": 1e13}, "claim_amount", id="absurd amount"),
        pytest.param({"claim_amount": 5000, "procedure": "summary"}, "procedure", id="unknown procedure"),
        pytest.param({"claim_amount": 5000, "awarded_amount": 6000}, "awarded_amount", id="award above claim"),
        pytest.param({"case_kind": "property"}, "claim_amount", id="property case without claim"),
        pytest.param({"claim_amount": 5000, "province": "<script>"}, "province", id="province injection"),
        pytest.param(
            {"claim_amount": 5000, "changed_claim_amount": 4000}, "claim_change_stage", id="reduction without stage"
        ),
        pytest.param(
            {"claim_amount": 5000, "changed_claim_amount": 4000, "claim_change_stage": "at_trial"},
            "claim_change_stage",
            id="unknown stage",
        ),
        pytest.param({"claim_amount": 5000, "changed_claim_amount": -1}, "changed_claim_amount", id="negative change"),
        pytest.param(
            {"claim_amount": 5000, "changed_claim_amount": 8000, "awarded_amount": 9000},
            "awarded_amount",
            id="award above the increased claim",
        ),
    ],
)
def test_bad_fee_requests_name_the_field(client: Client, body: dict[str, Any], field: str) -> None:
    response = client.post("/v1/fees", json=body)
    assert response.status_code == 400, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_malformed_json_is_a_400_problem(client: Client) -> None:
    response = client.post("/v1/fees", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/bad-request"


def test_oversized_body_is_a_413_problem() -> None:
    from api.app import create_app
    from api.settings import Settings

    with TestClient(create_app(Settings(max_body_bytes=1_000, data_dir="/nonexistent-unused"))) as small:
        response = small.post("/v1/fees", json={"claim_amount": 5000, "province": "x" * 2_000})
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/payload-too-large"
    assert "ESTIMATOR_MAX_BODY_BYTES" in response.json()["detail"]  # which limit, not just "too large"
    assert response.json()["errors"][0]["path"] == "$"


@pytest.mark.parametrize(
    ("outcome", "awarded", "basis"),
    [
        ("judgment", 10_000, "部分胜诉的，由人民法院根据案件具体情况决定双方负担数额"),
        ("judgment", 300_000, "诉讼请求全部得到支持，由败诉的被告负担"),
        ("judgment", 0, "诉讼请求未获支持，由败诉的原告负担"),
        ("mediation", 10_000, "调解结案的，由当事人协商负担"),
        ("withdrawal", 0, "原告撤诉的，由原告负担"),
    ],
)
def test_the_fee_notes_follow_lang_or_accept_language(client: Client, outcome: str, awarded: int, basis: str) -> None:
    body = {"claim_amount": 300_000, "procedure": "simplified", "outcome": outcome, "awarded_amount": awarded}
    by_field = client.post("/v1/fees", json={**body, "lang": "zh"}).json()
    by_header = client.post("/v1/fees", json=body, headers={"accept-language": "zh-CN,zh;q=0.9"}).json()
    english = client.post("/v1/fees", json=body).json()
    assert by_field == by_header
    assert by_field["split"]["basis"].startswith(basis)
    assert "《诉讼费用交纳办法》" in by_field["halving_reason"]
    assert english["halving_reason"].startswith(("simplified procedure", "small-claims"))
    assert {k: v for k, v in by_field.items() if k not in ("split", "halving_reason", "halving_grounds")} == {
        k: v for k, v in english.items() if k not in ("split", "halving_reason", "halving_grounds")
    }


def test_a_claim_change_reports_what_it_did_to_the_fee(client: Client) -> None:
    body = {
        "claim_amount": 300_000,
        "changed_claim_amount": 100_000,
        "claim_change_stage": "after_investigation_end",
        "awarded_amount": 50_000,
    }
    got = client.post("/v1/fees", json=body).json()
    assert (got["acceptance_fee"], got["fee_due"]) == (5800, 5800)
    assert (got["split"]["plaintiff"], got["split"]["defendant"]) == (4650, 1150)
    change = got["claim_change"]
    assert change["borne_by_reducing_party"] == 3500
    assert (change["filed"], change["changed"], change["charged_on"]) == (300_000, 100_000, 300_000)
    assert (change["top_up"], change["refund"], change["stage"]) == (None, None, "after_investigation_end")
    before = client.post("/v1/fees", json={**body, "claim_change_stage": "before_investigation_end", "lang": "zh"})
    assert (before.json()["fee_due"], before.json()["claim_change"]["refund"]) == (2300, 3500)
    assert "第二十一条第二项" in before.json()["claim_change"]["basis"]
    assert client.post("/v1/fees", json={"claim_amount": 5000}).json()["claim_change"] is None


def test_the_reduced_part_measure_is_a_service_setting(tmp_path: Any) -> None:
    from api.app import create_app
    from api.settings import Settings

    settings = Settings.from_env({"ESTIMATOR_REDUCED_CLAIM_FEE": "proportional", "ESTIMATOR_DATA_DIR": str(tmp_path)})
    body = {"claim_amount": 300_000, "changed_claim_amount": 100_000, "claim_change_stage": "after_investigation_end"}
    with TestClient(create_app(settings)) as proportional:
        assert proportional.post("/v1/fees", json=body).json()["claim_change"]["borne_by_reducing_party"] == 3866.67
    with pytest.raises(ValueError, match="ESTIMATOR_REDUCED_CLAIM_FEE"):
        Settings.from_env({"ESTIMATOR_REDUCED_CLAIM_FEE": "half"})
