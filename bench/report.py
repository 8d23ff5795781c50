"""Result rows, targets and verdicts, and the two outputs: the aligned table and the JSON file.

Sections only measure; whether a figure meets its target is decided here, in one place, so the
table and the JSON never disagree.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Verdict = Literal["pass", "fail", "n/a", "error"]


class BenchError(RuntimeError):
    """The bench itself could not measure (a server that never started, a tool that crashed)."""


@dataclass(frozen=True)
class Target:
    """A threshold a figure is judged against, e.g. `>= 0.75`."""

    op: Literal[">=", "<=", "<", ">"]
    bound: float
    unit: str = ""

    def met_by(self, value: float) -> bool:
        compare: Callable[[float, float], bool] = {
            ">=": operator.ge,
            "<=": operator.le,
            "<": operator.lt,
            ">": operator.gt,
        }[self.op]
        return compare(value, self.bound)

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.op} {format_number(self.bound)}{unit}"


def at_least(bound: float, unit: str = "") -> Target:
    return Target(">=", bound, unit)


def at_most(bound: float, unit: str = "") -> Target:
    return Target("<=", bound, unit)


def below(bound: float, unit: str = "") -> Target:
    return Target("<", bound, unit)


@dataclass
class Row:
    """One measured figure. `value` None means not measured (skipped, unsupported, failed)."""

    section: str
    name: str
    value: float | None
    unit: str = ""
    target: Target | None = None
    note: str = ""
    # Forces a verdict regardless of the value: "fail" for a run with errors, "error" for a bench failure.
    forced: Verdict | None = None
    verdict: Verdict = field(init=False)

    def __post_init__(self) -> None:
        if self.forced is not None:
            self.verdict = self.forced
        elif self.target is None or self.value is None or math.isnan(self.value):
            self.verdict = "n/a"
        else:
            self.verdict = "pass" if self.target.met_by(self.value) else "fail"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("forced")
        if self.target is not None:
            data["target"] = {**asdict(self.target), "text": str(self.target)}
        if self.value is not None and math.isnan(self.value):
            data["value"] = None
        return data


def format_number(value: float) -> str:
    """Readable figures: thousands separated, about three significant digits below 1000."""
    value = float(value)  # counts arrive as int
    if math.isnan(value):
        return "nan"
    magnitude = abs(value)
    if magnitude >= 1000 or (value.is_integer() and magnitude >= 1) or value == 0:
        # Counts and round bounds read as integers ("0", "< 2 s"), not "0.00".
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _value_text(row: Row) -> str:
    if row.value is None:
        return "—"
    unit = f" {row.unit}" if row.unit else ""
    return f"{format_number(row.value)}{unit}"


def render_table(rows: Sequence[Row]) -> str:
    """One aligned plain-text table: section, measure, value, target, verdict, note."""
    header = ("section", "measure", "value", "target", "verdict", "note")
    cells = [
        (r.section, r.name, _value_text(r), "—" if r.target is None else str(r.target), r.verdict, r.note) for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header) - 1)]
    # Numbers read best right-aligned; text left-aligned. The note column is left ragged.
    align = ("<", "<", ">", "<", "<")

    def line(values: Sequence[str]) -> str:
        fixed = "  ".join(f"{v:{a}{w}}" for v, a, w in zip(values[:-1], align, widths, strict=True))
        return f"{fixed}  {values[-1]}".rstrip()

    rule = "  ".join("-" * w for w in widths) + "  " + "-" * 4
    return "\n".join([line(header), rule, *(line(c) for c in cells)])


def write_json(path: Path, rows: Sequence[Row], meta: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**meta, "rows": [r.as_json() for r in rows]}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)  # never leave a half-written latest.json behind
    return path
