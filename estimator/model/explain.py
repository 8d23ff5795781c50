"""Why an estimate is what it is: the facts that moved it, each with its effect and uncertainty.

The reference case is the model's zero row: a claim at the median of the calibration data, one
work, the median audience, and every other fact unstated. A fact that differs from it contributes
β·x to the log median award, so its effect is the factor exp(β·x) on the median, and its 80% range
comes from the coefficient's posterior variance (Laplace covariance). Explanations are written in
English or Chinese, with amounts as a Chinese lawyer writes them (人民币5,000元).
"""

from __future__ import annotations

import math
from typing import Literal

import msgspec

from estimator.language import Language, yuan_text
from estimator.model.artifact import FittedModel
from estimator.model.case import Case
from estimator.model.features import CaseColumns
from estimator.model.pooling import model_predictive

Z80 = 1.2815515655446004  # standard normal 90th percentile: an 80% central range

_FACT_NAMES: dict[str, tuple[str, str]] = {
    "log_claim": ("amount claimed", "诉请金额"),
    "claim_unknown": ("no amount claimed", "未明确诉请金额"),
    "log_works": ("number of works", "涉案作品数量"),
    "works_unknown": ("number of works not stated", "作品数量不明"),
    "log_audience": ("audience reached", "传播范围（浏览、粉丝、下载量）"),
    "audience_unknown": ("audience not stated", "传播范围不明"),
    "law_version": ("Copyright Law version", "适用著作权法版本"),
    "work_type": ("type of work", "作品类型"),
    "plaintiff_type": ("plaintiff", "原告"),
    "defendant_type": ("defendant", "被告"),
    "infringement_role": ("role in the infringement", "侵权方式"),
    "commercial_use": ("commercial use", "商业使用"),
    "fame": ("fame of the work", "作品知名度"),
    "intentional": ("intent", "主观过错"),
    "remediation": ("when the infringement stopped", "停止侵权的时间"),
}
_LEVEL_NAMES_ZH = {
    "2010": "2010年修正版", "2020": "2020年修正版",
    "photograph": "摄影作品", "fine_art": "美术作品", "text": "文字作品", "music": "音乐作品", "film": "视听作品",
    "video": "录像制品", "software": "计算机软件", "game": "游戏", "character": "角色形象", "ai_image": "AI生成图片",
    "ai_text": "AI生成文章", "other": "其他",
    "individual": "个人", "company": "公司", "platform": "平台",
    "direct": "直接侵权", "contributory": "帮助侵权",
    "yes": "是", "no": "否", "low": "低", "medium": "中", "high": "高",
    "none": "未停止", "before_suit": "起诉前停止", "after_notice": "收到通知后停止", "after_suit": "起诉后停止",
}  # fmt: skip


# Every fact of a `Case` as a report lists it (the model's own facts use `_FACT_NAMES`).
_CASE_FIELD_NAMES: dict[str, tuple[str, str]] = {
    "law_version": _FACT_NAMES["law_version"],
    "procedure": ("procedure", "审理程序"),
    "work_type": _FACT_NAMES["work_type"],
    "works_count": _FACT_NAMES["log_works"],
    "plaintiff_type": _FACT_NAMES["plaintiff_type"],
    "defendant_type": _FACT_NAMES["defendant_type"],
    "infringement_role": _FACT_NAMES["infringement_role"],
    "commercial_use": _FACT_NAMES["commercial_use"],
    "fame": _FACT_NAMES["fame"],
    "intentional": _FACT_NAMES["intentional"],
    "remediation": _FACT_NAMES["remediation"],
    "duration_days": ("duration (days)", "侵权持续天数"),
    "audience": _FACT_NAMES["log_audience"],
    "claimed_economic_loss": ("economic loss claimed", "主张的经济损失"),
    "claimed_expenses": ("expenses claimed", "主张的合理开支"),
    "claimed_total": ("total claimed", "主张的赔偿总额"),
    "notarization_fee": ("notarisation fee", "公证费"),
    "attorney_fee_claimed": ("attorney's fee claimed", "主张的律师费"),
    "evidence_fee": ("evidence fee", "取证费"),
}
_PROCEDURE_ZH = {"ordinary": "普通程序", "simplified": "简易程序", "small_claims": "小额诉讼程序"}


def case_facts(case: Case, lang: Language = "en") -> list[tuple[str, str]]:
    """The stated facts of a case as (name, value) in `lang`, in the order of its fields, for a report."""
    facts = []
    for field in msgspec.structs.fields(case):
        value = getattr(case, field.name)
        if value is None or field.name == "id":
            continue
        en, zh = _CASE_FIELD_NAMES.get(field.name, (field.name, field.name))
        facts.append((zh if lang == "zh" else en, fact_text(field.name, value, lang)))
    return facts


def fact_text(field: str, value: str | float | bool, lang: Language = "en") -> str:
    """One fact's value as a reader wants it: 摄影作品 / photograph, 人民币5,000元 / 5,000 yuan, 是 / yes."""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, float):
        return yuan_text(value, lang)
    if isinstance(value, int):
        return f"{value:,}"
    if lang == "zh":
        return _PROCEDURE_ZH.get(value) or _LEVEL_NAMES_ZH.get(value, value)
    return f"{value} amendment" if field == "law_version" else value.replace("_", " ")


# Facts whose direction the law or courts' published guidance states, as "raises" or "lowers" the award
# against not knowing the fact: fame, commercial use and intent are the upward adjustments (酌加) of
# the Beijing High Court's 2020 damages guidelines and weigh in SPC punitive interpretation art. 4
# (docs/LEGAL.md §7.1); their absence the downward ones (酌减).
LEGAL_DIRECTION: dict[str, Literal["raises", "lowers"]] = {
    "fame=high": "raises",
    "fame=low": "lowers",
    "commercial_use=yes": "raises",
    "commercial_use=no": "lowers",
    "intentional=yes": "raises",
    "intentional=no": "lowers",
}
_AGAINST_THE_LAW = {
    "en": (
        "; courts weigh this fact the other way, so this is a pattern of the decided cases with it (which "
        "differ in facts the model does not see), not the fact's own effect: do not rely on it"
    ),
    "zh": (
        "；法院通常将该情节作相反方向的考量，此处反映的是含该情节的已决案件的整体情况"
        "（这些案件在模型未涵盖的方面有所不同），并非该情节本身的作用，不宜据此判断"
    ),
}


def against_the_law(name: str, log_effect: float, sd: float) -> bool:
    """Whether the data put a fact the law gives a direction (`LEGAL_DIRECTION`) clearly the other way:
    its whole 80% range of log effect on the other side of 0, not merely its point estimate."""
    legal = LEGAL_DIRECTION.get(name)
    if legal == "raises":
        return bool(log_effect + Z80 * sd < 0.0)  # bool: numpy's would not encode
    if legal == "lowers":
        return bool(log_effect - Z80 * sd > 0.0)
    return False


class Factor(msgspec.Struct, frozen=True, kw_only=True):
    feature: str
    fact: str
    value: str | None
    effect: float  # multiplies the median award, against the reference case
    effect_p10: float
    effect_p90: float
    explanation: str
    # How the law says the fact moves an award (`LEGAL_DIRECTION`), where it says so.
    legal_direction: Literal["raises", "lowers"] | None = None
    # The data's effect, its whole 80% range, goes the other way (`against_the_law`; the explanation then warns).
    against_legal_direction: bool = False


def explain(
    model: FittedModel, case: Case, *, lang: Language = "en", default_law_version: str = "2020"
) -> list[Factor]:
    """The facts of `case` that move its median away from the reference case, largest effect first."""
    cols = CaseColumns([case], default_law_version=default_law_version)
    x = cols.design_matrix(model.features)[0]
    pooled = model_predictive(model)  # the median's coefficients, pooled with the ratio rule
    beta, cov = pooled.beta, pooled.cov
    claim = float(cols.claim[0])
    factors = []
    contributions: list[float] = []
    for j, name in enumerate(model.features.names):
        if name == "intercept" or x[j] == 0.0:
            continue
        contribution = beta[j] * x[j]
        sd = abs(x[j]) * math.sqrt(max(cov[j, j], 0.0))
        fact, _, level = name.partition("=")
        contributions.append(abs(contribution))
        # The sentence states the effect as reported, so that 0.685 is not written 0.68 beside it.
        effect = _rounded(math.exp(contribution))
        explanation = _sentence(model, name, fact, level, effect, claim, x[j], case, lang)
        legal = LEGAL_DIRECTION.get(name)
        against = against_the_law(name, contribution, sd)
        factors.append(
            Factor(
                feature=name,
                fact=fact,
                value=level or None,
                effect=effect,
                effect_p10=_rounded(math.exp(contribution - Z80 * sd)),
                effect_p90=_rounded(math.exp(contribution + Z80 * sd)),
                explanation=explanation + (_AGAINST_THE_LAW[lang] if against else ""),
                legal_direction=legal,
                against_legal_direction=against,
            )
        )
    # Largest first, by the unrounded contribution: the log of a rounded effect can be log(0).
    order = sorted(range(len(factors)), key=lambda i: -contributions[i])
    return [factors[i] for i in order]


def _rounded(ratio: float) -> float:
    """A multiplicative effect to three decimals, or three significant figures when smaller than 1:
    an extreme effect (×0.0004 for a claim of 10 yuan) must not read as 0."""
    return round(ratio, 3) if ratio >= 1 else float(f"{ratio:.3g}")


def _sentence(
    model: FittedModel,
    name: str,
    fact: str,
    level: str,
    effect: float,
    claim: float,
    x_value: float,
    case: Case,
    lang: Language,
) -> str:
    en, zh = _FACT_NAMES.get(fact, (fact, fact))
    number = f"{effect:.2f}" if effect >= 0.01 else f"{effect:.2g}"
    factor = f"×{number}"
    # 使预计判赔中位数降至参照案件的0.37倍: "×0.37" is not how a Chinese sentence states a multiple.
    if number == "1.00":  # "raises the median award ×1.00" would say it moves when it does not
        direction_en, direction_zh = "barely moves", f"基本不变（为参照案件的{number}倍）"
    else:
        direction_en = "raises" if effect >= 1 else "lowers"
        direction_zh = f"{'升' if effect >= 1 else '降'}至参照案件的{number}倍"
    if name == "log_claim":
        median = math.exp(model.features.log_claim_centre)
        read = math.exp(x_value + model.features.log_claim_centre)
        beyond = read < claim - 0.5  # the model reads the claim up to the statutory cap
        if lang == "zh":
            capped = f"（超出法定赔偿上限的部分不计，按{yuan_text(read, lang)}计）" if beyond else ""
            return (
                f"{zh}{yuan_text(claim, lang)}{capped}，与校准数据的中位诉请{yuan_text(median, lang)}相比，"
                f"使预计判赔中位数{direction_zh}"
            )
        capped = f", read as the statutory cap of {yuan_text(read, lang)}" if beyond else ""
        return (
            f"The {en} ({yuan_text(claim, lang)}{capped}) against the data's median claim of "
            f"{yuan_text(median, lang)} {direction_en} the median award {factor}"
        )
    if name == "log_works" and case.works_count is not None:
        if lang == "zh":
            return f"{zh}为{case.works_count}件，使预计判赔中位数{direction_zh}"
        return f"{case.works_count} works infringed {direction_en} the median award {factor}"
    if name == "log_audience" and case.audience is not None:
        if lang == "zh":
            return f"{zh}约{case.audience:,}，使预计判赔中位数{direction_zh}"
        return f"An audience of {case.audience:,} {direction_en} the median award {factor}"
    if level:
        if lang == "zh":
            return f"{zh}：{_LEVEL_NAMES_ZH.get(level, level)}，使预计判赔中位数{direction_zh}"
        return f"{en.capitalize()}: {level.replace('_', ' ')} {direction_en} the median award {factor}"
    if lang == "zh":
        return f"{zh}，使预计判赔中位数{direction_zh}"
    return f"{en.capitalize()} {direction_en} the median award {factor}"
