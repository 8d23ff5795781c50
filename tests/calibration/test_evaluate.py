"""Held-out validation on the bundled cases, and the four reference cases left out of the fit."""

from __future__ import annotations

import pytest

from calibration.evaluate import Evaluation, evaluate
from calibration.fit import fit_award_model
from calibration.observations import case_of
from calibration.records import bundled_records
from estimator.law.fees import Procedure
from estimator.model.estimate import Question, estimate_cases


@pytest.fixture(scope="module")
def report() -> Evaluation:
    return evaluate(bundled_records(), folds=10)


def test_eighty_percent_ranges_cover_seventy_to_ninety_percent(report: Evaluation) -> None:
    assert 0.70 <= report.model.coverage_80 <= 0.90
    assert 0.35 <= report.model.coverage_50 <= 0.65


def test_model_beats_the_ratio_rule_on_median_error(report: Evaluation) -> None:
    assert report.model.median_abs_log_error < report.ratio.median_abs_log_error
    assert report.model.median_abs_log_error < report.constant.median_abs_log_error


def test_model_beats_the_ratio_rule_on_interval_score(report: Evaluation) -> None:
    assert report.model.interval_score_80 < report.ratio.interval_score_80


SEEDS = [
    pytest.param("ai-image-li-v-liu-bjic-2023", Procedure.ORDINARY, 500, 50, id="Beijing AI picture: 500, fee 50"),
    pytest.param("ai-text-dreamwriter-nanshan", Procedure.ORDINARY, 1_500, 275, id="Shenzhen Dreamwriter: 1,500, 275"),
    pytest.param("ai-ultraman-gzic-2024", Procedure.SIMPLIFIED, 10_000, 2_900, id="Guangzhou Ultraman: 10,000, 2,900"),
    pytest.param("ai-ultraman-lora-hzic", Procedure.ORDINARY, 30_000, 5_800, id="Hangzhou LoRA Ultraman: 30,000"),
]


@pytest.mark.parametrize(("record_id", "procedure", "award", "fee_due"), SEEDS)
def test_reference_case_left_out_falls_in_its_own_range(
    record_id: str, procedure: Procedure, award: float, fee_due: float
) -> None:
    # The courts' figures include expenses in three of the four cases (a statutory award "含合理开支"),
    # so the figure is compared with the range of the statutory award itself.
    records = bundled_records()
    record = next(r for r in records if r.id == record_id)
    model = fit_award_model([r for r in records if r.id != record_id])
    estimate = estimate_cases(model, [Question(case=case_of(record), procedure=procedure)])[0]
    assert estimate.economic_loss.p10 <= award <= estimate.economic_loss.p90
    assert estimate.court_fees.fee_due == fee_due


def test_the_claim_rule_is_fitted_on_the_training_folds_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import calibration.evaluate as evaluation

    seen: list[set[str]] = []
    fit = evaluation.fit_claim_rule

    def recording(used, core, **kwargs):  # type: ignore[no-untyped-def]
        seen.append({o.record_id for o in used})
        return fit(used, core, **kwargs)

    monkeypatch.setattr(evaluation, "fit_claim_rule", recording)
    report = evaluate(bundled_records(), folds=5)
    everyone = {h.record_id for h in report.held_out}
    assert len(seen) == 5
    # Each award is left out of exactly one fold's rule: the fold that predicts it.
    for record_id in everyone:
        assert sum(record_id not in ids for ids in seen) == 1
