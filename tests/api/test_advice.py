"""Explanations on estimates and `POST /v1/claims/advice`, against the seed cases."""

from __future__ import annotations

import math

from litestar import Litestar
from litestar.testing import TestClient

from estimator.model.explain import against_the_law

Client = TestClient[Litestar]
BLOGGER = {
    "law_version": "2020",
    "work_type": "ai_image",
    "plaintiff_type": "individual",
    "defendant_type": "individual",
    "commercial_use": False,
    "audience": 46000,
}


def test_blogger_advice_recommends_a_profitable_claim_and_shows_5_million_is_a_mistake(client: Client) -> None:
    body = {"case": BLOGGER, "assessed_loss": 5000, "your_claim": 5_000_000}
    advice = client.post("/v1/claims/advice", json=body).json()
    assert advice["best"]["expected_net_recovery"] > 0
    assert advice["smallest_near_best"]["claim"] <= advice["best"]["claim"]
    assert advice["smallest_near_best"]["expected_net_recovery"] >= 0.95 * advice["best"]["expected_net_recovery"]
    mine = advice["your_claim"]
    assert mine["claim"] == 5_000_000
    assert mine["acceptance_fee"] == 46_800
    assert mine["expected_net_recovery"] < 0 < advice["best"]["expected_net_recovery"]
    assert mine["p_losing_money"] > 0.9
    assert "covariate" in advice["assumption"]
    assert "5,000 yuan" in advice["assumption"]
    claims = [o["claim"] for o in advice["options"]]
    assert claims == sorted(claims)
    assert max(claims) == 5_000_000  # the 2020 statutory cap


def test_advice_without_an_assessment_says_so(client: Client) -> None:
    advice = client.post("/v1/claims/advice", json={"case": BLOGGER, "points": 10}).json()
    assert "not given" in advice["assumption"]


def test_bad_advice_requests_name_the_field(client: Client) -> None:
    response = client.post("/v1/claims/advice", json={"case": BLOGGER, "points": 3})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "points"
    nested = client.post("/v1/claims/advice", json={"case": {**BLOGGER, "work_type": "painting"}})
    assert nested.json()["errors"][0]["field"] == "case.work_type"


def test_estimate_explains_itself_in_english_and_chinese(client: Client) -> None:
    case = {**BLOGGER, "claimed_economic_loss": 5000}
    english = client.post("/v1/estimates", json=case).json()["factors"]
    chinese = client.post("/v1/estimates", json=case, headers={"accept-language": "zh-CN,zh;q=0.9"}).json()["factors"]
    named = {f["feature"]: f for f in english}
    # The individual, non-commercial blogger: what the Beijing Internet Court weighed, in the direction it did.
    assert named["commercial_use=no"]["effect"] < 1
    assert named["plaintiff_type=individual"]["effect"] < 1
    assert named["log_claim"]["effect"] < 1  # a 5,000 claim, far below the data's median claim
    assert all(f["effect_p10"] <= f["effect"] <= f["effect_p90"] for f in english)
    assert any("人民币5,000元" in f["explanation"] for f in chinese)
    commercial = next(f for f in chinese if f["feature"] == "commercial_use=no")
    assert (
        commercial["explanation"]
        == f"商业使用：否，使预计判赔中位数降至参照案件的{named['commercial_use=no']['effect']:.2f}倍"
    )
    assert [f["feature"] for f in chinese] == [f["feature"] for f in english]


def test_a_claim_beyond_the_statutory_cap_is_explained_as_read_at_the_cap(client: Client) -> None:
    case = {**BLOGGER, "claimed_economic_loss": 8_000_000}
    english = {f["feature"]: f for f in client.post("/v1/estimates", json=case).json()["factors"]}
    assert "8,000,000 yuan, read as the statutory cap of 5,000,000 yuan" in english["log_claim"]["explanation"]
    chinese = client.post("/v1/estimates", json={**case, "lang": "zh"}).json()["factors"]
    assert any("按人民币5,000,000元计" in f["explanation"] for f in chinese)
    within = client.post("/v1/estimates", json={**BLOGGER, "claimed_economic_loss": 4_000_000}).json()["factors"]
    assert not any("statutory cap" in f["explanation"] for f in within)


def test_a_factor_the_data_turn_against_the_law_says_so_in_both_languages(client: Client) -> None:
    """Fame, commercial use and intent are weighed upward by courts; where the decided cases put one the
    other way (a famous work with lower awards), the factor is flagged and its sentence warns."""
    case = {"law_version": "2020", "fame": "high", "intentional": True, "claimed_total": 300_000}
    english = {f["feature"]: f for f in client.post("/v1/estimates", json=case).json()["factors"]}
    chinese = {f["feature"]: f for f in client.post("/v1/estimates", json={**case, "lang": "zh"}).json()["factors"]}
    fame, intent = english["fame=high"], english["intentional=yes"]
    assert (fame["legal_direction"], fame["against_legal_direction"]) == ("raises", True)
    assert fame["effect"] < 1
    assert "courts weigh this fact the other way" in fame["explanation"]
    assert "法院通常将该情节作相反方向的考量" in chinese["fame=high"]["explanation"]
    assert (intent["legal_direction"], intent["against_legal_direction"]) == ("raises", False)
    assert intent["effect"] > 1
    assert "other way" not in intent["explanation"]
    assert english["log_claim"]["legal_direction"] is None


def test_the_advice_states_its_assumption_in_the_language_asked(client: Client) -> None:
    body = {"case": BLOGGER, "assessed_loss": 5000}
    english = client.post("/v1/claims/advice", json=body).json()
    chinese = client.post("/v1/claims/advice", json=body, headers={"accept-language": "zh"}).json()
    in_body = client.post("/v1/claims/advice", json={**body, "case": {**BLOGGER, "lang": "zh"}}).json()
    assert "5,000 yuan" in english["assumption"]
    assert "人民币5,000元" in chinese["assumption"]
    assert "多主张不会提高判赔" in chinese["assumption"]
    # A claim is priced as kept to judgment, and the answer says where a change is priced instead.
    assert "Measures art. 21" in english["assumption"]
    assert "changed_claim_amount" in english["assumption"]
    assert "第二十一条" in chinese["assumption"]
    assert "第三十五条" in chinese["assumption"]
    assert in_body["assumption"] == chinese["assumption"]
    assert chinese["options"] == english["options"]
    unassessed = client.post("/v1/claims/advice", json={"case": {**BLOGGER, "lang": "zh"}}).json()
    assert "未提供" in unassessed["assumption"]


def test_a_fact_that_barely_moves_the_award_is_not_said_to_raise_or_lower_it(client: Client) -> None:
    case = {"law_version": "2020", "fame": "low", "claimed_economic_loss": 5000}
    english = {f["feature"]: f for f in client.post("/v1/estimates", json=case).json()["factors"]}
    chinese = {f["feature"]: f for f in client.post("/v1/estimates", json={**case, "lang": "zh"}).json()["factors"]}
    fame = english["fame=low"]
    assert f"{fame['effect']:.2f}" == "1.00"  # the fitted effect of low fame rounds to none
    assert fame["explanation"] == "Fame of the work: low barely moves the median award ×1.00"
    assert chinese["fame=low"]["explanation"] == "作品知名度：低，使预计判赔中位数基本不变（为参照案件的1.00倍）"


def test_a_fact_is_flagged_against_the_law_only_when_its_whole_range_is() -> None:
    """The point estimate alone is noise for a rare fact (×1.02, range 0.43–2.43): not flagged."""
    assert against_the_law("fame=high", math.log(0.53), 0.4)  # range 0.32–0.89: all below 1
    assert not against_the_law("fame=high", math.log(0.9), 0.4)  # range reaches above 1
    assert not against_the_law("intentional=no", math.log(1.018), 0.7)
    assert against_the_law("intentional=no", math.log(1.8), 0.2)
    assert not against_the_law("log_claim", math.log(0.1), 0.01)  # the law gives the claim no direction
