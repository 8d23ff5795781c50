"""Synthetic copyright cases for benchmarking: reproducible, realistic in shape, fast to produce.

Cases are drawn column-wise with numpy in fixed-size chunks, each chunk from its own generator
seeded by `(seed, chunk index)` and always drawn at full size, so the first k cases are the same
whatever n is asked for (`synthetic_cases(10)` is a prefix of `synthetic_cases(10**6)`).

The distributions are plausible, not calibrated: what matters for timing is that every field the
model reads is exercised, with the mix of known and unknown (null) values real records have.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

DEFAULT_SEED = 20240501
CHUNK = 65_536  # rows drawn at once: large enough for numpy to dominate, small enough to stream

# Levels with their weights; a `None` level is "not stated" in the record.
_LAW_VERSIONS = (("2010", 0.35), ("2020", 0.65))
_WORK_TYPES = (
    ("photograph", 0.30),
    ("fine_art", 0.08),
    ("text", 0.12),
    ("music", 0.08),
    ("film", 0.08),
    ("video", 0.12),
    ("software", 0.06),
    ("game", 0.05),
    ("character", 0.04),
    ("ai_image", 0.02),
    ("ai_text", 0.01),
    ("other", 0.04),
)
_PLAINTIFF_TYPES = (("individual", 0.45), ("company", 0.55))
_DEFENDANT_TYPES = (("individual", 0.20), ("company", 0.60), ("platform", 0.20))
_ROLES = (("direct", 0.70), ("contributory", 0.15), (None, 0.15))
_BOOL_OR_NULL = ((True, 0.55), (False, 0.15), (None, 0.30))
_FAME = (("low", 0.05), ("medium", 0.10), ("high", 0.05), (None, 0.80))  # courts rarely comment on fame
_INTENTIONAL = ((True, 0.25), (False, 0.45), (None, 0.30))
_REMEDIATION = (("none", 0.20), ("before_suit", 0.15), ("after_notice", 0.15), ("after_suit", 0.20), (None, 0.30))

# Order of the fields in every dict and in the CSV header.
CASE_FIELDS = (
    "id",
    "law_version",
    "work_type",
    "works_count",
    "plaintiff_type",
    "defendant_type",
    "infringement_role",
    "commercial_use",
    "fame",
    "intentional",
    "remediation",
    "audience",
    "claimed_economic_loss",
    "claimed_expenses",
)

CLAIM_RANGE = (1_000.0, 5_000_000.0)
EXPENSES_MAX = 50_000.0
WORKS_MAX = 50
AWARD_SHARE = 0.1  # median award as a share of the claim in `synthetic_records`
AWARD_SIGMA = 1.0  # log-scale spread of awards around that median
AWARD_FLOOR = 500.0
JUDGMENT_DATE = "2023-05-01"  # after 2021-06-01, so both law versions are valid for the record


def _choice(rng: np.random.Generator, levels: tuple[tuple[Any, float], ...], size: int) -> list[Any]:
    """Weighted draw of Python values (None included) via an object array, so `.tolist()` is one pass."""
    values = np.empty(len(levels), dtype=object)
    values[:] = [level for level, _ in levels]
    weights = np.array([w for _, w in levels])
    drawn: list[Any] = values[rng.choice(len(levels), size=size, p=weights / weights.sum())].tolist()
    return drawn


def _with_nulls(rng: np.random.Generator, values: list[Any], p_null: float) -> list[Any]:
    missing = (rng.random(len(values)) < p_null).tolist()
    return [None if m else v for v, m in zip(values, missing, strict=True)]


def _log_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> np.ndarray:
    return np.exp(rng.uniform(math.log(low), math.log(high), size))


def _chunk_columns(seed: int, chunk: int) -> dict[str, list[Any]]:
    """One full chunk of cases as columns; ids continue across chunks."""
    rng = np.random.default_rng([seed, chunk])
    size = CHUNK
    start = chunk * CHUNK
    # Log-uniform on [1, 51) floored: many single works, a long tail up to 50.
    works = np.minimum(np.floor(_log_uniform(rng, 1.0, WORKS_MAX + 1.0, size)), WORKS_MAX).astype(np.int64)
    audience = np.floor(_log_uniform(rng, 10.0, 1e7, size)).astype(np.int64)
    claim = np.round(_log_uniform(rng, *CLAIM_RANGE, size))
    expenses = np.round(rng.uniform(0.0, EXPENSES_MAX, size))
    return {
        "id": [f"syn-{i:08d}" for i in range(start, start + size)],
        "law_version": _choice(rng, _LAW_VERSIONS, size),
        "work_type": _choice(rng, _WORK_TYPES, size),
        "works_count": works.tolist(),
        "plaintiff_type": _choice(rng, _PLAINTIFF_TYPES, size),
        "defendant_type": _choice(rng, _DEFENDANT_TYPES, size),
        "infringement_role": _choice(rng, _ROLES, size),
        "commercial_use": _choice(rng, _BOOL_OR_NULL, size),
        "fame": _choice(rng, _FAME, size),
        "intentional": _choice(rng, _INTENTIONAL, size),
        "remediation": _choice(rng, _REMEDIATION, size),
        "audience": _with_nulls(rng, audience.tolist(), 0.6),  # reach is seldom in the judgment
        "claimed_economic_loss": claim.tolist(),
        "claimed_expenses": _with_nulls(rng, expenses.tolist(), 0.2),
    }


def _chunks(n: int, seed: int) -> Iterator[dict[str, list[Any]]]:
    """Columns of n cases, chunk by chunk (the last one truncated)."""
    for chunk in range(math.ceil(n / CHUNK)):
        columns = _chunk_columns(seed, chunk)
        keep = min(CHUNK, n - chunk * CHUNK)
        yield {name: values[:keep] for name, values in columns.items()}


def _rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(CASE_FIELDS, row, strict=True)) for row in zip(*(columns[f] for f in CASE_FIELDS), strict=True)]


def case_chunks(n: int, seed: int = DEFAULT_SEED) -> Iterator[list[dict[str, Any]]]:
    """The cases of `synthetic_cases`, as lists of up to `CHUNK` dicts (for batch conversion)."""
    for columns in _chunks(n, seed):
        yield _rows(columns)


def synthetic_cases(n: int, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """n case dicts (the `estimator.model.case.Case` fields), deterministic for a given seed."""
    for chunk in case_chunks(n, seed):
        yield from chunk


def synthetic_records(n: int, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """n decided-case dicts (`calibration.records.CaseRecord` fields) with a statutory-style award.

    The award is log-normal with median `AWARD_SHARE` × claim, clipped to [500, claim]: courts
    grant a small share of what is claimed, never more than the claim.
    """
    records: list[dict[str, Any]] = []
    for index, columns in enumerate(_chunks(n, seed)):
        # A separate stream for awards, so the facts stay identical to `synthetic_cases`.
        rng = np.random.default_rng([seed, index, 1])
        claim = np.asarray(columns["claimed_economic_loss"])
        award = np.round(AWARD_SHARE * claim * np.exp(rng.normal(0.0, AWARD_SIGMA, CHUNK)[: claim.size]))
        award = np.clip(award, AWARD_FLOOR, claim).tolist()
        for row, awarded in zip(_rows(columns), award, strict=True):
            row["awarded_economic_loss"] = awarded
            row["award_includes_expenses"] = False
            row["judgment_date"] = JUDGMENT_DATE
            records.append(row)
    return records


def write_ndjson(path: str | Path, n: int, seed: int = DEFAULT_SEED) -> Path:
    """Write n cases as JSON Lines, a chunk per write; returns the path."""
    path = Path(path)
    encoder = msgspec.json.Encoder()
    with path.open("wb") as out:
        for chunk in case_chunks(n, seed):
            out.write(encoder.encode_lines(chunk))
    return path


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # "12345" rather than "12345.0", as a spreadsheet export would have it
    return value


def write_csv(path: str | Path, n: int, seed: int = DEFAULT_SEED) -> Path:
    """Write n cases as CSV with a header row (empty cell: unknown); returns the path."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CASE_FIELDS)
        for columns in _chunks(n, seed):
            writer.writerows([_cell(v) for v in row] for row in zip(*(columns[f] for f in CASE_FIELDS), strict=True))
    return path
