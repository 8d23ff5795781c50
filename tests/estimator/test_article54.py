"""Article 54 routes, punitive damages and expenses (LEGAL.md §1-2, checklist 19, 21, 22)."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal

import msgspec
import pytest

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.language import ARTICLE_NUMBER_CHARACTERS, article_number_zh, article_zh, chinese_number
from estimator.law.article54 import (
    _REASONS,
    Article54Settings,
    DamagesEvidence,
    ExpensesMode,
    PunitiveFormula,
    assess_damages,
)
from estimator.law.statutes import Method, Regime, copyright_regime

D = Decimal
CL2020 = copyright_regime("2020")
CL2010 = copyright_regime("2010")


@pytest.mark.parametrize(
    ("regime_version", "evidence", "route", "economic_loss"),
    [
        pytest.param("2020", DamagesEvidence(actual_loss=D(80_000)), Method.ACTUAL_LOSS, 80_000, id="art-54-1: loss"),
        pytest.param(
            "2020",
            DamagesEvidence(actual_loss=D(80_000), illegal_gains=D(120_000)),
            Method.ILLEGAL_GAINS,
            120_000,
            id="art-54-1: loss or gains, no order: larger",
        ),
        pytest.param(
            "2010",
            DamagesEvidence(actual_loss=D(80_000), illegal_gains=D(120_000)),
            Method.ACTUAL_LOSS,
            80_000,
            id="art-49 (2010): loss first",
        ),
        pytest.param("2020", DamagesEvidence(royalty=D(30_000)), Method.ROYALTY, 30_000, id="art-54-1: royalty"),
        pytest.param(
            "2010",
            DamagesEvidence(royalty=D(30_000), statutory_amount=D(30_000)),
            Method.STATUTORY,
            30_000,
            id="art-49 (2010): no royalty route",
        ),
        pytest.param(
            "2020", DamagesEvidence(statutory_amount=D(100)), Method.STATUTORY, 500, id="checklist-19: floor 500"
        ),
        pytest.param(
            "2020", DamagesEvidence(statutory_amount=D(9e6)), Method.STATUTORY, 5_000_000, id="checklist-19: cap 5M"
        ),
        pytest.param(
            "2010", DamagesEvidence(statutory_amount=D(100)), Method.STATUTORY, 100, id="checklist-19: 2010 no floor"
        ),
        pytest.param(
            "2010", DamagesEvidence(statutory_amount=D(9e6)), Method.STATUTORY, 500_000, id="checklist-19: 2010 cap"
        ),
        pytest.param(
            "2020",
            DamagesEvidence(statutory_amount=D(20_000), claimed_economic_loss=D(5_000)),
            Method.STATUTORY,
            5_000,
            id="never more than claimed",
        ),
    ],
)
def test_route_and_economic_loss(
    regime_version: str, evidence: DamagesEvidence, route: Method, economic_loss: int
) -> None:
    result = assess_damages(copyright_regime(regime_version), evidence)
    assert result.route is route
    assert result.economic_loss == D(economic_loss)


def test_statutory_route_without_a_figure_gives_the_bounds_only() -> None:
    result = assess_damages(CL2020, DamagesEvidence(claimed_economic_loss=D(300_000)))
    assert result.route is Method.STATUTORY
    assert (result.floor, result.cap) == (D(500), D(300_000))
    assert result.economic_loss is None
    assert result.total is None


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        pytest.param(PunitiveFormula.MULTIPLY, 300_000, id="LEGAL-10.3a: base x k"),
        pytest.param(PunitiveFormula.ADD, 400_000, id="LEGAL-10.3b: base + base x k"),
    ],
)
def test_punitive_multiplies_the_base_but_never_the_expenses(formula: PunitiveFormula, expected: int) -> None:
    # checklist-21 and -22
    evidence = DamagesEvidence(
        illegal_gains=D(100_000),
        intentional=True,
        serious=True,
        punitive_multiplier=D(3),
        reasonable_expenses=D(20_000),
    )
    result = assess_damages(CL2020, evidence, settings=Article54Settings(punitive_formula=formula))
    assert result.economic_loss == D(expected)
    assert result.total == D(expected + 20_000)


@pytest.mark.parametrize(
    ("regime_version", "evidence", "field"),
    [
        pytest.param(
            "2020",
            DamagesEvidence(statutory_amount=D(1_000), intentional=True, serious=True, punitive_multiplier=D(2)),
            "punitive_multiplier",
            id="checklist-21: statutory award is not a punitive base",
        ),
        pytest.param(
            "2020",
            DamagesEvidence(actual_loss=D(1_000), intentional=True, serious=False, punitive_multiplier=D(2)),
            "serious",
            id="checklist-21: needs serious circumstances",
        ),
        pytest.param(
            "2020",
            DamagesEvidence(actual_loss=D(1_000), intentional=False, serious=True, punitive_multiplier=D(2)),
            "intentional",
            id="checklist-21: needs intent",
        ),
        pytest.param(
            "2010",
            DamagesEvidence(actual_loss=D(1_000), intentional=True, serious=True, punitive_multiplier=D(2)),
            "punitive_multiplier",
            id="checklist-21: no punitive before 2021-06-01",
        ),
    ],
)
def test_punitive_outside_the_law_is_refused(regime_version: str, evidence: DamagesEvidence, field: str) -> None:
    with pytest.raises(OutsideLawError) as caught:
        assess_damages(copyright_regime(regime_version), evidence)
    assert caught.value.field == field


@pytest.mark.parametrize("multiplier", [D("0.5"), D("5.5")])
def test_punitive_multiplier_must_be_within_one_to_five(multiplier: Decimal) -> None:
    evidence = DamagesEvidence(actual_loss=D(1), intentional=True, serious=True, punitive_multiplier=multiplier)
    with pytest.raises(InvalidInputError) as caught:
        assess_damages(CL2020, evidence)
    assert caught.value.field == "punitive_multiplier"


def test_civil_code_window_is_off_by_default_and_configurable() -> None:
    # LEGAL.md §10.6: acts between 2021-01-01 and 2021-05-31.
    evidence = DamagesEvidence(
        actual_loss=D(10_000), intentional=True, serious=True, punitive_multiplier=D(2), act_date=dt.date(2021, 3, 15)
    )
    with pytest.raises(OutsideLawError):
        assess_damages(CL2010, evidence)
    result = assess_damages(CL2010, evidence, settings=Article54Settings(civil_code_punitive_window=True))
    assert result.economic_loss == D(20_000)
    # The 2010 law has no punitive damages: the multiple rests on the Civil Code, and says so.
    assert "Civil Code art. 1185" in result.reasons[1]
    assert "art. 49" not in result.reasons[1]


@pytest.mark.parametrize(
    ("mode", "total"),
    [
        pytest.param(ExpensesMode.SEPARATE, 13_000, id="LEGAL-10.5: expenses on top"),
        pytest.param(ExpensesMode.INCLUSIVE, 10_000, id="LEGAL-10.5: 含合理开支 (Ultraman)"),
    ],
)
def test_expenses_mode_on_the_statutory_route(mode: ExpensesMode, total: int) -> None:
    evidence = DamagesEvidence(statutory_amount=D(10_000), reasonable_expenses=D(3_000))
    result = assess_damages(CL2020, evidence, settings=Article54Settings(expenses_mode=mode))
    assert result.total == D(total)


def test_negative_amounts_name_the_field() -> None:
    with pytest.raises(InvalidInputError) as caught:
        assess_damages(CL2020, DamagesEvidence(actual_loss=D(-1)))
    assert caught.value.field == "actual_loss"


# --- the reasons, in English and Chinese ---------------------------------------------------------------

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
REASON_CASES = [
    pytest.param(CL2020, DamagesEvidence(actual_loss=D(80_000)), Article54Settings(), id="proved"),
    pytest.param(
        CL2020,
        DamagesEvidence(actual_loss=D(80_000), illegal_gains=D(120_000), claimed_economic_loss=D(100_000)),
        Article54Settings(),
        id="elected, capped by the claim",
    ),
    pytest.param(
        CL2020,
        DamagesEvidence(
            royalty=D(30_000), intentional=True, serious=True, punitive_multiplier=D(2), claimed_economic_loss=D(1e6)
        ),
        Article54Settings(punitive_formula=PunitiveFormula.ADD),
        id="punitive, add reading",
    ),
    pytest.param(
        CL2020,
        DamagesEvidence(statutory_amount=D(20_000), claimed_economic_loss=D(50_000)),
        Article54Settings(expenses_mode=ExpensesMode.INCLUSIVE),
        id="statutory, capped, inclusive",
    ),
    pytest.param(CL2010, DamagesEvidence(royalty=D(30_000)), Article54Settings(), id="2010: royalty as a factor"),
]


@pytest.mark.parametrize(("regime", "evidence", "settings"), REASON_CASES)
def test_every_reason_is_written_in_chinese_when_asked(
    regime: Regime, evidence: DamagesEvidence, settings: Article54Settings
) -> None:
    english = assess_damages(regime, evidence, settings=settings)
    chinese = assess_damages(regime, evidence, settings=settings, lang="zh")
    assert len(chinese.reasons) == len(english.reasons)
    assert chinese.route_reason == chinese.reasons[0]
    for text in chinese.reasons:
        assert LATIN_WORD.findall(text) == [], text
    for text in english.reasons:
        assert re.search(r"[\u4e00-\u9fff]", text) is None, text
    # The route's reason cites the damages article of the case's own law, as a Chinese lawyer writes it.
    article = {"2020": "《著作权法》第五十四条", "2010": "《著作权法》第四十九条"}[regime.version]
    assert article in chinese.route_reason
    assert regime.article in english.route_reason
    # Everything else the assessment says does not depend on the language.
    assert msgspec.structs.replace(chinese, route_reason="", reasons=()) == msgspec.structs.replace(
        english, route_reason="", reasons=()
    )


def test_chinese_reasons_name_the_route_the_figures_and_the_reading() -> None:
    punitive = assess_damages(
        CL2020,
        DamagesEvidence(royalty=D(30_000), intentional=True, serious=True, punitive_multiplier=D(3)),
        lang="zh",
    )
    assert punitive.reasons[:2] == (
        "权利使用费已经证明（《著作权法》第五十四条）",
        "惩罚性赔偿：以权利使用费为基数的3倍（基数乘以倍数；《著作权法》第五十四条），合理开支不计入基数",
    )
    statutory = assess_damages(CL2020, DamagesEvidence(claimed_economic_loss=D(50_000)), lang="zh")
    assert "本案法定赔偿数额范围：人民币500元至人民币50,000元" in statutory.reasons
    assert "以主张的经济损失为限：法院判赔不超出诉讼请求" in statutory.reasons


def test_the_2010_law_is_not_said_to_lack_a_royalty_it_has_no_route_for() -> None:
    """The 2010 text has no royalty route: its statutory reason speaks of loss and gains only, and a
    proved royalty is said to be a factor inside statutory damages."""
    plain = assess_damages(CL2010, DamagesEvidence())
    assert plain.route_reason == "neither loss nor gains was proved, so statutory damages apply (art. 49)"
    with_royalty = assess_damages(CL2010, DamagesEvidence(royalty=D(30_000)), lang="zh")
    assert with_royalty.route_reason == (
        "实际损失和违法所得均未证明，适用法定赔偿（《著作权法》第四十九条）；"
        "该版本未规定参照权利使用费确定赔偿，权利使用费作为确定法定赔偿数额的考量因素"
    )
    assert "royalty" in assess_damages(CL2020, DamagesEvidence()).route_reason


def test_each_reason_has_the_same_blanks_in_both_languages() -> None:
    """A blank filled in one language but missing in the other would drop a figure from the sentence."""
    for key, (english, chinese) in _REASONS.items():
        blanks = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in (english, chinese)]
        assert blanks[0] == blanks[1], key


@pytest.mark.parametrize(
    ("n", "written"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (48, "四十八"),
        (54, "五十四"),
        (71, "七十一"),
        (99, "九十九"),
    ],
)
def test_article_numbers_in_chinese_numerals(n: int, written: str) -> None:
    assert chinese_number(n) == written


def test_citations_in_chinese() -> None:
    assert article_zh("著作权法（2020年修正）", "art. 54") == "《著作权法》第五十四条"
    assert article_zh("反不正当竞争法（2019年修正）", "damages article") == "《反不正当竞争法》damages article"
    assert [article_number_zh(a) for a in ("art. 49", "art. 0", "art. 100")] == ["第四十九条", "art. 0", "art. 100"]
    assert set("".join(article_number_zh(f"art. {n}") for n in range(1, 100))) == ARTICLE_NUMBER_CHARACTERS
    for n in (0, 100):
        with pytest.raises(ValueError, match="1-99"):
            chinese_number(n)


@pytest.mark.parametrize(
    ("evidence", "capped"),
    [
        (DamagesEvidence(statutory_amount=D(100)), False),  # raised to the floor
        (DamagesEvidence(statutory_amount=D(9e6)), False),  # cut at the statute's cap, no claim
        (DamagesEvidence(statutory_amount=D(9e6), claimed_economic_loss=D(6e6)), False),  # the statute's cap binds
        (DamagesEvidence(statutory_amount=D(90_000), claimed_economic_loss=D(50_000)), True),  # the claim binds
        (DamagesEvidence(statutory_amount=D(40_000), claimed_economic_loss=D(50_000)), False),
    ],
)
def test_capped_by_claim_means_the_claim_cut_the_award(evidence: DamagesEvidence, capped: bool) -> None:
    assert assess_damages(CL2020, evidence).capped_by_claim is capped


def test_in_inclusive_mode_the_statutory_figure_may_reach_the_loss_and_expenses_claimed() -> None:
    """As the estimate reads it: '含合理开支' holds the expenses, so the claim it may reach holds them too."""
    inclusive = Article54Settings(expenses_mode=ExpensesMode.INCLUSIVE)
    evidence = DamagesEvidence(
        statutory_amount=D(320_000), claimed_economic_loss=D(300_000), reasonable_expenses=D(20_000)
    )
    result = assess_damages(CL2020, evidence, settings=inclusive)
    assert (result.cap, result.economic_loss, result.capped_by_claim) == (D(320_000), D(320_000), False)
    over = assess_damages(CL2020, msgspec.structs.replace(evidence, statutory_amount=D(400_000)), settings=inclusive)
    assert (over.economic_loss, over.capped_by_claim) == (D(320_000), True)
    separate = assess_damages(CL2020, evidence)
    assert (separate.cap, separate.economic_loss, separate.capped_by_claim) == (D(300_000), D(300_000), True)
