"""Estimates: one distribution answers every question, routes, fees, and batch equals single."""

from __future__ import annotations

import math

import msgspec
import pytest

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.law.article54 import Article54Settings, ExpensesMode
from estimator.law.fees import Outcome
from estimator.model.advice import advise_claim
from estimator.model.artifact import FittedModel, default_model
from estimator.model.case import Case
from estimator.model.estimate import Evidence, Question, Settings, estimate_cases
from estimator.model.features import CaseColumns


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


@pytest.mark.parametrize(
    ("version", "claim", "evidence", "award"),
    [
        pytest.param("2020", 10_000_000, Evidence(actual_loss=8_000_000), 8_000_000, id="2020 loss over the cap"),
        pytest.param("2020", None, Evidence(actual_loss=8_000_000), 8_000_000, id="no claim"),
        pytest.param("2010", 2_000_000, Evidence(actual_loss=1_000_000), 1_000_000, id="2010 loss over 500,000"),
        pytest.param(
            "2020",
            20_000_000,
            Evidence(actual_loss=3_000_000, intentional_and_serious=True, punitive_multiplier=3),
            9_000_000,
            id="punitive multiple over the cap",
        ),
        pytest.param("2020", 6_000_000, Evidence(royalty=7_000_000), 6_000_000, id="royalty capped by the claim"),
    ],
)
def test_the_statutory_cap_binds_statutory_damages_only(
    model: FittedModel, version: str, claim: float | None, evidence: Evidence, award: float
) -> None:
    """Art. 54 para. 1: a proved amount is awarded as proved, within the claim, whatever the statutory cap."""
    case = Case(law_version=version, claimed_economic_loss=claim)  # type: ignore[arg-type]  # a LawVersion
    e = estimate_cases(model, [Question(case=case, evidence=evidence)])[0]
    loss = e.economic_loss
    assert loss.p10 == loss.p50 == loss.p90 == loss.mean == award
    assert (e.law.floor, e.law.cap) == (0, claim or award)  # the statutory floor does not bind a proved amount
    assert (loss.p_floor, loss.p_full_claim) == (0, 1 if award == claim else 0)
    assert e.net_recovery.p_negative == 0


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


def test_claim_advice_on_a_proved_loss_reaches_beyond_the_statutory_cap(model: FittedModel) -> None:
    """Asking exactly what is proved wins it all at the least fee, even above the 5,000,000 statutory cap."""
    for proved, best in ((8_000_000, 8_000_000), (20_000, 20_000)):
        question = Question(case=Case(law_version="2020"), evidence=Evidence(actual_loss=proved))
        advice = advise_claim(model, question, points=10)
        assert advice.best.claim == best
        assert advice.best.award_p50 == proved
        assert max(o.claim for o in advice.options) == max(proved, 5_000_000)
        beyond = [o for o in advice.options if o.claim > proved]
        assert all(o.expected_net_recovery < advice.best.expected_net_recovery for o in beyond)


def test_inclusive_expenses_sit_inside_a_statutory_award_but_not_a_proved_one(model: FittedModel) -> None:
    """ESTIMATOR_EXPENSES_MODE=inclusive (LEGAL.md open question 5): nothing is added on top of statutory damages."""
    case = Case(law_version="2020", claimed_economic_loss=100_000, claimed_expenses=10_000)
    questions = [Question(case=case), Question(case=case, evidence=Evidence(actual_loss=30_000))]
    separate = estimate_cases(model, questions)
    inclusive = estimate_cases(
        model, questions, settings=Settings(article54=Article54Settings(expenses_mode=ExpensesMode.INCLUSIVE))
    )
    statutory, proved = inclusive
    # The same award law, reaching up to the loss and expenses claimed (110,000) rather than the loss alone.
    assert (statutory.law.cap, separate[0].law.cap) == (110_000, 100_000)
    quantiles = ("p10", "p25", "p50", "p75", "p90")
    assert [getattr(statutory.economic_loss, q) for q in quantiles] == [
        getattr(separate[0].economic_loss, q) for q in quantiles
    ]
    assert statutory.expenses.expected_supported == 0 < separate[0].expenses.expected_supported
    assert statutory.total_award.p50 == statutory.economic_loss.p50
    assert statutory.net_recovery.expected < separate[0].net_recovery.expected
    assert "reasonable expenses are inside the statutory figure (inclusive mode)" in statutory.law.assumptions
    assert proved == separate[1]  # expenses on a proved route are always added (art. 54 para. 3)


def test_a_record_under_the_2001_text_is_modelled_as_2010_but_cited_as_itself(model: FittedModel) -> None:
    """Same damages rules (loss, then gains, then statutory damages up to 500,000), different article."""
    older, newer = (
        estimate_cases(model, [Question(case=Case(law_version=v, claimed_economic_loss=800_000))])[0]  # type: ignore[arg-type]
        for v in ("2001", "2010")
    )
    assert (older.law.statute_id, older.law.article, older.law.version) == ("copyright-2001", "art. 48", "2001")
    assert "(art. 48)" in older.law.route_reason
    assert (newer.law.statute_id, newer.law.article) == ("copyright-2010", "art. 49")
    assert older.economic_loss == newer.economic_loss
    # Neither text has a royalty route, so the statutory assumption does not speak of one.
    assert older.law.assumptions == newer.law.assumptions
    assert not any("royalty" in a for a in newer.law.assumptions)
    gains = estimate_cases(model, [Question(case=BLOGGER, evidence=Evidence(illegal_gains=2_000))])[0]
    assert gains.law.route_reason.startswith("illegal gains were proved (art. 54)")


@pytest.mark.parametrize(
    ("outcome", "english", "chinese"),
    [(Outcome.MEDIATION, "settled by mediation", "调解结案"), (Outcome.WITHDRAWAL, "claim withdrawn", "撤回起诉")],
)
def test_a_case_ending_without_judgment_says_what_its_award_stands_for(
    model: FittedModel, outcome: Outcome, english: str, chinese: str
) -> None:
    question = Question(case=BLOGGER, outcome=outcome)
    (en,) = estimate_cases(model, [question])
    (zh,) = estimate_cases(model, [question], lang="zh")
    assert any(a.startswith(english) for a in en.law.assumptions)
    assert any(a.startswith(chinese) for a in zh.law.assumptions)
    (judged,) = estimate_cases(model, [Question(case=BLOGGER)])
    assert not any(a.startswith(("settled", "claim withdrawn")) for a in judged.law.assumptions)


def test_a_model_fitted_before_itemised_fees_were_deducted_reads_the_claim_as_it_was_fitted() -> None:
    """The claim is now the total less itemised fees too; a model fitted before keeps reading it less stated
    expenses only, and its content id (the flag is left out of its encoding)."""
    case = Case(law_version="2020", claimed_total=19_000, notarization_fee=1_000)
    spec = default_model().features
    assert spec.claim_less_itemised
    before = msgspec.structs.replace(spec, claim_less_itemised=False)
    assert b"claim_less_itemised" not in msgspec.json.encode(before)
    column = spec.names.index("log_claim")
    columns = CaseColumns([case])
    now, then = columns.design_matrix(spec)[0, column], columns.design_matrix(before)[0, column]
    assert then - now == pytest.approx(math.log(19_000 / 18_000))
    assert case.claim == 18_000


@pytest.mark.parametrize(("law_version", "claim"), [("2020", 10_000_000), ("2010", 1_000_000), ("2020", 5_000_000.01)])
def test_a_claim_above_the_statutory_cap_is_never_awarded_in_full(
    model: FittedModel, law_version: str, claim: float
) -> None:
    e = estimate_cases(model, [Question(case=Case(law_version=law_version, claimed_economic_loss=claim))])[0]
    assert e.law.cap < claim
    assert e.economic_loss.p_full_claim == 0.0
    at_cap = Case(law_version=law_version, claimed_economic_loss=e.law.cap)
    assert estimate_cases(model, [Question(case=at_cap)])[0].economic_loss.p_full_claim > 0
    advice = advise_claim(model, Question(case=Case(law_version=law_version)), your_claim=claim)
    assert advice.your_claim is not None
    assert advice.your_claim.p_full_claim == 0.0


@pytest.mark.parametrize("claim", [1_001.5, 501.5, 300.5, 12_345.5])
def test_an_award_rounded_to_the_yuan_never_exceeds_a_claim_in_fen(model: FittedModel, claim: float) -> None:
    loss = estimate_cases(model, [Question(case=Case(law_version="2020", claimed_economic_loss=claim))])[
        0
    ].economic_loss
    amounts = [loss.mean, loss.p10, loss.p25, loss.p50, loss.p75, loss.p90]
    assert max(amounts) <= claim
    assert all(a == claim or a == int(a) for a in amounts)  # whole yuan, or the claim itself


@pytest.mark.parametrize(
    ("evidence", "claim", "award"),
    [
        (Evidence(actual_loss=1_000.5), 5_000, 1_000.5),
        (Evidence(actual_loss=2.5), 5_000, 2.5),
        (Evidence(actual_loss=3_000), 2_001.5, 2_001.5),
        (Evidence(illegal_gains=1_000.5, punitive_multiplier=3, intentional_and_serious=True), 50_000, 3_001.5),
    ],
)
def test_a_proved_amount_is_one_figure_to_the_fen(
    model: FittedModel, evidence: Evidence, claim: float, award: float
) -> None:
    case = Case(law_version="2020", claimed_economic_loss=claim)
    loss = estimate_cases(model, [Question(case=case, evidence=evidence)])[0].economic_loss
    assert loss.mean == loss.p10 == loss.p25 == loss.p50 == loss.p75 == loss.p90 == award
    unclaimed = estimate_cases(model, [Question(case=Case(law_version="2020"), evidence=evidence)])[0]
    assert unclaimed.net_recovery.expected == unclaimed.economic_loss.p50  # no fee, no expenses: to the fen too


def test_the_route_says_when_the_claim_caps_a_punitive_award(model: FittedModel) -> None:
    evidence = Evidence(illegal_gains=200_000, punitive_multiplier=5, intentional_and_serious=True)
    case = Case(law_version="2020", claimed_economic_loss=500_000)
    for lang, words in (("en", "capped at the economic loss claimed"), ("zh", "以主张的经济损失为限")):
        e = estimate_cases(model, [Question(case=case, evidence=evidence)], lang=lang)[0]  # type: ignore[arg-type]
        assert e.economic_loss.p50 == 500_000
        assert words in e.law.route_reason
        assert "5" in e.law.route_reason  # the multiple is still stated


def test_punitive_damages_need_the_intent_the_case_denies(model: FittedModel) -> None:
    evidence = Evidence(illegal_gains=20_000, punitive_multiplier=5, intentional_and_serious=True)
    case = Case(law_version="2020", claimed_economic_loss=500_000, intentional=False)
    with pytest.raises(InvalidInputError, match="punitive damages need intent") as raised:
        estimate_cases(model, [Question(case=case, evidence=evidence)])
    assert raised.value.field == "intentional_and_serious"
    stated = msgspec.structs.replace(case, intentional=None)  # not stated: the evidence's word stands
    assert estimate_cases(model, [Question(case=stated, evidence=evidence)])[0].economic_loss.p50 == 100_000


def test_in_inclusive_mode_the_statutory_figure_may_reach_the_expenses_claimed_too(model: FittedModel) -> None:
    inclusive = Settings(article54=Article54Settings(expenses_mode=ExpensesMode.INCLUSIVE))
    case = Case(law_version="2020", claimed_economic_loss=300_000, claimed_expenses=20_000)
    e = estimate_cases(model, [Question(case=case)], settings=inclusive)[0]
    assert e.law.cap == 320_000  # "含合理开支": the figure holds the expenses, and so may the claim it reaches
    assert e.expenses.expected_supported == 0
    separate = estimate_cases(model, [Question(case=case)])[0]
    assert separate.law.cap == 300_000
    proved = Question(case=case, evidence=Evidence(actual_loss=400_000))  # a proved route is never inclusive
    assert estimate_cases(model, [proved], settings=inclusive)[0].economic_loss.p50 == 300_000
