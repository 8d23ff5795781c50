"""Estimates: one distribution answers every question, routes, fees, and batch equals single."""

from __future__ import annotations

import msgspec
import pytest

from estimator.errors import OutsideLawError
from estimator.model.artifact import FittedModel, default_model
from estimator.model.case import Case
from estimator.model.estimate import Evidence, Question, estimate_cases


@pytest.fixture(scope="module")
def model() -> FittedModel:
    return default_model()


BLOGGER = Case(
    id="blogger",
    law_version="2020",
    work_type="ai_image",
    plaintiff_type="individual",
    defendant_type="individual",
    commercial_use=False,
    claimed_economic_loss=5_000,
)


def test_award_quantiles_are_ordered_and_within_the_bounds(model: FittedModel) -> None:
    e = estimate_cases(model, [Question(case=BLOGGER)])[0]
    loss = e.economic_loss
    assert 500 <= loss.p10 <= loss.p25 <= loss.p50 <= loss.p75 <= loss.p90 <= 5_000
    assert (e.law.floor, e.law.cap) == (500, 5_000)
    # One distribution: if a tenth or more of the mass sits on the floor, p10 is the floor.
    assert (loss.p_floor >= 0.10) == (loss.p10 == 500)
    assert (loss.p_full_claim >= 0.10) == (loss.p90 == 5_000)


def test_batch_and_single_estimates_agree(model: FittedModel) -> None:
    other = msgspec.structs.replace(BLOGGER, id="film", work_type="film", claimed_economic_loss=800_000)
    batch = estimate_cases(model, [Question(case=BLOGGER), Question(case=other)])
    assert batch == [estimate_cases(model, [Question(case=c)])[0] for c in (BLOGGER, other)]


def test_a_proved_loss_takes_the_actual_loss_route(model: FittedModel) -> None:
    e = estimate_cases(model, [Question(case=BLOGGER, evidence=Evidence(actual_loss=3_000))])[0]
    assert e.law.route == "actual_loss"
    assert e.economic_loss.p10 == e.economic_loss.p90 == 3_000


def test_punitive_multiple_on_a_proved_base_but_never_above_the_claim(model: FittedModel) -> None:
    evidence = Evidence(illegal_gains=2_000, intentional_and_serious=True, punitive_multiplier=2)
    e = estimate_cases(model, [Question(case=BLOGGER, evidence=evidence)])[0]
    assert e.economic_loss.p50 == 4_000
    capped = estimate_cases(
        model, [Question(case=BLOGGER, evidence=msgspec.structs.replace(evidence, punitive_multiplier=5))]
    )
    assert capped[0].economic_loss.p50 == 5_000


def test_punitive_on_a_statutory_award_is_refused(model: FittedModel) -> None:
    with pytest.raises(OutsideLawError) as caught:
        estimate_cases(
            model, [Question(case=BLOGGER, evidence=Evidence(punitive_multiplier=2, intentional_and_serious=True))]
        )
    assert caught.value.field == "punitive_multiplier"


def test_unknown_claim_gives_no_fee_and_says_so(model: FittedModel) -> None:
    e = estimate_cases(model, [Question(case=Case(id="x", work_type="film"))])[0]
    assert e.court_fees.acceptance_fee is None
    assert any("no claimed amount" in a for a in e.law.assumptions)
    assert any("2021-06-01" in a for a in e.law.assumptions)


def test_fees_follow_the_claim_and_the_split_adds_up(model: FittedModel) -> None:
    e = estimate_cases(model, [Question(case=BLOGGER)])[0]
    fees = e.court_fees
    assert (fees.acceptance_fee, fees.fee_due) == (50, 50)
    assert fees.proportional is not None
    assert fees.fitted is not None
    assert fees.fitted.plaintiff + fees.fitted.defendant == pytest.approx(50)
    assert fees.fitted.defendant > fees.proportional.defendant


def test_a_5_million_claim_for_a_blogger_costs_more_than_it_brings(model: FittedModel) -> None:
    greedy = msgspec.structs.replace(BLOGGER, claimed_economic_loss=5_000_000)
    modest, inflated = estimate_cases(model, [Question(case=BLOGGER), Question(case=greedy)])
    assert inflated.court_fees.acceptance_fee == 46_800
    assert inflated.net_recovery.p_negative > modest.net_recovery.p_negative
