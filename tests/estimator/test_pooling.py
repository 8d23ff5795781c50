"""Pooling the regression with what the claim alone predicts: the law of the pooled forecast."""

from __future__ import annotations

import math
from pathlib import Path

import msgspec
import numpy as np
import pytest
from scipy.stats import norm

from estimator.model.artifact import FittedModel, content_id, default_model, dumps_model, loads_model
from estimator.model.case import Case
from estimator.model.estimate import Question, estimate_cases
from estimator.model.explain import explain
from estimator.model.features import CaseColumns
from estimator.model.pooling import model_predictive, predictive, rule_coefficients, spread

FITTED_BEFORE_POOLING = Path(__file__).parents[1] / "calibration" / "data" / "model_fitted_before_claim_cap.json"

# A case far from every bound, so that its quantiles are the uncensored law's.
PHOTOS = Case(law_version="2020", work_type="photograph", works_count=3, claimed_economic_loss=400_000, fame="high")


@pytest.fixture(scope="module")
def model() -> FittedModel:
    return default_model()


def _regression_alone(model: FittedModel) -> FittedModel:
    return msgspec.structs.replace(model, claim_rule=None, id="")


def test_the_default_model_pools_half_and_half(model: FittedModel) -> None:
    assert model.claim_rule is not None
    assert model.claim_rule.weight == 0.5


def test_a_pooled_quantile_is_the_average_of_the_two_forecasts_quantiles_on_the_log_scale(model: FittedModel) -> None:
    rule = model.claim_rule
    assert rule is not None
    x = CaseColumns([PHOTOS]).design_matrix(model.features)
    alone = model_predictive(_regression_alone(model))
    regression_mu, regression_sd = float((x @ alone.beta)[0]), float(spread(alone, x)[0])
    rule_mu = float((x @ rule_coefficients(model.features, rule))[0])
    estimate = estimate_cases(model, [Question(case=PHOTOS)])[0].economic_loss
    for p, reported in ((0.10, estimate.p10), (0.50, estimate.p50), (0.90, estimate.p90)):
        z = norm.ppf(p)
        regression_q = regression_mu + z * regression_sd
        rule_q = rule_mu + z * rule.with_claim_sd
        assert reported == pytest.approx(math.exp(0.5 * regression_q + 0.5 * rule_q), rel=1e-3, abs=0.5), p


def test_pooling_keeps_the_claims_effect_and_halves_every_other_facts(model: FittedModel) -> None:
    pooled = model_predictive(model)
    names = model.features.names
    claim = names.index("log_claim")
    assert pooled.beta[claim] == pytest.approx(model.coefficients[claim])
    assert pooled.cov[claim, claim] == pytest.approx(model.covariance[claim][claim])  # its uncertainty too
    for fact in ("fame=high", "intentional=yes", "defendant_type=individual"):
        j = names.index(fact)
        assert pooled.beta[j] == pytest.approx(0.5 * model.coefficients[j])
        assert pooled.cov[j, j] == pytest.approx(0.25 * model.covariance[j][j])


def test_without_a_claim_the_rule_is_the_spread_of_all_awards(model: FittedModel) -> None:
    rule = model.claim_rule
    assert rule is not None
    unclaimed = Case(law_version="2020", work_type="photograph")
    x = CaseColumns([PHOTOS, unclaimed]).design_matrix(model.features)
    assert (x @ rule_coefficients(model.features, rule))[1] == pytest.approx(rule.without_claim_mean)
    pooled, alone = model_predictive(model), model_predictive(_regression_alone(model))
    added = spread(pooled, x) - 0.5 * spread(alone, x)
    assert added == pytest.approx([0.5 * rule.with_claim_sd, 0.5 * rule.without_claim_sd])
    assert rule.without_claim_sd > rule.with_claim_sd  # the claim is what the rule knows


def test_a_pooled_range_lies_between_the_regressions_and_the_rules(model: FittedModel) -> None:
    rule = model.claim_rule
    assert rule is not None
    pooled = estimate_cases(model, [Question(case=PHOTOS)])[0].economic_loss
    alone = estimate_cases(_regression_alone(model), [Question(case=PHOTOS)])[0].economic_loss
    rule_width = 2 * norm.ppf(0.9) * rule.with_claim_sd
    widths = sorted([math.log(alone.p90 / alone.p10), rule_width])
    assert widths[0] < math.log(pooled.p90 / pooled.p10) < widths[1]


def test_a_model_stored_before_pooling_keeps_its_id_and_answers_by_its_regression() -> None:
    data = FITTED_BEFORE_POOLING.read_bytes()
    assert b"claim_rule" not in data
    old = loads_model(data)  # its content id verifies without the field
    assert old.claim_rule is None
    assert content_id(old) == old.id
    assert b'"claim_rule":null' not in dumps_model(old).replace(b" ", b"")
    pooled = model_predictive(old)
    assert np.array_equal(pooled.beta, np.asarray(old.coefficients))
    assert pooled.added_with_claim == pooled.added_without_claim == 0.0


def test_a_changed_claim_rule_changes_the_id(model: FittedModel) -> None:
    rule = model.claim_rule
    assert rule is not None
    other = msgspec.structs.replace(model, claim_rule=msgspec.structs.replace(rule, weight=0.25))
    assert content_id(other) != model.id
    assert content_id(_regression_alone(model)) != model.id


def test_a_claims_explained_range_is_the_regressions_own(model: FittedModel) -> None:
    case = Case(law_version="2020", work_type="film", claimed_economic_loss=2_000_000)
    pooled = next(f for f in explain(model, case) if f.feature == "log_claim")
    alone = next(f for f in explain(_regression_alone(model), case) if f.feature == "log_claim")
    assert (pooled.effect, pooled.effect_p10, pooled.effect_p90) == (alone.effect, alone.effect_p10, alone.effect_p90)


def test_the_pooled_covariance_is_that_of_the_pooled_coefficients_as_functions_of_the_regressions(
    model: FittedModel,
) -> None:
    """Pooled β = f(β) with the rule refitted at each β's claim slope: its covariance is JΣJᵀ, J = df/dβ."""
    rule = model.claim_rule
    assert rule is not None
    beta = np.asarray(model.coefficients)
    claim = model.features.names.index("log_claim")

    def pooled_at(b: np.ndarray) -> np.ndarray:
        shift = b[claim] - rule.claim_slope  # the rule's intercept falls by the mean claim per unit of slope
        moved = msgspec.structs.replace(
            rule, claim_slope=b[claim], with_claim_mean=rule.with_claim_mean - shift * rule.mean_log_claim
        )
        return predictive(model.features, b, np.eye(len(b)), sigma=1.0, scale=1.0, rule=moved).beta

    step = 1e-6
    jacobian = np.column_stack(
        [(pooled_at(beta + step * e) - pooled_at(beta - step * e)) / (2 * step) for e in np.eye(len(beta))]
    )
    expected = jacobian @ np.asarray(model.covariance) @ jacobian.T
    assert np.allclose(model_predictive(model).cov, expected, atol=1e-8)


def test_a_model_stored_before_pooling_answers_exactly_as_it_did() -> None:
    """Figures recorded from this model at 56d9793, before pooling existed."""
    old = loads_model(FITTED_BEFORE_POOLING.read_bytes())
    cases = [
        Case(
            law_version="2020",
            work_type="photograph",
            works_count=3,
            claimed_economic_loss=50_000,
            claimed_expenses=3_000,
        ),
        Case(law_version="2010", work_type="film", claimed_economic_loss=300_000, fame="high"),
        Case(
            law_version="2020",
            work_type="ai_image",
            defendant_type="individual",
            commercial_use=False,
            claimed_economic_loss=5_000,
        ),
    ]
    recorded = [
        [12_025, 826, 2_052, 5_642, 15_509, 38_533, 0.053, 0.0728, 10_434],
        [84_875, 5_063, 13_524, 40_290, 120_034, 300_000, 0.0, 0.1074, 83_771],
        [1_556, 500, 500, 613, 2_039, 5_000, 0.4546, 0.1195, 1_548],
    ]
    for estimate, figures in zip(estimate_cases(old, [Question(case=c) for c in cases]), recorded, strict=True):
        loss = estimate.economic_loss
        now = [loss.mean, loss.p10, loss.p25, loss.p50, loss.p75, loss.p90, loss.p_floor, loss.p_full_claim]
        assert [*now, estimate.net_recovery.expected] == figures
