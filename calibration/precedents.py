"""Similar decided cases: the precedents nearest a case on the award model's own features.

Distance is measured in the currency the model cares about: each feature's difference weighted by
its coefficient, d(a, b) = sqrt(sum_j (beta_j (x_aj - x_bj))^2), so each term is how far that one
difference moves the log median award, and facts the courts' awards do not depend on count for
little. Similarity is exp(-d). Precedents are the records within a distance cut-off (not a fixed
count), nearest first, drawn from the statutory awards the model learned from (an award on another
route is no guide to a statutory one). Where none is within the cut-off, the nearest few are still
shown, flagged as beyond it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec
import numpy as np

from calibration.observations import case_of, observations
from calibration.records import CaseRecord
from estimator.language import Language
from estimator.model.artifact import FittedModel
from estimator.model.case import Case
from estimator.model.explain import case_facts, fact_text
from estimator.model.features import CaseColumns
from estimator.model.pooling import model_predictive

# A distance of 1 is a set of differences that together move the median award by a factor of e
# (about 2.7) in quadrature: cases beyond it are not "similar" in the sense a court would weigh.
DEFAULT_MAX_DISTANCE = 1.0
DEFAULT_LIMIT = 10
MIN_SHOWN = 3


class Precedent(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    case_number: str | None
    court: str | None
    year: int | None
    work_type: str | None
    claim: float | None
    award: float | None
    award_includes_expenses: bool | None
    award_claim_ratio: float | None
    damages_method: str | None
    similarity: float
    distance: float
    within_cutoff: bool
    note: str | None
    source_url: str | None


class PrecedentIndex:
    """The eligible records of one calibration, coded once, ready to be searched for many cases."""

    def __init__(self, model: FittedModel, records: Sequence[CaseRecord]) -> None:
        statutory = {o.record_id for o in observations(records)[0]}
        self.records = [r for r in records if r.id in statutory and _award(r) is not None]
        self._model = model
        # The coefficients of the median the model answers with (pooled with its claim rule, `model_predictive`).
        self._beta = model_predictive(model).beta.copy()
        self._beta[model.features.names.index("intercept")] = 0.0
        coded = CaseColumns([case_of(r) for r in self.records]).design_matrix(model.features)
        self._weighted = coded * self._beta

    def find(
        self,
        case: Case,
        *,
        max_distance: float = DEFAULT_MAX_DISTANCE,
        limit: int = DEFAULT_LIMIT,
        exclude_id: str | None = None,
    ) -> list[Precedent]:
        """Decided cases within `max_distance` of `case`, nearest first, at most `limit`."""
        if not self.records:
            return []
        target = CaseColumns([case]).design_matrix(self._model.features)[0] * self._beta
        distance = np.sqrt(((self._weighted - target) ** 2).sum(axis=1))
        eligible = [i for i, r in enumerate(self.records) if r.id != exclude_id]
        order = sorted(eligible, key=lambda i: (distance[i], i))
        chosen = [i for i in order if distance[i] <= max_distance][:limit]
        if len(chosen) < MIN_SHOWN:
            chosen = order[: min(MIN_SHOWN, limit)]
        return [_precedent(self.records[i], float(distance[i]), float(distance[i]) <= max_distance) for i in chosen]


def find_precedents(
    model: FittedModel,
    case: Case,
    records: Sequence[CaseRecord],
    *,
    max_distance: float = DEFAULT_MAX_DISTANCE,
    limit: int = DEFAULT_LIMIT,
    exclude_id: str | None = None,
) -> list[Precedent]:
    """Decided cases within `max_distance` of `case`, nearest first, at most `limit` (one-off search)."""
    return PrecedentIndex(model, records).find(case, max_distance=max_distance, limit=limit, exclude_id=exclude_id)


def _award(record: CaseRecord) -> float | None:
    return record.awarded_total if record.awarded_total is not None else record.awarded_economic_loss


def _precedent(record: CaseRecord, distance: float, within: bool) -> Precedent:
    claim = record.claimed_total if record.claimed_total is not None else record.claimed_economic_loss
    award = _award(record)
    return Precedent(
        id=record.id,
        case_number=record.case_number,
        court=record.court,
        year=record.year,
        work_type=record.work_type,
        claim=claim,
        award=award,
        award_includes_expenses=record.award_includes_expenses,
        award_claim_ratio=round(award / claim, 4) if claim and award is not None else None,
        damages_method=record.damages_method,
        similarity=round(math.exp(-distance), 4),
        distance=round(distance, 4),
        within_cutoff=within,
        note=record.note,
        source_url=record.source_url,
    )


def method_text(max_distance: float, lang: Language) -> str:
    """How precedents are found with the cut-off `max_distance`, for a reader, in `lang`."""
    if lang == "zh":
        return (
            "距离 = sqrt(Σ_j (β_j (x_j − x′_j))²)，在判赔模型的特征上计算：各项事实差异按其对判赔中位数对数的影响加权，"
            f"距离不超过{max_distance:g}（约相当于合计使判赔中位数相差e倍）视为类案；相似度为exp(-距离)。"
            "检索范围为模型据以校准的法定赔偿案件；截止距离内无案例时，列出最近的几件并加以标注。"
        )
    return (
        "Distance = sqrt(Σ_j (β_j (x_j − x′_j))²) on the award model's features: each difference weighted by its "
        f"effect on the log median award. Cases within {max_distance:g} (differences that together move the median by "
        "about a factor of e) are similar; similarity is exp(-distance). Searched: the statutory awards the model "
        "was fitted on; when none is within the cut-off, the nearest few are shown, flagged."
    )


def precedent_report(case: Case, precedents: Sequence[Precedent], *, max_distance: float, lang: Language = "zh") -> str:
    """A draft similar-case search report (类案检索报告) in Markdown, for a lawyer to check and finish."""
    zh = lang == "zh"
    facts = case_facts(case, lang)
    lines = [
        "# 类案检索报告（草稿）" if zh else "# Similar-case search report (draft)",
        "",
        ("## 检索对象" if zh else "## The case searched for"),
        "",
        *[f"- {name}：{value}" if zh else f"- {name[0].upper()}{name[1:]}: {value}" for name, value in facts],
        "",
        ("## 检索方法" if zh else "## Method"),
        "",
        method_text(max_distance, lang),
        "",
        ("## 检索结果" if zh else "## Results"),
        "",
        "| 案号 | 法院 | 年份 | 作品类型 | 诉请（元） | 判赔（元） | 判赔/诉请 | 相似度 |"
        if zh
        else "| Case number | Court | Year | Work | Claim (yuan) | Award (yuan) | Award/claim | Similarity |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def number(p: Precedent) -> str:  # the record's id says which record it is when no case number is known
        return p.case_number or (f"未载明（记录 `{p.id}`）" if zh else f"not stated (record `{p.id}`)")

    for p in precedents:
        flag = "" if p.within_cutoff else (" （超出阈值）" if zh else " (beyond cut-off)")
        work = "-" if p.work_type is None else fact_text("work_type", p.work_type, lang)
        lines.append(
            f"| {number(p)} | {p.court or '-'} | {p.year or '-'} | {work} | "
            f"{_money(p.claim)} | {_money(p.award)}{' *' if p.award_includes_expenses else ''} | "
            f"{'-' if p.award_claim_ratio is None else f'{p.award_claim_ratio:.1%}'} | {p.similarity:.2f}{flag} |"
        )
    lines += ["", ("\\* 判赔含合理开支。" if zh else "\\* award includes reasonable expenses."), ""]
    lines += [("## 裁判要点" if zh else "## What the courts weighed"), ""]
    lines += [
        f"- **{number(p)}**: {p.note or '-'}" + (f" ([source]({p.source_url}))" if p.source_url else "")
        for p in precedents
    ]
    lines += [
        "",
        "本报告由估算工具生成，仅供律师核查参考，不构成法律意见。"
        if zh
        else "Generated by the estimator for a lawyer to verify; not legal advice.",
        "",
    ]
    return "\n".join(lines)


def _money(amount: float | None) -> str:
    return "-" if amount is None else f"{amount:,.0f}"
