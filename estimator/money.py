"""Decimal yuan and the one rounding step every legal amount goes through.

Legal rules compute exact `Decimal` values and round once, at the boundary where an amount is
reported (LEGAL.md §10.1: the Measures give no rounding rule, so the step is configurable).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from estimator.errors import InvalidInputError

CENT = Decimal("0.01")
YUAN = Decimal("1")

# Larger than any claim a Chinese court has seen (the largest IP awards are in the 10^9 range);
# beyond it a figure is a typo, and Decimal arithmetic on it is still exact but meaningless.
MAX_AMOUNT = Decimal("1e12")


class Rounding(enum.StrEnum):
    """How a computed legal amount is rounded for reporting (half-up in both cases)."""

    CENT = "cent"
    YUAN = "yuan"


def round_amount(amount: Decimal, rounding: Rounding = Rounding.CENT) -> Decimal:
    """Round half-up to 0.01 yuan (default) or to whole yuan: the single rounding step."""
    quantum = CENT if rounding is Rounding.CENT else YUAN
    return amount.quantize(quantum, rounding=ROUND_HALF_UP)


def apportion(parts: Sequence[Decimal], rounding: Rounding = Rounding.CENT) -> list[Decimal]:
    """Round non-negative exact `parts` so they add up to their rounded sum (largest remainder).

    Each part is rounded down, and the units the total still lacks go to the parts that lost the
    most, the earlier first on a tie: shown side by side, the parts add up to the total shown.
    """
    quantum = CENT if rounding is Rounding.CENT else YUAN
    floors = [part.quantize(quantum, rounding=ROUND_FLOOR) for part in parts]
    missing = int((round_amount(sum(parts, Decimal(0)), rounding) - sum(floors, Decimal(0))) / quantum)
    by_loss = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    for i in by_loss[:missing]:
        floors[i] += quantum
    return floors


def to_yuan(value: float | int | str | Decimal, *, field: str, allow_zero: bool = True) -> Decimal:
    """Turn a client-supplied number into exact Decimal yuan, rejecting what no rule accepts.

    Floats are converted through `repr` so that `0.1` stays `0.1` rather than its binary expansion.
    """
    if isinstance(value, bool):
        raise InvalidInputError(f"`{field}` must be a number of yuan, not a boolean", field=field)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"`{field}` must be a finite number of yuan", field=field)
        amount = Decimal(repr(value + 0.0))  # + 0.0: -0.0 is 0, not a "-0" to echo back
    else:
        try:
            amount = Decimal(value)
        except ArithmeticError as exc:
            raise InvalidInputError(f"`{field}` is not a number: {value!r}", field=field) from exc
        if not amount.is_finite():
            raise InvalidInputError(f"`{field}` must be a finite number of yuan", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        raise InvalidInputError(f"`{field}` must be {bound} yuan, got {amount}", field=field)
    if amount > MAX_AMOUNT:
        raise InvalidInputError(f"`{field}` must be at most {MAX_AMOUNT:,.0f} yuan, got {amount}", field=field)
    return amount
