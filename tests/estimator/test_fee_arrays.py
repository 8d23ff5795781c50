"""The vectorised fees equal the Decimal reference (`fees.court_fees`) to the fen, everywhere."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimator.law.fee_arrays import acceptance_fees
from estimator.law.fees import FeeQuestion, FeeSettings, Procedure, court_fees
from estimator.money import Rounding

EDGES = [10_000, 100_000, 200_000, 500_000, 10**6, 2 * 10**6, 5 * 10**6, 10**7, 2 * 10**7]


def _reference(amount: Decimal, *, halve: bool, rounding: Rounding) -> tuple[float, float]:
    procedure = Procedure.SIMPLIFIED if halve else Procedure.ORDINARY
    fees = court_fees(FeeQuestion(claim_amount=amount, procedure=procedure), settings=FeeSettings(rounding=rounding))
    return float(fees.acceptance_fee), float(fees.fee_due)


@pytest.mark.parametrize("rounding", list(Rounding))
@pytest.mark.parametrize("halve", [False, True])
def test_bracket_edges_and_half_fen_cases_match_the_reference(halve: bool, rounding: Rounding) -> None:
    # 10,001 -> 50.025 exactly, the case where float arithmetic would round the wrong way.
    amounts = [Decimal(e) + d for e in EDGES for d in (Decimal("-0.01"), Decimal(0), Decimal("0.01"))]
    amounts += [Decimal("10001"), Decimal("10003"), Decimal("0.01"), Decimal("123456789.99")]
    full, due = acceptance_fees(
        np.array([float(a) for a in amounts]), halve=np.full(len(amounts), halve), rounding=rounding
    )
    expected = [_reference(a, halve=halve, rounding=rounding) for a in amounts]
    assert list(zip(full.tolist(), due.tolist(), strict=True)) == expected


@given(
    st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**11), places=2), min_size=1, max_size=50),
    st.booleans(),
    st.sampled_from(list(Rounding)),
)
def test_any_amounts_match_the_reference(amounts: list[Decimal], halve: bool, rounding: Rounding) -> None:
    full, due = acceptance_fees(
        np.array([float(a) for a in amounts]), halve=np.full(len(amounts), halve), rounding=rounding
    )
    expected = [_reference(a, halve=halve, rounding=rounding) for a in amounts]
    assert list(zip(full.tolist(), due.tolist(), strict=True)) == expected
