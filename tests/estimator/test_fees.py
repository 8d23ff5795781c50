"""Court fees against the vectors of LEGAL.md §6 and §9 (Measures on the Payment of Litigation Costs)."""

from __future__ import annotations

import re
from decimal import Decimal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimator.errors import InvalidInputError
from estimator.law.fees import (
    MEASURES,
    CaseKind,
    ClaimChangeStage,
    FeeQuestion,
    FeeSettings,
    Outcome,
    Procedure,
    ReducedClaimFee,
    acceptance_fee,
    court_fees,
    enforcement_fee,
    preservation_fee,
)
from estimator.money import Rounding, round_amount

D = Decimal


@pytest.mark.parametrize(
    ("claim", "fee"),
    [
        pytest.param(1, 50, id="checklist-1: 1 -> 50 flat"),
        pytest.param(5_000, 50, id="checklist-1: 5,000 -> 50 (Beijing AI picture)"),
        pytest.param(10_000, 50, id="checklist-1: 10,000 -> 50 top of flat slice"),
        pytest.param(19_000, 275, id="checklist-2: 19,000 -> 275 (Shenzhen Dreamwriter)"),
        pytest.param(100_000, 2_300, id="checklist-3: 100,000"),
        pytest.param(200_000, 4_300, id="checklist-3: 200,000"),
        pytest.param(300_000, 5_800, id="checklist-4: 300,000 (Guangzhou Ultraman)"),
        pytest.param(500_000, 8_800, id="checklist-5: 500,000"),
        pytest.param(1_000_000, 13_800, id="checklist-5: 1,000,000"),
        pytest.param(2_000_000, 22_800, id="checklist-5: 2,000,000"),
        pytest.param(5_000_000, 46_800, id="checklist-5: 5,000,000"),
        pytest.param(10_000_000, 81_800, id="checklist-5: 10,000,000"),
        pytest.param(20_000_000, 141_800, id="checklist-5: 20,000,000"),
        pytest.param(30_000_000, 191_800, id="checklist-5: 30,000,000"),
    ],
)
def test_acceptance_fee_matches_the_article_13_schedule(claim: int, fee: int) -> None:
    assert acceptance_fee(D(claim)) == D(fee)


def test_acceptance_fee_is_exact_before_the_one_rounding_step() -> None:
    # checklist-6: 10,001 -> 50.025 exactly; half-up to the fen gives 50.03, to the yuan 50.
    assert acceptance_fee(D(10_001)) == D("50.025")
    assert court_fees(FeeQuestion(claim_amount=D(10_001))).acceptance_fee == D("50.03")
    yuan = court_fees(FeeQuestion(claim_amount=D(10_001)), settings=FeeSettings(rounding=Rounding.YUAN))
    assert yuan.acceptance_fee == D(50)


# Quick formulas from LEGAL.md §5.1 (identical to the Nansha court's published table).
QUICK = [
    (D(100_000), D("0.025"), D(-200)),
    (D(200_000), D("0.02"), D(300)),
    (D(500_000), D("0.015"), D(1_300)),
    (D(1_000_000), D("0.01"), D(3_800)),
    (D(2_000_000), D("0.009"), D(4_800)),
    (D(5_000_000), D("0.008"), D(6_800)),
    (D(10_000_000), D("0.007"), D(11_800)),
    (D(20_000_000), D("0.006"), D(21_800)),
    (None, D("0.005"), D(41_800)),
]


def _quick_formula(claim: Decimal) -> Decimal:
    if claim <= 10_000:
        return D(50)
    for upper, rate, offset in QUICK:
        if upper is None or claim <= upper:
            return claim * rate + offset
    raise AssertionError("unreachable")


@given(st.decimals(min_value=D("0.01"), max_value=D(10**10), places=2))
def test_cumulative_computation_equals_the_quick_formula(claim: Decimal) -> None:
    # checklist-7, as a property over all amounts, not only the edges.
    assert acceptance_fee(claim) == _quick_formula(claim)


@pytest.mark.parametrize("edge", [10_000, 100_000, 200_000, 500_000, 10**6, 2 * 10**6, 5 * 10**6, 10**7, 2 * 10**7])
@pytest.mark.parametrize("delta", [D("-0.01"), D(0), D("0.01")])
def test_quick_formula_holds_at_every_bracket_edge(edge: int, delta: Decimal) -> None:
    assert acceptance_fee(D(edge) + delta) == _quick_formula(D(edge) + delta)


@pytest.mark.parametrize(
    ("procedure", "outcome", "due"),
    [
        pytest.param(Procedure.SIMPLIFIED, Outcome.JUDGMENT, 2_900, id="checklist-4: simplified halves 5,800"),
        pytest.param(Procedure.SMALL_CLAIMS, Outcome.JUDGMENT, 2_900, id="LEGAL-5.5: small claims halved"),
        pytest.param(Procedure.ORDINARY, Outcome.MEDIATION, 2_900, id="art-15: mediation halves"),
        pytest.param(Procedure.ORDINARY, Outcome.WITHDRAWAL, 2_900, id="art-15: withdrawal halves"),
        pytest.param(Procedure.SIMPLIFIED, Outcome.MEDIATION, 2_900, id="checklist-8: halved once, not quartered"),
        pytest.param(Procedure.SMALL_CLAIMS, Outcome.WITHDRAWAL, 2_900, id="checklist-8: small claims + withdrawal"),
        pytest.param(Procedure.ORDINARY, Outcome.JUDGMENT, 5_800, id="ordinary judgment: full fee"),
    ],
)
def test_halving_applies_at_most_once(procedure: Procedure, outcome: Outcome, due: int) -> None:
    fees = court_fees(FeeQuestion(claim_amount=D(300_000), procedure=procedure, outcome=outcome))
    assert fees.acceptance_fee == D(5_800)
    assert fees.fee_due == D(due)
    assert fees.halving.applied is (due != 5_800)


def test_halving_names_every_ground_and_the_one_halving_rule() -> None:
    fees = court_fees(FeeQuestion(claim_amount=D(5_000), procedure=Procedure.SIMPLIFIED, outcome=Outcome.MEDIATION))
    assert fees.fee_due == D(25)  # checklist-8: halved(5,000) == 25
    assert len(fees.halving.grounds) == 2
    assert fees.halving.reason is not None
    assert "at most once" in fees.halving.reason


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        pytest.param(500, 30, id="checklist-15: 500 -> 30"),
        pytest.param(1_000, 30, id="checklist-15: 1,000 -> 30"),
        pytest.param(50_000, 520, id="checklist-15: 50,000 -> 520"),
        pytest.param(100_000, 1_020, id="checklist-15: 100,000 -> 1,020"),
        pytest.param(896_000, 5_000, id="checklist-15: 896,000 -> 5,000 (cap reached)"),
        pytest.param(10_000_000, 5_000, id="checklist-15: 10,000,000 -> 5,000 (cap)"),
    ],
)
def test_preservation_fee(amount: int, fee: int) -> None:
    assert preservation_fee(D(amount)) == D(fee)


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        pytest.param(8_000, 50, id="checklist-16: 8,000 -> 50"),
        pytest.param(100_000, 1_400, id="checklist-16: 100,000 -> 1,400"),
        pytest.param(500_000, 7_400, id="checklist-16: 500,000 -> 7,400"),
        pytest.param(5_000_000, 52_400, id="checklist-16: 5,000,000 -> 52,400"),
        pytest.param(10_000_000, 77_400, id="checklist-16: 10,000,000 -> 77,400"),
        pytest.param(20_000_000, 87_400, id="checklist-16: 20,000,000 -> 87,400"),
    ],
)
def test_enforcement_fee(amount: int, fee: int) -> None:
    assert enforcement_fee(D(amount)) == D(fee)


def test_enforcing_without_an_amount_is_charged_within_fifty_to_five_hundred() -> None:
    # checklist-16: no amount -> range [50, 500]
    question = FeeQuestion(claim_amount=D(10_000), enforcement_without_amount=True)
    fees = court_fees(question)
    assert fees.enforcement_fee_range == (D(50), D(500))
    assert fees.enforcement_fee == D(500)  # the upper end, so that a budget never falls short
    assert court_fees(question, settings=FeeSettings(enforcement_without_amount_fee=D(200))).enforcement_fee == D(200)
    with pytest.raises(ValueError, match="enforcement_without_amount_fee"):
        FeeSettings(enforcement_without_amount_fee=D(600))
    both = msgspec.structs.replace(question, enforcement_amount=D(5_000))
    with pytest.raises(InvalidInputError) as caught:
        court_fees(both)
    assert caught.value.field == "enforcement_without_amount"
    assert court_fees(FeeQuestion(claim_amount=D(10_000), enforcement_amount=D(8_000))).enforcement_fee_range is None


def test_payment_order_is_a_third_of_the_property_fee() -> None:
    # checklist-17: 300,000 -> 5,800 / 3 = 1,933.33 after rounding.
    fees = court_fees(FeeQuestion(claim_amount=D(300_000), case_kind=CaseKind.PAYMENT_ORDER))
    assert fees.acceptance_fee == D("1933.33")
    assert fees.fee_due == D("1933.33")


def test_payment_order_fee_is_never_halved() -> None:
    with pytest.raises(InvalidInputError) as caught:
        court_fees(
            FeeQuestion(claim_amount=D(300_000), case_kind=CaseKind.PAYMENT_ORDER, procedure=Procedure.SIMPLIFIED)
        )
    assert caught.value.field == "procedure"


def test_ip_case_without_amount_uses_the_range_and_the_provincial_figure() -> None:
    # checklist-9
    default = court_fees(FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT))
    assert default.acceptance_fee_range == (D(500), D(1_000))
    assert D(500) <= default.acceptance_fee <= D(1_000)
    guangdong = court_fees(FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, province="Guangdong"))
    assert guangdong.acceptance_fee == D(1_000)
    configured = court_fees(
        FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT), settings=FeeSettings(ip_without_amount_fee=D(600))
    )
    assert configured.acceptance_fee == D(600)
    halved = court_fees(FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, procedure=Procedure.SIMPLIFIED))
    assert halved.fee_due == default.acceptance_fee / 2


@pytest.mark.parametrize("written", ["Guangdong", "guang dong", "GUANG-DONG"])
def test_a_province_is_read_however_its_pinyin_is_spaced(written: str) -> None:
    settings = FeeSettings(provincial_ip_fees={"guangdong": D(800)})
    fees = court_fees(FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, province=written), settings=settings)
    assert fees.acceptance_fee == D(800)
    assert "(provincial figure)" in fees.sources[0]


def test_a_province_without_a_figure_is_charged_the_top_of_the_range_and_told_so() -> None:
    fees = court_fees(FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, province="Inner Mongolia"))
    assert fees.acceptance_fee == D(1_000)
    assert "no provincial figure known" in fees.sources[0]


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, province="ZZ"), "not a province"),
        (FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, province="Guangdon"), "did you mean `guangdong`?"),
        (FeeQuestion(claim_amount=D(5_000), province="Guangdong"), "`ip_without_amount` case only"),
    ],
)
def test_a_province_that_is_none_or_sets_nothing_is_refused(question: FeeQuestion, said: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(said)) as caught:
        court_fees(question)
    assert caught.value.field == "province"


def test_a_configured_figure_for_no_province_is_refused() -> None:
    with pytest.raises(ValueError, match="not provinces"):
        FeeSettings(provincial_ip_fees={"guang dong": D(800)})


def test_a_configured_ip_fee_outside_the_statutory_range_is_refused() -> None:
    with pytest.raises(ValueError, match="ip_without_amount_fee"):
        FeeSettings(ip_without_amount_fee=D(1_500))


def test_ip_case_with_amount_uses_the_property_schedule() -> None:
    # checklist-10
    assert court_fees(FeeQuestion(claim_amount=D(19_000))).acceptance_fee == D(275)


def test_counterclaim_fee_is_halved_and_appeal_fee_is_on_the_amount_appealed() -> None:
    # checklist-11 and -12: the appeal fee follows the part appealed, not the original claim.
    fees = court_fees(FeeQuestion(claim_amount=D(300_000), counterclaim_amount=D(100_000), appeal_amount=D(10_000)))
    assert fees.counterclaim_fee == D(1_150)
    assert fees.appeal_fee == D(50)
    assert fees.acceptance_fee == D(5_800)


@pytest.mark.parametrize(
    ("awarded", "outcome", "defendant", "rule"),
    [
        pytest.param(300_000, Outcome.JUDGMENT, 5_800, "loser_pays", id="checklist-18: full win, defendant pays all"),
        pytest.param(0, Outcome.JUDGMENT, 0, "loser_pays", id="checklist-18: full loss, plaintiff pays all"),
        pytest.param(10_000, Outcome.JUDGMENT, D("193.33"), "proportional", id="checklist-18: partial, proportional"),
        pytest.param(10_000, Outcome.WITHDRAWAL, 0, "withdrawing_party_pays", id="art-34: withdrawal, plaintiff"),
    ],
)
def test_default_fee_split(awarded: int, outcome: Outcome, defendant: Decimal | int, rule: str) -> None:
    fees = court_fees(FeeQuestion(claim_amount=D(300_000), awarded_amount=D(awarded), outcome=outcome))
    assert fees.split is not None
    assert fees.split.rule == rule
    assert fees.split.defendant == D(defendant)
    assert fees.split.plaintiff + fees.split.defendant == fees.fee_due


def test_split_of_a_halved_fee_adds_up_to_the_fee_due() -> None:
    # Guangzhou Ultraman: 2,900 due; a proportional split would leave the defendant about 96.67.
    fees = court_fees(FeeQuestion(claim_amount=D(300_000), awarded_amount=D(10_000), procedure=Procedure.SIMPLIFIED))
    assert fees.split is not None
    assert fees.split.defendant == D("96.67")
    assert fees.split.plaintiff == D("2803.33")


BEFORE, AFTER = ClaimChangeStage.BEFORE_INVESTIGATION_END, ClaimChangeStage.AFTER_INVESTIGATION_END


def test_an_increased_claim_is_charged_on_the_new_amount_and_the_difference_paid() -> None:
    # Measures art. 21(1): 100,000 filed (2,300), raised to 300,000 (5,800): 3,500 more.
    fees = court_fees(FeeQuestion(claim_amount=D(100_000), changed_claim_amount=D(300_000)))
    assert fees.claim_change is not None
    assert (fees.acceptance_fee, fees.fee_due) == (D(5_800), D(5_800))
    assert (fees.claim_change.charged_on, fees.claim_change.top_up) == (D(300_000), D(3_500))
    assert fees.claim_change.refund is None
    assert fees.claim_change.borne_by_reducing_party is None
    assert "art. 21(1)" in fees.claim_change.basis
    assert f"{MEASURES}, art. 21" in fees.sources


def test_a_claim_reduced_before_the_end_of_investigation_is_recharged_and_refunded() -> None:
    # checklist-13, art. 21(2): 300,000 filed (5,800), reduced to 100,000 (2,300): 3,500 refunded, and the
    # award of 50,000 is half of the claim as reduced.
    question = FeeQuestion(
        claim_amount=D(300_000), changed_claim_amount=D(100_000), claim_change_stage=BEFORE, awarded_amount=D(50_000)
    )
    fees = court_fees(question)
    assert fees.claim_change is not None
    assert (fees.acceptance_fee, fees.fee_due, fees.claim_change.refund) == (D(2_300), D(2_300), D(3_500))
    assert fees.claim_amount == D(300_000)  # the claim as filed, as asked
    assert fees.split is not None
    assert (fees.split.plaintiff, fees.split.defendant, fees.split.defendant_share) == (D(1_150), D(1_150), D("0.5"))


def test_a_claim_reduced_after_the_end_of_investigation_leaves_the_reduced_part_on_the_plaintiff() -> None:
    # checklist-13, art. 35: the fee stays 5,800 on the 300,000 filed; the 3,500 on the reduced part is the
    # plaintiff's; the other 2,300 is split by the award against the claim as reduced (50,000 of 100,000).
    question = FeeQuestion(
        claim_amount=D(300_000), changed_claim_amount=D(100_000), claim_change_stage=AFTER, awarded_amount=D(50_000)
    )
    fees = court_fees(question)
    assert fees.claim_change is not None
    assert (fees.acceptance_fee, fees.fee_due) == (D(5_800), D(5_800))
    assert (fees.claim_change.charged_on, fees.claim_change.borne_by_reducing_party) == (D(300_000), D(3_500))
    assert fees.claim_change.refund is None
    assert fees.split is not None
    assert (fees.split.plaintiff, fees.split.defendant) == (D(4_650), D(1_150))
    assert fees.split.defendant_share == D("0.1983")  # of the 5,800 due, not the award's half of the claim
    assert "art. 35" in fees.split.basis
    assert f"{MEASURES}, art. 35" in fees.sources


def test_the_reduced_part_may_be_measured_in_proportion_instead() -> None:
    # The Measures do not say how the reduced part's fee is measured: 5,800 x 200,000 / 300,000.
    question = FeeQuestion(
        claim_amount=D(300_000), changed_claim_amount=D(100_000), claim_change_stage=AFTER, awarded_amount=D(50_000)
    )
    fees = court_fees(question, settings=FeeSettings(reduced_claim_fee=ReducedClaimFee.PROPORTIONAL))
    assert fees.claim_change is not None
    assert fees.split is not None
    assert fees.claim_change.borne_by_reducing_party == D("3866.67")
    assert "in proportion" in fees.claim_change.basis
    assert (fees.split.plaintiff, fees.split.defendant) == (D("4833.33"), D("966.67"))


def test_a_reduced_claim_fully_awarded_still_leaves_the_reduced_part_on_the_plaintiff() -> None:
    question = FeeQuestion(
        claim_amount=D(300_000), changed_claim_amount=D(100_000), claim_change_stage=AFTER, awarded_amount=D(100_000)
    )
    split = court_fees(question).split
    assert split is not None
    assert (split.rule, split.plaintiff, split.defendant) == ("loser_pays", D(3_500), D(2_300))


def test_a_claim_change_under_a_halved_fee_moves_half_as_much() -> None:
    # Simplified procedure: 2,900 due on 300,000 and 1,150 on 100,000.
    base = {"claim_amount": D(300_000), "changed_claim_amount": D(100_000), "procedure": Procedure.SIMPLIFIED}
    before = court_fees(FeeQuestion(**base, claim_change_stage=BEFORE))
    after = court_fees(FeeQuestion(**base, claim_change_stage=AFTER, awarded_amount=D(100_000)))
    assert before.claim_change is not None
    assert after.claim_change is not None
    assert after.split is not None
    assert (before.fee_due, before.claim_change.refund) == (D(1_150), D(1_750))
    assert (after.fee_due, after.claim_change.borne_by_reducing_party) == (D(2_900), D(1_750))
    assert (after.split.plaintiff, after.split.defendant) == (D(1_750), D(1_150))


def test_a_top_up_or_refund_is_on_the_fee_as_prepaid_not_halved_by_a_later_mediation() -> None:
    # Mediation halves the fee when the case closes (art. 15); the change was paid or refunded in full before.
    raised = court_fees(
        FeeQuestion(claim_amount=D(100_000), changed_claim_amount=D(300_000), outcome=Outcome.MEDIATION)
    )
    cut = court_fees(
        FeeQuestion(
            claim_amount=D(300_000),
            changed_claim_amount=D(100_000),
            claim_change_stage=BEFORE,
            outcome=Outcome.WITHDRAWAL,
        )
    )
    assert raised.claim_change is not None
    assert cut.claim_change is not None
    assert (raised.fee_due, raised.claim_change.top_up) == (D(2_900), D(3_500))
    assert (cut.fee_due, cut.claim_change.refund) == (D(1_150), D(3_500))


def test_the_claim_change_is_explained_in_chinese() -> None:
    question = FeeQuestion(
        claim_amount=D(300_000), changed_claim_amount=D(100_000), claim_change_stage=AFTER, awarded_amount=D(50_000)
    )
    fees = court_fees(question, lang="zh")
    assert fees.claim_change is not None
    assert fees.split is not None
    assert "第三十五条" in fees.claim_change.basis
    assert "减少请求数额部分" in fees.split.basis


@pytest.mark.parametrize(
    ("question", "field"),
    [
        pytest.param(FeeQuestion(), "claim_amount", id="property case needs a claim"),
        pytest.param(
            FeeQuestion(claim_amount=D(300_000), changed_claim_amount=D(100_000)),
            "claim_change_stage",
            id="a reduction names its stage",
        ),
        pytest.param(
            FeeQuestion(claim_amount=D(300_000), claim_change_stage=BEFORE),
            "claim_change_stage",
            id="a stage without a change",
        ),
        pytest.param(
            FeeQuestion(claim_amount=D(300_000), changed_claim_amount=D(300_000)),
            "changed_claim_amount",
            id="a change to the same amount",
        ),
        pytest.param(
            FeeQuestion(claim_amount=D(300_000), changed_claim_amount=D("300000.004"), claim_change_stage=BEFORE),
            "changed_claim_amount",
            id="a change of less than a fen",
        ),
        pytest.param(
            FeeQuestion(claim_amount=D(100_000), changed_claim_amount=D(300_000), claim_change_stage=AFTER),
            "claim_change_stage",
            id="an increase has no stage",
        ),
        pytest.param(
            FeeQuestion(claim_amount=D(300_000), changed_claim_amount=D(0), claim_change_stage=BEFORE),
            "changed_claim_amount",
            id="a change to nothing is a withdrawal",
        ),
        pytest.param(
            FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, changed_claim_amount=D(100)),
            "changed_claim_amount",
            id="no amount to change",
        ),
        pytest.param(
            FeeQuestion(case_kind=CaseKind.PAYMENT_ORDER, claim_amount=D(300), changed_claim_amount=D(100)),
            "changed_claim_amount",
            id="a payment order is not tried",
        ),
        pytest.param(
            FeeQuestion(
                claim_amount=D(300_000),
                changed_claim_amount=D(100_000),
                claim_change_stage=BEFORE,
                awarded_amount=D(200_000),
            ),
            "awarded_amount",
            id="award over the reduced claim",
        ),
        pytest.param(FeeQuestion(claim_amount=D(0)), "claim_amount", id="zero claim"),
        pytest.param(FeeQuestion(claim_amount=D(100), awarded_amount=D(200)), "awarded_amount", id="award over claim"),
        pytest.param(
            FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, claim_amount=D(100)), "claim_amount", id="ip no amount"
        ),
        pytest.param(
            FeeQuestion(case_kind=CaseKind.IP_WITHOUT_AMOUNT, awarded_amount=D(100)),
            "awarded_amount",
            id="split without claim",
        ),
    ],
)
def test_bad_questions_name_the_field(question: FeeQuestion, field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        court_fees(question)
    assert caught.value.field == field


def test_round_amount_is_half_up() -> None:
    assert round_amount(D("0.005")) == D("0.01")
    assert round_amount(D("2.5"), Rounding.YUAN) == D(3)


def test_in_mediation_the_reduced_parts_fee_is_a_starting_point_for_the_agreement() -> None:
    question = FeeQuestion(
        claim_amount=D(300_000),
        changed_claim_amount=D(100_000),
        claim_change_stage=AFTER,
        awarded_amount=D(50_000),
        outcome=Outcome.MEDIATION,
    )
    split = court_fees(question).split
    assert split is not None
    assert "starting point for the agreement" in split.basis
    assert (split.plaintiff, split.defendant) == (D(2_325), D(575))  # 1,750 + half of 1,150


@pytest.mark.parametrize(
    ("question", "field"),
    [
        (FeeQuestion(claim_amount=D(100_000), appeal_amount=D(100_000.01)), "appeal_amount"),
        (
            FeeQuestion(
                claim_amount=D(100_000),
                changed_claim_amount=D(60_000),
                claim_change_stage=ClaimChangeStage.BEFORE_INVESTIGATION_END,
                appeal_amount=D(80_000),
            ),
            "appeal_amount",
        ),
        (
            FeeQuestion(claim_amount=D(10_000), counterclaim_amount=D(5_000), procedure=Procedure.SMALL_CLAIMS),
            "procedure",
        ),
        (
            FeeQuestion(
                case_kind=CaseKind.IP_WITHOUT_AMOUNT, counterclaim_amount=D(3_000), procedure=Procedure.SMALL_CLAIMS
            ),
            "procedure",
        ),
    ],
)
def test_an_appeal_beyond_the_judgment_or_a_small_claim_with_a_counterclaim_is_refused(
    question: FeeQuestion, field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        court_fees(question)
    assert caught.value.field == field


def test_an_appeal_may_contest_the_claim_and_the_counterclaim() -> None:
    question = FeeQuestion(claim_amount=D(100_000), counterclaim_amount=D(50_000), appeal_amount=D(150_000))
    assert court_fees(question).appeal_fee == court_fees(FeeQuestion(claim_amount=D(150_000))).acceptance_fee
