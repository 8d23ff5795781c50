"""Article 54 of the Copyright Law (art. 49 before 2021-06-01): which route fixes damages, and the sum.

The route is a legal question decided before any estimate: compensation follows the right holder's
actual loss or the infringer's illegal gains where proved, then the royalty for the right (2020 law
only), and only where all of these are difficult to calculate the statutory range. Punitive damages
multiply only a loss, gains or royalty base, never a statutory award and never the expenses
(SPC 法释〔2021〕4号 art. 5). Reasonable expenses are added on top (art. 54 ¶3).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import msgspec

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.language import Language, article_zh, yuan_text
from estimator.law.statutes import Method, Regime
from estimator.money import Rounding, round_amount

# LEGAL.md §10.6: Civil Code art. 1185 (from 2021-01-01) with the SPC interpretation (from
# 2021-03-03) may allow punitive copyright damages before the 2020 law took effect. Unresolved.
CIVIL_CODE_WINDOW = (dt.date(2021, 1, 1), dt.date(2021, 5, 31))

# Every reason an assessment gives, in English and Chinese: {article} is the damages article of the
# case's law, {method} a damages route's name.
_REASONS: dict[str, tuple[str, str]] = {
    "proved": ("{method} was proved ({article})", "{method}已经证明（{article}）"),
    "proved_plural": ("{method} were proved ({article})", "{method}已经证明（{article}）"),  # illegal gains
    "elected": (
        "actual loss and illegal gains stand without order in {article}; the larger proved figure ({method}) is taken",
        "{article}对实际损失与违法所得未规定先后顺序，取已证明的较高者（{method}）",
    ),
    "statutory": (
        "no loss, gains or royalty was proved, so statutory damages apply ({article})",
        "实际损失、违法所得和权利使用费均未证明，适用法定赔偿（{article}）",
    ),
    "statutory_without_royalty_route": (
        "neither loss nor gains was proved, so statutory damages apply ({article})",
        "实际损失和违法所得均未证明，适用法定赔偿（{article}）",
    ),
    "royalty_factor": (
        "this version has no royalty route, so the royalty is a factor within statutory damages",
        "该版本未规定参照权利使用费确定赔偿，权利使用费作为确定法定赔偿数额的考量因素",
    ),
    "statutory_range": (
        "statutory range for this case: {floor} to {cap}",
        "本案法定赔偿数额范围：{floor}至{cap}",
    ),
    "capped_statutory": (
        "capped at the economic loss claimed: a court does not award more than was asked",
        "以主张的经济损失为限：法院判赔不超出诉讼请求",
    ),
    "punitive": (
        "punitive damages: {multiplier}× the {method} base ({formula} reading; {basis}), expenses excluded from the "
        "base",
        "惩罚性赔偿：以{method}为基数的{multiplier}倍（{formula}；{basis}），合理开支不计入基数",
    ),
    "capped": ("capped at the economic loss claimed", "以主张的经济损失为限"),
    "inclusive": (
        "reasonable expenses are inside the statutory figure (inclusive mode)",
        "合理开支包含在法定赔偿数额之内（含合理开支口径）",
    ),
    "separate": (
        "reasonable expenses are added on top and never multiplied ({article})",
        "合理开支另行计算，不计入倍数（{article}）",
    ),
}
_METHOD_ZH = {
    Method.ACTUAL_LOSS: "权利人的实际损失",
    Method.ILLEGAL_GAINS: "侵权人的违法所得",
    Method.ROYALTY: "权利使用费",
    Method.STATUTORY: "法定赔偿",
}
_FORMULA_ZH = {"multiply": "基数乘以倍数", "add": "基数加上基数乘以倍数"}


def reason(key: str, lang: Language = "en", **values: object) -> str:
    """One of the reasons an assessment gives (`_REASONS`), in `lang`."""
    return _REASONS[key][lang == "zh"].format(**values)


def method_name(method: Method, lang: Language = "en") -> str:
    return _METHOD_ZH[method] if lang == "zh" else method.value.replace("_", " ")


def cited_article(regime: Regime, lang: Language = "en") -> str:
    """The damages article of a law: "art. 54" / 《著作权法》第五十四条."""
    return article_zh(regime.title_zh, regime.article) if lang == "zh" else regime.article


class PunitiveFormula(enum.StrEnum):
    """How a punitive multiple k turns a base into the award (LEGAL.md §10.3).

    `multiply`: award = base × k, the statutory wording "一倍以上五倍以下" (default).
    `add`: award = base + base × k, punitive on top of compensation, the reading reportedly used by
    the Beijing High Court's 2022 guide.
    """

    MULTIPLY = "multiply"
    ADD = "add"


class ExpensesMode(enum.StrEnum):
    """Whether reasonable expenses sit inside a statutory award (LEGAL.md §10.5).

    `separate`: added on top of the statutory figure (default). `inclusive`: the statutory figure
    covers them ("含合理开支"), as in the Guangzhou Ultraman judgment.
    """

    SEPARATE = "separate"
    INCLUSIVE = "inclusive"


class Article54Settings(msgspec.Struct, frozen=True, kw_only=True):
    punitive_formula: PunitiveFormula = PunitiveFormula.MULTIPLY
    expenses_mode: ExpensesMode = ExpensesMode.SEPARATE
    civil_code_punitive_window: bool = False
    rounding: Rounding = Rounding.CENT


class DamagesEvidence(msgspec.Struct, frozen=True, kw_only=True):
    """What the right holder proves or asks for; amounts in yuan, None where not proved."""

    actual_loss: Decimal | None = None
    illegal_gains: Decimal | None = None
    # The amount fixed by reference to the royalty (licence fee) for the right.
    royalty: Decimal | None = None
    # The court's (or the model's) statutory figure, used only on the statutory route.
    statutory_amount: Decimal | None = None
    intentional: bool = False
    serious: bool = False
    punitive_multiplier: Decimal | None = None
    reasonable_expenses: Decimal = Decimal(0)
    claimed_economic_loss: Decimal | None = None
    act_date: dt.date | None = None


class DamagesAssessment(msgspec.Struct, frozen=True, kw_only=True):
    regime_id: str
    statute: str
    article: str
    route: Method
    route_reason: str
    floor: Decimal | None
    cap: Decimal | None
    base_amount: Decimal | None
    punitive_multiplier: Decimal | None
    punitive_formula: PunitiveFormula | None
    economic_loss: Decimal | None
    capped_by_claim: bool
    expenses: Decimal
    expenses_included_in_award: bool
    total: Decimal | None
    reasons: tuple[str, ...]


def choose_route(
    regime: Regime, evidence: DamagesEvidence, *, lang: Language = "en"
) -> tuple[Method, Decimal | None, str]:
    """The Article 54 route the court takes on this evidence, its base amount and why (in `lang`)."""
    article = cited_article(regime, lang)
    proved = {
        Method.ACTUAL_LOSS: evidence.actual_loss,
        Method.ILLEGAL_GAINS: evidence.illegal_gains,
        Method.ROYALTY: evidence.royalty,
    }
    for group in regime.methods:
        if group == (Method.STATUTORY,):
            break
        available = [(method, proved[method]) for method in group if proved[method] is not None]
        if not available:
            continue
        if len(available) == 1:
            method, amount = available[0]
            key = "proved_plural" if method is Method.ILLEGAL_GAINS else "proved"
            return method, amount, reason(key, lang, method=method_name(method, lang), article=article)
        # Loss and gains joined by "或者" with no order between them: the right holder elects, and
        # would elect the larger proved figure.
        method, amount = max(available, key=lambda item: item[1] or Decimal(0))
        return method, amount, reason("elected", lang, method=method_name(method, lang), article=article)
    if all(Method.ROYALTY not in group for group in regime.methods):
        why = reason("statutory_without_royalty_route", lang, article=article)
        if evidence.royalty is not None:
            why += ("；" if lang == "zh" else "; ") + reason("royalty_factor", lang)
        return Method.STATUTORY, None, why
    return Method.STATUTORY, None, reason("statutory", lang, article=article)


def statutory_bounds(regime: Regime, claimed_economic_loss: Decimal | None = None) -> tuple[Decimal, Decimal]:
    """The range a statutory award can take: the statute's, capped by what was claimed."""
    cap = regime.statutory_cap
    if claimed_economic_loss is not None:
        cap = min(cap, claimed_economic_loss)
    return min(regime.statutory_floor, cap), cap


def assess_damages(
    regime: Regime, evidence: DamagesEvidence, *, settings: Article54Settings | None = None, lang: Language = "en"
) -> DamagesAssessment:
    """Apply Article 54 (or its predecessor) to the evidence: route, punitive multiple, expenses, total.

    The reasons are written in `lang`.
    """
    settings = settings or Article54Settings()
    _check_evidence(evidence)
    route, base, route_reason = choose_route(regime, evidence, lang=lang)
    reasons = [route_reason]
    punitive_range = _punitive_range(regime, evidence, settings)
    _check_punitive(regime, route, evidence, punitive_range)

    floor: Decimal | None = None
    cap: Decimal | None = None
    capped = False
    multiplier = evidence.punitive_multiplier
    economic_loss: Decimal | None
    if route is Method.STATUTORY:
        # In inclusive mode the statutory figure holds the expenses ("含合理开支"), so the claim it may
        # reach holds them too.
        claim = evidence.claimed_economic_loss
        if claim is not None and settings.expenses_mode is ExpensesMode.INCLUSIVE:
            claim += evidence.reasonable_expenses
        floor, cap = statutory_bounds(regime, claim)
        reasons.append(
            reason("statutory_range", lang, floor=yuan_text(float(floor), lang), cap=yuan_text(float(cap), lang))
        )
        if cap < regime.statutory_cap:
            reasons.append(reason("capped_statutory", lang))
        economic_loss = None
        if evidence.statutory_amount is not None:
            economic_loss = min(max(evidence.statutory_amount, floor), cap)
            # Cut by the claim, not raised to the floor or cut at the statute's own cap.
            capped = claim is not None and economic_loss == claim < evidence.statutory_amount
    else:
        assert base is not None  # choose_route returns a base on every non-statutory route
        economic_loss = base
        if multiplier is not None:
            if settings.punitive_formula is PunitiveFormula.MULTIPLY:
                economic_loss = base * multiplier
            else:
                economic_loss = base + base * multiplier
            formula = settings.punitive_formula.value
            reasons.append(
                reason(
                    "punitive",
                    lang,
                    multiplier=multiplier,
                    method=method_name(route, lang),
                    formula=_FORMULA_ZH[formula] if lang == "zh" else formula,
                    basis=_punitive_basis(regime, lang),
                )
            )
        if evidence.claimed_economic_loss is not None and economic_loss > evidence.claimed_economic_loss:
            economic_loss = evidence.claimed_economic_loss
            capped = True
            reasons.append(reason("capped", lang))

    inclusive = route is Method.STATUTORY and settings.expenses_mode is ExpensesMode.INCLUSIVE
    if inclusive:
        reasons.append(reason("inclusive", lang))
        total = economic_loss
    else:
        reasons.append(reason("separate", lang, article=cited_article(regime, lang)))
        total = None if economic_loss is None else economic_loss + evidence.reasonable_expenses

    def rounded(amount: Decimal | None) -> Decimal | None:
        return None if amount is None else round_amount(amount, settings.rounding)

    return DamagesAssessment(
        regime_id=regime.id,
        statute=regime.title,
        article=regime.article,
        route=route,
        route_reason=route_reason,
        floor=floor,
        cap=cap,
        base_amount=rounded(base),
        punitive_multiplier=multiplier,
        punitive_formula=settings.punitive_formula if multiplier is not None else None,
        economic_loss=rounded(economic_loss),
        capped_by_claim=capped,
        expenses=round_amount(evidence.reasonable_expenses, settings.rounding),
        expenses_included_in_award=inclusive,
        total=rounded(total),
        reasons=tuple(reasons),
    )


def _punitive_range(
    regime: Regime, evidence: DamagesEvidence, settings: Article54Settings
) -> tuple[Decimal, Decimal] | None:
    if regime.punitive_min is not None and regime.punitive_max is not None:
        return regime.punitive_min, regime.punitive_max
    in_window = evidence.act_date is not None and CIVIL_CODE_WINDOW[0] <= evidence.act_date <= CIVIL_CODE_WINDOW[1]
    if settings.civil_code_punitive_window and regime.id == "copyright-2010" and in_window:
        return Decimal(1), Decimal(5)
    return None


def _punitive_basis(regime: Regime, lang: Language) -> str:
    """Where a punitive multiple comes from: the law's own damages article, or for an act under the 2010
    law in the Civil Code window (`civil_code_punitive_window`), the Civil Code, which the 2010 law lacks."""
    if regime.punitive_min is not None:
        return cited_article(regime, lang)
    return "《民法典》第一千一百八十五条" if lang == "zh" else "Civil Code art. 1185"


def _check_evidence(evidence: DamagesEvidence) -> None:
    for name in ("actual_loss", "illegal_gains", "royalty", "statutory_amount", "claimed_economic_loss"):
        value = getattr(evidence, name)
        if value is not None and value < 0:
            raise InvalidInputError(f"`{name}` must be 0 or more yuan", field=name)
    if evidence.reasonable_expenses < 0:
        raise InvalidInputError("`reasonable_expenses` must be 0 or more yuan", field="reasonable_expenses")


def _check_punitive(
    regime: Regime, route: Method, evidence: DamagesEvidence, punitive_range: tuple[Decimal, Decimal] | None
) -> None:
    multiplier = evidence.punitive_multiplier
    if multiplier is None:
        return
    if punitive_range is None:
        raise OutsideLawError(
            f"{regime.title} has no punitive damages; acts before 2021-06-01 are governed by it",
            field="punitive_multiplier",
        )
    if route is Method.STATUTORY:
        raise OutsideLawError(
            "statutory damages are not a punitive base (SPC 法释〔2021〕4号 art. 5 lists only loss, "
            "gains and a royalty multiple); prove one of those to ask for a multiple",
            field="punitive_multiplier",
        )
    if not (evidence.intentional and evidence.serious):
        missing = "intentional" if not evidence.intentional else "serious"
        raise OutsideLawError(
            f"punitive damages need {regime.punitive_requires or 'intent and serious circumstances'}; "
            f"`{missing}` is not established",
            field=missing,
        )
    low, high = punitive_range
    if not low <= multiplier <= high:
        raise InvalidInputError(
            f"`punitive_multiplier` must be between {low} and {high}, got {multiplier}", field="punitive_multiplier"
        )
