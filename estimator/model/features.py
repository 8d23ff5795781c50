"""The design matrix of the award model: which facts enter it, and how each is coded.

Categorical facts are one-hot coded against *unknown* as the reference level, so a fact the
case does not state contributes nothing (the prior-weighted average) rather than a guess, and each
known level's coefficient is its multiplicative effect against not knowing. Continuous facts enter
on the log scale, centred on the training data, with an indicator for "unknown".
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import get_args

import msgspec
import numpy as np
import numpy.typing as npt

from estimator.law.statutes import copyright_regime
from estimator.model.case import Case, Fame, PartyType, Remediation, Role, WorkType

FloatArray = npt.NDArray[np.float64]

# (case field, levels); booleans are coded yes/no so that "not stated" stays the reference.
CATEGORICAL: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("law_version", ("2010", "2020")),
    ("work_type", get_args(WorkType)),
    ("plaintiff_type", ("individual", "company")),
    ("defendant_type", get_args(PartyType)),
    ("infringement_role", get_args(Role)),
    ("commercial_use", ("yes", "no")),
    ("fame", get_args(Fame)),
    ("intentional", ("yes", "no")),
    ("remediation", get_args(Remediation)),
)
NUMERIC = ("log_claim", "claim_unknown", "log_works", "works_unknown", "log_audience", "audience_unknown")


class FeatureSpec(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """How cases become rows of the design matrix; learned centres are part of the fitted model."""

    names: tuple[str, ...]
    log_claim_centre: float
    log_audience_centre: float
    # The claim is read up to the statutory cap of the case's law (500,000 under the 2001/2010 law,
    # else 5,000,000): no statutory award can exceed the cap, so a claim beyond it says nothing more
    # about one. False in models fitted before (omitted from their encoding, so their ids hold).
    claim_capped: bool = False
    # The claim is the total less the expenses however they are stated, itemised fees included
    # (`Case.claim`). False in models fitted before, which read it less stated expenses only, as then.
    claim_less_itemised: bool = False

    @classmethod
    def build(
        cls,
        *,
        log_claim_centre: float,
        log_audience_centre: float,
        claim_capped: bool = True,
        claim_less_itemised: bool = True,
    ) -> FeatureSpec:
        names = ["intercept", *NUMERIC]
        for field, levels in CATEGORICAL:
            names.extend(f"{field}={level}" for level in levels)
        return cls(
            names=tuple(names),
            log_claim_centre=log_claim_centre,
            log_audience_centre=log_audience_centre,
            claim_capped=claim_capped,
            claim_less_itemised=claim_less_itemised,
        )

    @property
    def width(self) -> int:
        return len(self.names)


_NUMERIC = ("works_count", "audience", "claimed_economic_loss", "claimed_expenses", "claimed_total",
            "notarization_fee", "attorney_fee_claimed", "evidence_fee")  # fmt: skip
_CATEGORICAL_FIELDS = tuple(field for field, _ in CATEGORICAL)
_get_numeric = operator.attrgetter(*_NUMERIC)
_get_categorical = operator.attrgetter(*_CATEGORICAL_FIELDS)


def _level_codes() -> dict[str, dict[object, int]]:
    codes: dict[str, dict[object, int]] = {}
    for field, levels in CATEGORICAL:
        mapping: dict[object, int] = {None: -1}
        for i, level in enumerate(levels):
            mapping[level] = i
            if level in ("yes", "no"):
                mapping[level == "yes"] = i
        if field == "law_version":
            mapping["2001"] = mapping["2010"]  # same damages regime; see features._level
        codes[field] = mapping
    return codes


_CODES = _level_codes()
_LAW_2010 = _CODES["law_version"]["2010"]
_CAP_2010 = float(copyright_regime("2010").statutory_cap)
_CAP_2020 = float(copyright_regime("2020").statutory_cap)  # also where the law version is not stated


class CaseColumns:
    """The facts of many cases as arrays: level codes (-1 unknown) and floats (NaN unknown).

    `default_law_version` codes cases that do not state their law version as that version (an
    estimate for an act today assumes the 2020 law, and says so); None keeps them unknown (fitting).
    """

    def __init__(self, cases: Sequence[Case], *, default_law_version: str | None = None) -> None:
        n = len(cases)
        self.n = n
        self.ids = [case.id for case in cases]
        numeric = list(zip(*map(_get_numeric, cases), strict=True)) if n else [()] * len(_NUMERIC)
        # + 0.0 turns a client's -0.0 into 0.0, which is what an answer should echo.
        self.numeric = {
            name: (np.array(column, dtype=np.float64) if None not in column else _with_nan(column)) + 0.0
            for name, column in zip(_NUMERIC, numeric, strict=True)
        }
        categorical = list(zip(*map(_get_categorical, cases), strict=True)) if n else [()] * len(_CATEGORICAL_FIELDS)
        self.codes = {
            name: np.fromiter(map(_CODES[name].__getitem__, column), dtype=np.int8, count=n)
            for name, column in zip(_CATEGORICAL_FIELDS, categorical, strict=True)
        }
        self.law_given = self.codes["law_version"] >= 0
        if default_law_version is not None:
            default = _CODES["law_version"][default_law_version]
            self.codes["law_version"] = np.where(self.law_given, self.codes["law_version"], default).astype(np.int8)
        self._derive()

    def take(self, index: npt.NDArray[np.intp]) -> CaseColumns:
        """The rows at `index`, in that order, without coding the cases again (cross-validation folds)."""
        part = object.__new__(CaseColumns)
        part.n = len(index)
        part.ids = [self.ids[i] for i in index]
        part.numeric = {name: column[index] for name, column in self.numeric.items()}
        part.codes = {name: column[index] for name, column in self.codes.items()}
        part.law_given = self.law_given[index]
        part.expenses, part.claim, part.disputed = self.expenses[index], self.claim[index], self.disputed[index]
        return part

    def _derive(self) -> None:
        loss, expenses_stated, total = (
            self.numeric["claimed_economic_loss"],
            self.numeric["claimed_expenses"],
            self.numeric["claimed_total"],
        )
        parts = np.stack([self.numeric[k] for k in ("notarization_fee", "attorney_fee_claimed", "evidence_fee")])
        any_part = ~np.all(np.isnan(parts), axis=0)
        # Expenses claimed: stated, else the sum of the stated parts (Case.expenses).
        self.expenses = np.where(
            ~np.isnan(expenses_stated), expenses_stated, np.where(any_part, np.nansum(parts, 0), np.nan)
        )
        # The economic loss claimed (Case.claim): stated, else the total less the expenses (stated or itemised;
        # a case leaves at least MIN_CLAIM for the loss), else NaN.
        self.claim = np.where(~np.isnan(loss), loss, total - np.nan_to_num(self.expenses))
        # What the fee is charged on (Case.amount_in_dispute): the whole monetary claim.
        self.disputed = np.where(~np.isnan(total), total, self.claim + np.nan_to_num(self.expenses))

    def _claim_less_stated(self, rows: slice) -> FloatArray:
        """The claim as models fitted before `FeatureSpec.claim_less_itemised` read it: less stated expenses only."""
        loss, stated, total = (
            self.numeric[k][rows] for k in ("claimed_economic_loss", "claimed_expenses", "claimed_total")
        )
        less: FloatArray = np.where(~np.isnan(stated) & (total > stated), total - stated, total)
        return np.where(~np.isnan(loss), loss, less)

    def design_matrix(
        self, spec: FeatureSpec, rows: slice = slice(None), *, covariate_claim: FloatArray | None = None
    ) -> FloatArray:
        """Rows of the design matrix: one column per `spec.names`.

        `covariate_claim` replaces the claim as the model reads it (NaN: not stated) while the case's
        own claim still caps the award: claim advice varies the amount asked, not the case.
        """
        index = {name: i for i, name in enumerate(spec.names)}
        if covariate_claim is not None:
            claim = covariate_claim[rows]
        elif spec.claim_less_itemised:
            claim = self.claim[rows]
        else:
            claim = self._claim_less_stated(rows)
        if spec.claim_capped:  # NaN (not stated) stays NaN
            claim = np.minimum(claim, np.where(self.codes["law_version"][rows] == _LAW_2010, _CAP_2010, _CAP_2020))
        n = claim.shape[0]
        x = np.zeros((n, spec.width))
        x[:, index["intercept"]] = 1.0
        known = claim > 0
        x[:, index["log_claim"]] = np.where(known, np.log(np.where(known, claim, 1.0)) - spec.log_claim_centre, 0.0)
        x[:, index["claim_unknown"]] = ~known
        works = self.numeric["works_count"][rows]
        x[:, index["log_works"]] = np.where(np.isnan(works), 0.0, np.log(np.where(np.isnan(works), 1.0, works)))
        x[:, index["works_unknown"]] = np.isnan(works)
        audience = self.numeric["audience"][rows]
        seen = audience > 0
        x[:, index["log_audience"]] = np.where(
            seen, np.log10(np.where(seen, audience, 1.0)) - spec.log_audience_centre, 0.0
        )
        x[:, index["audience_unknown"]] = ~seen
        row_index = np.arange(n)
        for field, levels in CATEGORICAL:
            codes = self.codes[field][rows]
            first = index[f"{field}={levels[0]}"]
            stated = codes >= 0
            x[row_index[stated], first + codes[stated]] = 1.0
        return x


def _with_nan(column: tuple[object, ...]) -> FloatArray:
    return np.array([math.nan if v is None else v for v in column], dtype=np.float64)


def design_matrix(spec: FeatureSpec, cases: Sequence[Case]) -> FloatArray:
    """One row per case, one column per `spec.names`; unknown facts stay unknown."""
    return CaseColumns(cases).design_matrix(spec)
