"""The facts of a case that the award model reads: the inputs of a decided-case record, no outcomes.

A `Case` is what a claimant knows before judgment. Decoding a `Case` ignores unknown fields; input
to score refuses them, except the outcome fields of a decided-case record (`RECORD_ONLY_FIELDS`), so
that a file of decided cases (with their awards) can be scored directly for back-testing. Every
field but `id` may be null, and null is a level of its own in the model, never imputed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Annotated, Final, Literal

import msgspec
from msgspec import Meta

from estimator.errors import OutsideLawError
from estimator.law.statutes import Law, select_regime

WorkType = Literal[
    "photograph",
    "fine_art",
    "text",
    "music",
    "film",
    "video",
    "software",
    "game",
    "character",
    "ai_image",
    "ai_text",
    "other",
]
LawVersion = Literal["2001", "2010", "2020"]
PartyType = Literal["individual", "company", "platform"]
PlaintiffType = Literal["individual", "company"]
Role = Literal["direct", "contributory"]
Fame = Literal["low", "medium", "high"]
Remediation = Literal["none", "before_suit", "after_notice", "after_suit"]
Procedure = Literal["ordinary", "simplified", "small_claims"]

Amount = Annotated[float, Meta(ge=0, le=1e12)]
# A claim is at least 1 yuan, the symbolic claim courts do see: the estimate's amounts are whole yuan,
# so a smaller claim would be estimated as 0.
MIN_CLAIM: Final = 1.0  # yuan: the smallest amount a claim may be
Claim = Annotated[float, Meta(ge=MIN_CLAIM, le=1e12)]
AMOUNT_TOLERANCE: Final = 0.01  # yuan: amounts are stated to the fen

# The fields of a decided-case record (`calibration.records.CaseRecord`) that are not facts a Case
# reads: the outcome, the court and the citation. Input to score may carry them, so that a file of
# decided cases back-tests as it is; a test keeps this list equal to the record's other fields.
RECORD_ONLY_FIELDS: Final = frozenset(
    {
        "acceptance_fee",
        "award_includes_expenses",
        "awarded_economic_loss",
        "awarded_expenses",
        "awarded_total",
        "case_number",
        "city",
        "court",
        "damages_method",
        "fee_defendant",
        "fee_halved",
        "fee_plaintiff",
        "instance",
        "judgment_date",
        "note",
        "punitive_multiplier",
        "rights",
        "source_url",
    }
)
Count = Annotated[int, Meta(ge=0, le=10**13)]


class Case(msgspec.Struct, frozen=True, kw_only=True):
    id: str | None = None
    law_version: LawVersion | None = None
    procedure: Procedure | None = None
    work_type: WorkType | None = None
    works_count: Annotated[int, Meta(ge=1, le=10**7)] | None = None
    plaintiff_type: PlaintiffType | None = None
    defendant_type: PartyType | None = None
    infringement_role: Role | None = None
    commercial_use: bool | None = None
    fame: Fame | None = None
    intentional: bool | None = None
    remediation: Remediation | None = None
    duration_days: Count | None = None
    audience: Count | None = None
    claimed_economic_loss: Claim | None = None
    claimed_expenses: Amount | None = None
    claimed_total: Claim | None = None
    notarization_fee: Amount | None = None
    attorney_fee_claimed: Amount | None = None
    evidence_fee: Amount | None = None

    def __post_init__(self) -> None:
        check_claim_parts(self)
        check_claim_left(self)

    @property
    def claim(self) -> float | None:
        """The economic loss claimed: stated, else the total less the expenses (stated or itemised).

        Without expenses the total is taken whole: it overstates the loss by any expenses in it, but
        records rarely split the two, and a claim that includes expenses still caps the award.
        """
        if self.claimed_economic_loss is not None:
            return self.claimed_economic_loss
        if self.claimed_total is not None:
            # At least MIN_CLAIM is left for the loss: `check_claim_left` refuses a total the expenses use up.
            return self.claimed_total - (self.expenses or 0.0)
        return None

    @property
    def expenses(self) -> float | None:
        """Reasonable expenses claimed: stated, else the sum of the stated parts."""
        if self.claimed_expenses is not None:
            return self.claimed_expenses
        parts = [p for p in (self.notarization_fee, self.attorney_fee_claimed, self.evidence_fee) if p is not None]
        return math.fsum(parts) if parts else None

    @property
    def amount_in_dispute(self) -> float | None:
        """What the court charges its acceptance fee on: the whole monetary claim."""
        if self.claimed_total is not None:
            return self.claimed_total
        claim = self.claim
        if claim is None:
            return None
        return claim + (self.expenses or 0.0)


def check_act_dates(law_version: str | None, act_start: dt.date | None, act_end: dt.date | None) -> None:
    """Reject a law version stated beside act dates, and an end without a start (a ValueError naming them)."""
    if law_version is not None and act_start is not None:
        raise ValueError("give `law_version` or `act_start`, not both")
    if act_end is not None and act_start is None:
        raise ValueError("`act_end` needs `act_start`")


def law_version_of_acts(act_start: dt.date, act_end: dt.date | None = None) -> Literal["2010", "2020"]:
    """The Copyright Law version governing an act on `act_start` (continuing until `act_end`).

    The law in force on the act's last day governs (`select_regime`). Acts governed by the 2001 text
    (before 2010-04-01) are refused: the decided cases the model learns from start later.
    """
    version = select_regime(Law.COPYRIGHT, act_start, act_end).version
    if version not in ("2010", "2020"):
        field = "act_end" if act_end is not None else "act_start"
        raise OutsideLawError("acts before 2010-04-01 are outside the estimate's data", field=field)
    return version  # type: ignore[return-value]  # narrowed by the test above


_EXPENSE_ITEMS: Final = ("notarization_fee", "attorney_fee_claimed", "evidence_fee")


def check_intent(intentional: bool | None, intentional_and_serious: bool | None) -> None:
    """Refuse punitive damages' intent for an infringement the same case says was not intentional."""
    if intentional_and_serious and intentional is False:
        raise ValueError(
            "`intentional_and_serious` says the infringement was intentional, and `intentional` that it was not: "
            "punitive damages need intent (Copyright Law 2020 art. 54 para. 1; SPC Interpretation on punitive "
            "damages in IP cases, Fa Shi [2021] No. 4, arts. 1 and 3); correct one of the two"
        )


def check_claim_parts(claimed: object) -> None:
    """Reject claimed parts that add up to more than their stated whole (a ValueError naming the fields).

    For a `Case` and a decided-case record alike: the itemised expenses must fit within
    `claimed_expenses`, and the loss and the stated expenses within `claimed_total`. Only `<=` is
    checked: a total may hold more (mental damages, say).
    """
    stated_expenses = getattr(claimed, "claimed_expenses")  # noqa: B009 - any object with the fields
    loss, total = getattr(claimed, "claimed_economic_loss"), getattr(claimed, "claimed_total")  # noqa: B009
    if stated_expenses is None and total is None:
        return  # no whole stated for parts to exceed (the common case, checked on every row of a batch)
    items = {item: getattr(claimed, item) for item in _EXPENSE_ITEMS}
    check_parts_within("claimed_expenses", stated_expenses, items)
    check_parts_within("claimed_total", total, {"claimed_economic_loss": loss, "claimed_expenses": stated_expenses})


def check_claim_left(case: object) -> None:
    """Reject a case whose total the expenses use up: its loss claimed would be less than a claim can be.

    For a case to estimate (a `Case`, or a request that becomes one) only: the itemised expenses,
    where no total of expenses is stated, must fit within `claimed_total` too, and without a stated
    loss the total must leave at least MIN_CLAIM for it (`Case.claim`). A decided-case record is not
    held to this (`case_of` reads such a record's total as saying nothing of the loss): records
    stored before the rule must still read.
    """
    loss, total = getattr(case, "claimed_economic_loss"), getattr(case, "claimed_total")  # noqa: B009
    if total is None:
        return  # without a total there is nothing for the expenses to use up
    stated_expenses = getattr(case, "claimed_expenses")  # noqa: B009 - any object with the fields
    if stated_expenses is not None:
        expenses = {"claimed_expenses": stated_expenses}  # within the total already (`check_claim_parts`)
    else:
        expenses = {item: getattr(case, item) for item in _EXPENSE_ITEMS}
        check_parts_within("claimed_total", total, {"claimed_economic_loss": loss, **expenses})
    given = {name: value for name, value in expenses.items() if value is not None}
    spent = math.fsum(given.values())
    if loss is None and total is not None and given and total - spent < MIN_CLAIM:
        named = " + ".join(f"`{name}`" for name in given)
        verb = "leaves" if len(given) == 1 else "leave"
        raise ValueError(
            f"{named} ({_amount(spent)}) {verb} less than {MIN_CLAIM:g} yuan of `claimed_total` "
            f"({_amount(total)}) for the economic loss; a claim of expenses alone is not an award of damages to "
            "estimate: state `claimed_economic_loss`, or a total with the loss in it"
        )


def check_parts_within(whole_name: str, whole: float | None, parts: Mapping[str, float | None]) -> None:
    """A ValueError when the stated `parts` add up to more than the stated `whole`."""
    given = {name: value for name, value in parts.items() if value is not None}
    if whole is None or not given:
        return
    total = math.fsum(given.values())
    if total > whole + AMOUNT_TOLERANCE:
        named = " + ".join(f"`{name}`" for name in given)
        verb = "exceeds" if len(given) == 1 else "exceed"
        raise ValueError(f"{named} ({_amount(total)}) {verb} `{whole_name}` ({_amount(whole)})")


def _amount(value: float) -> str:
    return f"{value:,.2f}".removesuffix(".00")
