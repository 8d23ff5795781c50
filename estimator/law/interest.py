"""Late-payment interest: the doubled portion owed for delayed performance of a money judgment.

Civil Procedure Law (2023) art. 264 doubles the debt interest for the delay; SPC Interpretation
法释〔2014〕8号 art. 1 fixes the doubled portion at 1.75‱ a day on the unpaid money debt fixed by
the judgment (excluding general debt interest), simple, not compounded. It runs from the expiry of
the performance period (art. 2) until full performance, and a partial payment stops it on the part
paid (art. 3). General debt interest, where the judgment awarded any, is computed as the judgment
says and is not part of this figure.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from decimal import Decimal

import msgspec

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.language import Language
from estimator.money import Rounding, apportion, round_amount

DAILY_RATE = Decimal("0.000175")  # 法释〔2014〕8号 art. 1: 日万分之一点七五
RULE_START = dt.date(2014, 8, 1)  # 法释〔2014〕8号 art. 7: in force from this day
MAX_DAYS = 36_600  # a century of delay; beyond it a figure is a typo
SOURCE = (
    "Civil Procedure Law (2023) art. 264; SPC Interpretation on delayed-performance interest "
    "(法释〔2014〕8号) arts. 1-3"
)
SOURCE_ZH = (
    "《中华人民共和国民事诉讼法》（2023年修正）第二百六十四条；《最高人民法院关于执行程序中计算迟延履行期间的"
    "债务利息适用法律若干问题的解释》（法释〔2014〕8号）第一条至第三条"
)


class DayCount(enum.StrEnum):
    """Which day the delay starts on (LEGAL.md §10.10: the SPC text and calculators differ).

    `next_day`: from the day after the performance period expires through the day of payment.
    Civil Code art. 201 excludes the first day of a period counted in days, and most court
    calculators count this way; it is the default.
    `expiry_day`: from the expiry day itself (the literal "届满之日起") through the day of payment,
    one day more.
    """

    NEXT_DAY = "next_day"
    EXPIRY_DAY = "expiry_day"


class Payment(msgspec.Struct, frozen=True, kw_only=True):
    """A partial payment: interest on the part paid stops after `date`."""

    date: dt.date
    amount: Decimal


class InterestPeriod(msgspec.Struct, frozen=True, kw_only=True):
    start: dt.date | None
    end: dt.date | None
    days: int
    base: Decimal
    interest: Decimal


class LateInterest(msgspec.Struct, frozen=True, kw_only=True):
    amount: Decimal
    days: int
    daily_rate: Decimal
    day_count: DayCount | None
    doubled_interest: Decimal
    total_due: Decimal  # the debt and its doubled interest, payments not deducted
    outstanding: Decimal  # what remains to pay on the last day: the debt less payments, plus the interest
    periods: tuple[InterestPeriod, ...]
    rounding: Rounding
    source: str


def interest_for_days(
    amount: Decimal, days: int, *, rounding: Rounding = Rounding.CENT, lang: Language = "en"
) -> LateInterest:
    """Doubled-portion interest on `amount` yuan unpaid for `days` days; its source cited in `lang`."""
    _check_days(days)
    exact = amount * DAILY_RATE * days
    period = InterestPeriod(start=None, end=None, days=days, base=amount, interest=round_amount(exact, rounding))
    return _result(amount, days, None, exact, (period,), rounding, lang)


def interest_between(
    amount: Decimal,
    *,
    due_date: dt.date,
    paid_date: dt.date,
    payments: Sequence[Payment] = (),
    day_count: DayCount = DayCount.NEXT_DAY,
    rounding: Rounding = Rounding.CENT,
    lang: Language = "en",
) -> LateInterest:
    """Doubled-portion interest from the expiry of the performance period to full payment.

    `due_date` is the last day of the performance period the judgment set; `paid_date` the day the
    debt was paid in full (or the day to compute up to). Each partial payment reduces the base from
    the day after it is made. The source is cited in `lang`.
    """
    for name, day in (("due_date", due_date), ("paid_date", paid_date)):
        if day >= dt.date.max:  # the calendar's last day has no next day to count from or after
            raise InvalidInputError(f"`{name}` must be before {dt.date.max.isoformat()}", field=name)
    start = due_date + dt.timedelta(days=1) if day_count is DayCount.NEXT_DAY else due_date
    _check_dates(amount, start=start, due_date=due_date, paid_date=paid_date, payments=payments)

    spans: list[tuple[dt.date, dt.date, Decimal]] = []  # (first day, last day, base)
    base = amount
    cursor = start
    for payment in sorted(payments, key=lambda p: p.date):
        # The day of a payment still bears interest on the whole base; the paid part stops after it.
        end = max(payment.date, cursor - dt.timedelta(days=1))
        if end >= cursor:
            spans.append((cursor, end, base))
            cursor = end + dt.timedelta(days=1)
        base -= payment.amount
    if paid_date >= cursor:
        spans.append((cursor, paid_date, base))
    exact = [base * DAILY_RATE * ((last - first).days + 1) for first, last, base in spans]
    # Each period's interest is shown rounded; apportioned so that they add up to the total.
    periods = tuple(
        InterestPeriod(start=first, end=last, days=(last - first).days + 1, base=base, interest=interest)
        for (first, last, base), interest in zip(spans, apportion(exact, rounding), strict=True)
    )
    days = max((paid_date - start).days + 1, 0)
    paid = sum((p.amount for p in payments), Decimal(0))
    return _result(amount, days, day_count, sum(exact, Decimal(0)), periods, rounding, lang, paid=paid)


def _result(
    amount: Decimal,
    days: int,
    day_count: DayCount | None,
    exact: Decimal,
    periods: tuple[InterestPeriod, ...],
    rounding: Rounding,
    lang: Language,
    *,
    paid: Decimal = Decimal(0),
) -> LateInterest:
    interest = round_amount(exact, rounding)
    return LateInterest(
        amount=amount,
        days=days,
        daily_rate=DAILY_RATE,
        day_count=day_count,
        doubled_interest=interest,
        total_due=round_amount(amount, rounding) + interest,
        outstanding=round_amount(amount - paid, rounding) + interest,
        periods=periods,
        rounding=rounding,
        source=SOURCE_ZH if lang == "zh" else SOURCE,
    )


def _check_days(days: int) -> None:
    if not 0 <= days <= MAX_DAYS:
        raise InvalidInputError(f"`days` must be between 0 and {MAX_DAYS}, got {days}", field="days")


def _check_dates(
    amount: Decimal, *, start: dt.date, due_date: dt.date, paid_date: dt.date, payments: Sequence[Payment]
) -> None:
    if start < RULE_START:  # the delay's first day: with the next-day count, a due date of 2014-07-31 is in
        raise OutsideLawError(
            f"a delay's days before {RULE_START.isoformat()} are computed under the earlier rule (bank benchmark "
            f"rate doubled, 法释〔2014〕8号 art. 7), which this service does not cover; this delay starts on "
            f"{start.isoformat()}. For the days from {RULE_START.isoformat()} on, give a `due_date` that starts "
            "the delay then",
            field="due_date",
        )
    if paid_date < due_date:
        raise InvalidInputError("`paid_date` is before `due_date`", field="paid_date")
    _check_days((paid_date - start).days + 1)
    paid = Decimal(0)
    for index, payment in enumerate(payments):
        if payment.date > paid_date:
            raise InvalidInputError(
                f"partial payment on {payment.date.isoformat()} is after `paid_date`", field=f"payments[{index}].date"
            )
        if payment.date < due_date:
            raise InvalidInputError(
                f"partial payment on {payment.date.isoformat()} is before `due_date`: deduct it from `amount`",
                field=f"payments[{index}].date",
            )
        if payment.amount <= 0:
            raise InvalidInputError("a partial payment must be more than 0 yuan", field=f"payments[{index}].amount")
        paid += payment.amount
        if paid >= amount:
            raise InvalidInputError(
                "partial payments reach the whole `amount`: the debt was paid in full on that day, "
                "so give that day as `paid_date`",
                field=f"payments[{index}].amount",
            )
