"""Precedents for the four reference cases, and the draft search report."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from calibration.observations import case_of
from calibration.precedents import find_precedents
from calibration.records import bundled_records
from estimator.model.artifact import default_model
from estimator.model.case import Case
from estimator.model.explain import _CASE_FIELD_NAMES
from estimator.model.features import CaseColumns
from estimator.model.pooling import model_predictive

Client = TestClient[Litestar]
RECORDS = {r.id: r for r in bundled_records()}
SEEDS = ["ai-image-li-v-liu-bjic-2023", "ai-text-dreamwriter-nanshan", "ai-ultraman-gzic-2024", "ai-ultraman-lora-hzic"]


@pytest.mark.parametrize("seed", SEEDS)
def test_precedents_of_each_seed_case_are_real_records_nearest_first(seed: str) -> None:
    found = find_precedents(default_model(), case_of(RECORDS[seed]), list(RECORDS.values()), exclude_id=seed)
    assert len(found) >= 3
    assert all(p.id in RECORDS and p.id != seed for p in found)
    assert [p.distance for p in found] == sorted(p.distance for p in found)
    for p in found:  # every field comes from the record itself, case number included where known
        assert p.case_number == RECORDS[p.id].case_number
        assert p.award is not None


def test_the_two_ultraman_judgments_find_each_other_first() -> None:
    records = list(RECORDS.values())
    guangzhou = find_precedents(
        default_model(), case_of(RECORDS["ai-ultraman-gzic-2024"]), records, exclude_id="ai-ultraman-gzic-2024"
    )
    assert guangzhou[0].case_number == "(2024)浙0192民初1587号"
    hangzhou = find_precedents(
        default_model(), case_of(RECORDS["ai-ultraman-lora-hzic"]), records, exclude_id="ai-ultraman-lora-hzic"
    )
    assert hangzhou[0].case_number == "(2024)粤0192民初113号"


def test_a_fact_weighs_in_the_distance_as_much_as_it_moves_the_median_the_model_answers_with() -> None:
    """Distance terms are effects on the log median: the pooled coefficients, as estimates and explanations use."""
    model = default_model()
    case = case_of(RECORDS["ai-image-li-v-liu-bjic-2023"])
    nearest = find_precedents(model, case, list(RECORDS.values()), exclude_id="ai-image-li-v-liu-bjic-2023")[0]
    weights = model_predictive(model).beta.copy()
    weights[model.features.names.index("intercept")] = 0.0
    rows = CaseColumns([case, case_of(RECORDS[nearest.id])]).design_matrix(model.features)
    assert nearest.distance == pytest.approx(float(np.linalg.norm(weights * (rows[0] - rows[1]))), abs=1e-3)


def test_the_cut_off_is_a_distance_not_a_count() -> None:
    case = case_of(RECORDS["ai-text-dreamwriter-nanshan"])
    records = list(RECORDS.values())
    near = find_precedents(default_model(), case, records, max_distance=0.5, limit=50)
    far = find_precedents(default_model(), case, records, max_distance=1.5, limit=50)
    assert len(far) > len(near) >= 1
    assert all(p.within_cutoff and p.distance <= 1.5 for p in far)


def test_precedents_over_http_and_in_estimates(client: Client) -> None:
    case = {"law_version": "2020", "work_type": "character", "fame": "high", "defendant_type": "platform",
            "commercial_use": True, "claimed_total": 300000}  # fmt: skip
    found = client.post("/v1/precedents", json={"case": case}).json()["precedents"]
    assert {p["case_number"] for p in found[:2]} == {"(2024)浙0192民初1587号", "(2024)粤0192民初113号"}
    estimate = client.post("/v1/estimates", json=case).json()
    assert [p["id"] for p in estimate["precedents"]][:2] == [p["id"] for p in found][:2]


def test_the_method_follows_the_language(client: Client) -> None:
    case = {"law_version": "2020", "work_type": "photograph"}
    english = client.post("/v1/precedents", json={"case": case}).json()["method"]
    chinese = client.post("/v1/precedents", json={"case": case}, headers={"Accept-Language": "zh"}).json()["method"]
    assert english.startswith("Distance = sqrt")
    assert "相似度为exp(-距离)" in chinese
    asked = client.post("/v1/precedents", json={"case": {**case, "lang": "zh"}}, headers={"Accept-Language": "en"})
    assert asked.json()["method"] == chinese


def test_report_is_markdown_in_chinese_by_default_and_english_on_request(client: Client) -> None:
    body = {"case": {"law_version": "2020", "work_type": "character", "fame": "high", "claimed_total": 300000}}
    chinese = client.post("/v1/precedents/report", json=body)
    assert chinese.headers["content-type"].startswith("text/markdown")
    assert chinese.text.startswith("# 类案检索报告")
    assert "| 案号 |" in chinese.text
    english = client.post("/v1/precedents/report", json=body, headers={"accept-language": "en"})
    assert english.text.startswith("# Similar-case search report")
    asked_in_body = client.post("/v1/precedents/report", json={"case": {**body["case"], "lang": "en"}})
    assert asked_in_body.text == english.text
    body_wins = {"case": {**body["case"], "lang": "zh"}}
    assert client.post("/v1/precedents/report", json=body_wins, headers={"accept-language": "en"}).text == chinese.text


def test_the_report_lists_the_facts_in_words_not_field_names(client: Client) -> None:
    case = {"law_version": "2020", "work_type": "character", "procedure": "simplified", "commercial_use": True,
            "works_count": 2, "claimed_total": 300000, "remediation": "after_notice"}  # fmt: skip
    chinese = client.post("/v1/precedents/report", json={"case": case}).text
    searched = chinese.split("## 检索对象")[1].split("##")[0]
    for line in ("- 作品类型：角色形象", "- 审理程序：简易程序", "- 商业使用：是", "- 主张的赔偿总额：人民币300,000元",
                 "- 停止侵权的时间：收到通知后停止"):  # fmt: skip
        assert line in searched
    assert "`" not in searched
    assert "| 角色形象 |" in chinese
    english = client.post("/v1/precedents/report", json={"case": case}, headers={"accept-language": "en"}).text
    for line in (
        "- Type of work: character",
        "- Total claimed: 300,000 yuan",
        "- Copyright Law version: 2020 amendment",
    ):
        assert line in english


def test_the_report_states_only_what_was_stated_and_marks_a_missing_case_number(client: Client) -> None:
    case = {"law_version": "2020", "work_type": "photograph", "claimed_total": 50000}
    chinese = client.post("/v1/precedents/report", json={"case": case}).text
    assert "审理程序" not in chinese.split("## 检索对象")[1].split("##")[0]  # no procedure was given
    found = client.post("/v1/precedents", json={"case": case}).json()["precedents"]
    unnumbered = next(p for p in found if p["case_number"] is None)
    assert f"| 未载明（记录 `{unnumbered['id']}`） |" in chinese
    english = client.post("/v1/precedents/report", json={"case": {**case, "lang": "en"}}).text
    assert f"| not stated (record `{unnumbered['id']}`) |" in english


def test_every_fact_of_a_case_has_a_name_in_both_languages() -> None:
    """A field added to `Case` without names would show as its raw key in the report."""
    names = {field.name for field in msgspec.structs.fields(Case)} - {"id"}
    assert names == _CASE_FIELD_NAMES.keys()
    assert all(en and zh and en != zh for en, zh in _CASE_FIELD_NAMES.values())
