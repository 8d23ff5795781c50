"""Court fees for many amounts at once, exact: integer arithmetic on numpy arrays.

Every rate in the Measures' schedules is a whole number per mille (2.5% = 25‰, 0.9% = 9‰), so a fee
in thousandths of a fen is an exact integer: amount in fen × rate in ‰ plus the fee accumulated
below the bracket. Rounding half-up then happens once, on integers, exactly as `fees.court_fees`
does on Decimals (a test checks that the two agree). The schedules themselves are not repeated
here: the brackets are read from `fees.SegmentSchedule`.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt

from estimator.law.fees import PROPERTY_SCHEDULE, SegmentSchedule
from estimator.money import Rounding

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_MILLI = 1000  # thousandths of a fen per fen
_FEN = 100


class ArraySchedule:
    """A segment schedule as integer arrays: bracket lower bounds (fen), rates (‰), base fees (milli-fen)."""

    def __init__(self, schedule: SegmentSchedule) -> None:
        lowers = [schedule.flat_upto]
        rates = []
        for upper, rate in schedule.brackets:
            permille = rate * 1000
            if permille != permille.to_integral_value():
                raise ValueError(f"{schedule.name}: rate {rate} is not a whole number per mille")
            rates.append(int(permille))
            if upper is not None:
                lowers.append(upper)
        self.lower_fen = np.array([int(v * _FEN) for v in lowers[: len(rates)]], dtype=np.int64)
        self.rate_permille = np.array(rates, dtype=np.int64)
        flat = int(schedule.flat_fee * _FEN * _MILLI)
        widths = np.diff(np.append(self.lower_fen, self.lower_fen[-1]))
        self.base_millifen = flat + np.concatenate([[0], np.cumsum(widths[:-1] * self.rate_permille[:-1])])
        self.cap_millifen = None if schedule.cap is None else int(schedule.cap * _FEN * _MILLI)

    def fee_millifen(self, amount_fen: IntArray) -> IntArray:
        """Exact fee in thousandths of a fen for each amount in fen."""
        bracket = np.searchsorted(self.lower_fen, amount_fen, side="left") - 1
        above = bracket >= 0
        b = np.maximum(bracket, 0)
        fee = np.where(
            above,
            self.base_millifen[b] + (amount_fen - self.lower_fen[b]) * self.rate_permille[b],
            self.base_millifen[0],
        )
        if self.cap_millifen is not None:
            fee = np.minimum(fee, self.cap_millifen)
        result: IntArray = fee.astype(np.int64)
        return result


PROPERTY = ArraySchedule(PROPERTY_SCHEDULE)


def to_fen(amount_yuan: FloatArray) -> IntArray:
    """Yuan to whole fen, half-up (the inputs' own precision; amounts are at most 10^12 yuan)."""
    return np.floor(np.asarray(amount_yuan, dtype=np.float64) * _FEN + 0.5).astype(np.int64)


def round_millifen(millifen: IntArray, *, halve: npt.NDArray[np.bool_], rounding: Rounding) -> FloatArray:
    """Halve where asked, round half-up once to the fen (or yuan), and return yuan."""
    unit = _MILLI if rounding is Rounding.CENT else _MILLI * _FEN
    numerator = np.where(halve, millifen, 2 * millifen)  # in units of half a milli-fen
    rounded = (numerator + unit) // (2 * unit)
    # Division by 100 gives the float nearest to the decimal amount; multiplying by 0.01 would not.
    result: FloatArray = rounded.astype(np.float64) / ((_MILLI * _FEN) // unit)
    return result


def acceptance_fees(
    amount_yuan: FloatArray, *, halve: npt.NDArray[np.bool_], rounding: Rounding
) -> tuple[FloatArray, FloatArray]:
    """(full acceptance fee, fee due after halving) in yuan for each claimed amount."""
    millifen = PROPERTY.fee_millifen(to_fen(amount_yuan))
    none = np.zeros(millifen.shape, dtype=bool)
    return round_millifen(millifen, halve=none, rounding=rounding), round_millifen(
        millifen, halve=halve, rounding=rounding
    )


def exact_yuan(millifen: int) -> Decimal:
    return Decimal(millifen) / (_MILLI * _FEN)
