"""`POST /v1/interest`: the doubled interest owed for late payment of a money judgment."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, post
from litestar import Request as HttpRequest
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body
from msgspec import Meta

from api.errors import ERROR_RESPONSES
from api.formats import language_of
from api.settings import Settings
from api.types import Date, Days, PositiveYuan, Request, Response, RoundingChoice
from estimator.language import Language
from estimator.law.interest import DayCount, LateInterest, Payment, interest_between, interest_for_days
from estimator.money import Rounding, to_yuan


class PaymentIn(Request, frozen=True):
    date: Date
    amount: PositiveYuan


class InterestRequest(Request, frozen=True):
    amount: Annotated[PositiveYuan, Meta(description="The unpaid money debt fixed by the judgment.")]
    days: Annotated[Days | None, Meta(description="Days of delay. Give either this or both dates.")] = None
    due_date: Annotated[
        Date | None, Meta(description="The last day of the performance period set by the judgment.")
    ] = None
    paid_date: Annotated[Date | None, Meta(description="The day of full payment (or the day to compute up to).")] = None
    payments: Annotated[
        list[PaymentIn], Meta(max_length=1_000, description="Partial payments between the two dates.")
    ] = []  # noqa: RUF012  # msgspec copies mutable defaults per instance
    day_count: Annotated[
        Literal["next_day", "expiry_day"],
        Meta(
            description="`next_day` (default): the delay runs from the day after the period expires (Civil Code "
            "art. 201, most court calculators). `expiry_day`: from the expiry day itself (literal SPC wording)."
        ),
    ] = "next_day"
    rounding: RoundingChoice | None = None
    lang: Annotated[
        Literal["en", "zh"] | None, Meta(description="Language of `source`; default from `Accept-Language`.")
    ] = None

    def __post_init__(self) -> None:
        dated = self.due_date is not None or self.paid_date is not None
        if self.days is not None and dated:
            raise ValueError("give either `days` or `due_date` and `paid_date`, not both")
        if self.days is None and (self.due_date is None or self.paid_date is None):
            raise ValueError("give `days`, or both `due_date` and `paid_date`")
        if self.payments and self.days is not None:
            raise ValueError("`payments` need `due_date` and `paid_date` to be placed in time")


class InterestPeriodOut(Response, frozen=True):
    start: Date | None
    end: Date | None
    days: int
    base: float
    interest: Annotated[
        float, Meta(description="Rounded so that the periods add up to `doubled_interest` (largest remainder).")
    ]


class InterestResponse(Response, frozen=True):
    amount: float
    days: int
    daily_rate: Annotated[float, Meta(description="1.75‱ a day (0.000175), simple.")]
    day_count: Literal["next_day", "expiry_day"] | None
    doubled_interest: Annotated[float, Meta(description="The doubled-portion interest for the delay.")]
    total_due: Annotated[
        float, Meta(description="`amount` plus `doubled_interest`: the whole, before any payment is deducted.")
    ]
    outstanding: Annotated[
        float,
        Meta(
            description="What remains to pay on `paid_date`: `amount` less the partial `payments`, plus all of "
            "`doubled_interest` (the payments counted against the debt, as the interest's base is reduced by them). "
            "Equal to `total_due` without payments."
        ),
    ]
    periods: list[InterestPeriodOut]
    rounding: RoundingChoice
    source: str


def compute_interest(data: InterestRequest, *, default_rounding: Rounding, lang: Language) -> LateInterest:
    amount = to_yuan(data.amount, field="amount")
    rounding = default_rounding if data.rounding is None else Rounding(data.rounding)
    if data.days is not None:
        return interest_for_days(amount, data.days, rounding=rounding, lang=lang)
    assert data.due_date is not None
    assert data.paid_date is not None
    payments = [
        Payment(date=p.date, amount=to_yuan(p.amount, field=f"payments[{i}].amount"))
        for i, p in enumerate(data.payments)
    ]
    return interest_between(
        amount,
        due_date=data.due_date,
        paid_date=data.paid_date,
        payments=payments,
        day_count=DayCount(data.day_count),
        rounding=rounding,
        lang=lang,
    )


def interest_response(result: LateInterest) -> InterestResponse:
    return InterestResponse(
        amount=float(result.amount),
        days=result.days,
        daily_rate=float(result.daily_rate),
        day_count=None if result.day_count is None else result.day_count.value,
        doubled_interest=float(result.doubled_interest),
        total_due=float(result.total_due),
        outstanding=float(result.outstanding),
        periods=[
            InterestPeriodOut(start=p.start, end=p.end, days=p.days, base=float(p.base), interest=float(p.interest))
            for p in result.periods
        ],
        rounding=result.rounding.value,
        source=result.source,
    )


INTEREST_EXAMPLES = [
    Example(
        id="thirty_days",
        summary="100,000 unpaid for 30 days",
        description="100,000 × 0.000175 × 30 = 525.",
        value={"amount": 100000, "days": 30},
    ),
    Example(
        id="dates_with_partial_payment",
        summary="Due 2024-03-01, 40,000 paid on 2024-03-11, the rest on 2024-03-31",
        description="The paid part stops bearing interest after the day it is paid.",
        value={
            "amount": 100000,
            "due_date": "2024-03-01",
            "paid_date": "2024-03-31",
            "payments": [{"date": "2024-03-11", "amount": 40000}],
        },
    ),
]


class InterestController(Controller):
    path = "/v1/interest"
    tags = ("Interest",)

    @post(
        operation_id="computeLateInterest",
        summary="Compute doubled interest for late payment",
        description=(
            "The doubled portion of interest for delayed performance of a money judgment (Civil Procedure Law "
            "art. 264; SPC 法释〔2014〕8号): 1.75‱ a day on the unpaid amount, simple, by number of days or "
            "between the expiry of the performance period and payment, with partial payments. General debt "
            "interest awarded by the judgment is not included."
        ),
        status_code=200,
        responses=ERROR_RESPONSES,
    )
    async def compute(
        self,
        request: HttpRequest,  # type: ignore[type-arg]  # any Request
        data: Annotated[InterestRequest, Body(examples=INTEREST_EXAMPLES)],
        settings: NamedDependency[Settings],
    ) -> InterestResponse:
        lang = data.lang or language_of(request)
        return interest_response(compute_interest(data, default_rounding=settings.rounding, lang=lang))
