"""The design matrix of the award model: which facts enter it, and how each is coded.

Categorical facts are one-hot coded against *unknown* as the reference level, so a fact the
case does not state contributes nothing (the prior-weighted average) rather than a guess, and each
known level's coefficient is its multiplicative effect against not knowing. Continuous facts enter
on the log scale, centred on the training data, with an indicator for "unknown".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import get_args

import msgspec
import numpy as np
import numpy.typing as npt

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


class FeatureSpec(msgspec.Struct, frozen=True, kw_only=True):
    """How cases become rows of the design matrix; learned centres are part of the fitted model."""

    names: tuple[str, ...]
    log_claim_centre: float
    log_audience_centre: float

    @classmethod
    def build(cls, *, log_claim_centre: float, log_audience_centre: float) -> FeatureSpec:
        names = ["intercept", *NUMERIC]
        for field, levels in CATEGORICAL:
            names.extend(f"{field}={level}" for level in levels)
        return cls(names=tuple(names), log_claim_centre=log_claim_centre, log_audience_centre=log_audience_centre)

    @property
    def width(self) -> int:
        return len(self.names)


def _level(case: Case, field: str) -> str | None:
    value = getattr(case, field)
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field == "law_version" and value == "2001":
        return "2010"  # same damages regime (no floor, 500,000 cap); too few cases for a level of its own
    return str(value)


def design_matrix(spec: FeatureSpec, cases: Sequence[Case]) -> FloatArray:
    """One row per case, one column per `spec.names`."""
    index = {name: i for i, name in enumerate(spec.names)}
    x = np.zeros((len(cases), spec.width))
    x[:, index["intercept"]] = 1.0
    for row, case in enumerate(cases):
        claim = case.claim
        if claim is not None and claim > 0:
            x[row, index["log_claim"]] = math.log(claim) - spec.log_claim_centre
        else:
            x[row, index["claim_unknown"]] = 1.0
        if case.works_count is not None:
            x[row, index["log_works"]] = math.log(case.works_count)
        else:
            x[row, index["works_unknown"]] = 1.0
        if case.audience is not None and case.audience > 0:
            x[row, index["log_audience"]] = math.log10(case.audience) - spec.log_audience_centre
        else:
            x[row, index["audience_unknown"]] = 1.0
        for field, _ in CATEGORICAL:
            level = _level(case, field)
            if level is not None:
                x[row, index[f"{field}={level}"]] = 1.0
    return x
