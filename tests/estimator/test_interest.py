"""Late-payment interest against LEGAL.md §8 and checklist items 27-29."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.law.interest import DayCount, Payment, interest_between, interest_for_days
from estimator.money import Rounding, apportion, round_amount

D = Decimal


def test_interest_by_days() -> None:
    # checklist-27: 100,000 x 0.000175 x 30 = 525.00
    result = interest_for_days(D(100_000), 30)
    assert result.doubled_interest == D("525.00")
    assert result.total_due == D("100525.00")


@pytest.mark.parametrize(
    ("day_count", "days", "interest"),
    [
        pytest.param(DayCount.NEXT_DAY, 30, D("525.00"), id="LEGAL-10.10: from the next day"),
        pytest.param(DayCount.EXPIRY_DAY, 31, D("542.50"), id="LEGAL-10.10: from the expiry day"),
    ],
)
def test_interest_by_dates_follows_the_day_count(day_count: DayCount, days: int, interest: Decimal) -> None:
    result = interest_between(
        D(100_000), due_date=dt.date(2024, 3, 1), paid_date=dt.date(2024, 3, 31), day_count=day_count
    )
    assert result.days == days
    assert result.doubled_interest == interest


def test_partial_payment_reduces_the_base_from_the_next_day() -> None:
    # checklist-28: 100,000 due 2024-03-01; 40,000 paid on 2024-03-11; rest paid 2024-03-31.
    # Days 03-02..03-11 (10 days) on 100,000, then 03-12..03-31 (20 days) on 60,000.
    result = interest_between(
        D(100_000),
        due_date=dt.date(2024, 3, 1),
        paid_date=dt.date(2024, 3, 31),
        payments=[Payment(date=dt.date(2024, 3, 11), amount=D(40_000))],
    )
    assert [p.days for p in result.periods] == [10, 20]
    assert result.doubled_interest == D(100_000) * D("0.000175") * 10 + D(60_000) * D("0.000175") * 20


def test_payment_on_the_due_date_lowers_the_whole_delay() -> None:
    result = interest_between(
        D(100_000),
        due_date=dt.date(2024, 3, 1),
        paid_date=dt.date(2024, 3, 31),
        payments=[Payment(date=dt.date(2024, 3, 1), amount=D(50_000))],
    )
    assert result.doubled_interest == D("262.50")


def test_payment_on_the_due_date_itself_bears_no_interest() -> None:
    result = interest_between(D(100_000), due_date=dt.date(2024, 3, 1), paid_date=dt.date(2024, 3, 1))
    assert result.days == 0
    assert result.doubled_interest == D(0)


def test_a_delay_starting_the_day_the_2014_rule_took_effect_is_computed_under_it() -> None:
    # Due 2014-07-31: with the next-day count the delay's first day is 2014-08-01 (法释〔2014〕8号 art. 7).
    result = interest_between(D(100_000), due_date=dt.date(2014, 7, 31), paid_date=dt.date(2014, 8, 30))
    assert result.days == 30
    assert result.doubled_interest == D("525.00")
    with pytest.raises(OutsideLawError, match="starts on 2014-07-31") as caught:
        interest_between(
            D(100_000), due_date=dt.date(2014, 7, 31), paid_date=dt.date(2014, 8, 30), day_count=DayCount.EXPIRY_DAY
        )
    assert caught.value.field == "due_date"


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        pytest.param({"paid_date": dt.date(2024, 2, 1)}, InvalidInputError, "paid_date", id="paid before due"),
        pytest.param(
            {"due_date": dt.date(2014, 7, 30), "paid_date": dt.date(2014, 9, 1)},
            OutsideLawError,
            "due_date",
            id="a delay starting before the 2014 rule",
        ),
        pytest.param(
            {"payments": [Payment(date=dt.date(2024, 4, 30), amount=D(1))]},
            InvalidInputError,
            "payments[0].date",
            id="payment after paid_date",
        ),
        pytest.param(
            {"payments": [Payment(date=dt.date(2024, 3, 5), amount=D(100_000))]},
            InvalidInputError,
            "payments[0].amount",
            id="payments cover the debt",
        ),
    ],
)
def test_bad_interest_inputs_name_the_field(kwargs: dict[str, object], error: type[Exception], field: str) -> None:
    arguments: dict[str, object] = {"due_date": dt.date(2024, 3, 1), "paid_date": dt.date(2024, 3, 31), **kwargs}
    with pytest.raises(error) as caught:
        interest_between(D(100_000), **arguments)  # type: ignore[arg-type]  # mixed kwargs table
    assert getattr(caught.value, "field", None) == field


def test_negative_days_are_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        interest_for_days(D(1), -1)
    assert caught.value.field == "days"


def test_the_periods_shown_add_up_to_the_interest_shown() -> None:
    # Rounded one by one to the yuan, the periods would show 55 + 18 (73) against a total of 72
    # (54.6875 + 17.5, exactly 72.1875); the yuan the total lacks over 54 + 17 goes to the larger remainder.
    found = interest_between(
        Decimal(31_250),
        due_date=dt.date(2024, 3, 1),
        paid_date=dt.date(2024, 3, 21),
        payments=[Payment(date=dt.date(2024, 3, 11), amount=Decimal(21_250))],
        rounding=Rounding.YUAN,
    )
    assert [p.interest for p in found.periods] == [Decimal(55), Decimal(17)]
    assert found.doubled_interest == Decimal(72)


@given(
    parts=st.lists(st.decimals(min_value=0, max_value=10**9, places=6), min_size=1, max_size=12),
    rounding=st.sampled_from(Rounding),
)
def test_apportioned_parts_add_up_to_the_rounded_total_and_move_by_less_than_a_unit(
    parts: list[Decimal], rounding: Rounding
) -> None:
    shown = apportion(parts, rounding)
    unit = Decimal("0.01") if rounding is Rounding.CENT else Decimal(1)
    assert sum(shown, Decimal(0)) == round_amount(sum(parts, Decimal(0)), rounding)
    assert all(abs(s - p) < unit for s, p in zip(shown, parts, strict=True))
