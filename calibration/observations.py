"""From decided-case records to what the statutory award model can learn: censored log awards.

Each usable record becomes bounds on its log economic-loss award: exact where the court stated the
loss; left-censored at the statutory floor (the award could have been lower but for the floor);
right-censored at the claim or the statutory cap (the court gave all it could); an interval where
the court gave one figure for loss and expenses together. Records decided on another Article 54
route, or above the statutory cap, are not statutory awards and are kept out, with the reason.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import msgspec

from calibration.records import CaseRecord
from estimator.model.case import Case

NON_STATUTORY = {"actual_loss", "illegal_gain", "royalty", "punitive"}
LAW_2020_START = dt.date(2021, 6, 1)
# Where a combined figure covers loss and expenses but the expenses claimed are unknown, the loss
# is taken to be at least half the figure: supported expenses rarely exceed the loss award.
UNKNOWN_EXPENSES_LOWER_SHARE = 0.5
_TOLERANCE = 0.5  # yuan: figures equal to the floor, claim or cap within rounding


class Observation(msgspec.Struct, frozen=True, kw_only=True):
    record_id: str
    case: Case
    lower: float  # log yuan; -inf when left-censored
    upper: float  # log yuan; +inf when right-censored
    kind: str  # exact | floor | claim | cap | interval | interval_claim
    point: float  # yuan: the award, or the geometric middle of an interval (for validation metrics)
    floor: float
    cap: float


class Exclusion(msgspec.Struct, frozen=True, kw_only=True):
    record_id: str
    reason: str


def case_of(record: CaseRecord) -> Case:
    """The pre-judgment facts of a decided case (its outcome fields dropped).

    A total the record's expenses use up (`check_claim_left`) says nothing of the loss claimed, and is
    left out of the case, as an unstated total would be.
    """
    fields = {name: getattr(record, name) for name in Case.__struct_fields__}
    try:
        return Case(**fields)
    except ValueError:
        return Case(**{**fields, "claimed_total": None})


def statutory_bounds(record: CaseRecord) -> tuple[float, float]:
    """Floor and cap of the statutory range that governed the record."""
    version = record.law_version
    if version is None:
        judged = _judgment_day(record)
        if judged is not None and judged < LAW_2020_START:
            version = "2010"
    if version == "2020":
        return 500.0, 5_000_000.0
    if version in {"2010", "2001"}:
        return 0.0, 500_000.0
    # Unknown version judged after the change: the act may fall under either law. Use the wider
    # cap so no statutory award is excluded, and no floor so nothing is wrongly censored.
    return 0.0, 5_000_000.0


def observations(records: Sequence[CaseRecord]) -> tuple[list[Observation], list[Exclusion]]:
    used: list[Observation] = []
    excluded: list[Exclusion] = []
    for record in records:
        result = _observe(record)
        if isinstance(result, Observation):
            used.append(result)
        else:
            excluded.append(result)
    return used, excluded


def data_cutoff(records: Sequence[CaseRecord]) -> str | None:
    days = [d for d in (_judgment_day(r) for r in records) if d is not None]
    return max(days).isoformat() if days else None


def _observe(record: CaseRecord) -> Observation | Exclusion:
    if record.damages_method in NON_STATUTORY:
        return Exclusion(record_id=record.id, reason=f"decided on {record.damages_method}, not statutory damages")
    floor, cap = statutory_bounds(record)
    case = case_of(record)
    claim = case.claim
    combined = False
    if record.awarded_economic_loss is not None:
        low = high = record.awarded_economic_loss
    elif record.awarded_total is not None:
        total = record.awarded_total
        if record.awarded_expenses is not None and total > record.awarded_expenses:
            low = high = total - record.awarded_expenses
        elif record.award_includes_expenses is False:
            low = high = total
        else:
            expenses = case.expenses
            if total - (expenses or 0.0) > cap + _TOLERANCE:
                # Even net of any stated expenses the figure is above the cap: not a statutory award.
                return Exclusion(
                    record_id=record.id, reason=f"award above the statutory cap of {cap:,.0f}: not statutory"
                )
            low = (
                total - expenses if expenses is not None and total > expenses else total * UNKNOWN_EXPENSES_LOWER_SHARE
            )
            high = total
            combined = True
            # The whole claim supported: the combined figure sits at the claim's ceiling.
            if record.claimed_total is not None and total >= record.claimed_total - _TOLERANCE:
                return _obs(record, case, math.log(low), math.inf, "interval_claim", low, floor, cap)
    else:
        return Exclusion(record_id=record.id, reason="no award stated")
    if high <= 0:
        return Exclusion(record_id=record.id, reason="nothing awarded: the model is of the award when a claim succeeds")
    if low > cap + _TOLERANCE:
        return Exclusion(record_id=record.id, reason=f"award above the statutory cap of {cap:,.0f}: not statutory")
    if combined:
        point = math.sqrt(max(low, 1.0) * high)
        return _obs(record, case, math.log(max(low, 1.0)), math.log(high), "interval", point, floor, cap)
    award = low
    if floor > 0 and award <= floor + _TOLERANCE:
        return _obs(record, case, -math.inf, math.log(floor), "floor", award, floor, cap)
    if claim is not None and award >= claim - _TOLERANCE:
        return _obs(record, case, math.log(award), math.inf, "claim", award, floor, cap)
    if award >= cap - _TOLERANCE:
        return _obs(record, case, math.log(award), math.inf, "cap", award, floor, cap)
    return _obs(record, case, math.log(award), math.log(award), "exact", award, floor, cap)


def _obs(
    record: CaseRecord, case: Case, lower: float, upper: float, kind: str, point: float, floor: float, cap: float
) -> Observation:
    if case.claim is not None:
        cap = min(cap, case.claim)
    return Observation(
        record_id=record.id,
        case=case,
        lower=lower,
        upper=upper,
        kind=kind,
        point=point,
        floor=min(floor, cap),
        cap=max(cap, point),
    )


def _judgment_day(record: CaseRecord) -> dt.date | None:
    value = record.judgment_date
    if not value:
        return None
    if len(value) == 4:
        return dt.date(int(value), 12, 31)
    return dt.date.fromisoformat(value)
