"""Fitting the award model: recovery on simulated records, degenerate data, the artifact, the default model."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import msgspec
import numpy as np
import pytest

from calibration.fit import DEFAULT_PRIOR, FitSettings, fit_award_model, fit_fee_split
from calibration.observations import case_of, observations
from calibration.records import CaseRecord, bundled_records
from estimator.errors import DegenerateDataError, InvalidInputError
from estimator.model.artifact import default_model, dumps_model, loads_model
from estimator.model.case import Case
from estimator.model.features import CaseColumns, FeatureSpec

ROOT = Path(__file__).resolve().parents[2]


def _simulated(n: int, *, seed: int, fame_effect: float, claim_elasticity: float, sigma: float) -> list[CaseRecord]:
    """Records from the model's own assumptions: log award = a + b log claim + fame + noise, censored."""
    rng = np.random.default_rng(seed)
    records = []
    for i in range(n):
        claim = float(np.exp(rng.uniform(np.log(5_000), np.log(2_000_000))))
        famous = bool(rng.random() < 0.4)
        z = 1.0 + claim_elasticity * math.log(claim) + (fame_effect if famous else 0.0) + sigma * rng.normal()
        award = float(min(max(math.exp(z), 500.0), claim))
        records.append(
            CaseRecord(
                id=f"sim-{i}",
                judgment_date="2023-05-01",
                law_version="2020",
                work_type="photograph",
                fame="high" if famous else None,
                claimed_economic_loss=round(claim, 2),
                awarded_economic_loss=round(award, 2),
                award_includes_expenses=False,
            )
        )
    return records


def test_fit_recovers_known_effects_from_simulated_cases() -> None:
    # 1,500 cases: the Laplace standard errors are about 0.03-0.05, so 4 SE is a tight, fair bound.
    model = fit_award_model(_simulated(1_500, seed=7, fame_effect=0.9, claim_elasticity=0.7, sigma=0.8))
    names = model.features.names
    cov = np.asarray(model.covariance)
    for name, truth in [("log_claim", 0.7), ("fame=high", 0.9)]:
        j = names.index(name)
        assert abs(model.coefficients[j] - truth) < 4 * math.sqrt(cov[j, j]), (name, model.coefficients[j])
    assert model.sigma == pytest.approx(0.8, rel=0.1)
    # Some awards sat at the floor or the claim: censored, and still recovered.
    assert model.n_fitted == 1_500


def test_interval_recalibration_is_near_one_when_the_model_is_right() -> None:
    model = fit_award_model(_simulated(600, seed=3, fame_effect=0.5, claim_elasticity=0.6, sigma=1.0))
    assert 0.85 <= model.interval_scale <= 1.2


def test_too_few_cases_is_a_clear_error() -> None:
    with pytest.raises(DegenerateDataError, match="at least 8"):
        fit_award_model(_simulated(5, seed=1, fame_effect=0, claim_elasticity=0.5, sigma=1))


def test_awards_without_variation_are_a_clear_error() -> None:
    same = [
        CaseRecord(id=f"c{i}", law_version="2020", claimed_economic_loss=10_000.0 + i, awarded_economic_loss=2_000.0)
        for i in range(12)
    ]
    with pytest.raises(DegenerateDataError, match="no variation"):
        fit_award_model(same)


def test_non_statutory_awards_are_kept_out_of_the_fit() -> None:
    records = _simulated(40, seed=2, fame_effect=0.5, claim_elasticity=0.6, sigma=1.0)
    punitive = CaseRecord(id="punitive", law_version="2020", damages_method="punitive", awarded_total=9_000_000.0)
    above_cap = CaseRecord(id="above", law_version="2010", judgment_date="2019", awarded_total=1_000_000.0)
    model = fit_award_model([*records, punitive, above_cap])
    assert (model.n_records, model.n_fitted) == (42, 40)


def test_fitted_model_holds_no_training_data_and_round_trips() -> None:
    model = fit_award_model(bundled_records())
    text = dumps_model(model)
    assert b"ai-image-li-v-liu" not in text
    assert b"Beijing" not in text
    assert loads_model(text) == model


def test_a_tampered_or_future_model_is_refused() -> None:
    text = dumps_model(default_model())
    tampered = text.replace(b'"sigma":', b'"sigma": 0.5, "_":', 1)
    with pytest.raises(InvalidInputError):
        loads_model(tampered)
    data = msgspec.json.decode(text)
    data["sigma"] *= 2
    with pytest.raises(InvalidInputError, match="altered"):
        loads_model(msgspec.json.encode(data))
    data["schema_version"] = 99
    with pytest.raises(InvalidInputError, match="schema version 99"):
        loads_model(msgspec.json.encode(data))


def test_committed_default_model_is_reproduced_by_a_fresh_fit() -> None:
    # `make calibrate` writes estimator/model/default_model.json; a fresh fit must agree with it.
    fresh = fit_award_model(bundled_records())
    committed = default_model()
    assert committed.features == fresh.features
    assert np.allclose(committed.coefficients, fresh.coefficients, atol=1e-6)
    assert np.allclose(committed.covariance, fresh.covariance, atol=1e-6)
    assert committed.sigma == pytest.approx(fresh.sigma, abs=1e-8)
    assert committed.interval_scale == fresh.interval_scale
    assert committed.expenses == fresh.expenses
    assert committed.fee_split.gamma == pytest.approx(fresh.fee_split.gamma, rel=1e-6)
    assert committed.claim_rule is not None
    assert fresh.claim_rule is not None
    assert np.allclose(
        msgspec.structs.astuple(committed.claim_rule), msgspec.structs.astuple(fresh.claim_rule), atol=1e-6
    )


def test_the_claim_rule_is_fitted_at_the_regressions_slope_to_the_same_awards() -> None:
    records = bundled_records()
    model = fit_award_model(records)
    rule = model.claim_rule
    assert rule is not None
    assert rule.claim_slope == model.coefficients[model.features.names.index("log_claim")]
    used, _ = observations(records)
    log_awards = np.log([o.point for o in used])
    assert rule.without_claim_mean == pytest.approx(log_awards.mean())
    assert rule.without_claim_sd == pytest.approx(log_awards.std(ddof=1))
    alone = fit_award_model(records, settings=FitSettings(claim_rule_weight=0))
    assert alone.claim_rule is None
    assert alone.coefficients == model.coefficients  # pooling leaves the regression as fitted


def test_awards_of_fewer_than_two_claims_teach_no_claim_rule() -> None:
    records = _simulated(40, seed=7, fame_effect=0.5, claim_elasticity=0.7, sigma=0.8)
    unclaimed = [msgspec.structs.replace(r, claimed_economic_loss=None) for r in records[1:]]
    assert fit_award_model([records[0], *unclaimed]).claim_rule is None
    assert fit_award_model(records[:2] + unclaimed[1:]).claim_rule is not None


def test_fee_split_puts_more_on_the_defendant_than_the_proportional_rule() -> None:
    split = fit_fee_split(bundled_records())
    assert split.n_records >= 3
    assert split.gamma < 1.0  # gamma = 1 is proportional; the seed cases put most of the fee on the defendant


def test_taking_rows_of_coded_cases_is_coding_those_rows() -> None:
    cases = [case_of(r) for r in bundled_records()]
    coded = CaseColumns(cases)
    rows = np.array([40, 3, 77, 3, 0])
    spec = FeatureSpec.build(log_claim_centre=11.0, log_audience_centre=4.0)
    taken = coded.take(rows)
    again = CaseColumns([cases[i] for i in rows])
    np.testing.assert_array_equal(taken.design_matrix(spec), again.design_matrix(spec))
    np.testing.assert_array_equal(taken.disputed, again.disputed)
    assert taken.ids == again.ids
    assert taken.n == again.n == 5


# The default model as committed before the claim was read up to the statutory cap and the audience
# slope had a prior of its own: stored calibrations fitted then must load and answer as they were fitted.
FITTED_BEFORE_CLAIM_CAP = Path(__file__).parent / "data" / "model_fitted_before_claim_cap.json"


def _log_claim_read(spec: FeatureSpec, **facts: object) -> float:
    x = CaseColumns([Case(**facts)]).design_matrix(spec)[0]  # type: ignore[arg-type]
    return float(x[spec.names.index("log_claim")] + spec.log_claim_centre)


def test_the_claim_is_read_up_to_the_statutory_cap_of_the_case_law() -> None:
    spec = default_model().features
    assert spec.claim_capped
    read = functools.partial(_log_claim_read, spec)
    assert read(claimed_economic_loss=5_500_000, law_version="2010") == pytest.approx(math.log(500_000))
    assert read(claimed_economic_loss=5_500_000, law_version="2020") == pytest.approx(math.log(5_000_000))
    assert read(claimed_economic_loss=8_000_000) == pytest.approx(math.log(5_000_000))  # law not stated
    assert read(claimed_economic_loss=300_000, law_version="2010") == pytest.approx(math.log(300_000))
    row = CaseColumns([Case(law_version="2010")]).design_matrix(spec)[0]
    assert row[spec.names.index("claim_unknown")] == 1.0
    assert row[spec.names.index("log_claim")] == 0.0


def test_a_model_fitted_before_the_claim_cap_keeps_its_id_and_reads_claims_as_it_was_fitted() -> None:
    data = FITTED_BEFORE_CLAIM_CAP.read_bytes()
    old = loads_model(data)  # its content id still verifies: the new fields are left out at their defaults
    assert not old.features.claim_capped
    assert old.prior.audience_decade_sd is None
    assert b"claim_capped" not in dumps_model(old)
    assert b"audience_decade_sd" not in dumps_model(old)
    read = _log_claim_read(old.features, claimed_economic_loss=5_500_000, law_version="2010")
    assert read == pytest.approx(math.log(5_500_000))


def test_the_audience_slope_has_a_prior_per_tenfold() -> None:
    # Audiences span eight or more tenfolds; the slope's prior sd (0.2 per tenfold) holds the whole
    # span to the reach of any other fact, where the generic 0.8 would let it move an award e^6-fold.
    model = default_model()
    assert model.prior.audience_decade_sd == pytest.approx(0.2)
    j = model.features.names.index("log_audience")
    assert math.sqrt(model.covariance[j][j]) < 0.2
    free = fit_award_model(
        bundled_records(), settings=FitSettings(prior=msgspec.structs.replace(DEFAULT_PRIOR, audience_decade_sd=None))
    )
    assert math.sqrt(free.covariance[j][j]) > 0.2  # the same data under the generic prior: a looser slope
