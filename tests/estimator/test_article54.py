"""Article 54 routes, punitive damages and expenses (LEGAL.md §1-2, checklist 19, 21, 22)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.law.article54 import (
    Article54Settings,
    DamagesEvidence,
    ExpensesMode,
    PunitiveFormula,
    assess_damages,
)
from estimator.law.statutes import Method, copyright_regime

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
