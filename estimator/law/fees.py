"""Court fees under the Measures on the Payment of Litigation Costs (State Council Decree 481, 2007).

Every schedule is data: a flat fee for the first slice, then rates applied cumulatively by segment
(分段累计: each rate only to the slice of the amount inside its bracket, lower bound exclusive),
and an optional cap. Amounts are exact `Decimal` until the one rounding step at the end
(LEGAL.md §10.1; default half-up to 0.01 yuan).
"""

from __future__ import annotations

import difflib
import enum
import functools
import re
from decimal import Decimal
from typing import Final

import msgspec

from estimator.errors import InvalidInputError
from estimator.language import Language
from estimator.money import Rounding, round_amount

MEASURES = "Measures on the Payment of Litigation Costs (诉讼费用交纳办法, 2007)"


class SegmentSchedule(msgspec.Struct, frozen=True, kw_only=True):
    """A fee charged cumulatively by slices of an amount."""

    name: str
    source: str
    flat_upto: Decimal
    flat_fee: Decimal
    # (upper bound of the slice, or None for the open top slice; rate on that slice)
    brackets: tuple[tuple[Decimal | None, Decimal], ...]
    cap: Decimal | None = None


PROPERTY_SCHEDULE = SegmentSchedule(
    name="acceptance fee, property case",
    source=f"{MEASURES}, art. 13(1)",
    flat_upto=Decimal(10_000),
    flat_fee=Decimal(50),  # "每件交纳50元": a flat 50 per case, not 0.5% of the first slice.
    brackets=(
        (Decimal(100_000), Decimal("0.025")),
        (Decimal(200_000), Decimal("0.02")),
        (Decimal(500_000), Decimal("0.015")),
        (Decimal(1_000_000), Decimal("0.01")),
        (Decimal(2_000_000), Decimal("0.009")),
        (Decimal(5_000_000), Decimal("0.008")),
        (Decimal(10_000_000), Decimal("0.007")),
        (Decimal(20_000_000), Decimal("0.006")),
        (None, Decimal("0.005")),
    ),
)

PRESERVATION_SCHEDULE = SegmentSchedule(
    name="preservation application fee",
    source=f"{MEASURES}, art. 14(2)",
    flat_upto=Decimal(1_000),
    flat_fee=Decimal(30),
    brackets=((Decimal(100_000), Decimal("0.01")), (None, Decimal("0.005"))),
    cap=Decimal(5_000),  # art. 14(2): "最多不超过5000元"
)

ENFORCEMENT_SCHEDULE = SegmentSchedule(
    name="enforcement application fee",
    source=f"{MEASURES}, art. 14(1)",
    flat_upto=Decimal(10_000),
    flat_fee=Decimal(50),
    brackets=(
        (Decimal(500_000), Decimal("0.015")),
        (Decimal(5_000_000), Decimal("0.01")),
        (Decimal(10_000_000), Decimal("0.005")),
        (None, Decimal("0.001")),
    ),
)

# Art. 13(2)... last ¶: provinces fix the exact figure for an IP case without a disputed amount.
IP_WITHOUT_AMOUNT_RANGE = (Decimal(500), Decimal(1_000))  # art. 13(3)
# Art. 14(1): an application to enforce with no amount or value to enforce, "每件交纳50元至500元".
ENFORCEMENT_WITHOUT_AMOUNT_RANGE = (Decimal(50), Decimal(500))
PAYMENT_ORDER_DIVISOR = Decimal(3)  # art. 14(3): one third of the property-case fee
HALF = Decimal("0.5")


def segment_fee(schedule: SegmentSchedule, amount: Decimal) -> Decimal:
    """The exact (unrounded) fee of `schedule` on `amount` yuan."""
    fee = schedule.flat_fee
    lower = schedule.flat_upto
    for upper, rate in schedule.brackets:
        if amount <= lower:
            break
        top = amount if upper is None else min(amount, upper)
        fee += (top - lower) * rate
        if upper is None:
            break
        lower = upper
    if schedule.cap is not None:
        fee = min(fee, schedule.cap)
    return fee


def acceptance_fee(claim_amount: Decimal) -> Decimal:
    """Exact Art. 13(1) acceptance fee on a claimed amount (also IP cases with a disputed amount)."""
    return segment_fee(PROPERTY_SCHEDULE, claim_amount)


def preservation_fee(preserved_amount: Decimal) -> Decimal:
    """Exact Art. 14(2) preservation fee on the amount actually preserved (30 when none is stated)."""
    return segment_fee(PRESERVATION_SCHEDULE, preserved_amount)


def enforcement_fee(enforced_amount: Decimal) -> Decimal:
    """Exact Art. 14(1) enforcement fee; borne by the judgment debtor, not prepaid (arts. 20, 38)."""
    return segment_fee(ENFORCEMENT_SCHEDULE, enforced_amount)


class CaseKind(enum.StrEnum):
    PROPERTY = "property"
    IP_WITHOUT_AMOUNT = "ip_without_amount"
    PAYMENT_ORDER = "payment_order"


class Procedure(enum.StrEnum):
    ORDINARY = "ordinary"
    SIMPLIFIED = "simplified"
    SMALL_CLAIMS = "small_claims"


class Outcome(enum.StrEnum):
    JUDGMENT = "judgment"
    MEDIATION = "mediation"
    WITHDRAWAL = "withdrawal"


class ClaimChangeStage(enum.StrEnum):
    """When a claimed amount was changed: the end of court investigation (法庭调查终结) decides a reduction's fee."""

    BEFORE_INVESTIGATION_END = "before_investigation_end"
    AFTER_INVESTIGATION_END = "after_investigation_end"


_HALVING_GROUNDS: dict[Procedure | Outcome, str] = {
    Procedure.SIMPLIFIED: f"simplified procedure ({MEASURES}, art. 16)",
    Procedure.SMALL_CLAIMS: (
        f"small-claims cases are tried under the simplified procedure ({MEASURES}, art. 16; "
        "the Measures predate small claims, so this follows practice)"
    ),
    Outcome.MEDIATION: f"case closed by mediation ({MEASURES}, art. 15)",
    Outcome.WITHDRAWAL: f"claim withdrawn ({MEASURES}, art. 15)",
}
ONE_HALVING_RULE = (
    "a fee is halved at most once even where several grounds apply "
    "(practice traced to an SPC notice, believed 法发〔2007〕16号; not verified in the primary text)"
)
# The same, as an estimate explains them in Chinese.
_MEASURES_ZH = "《诉讼费用交纳办法》"
_HALVING_GROUNDS_ZH: dict[Procedure | Outcome, str] = {
    Procedure.SIMPLIFIED: f"适用简易程序（{_MEASURES_ZH}第十六条）",
    Procedure.SMALL_CLAIMS: (
        f"小额诉讼案件适用简易程序审理（{_MEASURES_ZH}第十六条；该办法早于小额诉讼程序，此处依照实践）"
    ),
    Outcome.MEDIATION: f"以调解方式结案（{_MEASURES_ZH}第十五条）",
    Outcome.WITHDRAWAL: f"撤回起诉（{_MEASURES_ZH}第十五条）",
}
_ONE_HALVING_RULE_ZH = (
    "多项减半事由并存时，受理费只减半一次（实践做法，据信源于最高人民法院通知法发〔2007〕16号，未经原文核实）"
)


class ReducedClaimFee(enum.StrEnum):
    """How the fee "on the reduced part" of a claim cut after the end of court investigation is measured (art. 35)."""

    # fee(claim filed) - fee(claim as reduced): the marginal fee, the measure art. 21 refunds by.
    DIFFERENCE = "difference"
    # fee(claim filed) x reduced part / claim filed: the fee shared out evenly over every yuan claimed.
    PROPORTIONAL = "proportional"


# The 31 provincial-level divisions of the mainland, by pinyin name without spaces, as provincial
# figures are keyed (`FeeSettings.provincial_ip_fees`); a client may write "Guang Dong" or "Inner Mongolia".
PROVINCES: Final = frozenset(
    {
        "anhui", "beijing", "chongqing", "fujian", "gansu", "guangdong", "guangxi", "guizhou", "hainan", "hebei",
        "heilongjiang", "henan", "hubei", "hunan", "jiangsu", "jiangxi", "jilin", "liaoning", "neimenggu", "ningxia",
        "qinghai", "shaanxi", "shandong", "shanghai", "shanxi", "sichuan", "tianjin", "xinjiang", "xizang", "yunnan",
        "zhejiang",
    }
)  # fmt: skip
_PROVINCE_ALIASES: Final = {"innermongolia": "neimenggu", "neimongol": "neimenggu", "tibet": "xizang"}


def province_key(name: str) -> str:
    """A province as `PROVINCES` holds it: lower case, without spaces or hyphens, English names mapped."""
    key = re.sub(r"[\s-]+", "", name).lower()
    return _PROVINCE_ALIASES.get(key, key)


class FeeSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Choices the Measures leave open, with their defaults (LEGAL.md §5.2, §10)."""

    rounding: Rounding = Rounding.CENT
    reduced_claim_fee: ReducedClaimFee = ReducedClaimFee.DIFFERENCE
    # The figure charged for an IP case without a disputed amount where no provincial figure is
    # known. The upper end of the range, so that a cost budget never understates the fee.
    ip_without_amount_fee: Decimal = Decimal(1_000)
    # Provincial figures inside the 500-1,000 range, keyed by lower-case pinyin province name.
    provincial_ip_fees: dict[str, Decimal] = msgspec.field(
        default_factory=lambda: {"guangdong": Decimal(1_000)}  # Nansha court's published table
    )
    # The figure charged to enforce without an amount (art. 14(1), 50-500 a case): the upper end, for
    # the same reason.
    enforcement_without_amount_fee: Decimal = Decimal(500)

    def __post_init__(self) -> None:
        low, high = IP_WITHOUT_AMOUNT_RANGE
        unknown = sorted(set(self.provincial_ip_fees) - PROVINCES)
        if unknown:
            raise ValueError(f"`provincial_ip_fees` keys {unknown} are not provinces as `PROVINCES` writes them")
        for name, fee in [("ip_without_amount_fee", self.ip_without_amount_fee), *self.provincial_ip_fees.items()]:
            if not low <= fee <= high:
                raise ValueError(f"`{name}` fee {fee} is outside the statutory range {low}-{high}")
        low, high = ENFORCEMENT_WITHOUT_AMOUNT_RANGE
        if not low <= self.enforcement_without_amount_fee <= high:
            raise ValueError(
                f"`enforcement_without_amount_fee` {self.enforcement_without_amount_fee} is outside the statutory "
                f"range {low}-{high}"
            )


class FeeQuestion(msgspec.Struct, frozen=True, kw_only=True):
    """What a client asks about the fees of one case."""

    claim_amount: Decimal | None = None
    case_kind: CaseKind = CaseKind.PROPERTY
    procedure: Procedure = Procedure.ORDINARY
    outcome: Outcome = Outcome.JUDGMENT
    province: str | None = None
    awarded_amount: Decimal | None = None
    counterclaim_amount: Decimal | None = None
    appeal_amount: Decimal | None = None
    preservation_amount: Decimal | None = None
    enforcement_amount: Decimal | None = None
    # An application to enforce a judgment with no amount or value to enforce (art. 14(1)).
    enforcement_without_amount: bool = False
    # The claim as changed in the course of the case (`claim_amount` is the claim as filed), and,
    # for a reduction, when it was made (Measures arts. 21, 35).
    changed_claim_amount: Decimal | None = None
    claim_change_stage: ClaimChangeStage | None = None


class Halving(msgspec.Struct, frozen=True, kw_only=True):
    applied: bool
    reason: str | None
    grounds: tuple[str, ...]


class FeeSplit(msgspec.Struct, frozen=True, kw_only=True):
    rule: str
    basis: str
    plaintiff: Decimal
    defendant: Decimal
    defendant_share: Decimal


class ClaimChange(msgspec.Struct, frozen=True, kw_only=True):
    """What a change of the claimed amount does to the acceptance fee (Measures arts. 21, 35).

    `top_up` is what the plaintiff pays on an increase and `refund` what is returned on a reduction
    before the end of court investigation, both when the claim changes (on the fee as prepaid,
    halved only under simplified or small-claims procedure); `borne_by_reducing_party` is the fee
    on the reduced part, on a reduction after it, as finally borne (after any halving).
    """

    filed: Decimal
    changed: Decimal
    stage: ClaimChangeStage | None
    charged_on: Decimal
    basis: str
    top_up: Decimal | None = None
    refund: Decimal | None = None
    borne_by_reducing_party: Decimal | None = None


class CourtFees(msgspec.Struct, frozen=True, kw_only=True):
    """Every fee answered for one `FeeQuestion`, each rounded once."""

    case_kind: CaseKind
    claim_amount: Decimal | None
    acceptance_fee: Decimal
    acceptance_fee_range: tuple[Decimal, Decimal] | None
    halving: Halving
    fee_due: Decimal
    split: FeeSplit | None
    counterclaim_fee: Decimal | None
    appeal_fee: Decimal | None
    preservation_fee: Decimal | None
    enforcement_fee: Decimal | None
    rounding: Rounding
    sources: tuple[str, ...]
    claim_change: ClaimChange | None = None
    enforcement_fee_range: tuple[Decimal, Decimal] | None = None  # enforcing without an amount


def halving_for(procedure: Procedure, outcome: Outcome, *, lang: Language = "en") -> Halving:
    """Whether the acceptance fee is halved, on which ground, and every ground that applied (in `lang`)."""
    zh = lang == "zh"
    texts = _HALVING_GROUNDS_ZH if zh else _HALVING_GROUNDS
    one_rule, joiner = (_ONE_HALVING_RULE_ZH, "；") if zh else (ONE_HALVING_RULE, "; ")
    grounds = tuple(texts[g] for g in (procedure, outcome) if g in texts)
    if not grounds:
        return Halving(applied=False, reason=None, grounds=())
    reason = grounds[0] if len(grounds) == 1 else f"{grounds[0]}{joiner}{one_rule}"
    return Halving(applied=True, reason=reason, grounds=grounds)


def split_fee(
    fee_due: Decimal, *, claim_amount: Decimal, awarded_amount: Decimal, outcome: Outcome, lang: Language = "en"
) -> FeeSplit:
    """Each party's exact share of `fee_due` under the default rule (Measures arts. 29, 31, 34).

    Art. 29 puts the fee on the losing party and leaves partial wins to the court's discretion;
    the proportional split used here is common practice, not a rule, and courts deviate from it
    freely in statutory-damages cases. Shares are exact; callers round them. `basis` is in `lang`.
    """
    bases = _SPLIT_BASES_ZH if lang == "zh" else _SPLIT_BASES
    if outcome is Outcome.WITHDRAWAL:
        return FeeSplit(
            rule="withdrawing_party_pays",
            basis=bases["withdrawal"],
            plaintiff=fee_due,
            defendant=Decimal(0),
            defendant_share=Decimal(0),
        )
    share = min(awarded_amount / claim_amount, Decimal(1)) if claim_amount > 0 else Decimal(1)
    if outcome is Outcome.MEDIATION:
        rule, basis = "proportional", bases["mediation"]
    elif share == 1:
        rule, basis = "loser_pays", bases["full"]
    elif share == 0:
        rule, basis = "loser_pays", bases["nothing"]
    else:
        rule, basis = "proportional", bases["partial"]
    defendant = fee_due * share
    return FeeSplit(rule=rule, basis=basis, plaintiff=fee_due - defendant, defendant=defendant, defendant_share=share)


_SPLIT_BASES = {
    "withdrawal": f"the withdrawing plaintiff bears the (halved) fee ({MEASURES}, art. 34)",
    "mediation": f"by the parties' agreement in mediation ({MEASURES}, art. 31); "
    "the proportional split is shown as a starting point",
    "full": f"the claim was fully supported; the losing defendant bears the fee ({MEASURES}, art. 29)",
    "nothing": f"nothing was awarded; the losing plaintiff bears the fee ({MEASURES}, art. 29)",
    "partial": f"partial win: the court decides the shares ({MEASURES}, art. 29); splitting in proportion "
    "to the amount supported is common practice, not a rule, and courts often put more on the defendant",
}
_SPLIT_BASES_ZH = {
    "withdrawal": f"原告撤诉的，由原告负担（减半后的）案件受理费（{_MEASURES_ZH}第三十四条）",
    "mediation": f"调解结案的，由当事人协商负担（{_MEASURES_ZH}第三十一条）；按比例分担仅作参考",
    "full": f"诉讼请求全部得到支持，由败诉的被告负担（{_MEASURES_ZH}第二十九条）",
    "nothing": f"诉讼请求未获支持，由败诉的原告负担（{_MEASURES_ZH}第二十九条）",
    "partial": f"部分胜诉的，由人民法院根据案件具体情况决定双方负担数额（{_MEASURES_ZH}第二十九条）；"
    "按支持金额比例分担是常见做法而非规则，法院常让被告多负担",
}


def court_fees(question: FeeQuestion, *, settings: FeeSettings | None = None, lang: Language = "en") -> CourtFees:
    """Compute the fees a case will be charged, exactly, and round each once; the notes in `lang`."""
    settings = settings or FeeSettings()
    _check_question(question)
    claim = question.claim_amount
    halving = halving_for(question.procedure, question.outcome, lang=lang)
    factor = HALF if halving.applied else Decimal(1)
    change = None
    # The claim the award is measured against, and the part of the fee due that the split leaves
    # to the plaintiff whatever the outcome (a reduction after the end of court investigation).
    decided_claim, reduced_part = claim, Decimal(0)
    if question.changed_claim_amount is not None:
        assert claim is not None  # checked in _check_question
        # A court collects or refunds the difference when the claim changes, on the fee as prepaid:
        # halved already under simplified or small-claims procedure (art. 16); mediation or
        # withdrawal halves it only when the case closes (art. 15).
        prepaid = HALF if halving_for(question.procedure, Outcome.JUDGMENT).applied else Decimal(1)
        change = _claim_change(
            claim,
            question.changed_claim_amount,
            question.claim_change_stage,
            prepaid=prepaid,
            final=factor,
            settings=settings,
            lang=lang,
        )
        decided_claim = change.changed
        reduced_part = change.borne_by_reducing_party or Decimal(0)

    sources = [PROPERTY_SCHEDULE.source]
    fee_range: tuple[Decimal, Decimal] | None = None
    if question.case_kind is CaseKind.IP_WITHOUT_AMOUNT:
        fee_range = IP_WITHOUT_AMOUNT_RANGE
        province = province_key(question.province or "")
        if province in settings.provincial_ip_fees:
            full = settings.provincial_ip_fees[province]
            sources = [f"{MEASURES}, art. 13(3) and last paragraph (provincial figure)"]
        else:  # no figure known for the province: the top of the range, so that a budget never falls short
            full = settings.ip_without_amount_fee
            sources = [f"{MEASURES}, art. 13(3) (no provincial figure known: the upper end of the range)"]
    elif question.case_kind is CaseKind.PAYMENT_ORDER:
        assert claim is not None  # checked in _check_question
        full = acceptance_fee(claim) / PAYMENT_ORDER_DIVISOR
        sources = [f"{MEASURES}, art. 14(3)", PROPERTY_SCHEDULE.source]
    else:
        assert claim is not None  # checked in _check_question
        full = acceptance_fee(claim if change is None else change.charged_on)
    if halving.applied:
        sources.append(f"{MEASURES}, arts. 15-16")
    if change is not None:
        sources.append(f"{MEASURES}, art. {35 if change.borne_by_reducing_party is not None else 21}")
    due = full * factor

    split = None
    if question.awarded_amount is not None and decided_claim is not None:
        exact = split_fee(
            due - reduced_part,
            claim_amount=decided_claim,
            awarded_amount=question.awarded_amount,
            outcome=question.outcome,
            lang=lang,
        )
        # Round the defendant's share once, as the court orders it, and give the plaintiff the rest,
        # so the shares add up to the rounded fee due (`apportion`, which late interest uses, would
        # split by largest remainder instead: here one party's figure is the court's order).
        defendant = round_amount(exact.defendant, settings.rounding)
        basis = exact.basis
        if reduced_part:
            mediated = question.outcome is Outcome.MEDIATION
            basis += (_REDUCED_PART_ZH if lang == "zh" else _REDUCED_PART)[mediated]
        split = FeeSplit(
            rule=exact.rule,
            basis=basis,
            plaintiff=round_amount(due, settings.rounding) - defendant,
            defendant=defendant,
            # Of the whole fee due: with a reduced part on the plaintiff, less than the award's share.
            defendant_share=(exact.defendant / due if reduced_part else exact.defendant_share).quantize(
                Decimal("0.0001")
            ),
        )
        sources.append(f"{MEASURES}, arts. 29, 31, 34")

    def rounded(amount: Decimal | None) -> Decimal | None:
        return None if amount is None else round_amount(amount, settings.rounding)

    counterclaim = None
    if question.counterclaim_amount is not None:
        counterclaim = acceptance_fee(question.counterclaim_amount) * HALF
        sources.append(f"{MEASURES}, art. 18 (counterclaim tried together: halved)")
    appeal = None
    if question.appeal_amount is not None:
        appeal = acceptance_fee(question.appeal_amount)
        sources.append(f"{MEASURES}, art. 17 (appeal: fee on the amount appealed)")
    preservation = None
    if question.preservation_amount is not None:
        preservation = preservation_fee(question.preservation_amount)
        sources.append(PRESERVATION_SCHEDULE.source)
    enforcement = None
    enforcement_range = None
    if question.enforcement_amount is not None:
        enforcement = enforcement_fee(question.enforcement_amount)
        sources.append(ENFORCEMENT_SCHEDULE.source)
    elif question.enforcement_without_amount:
        enforcement, enforcement_range = settings.enforcement_without_amount_fee, ENFORCEMENT_WITHOUT_AMOUNT_RANGE
        sources.append(f"{MEASURES}, art. 14(1) (no amount to enforce: 50 to 500 a case)")

    return CourtFees(
        case_kind=question.case_kind,
        claim_amount=claim,
        acceptance_fee=round_amount(full, settings.rounding),
        acceptance_fee_range=fee_range,
        halving=halving,
        fee_due=round_amount(due, settings.rounding),
        split=split,
        counterclaim_fee=rounded(counterclaim),
        appeal_fee=rounded(appeal),
        preservation_fee=rounded(preservation),
        enforcement_fee=rounded(enforcement),
        rounding=settings.rounding,
        sources=tuple(dict.fromkeys(sources)),
        claim_change=change,
        enforcement_fee_range=enforcement_range,
    )


_CLAIM_CHANGE_BASES = {
    "increase": f"claim increased: the fee is recomputed on the increased amount and the plaintiff pays the "
    f"difference ({MEASURES}, art. 21(1))",
    ClaimChangeStage.BEFORE_INVESTIGATION_END: "claim reduced before the end of court investigation: the fee is "
    f"recomputed on the reduced amount and the difference refunded ({MEASURES}, art. 21(2))",
    ReducedClaimFee.DIFFERENCE: "claim reduced after the end of court investigation: the fee stays on the amount "
    f"filed, and the fee on the reduced part is borne by the party who reduced the claim ({MEASURES}, art. 35); "
    "that part is taken as the difference between the fees on the two amounts",
    ReducedClaimFee.PROPORTIONAL: "claim reduced after the end of court investigation: the fee stays on the amount "
    f"filed, and the fee on the reduced part is borne by the party who reduced the claim ({MEASURES}, art. 35); "
    "that part is taken as the fee's share in proportion to the amount reduced",
}
_CLAIM_CHANGE_BASES_ZH = {
    "increase": f"增加诉讼请求数额的，按照增加后的诉讼请求数额计算补交（{_MEASURES_ZH}第二十一条第一项）",
    ClaimChangeStage.BEFORE_INVESTIGATION_END: "在法庭调查终结前提出减少诉讼请求数额的，按照减少后的诉讼请求数额"
    f"计算退还（{_MEASURES_ZH}第二十一条第二项）",
    ReducedClaimFee.DIFFERENCE: "在法庭调查终结后提出减少诉讼请求数额的，减少请求数额部分的案件受理费"
    f"由变更诉讼请求的当事人负担（{_MEASURES_ZH}第三十五条）；减少部分的受理费按变更前后两个数额的受理费之差计算",
    ReducedClaimFee.PROPORTIONAL: "在法庭调查终结后提出减少诉讼请求数额的，减少请求数额部分的案件受理费"
    f"由变更诉讼请求的当事人负担（{_MEASURES_ZH}第三十五条）；减少部分的受理费按减少数额占原请求数额的比例计算",
}
# What the split says of the fee on a part cut after the end of court investigation: art. 35's rule,
# or in mediation (where the parties agree on every cost, art. 31) the same as a starting point.
_REDUCED_PART = (
    f"; the fee on the reduced part of the claim is the plaintiff's alone ({MEASURES}, art. 35)",
    f"; the fee on the reduced part of the claim is put on the plaintiff, as art. 35 of the {MEASURES} would, "
    "as a starting point for the agreement",
)
_REDUCED_PART_ZH = (
    f"；减少请求数额部分的案件受理费由原告负担（{_MEASURES_ZH}第三十五条）",
    f"；减少请求数额部分的案件受理费参照{_MEASURES_ZH}第三十五条由原告负担，作为协商的参考",
)


def _claim_change(
    filed: Decimal,
    changed: Decimal,
    stage: ClaimChangeStage | None,
    *,
    prepaid: Decimal,
    final: Decimal,
    settings: FeeSettings,
    lang: Language,
) -> ClaimChange:
    """The fee consequences of changing the claim from `filed` to `changed`.

    `prepaid` and `final` are the factors (1 or ½) on the fee as paid in advance and as finally
    borne. The top-up and the refund are differences between the two prepaid fees, each rounded:
    what a court collects or returns when the claim changes. A reduction after the end of court
    investigation leaves the fee on the amount filed and puts the fee on the reduced part, a share
    of the fee finally borne, on the party who reduced (art. 35). The Measures do not say how that
    part is measured: by default it is the difference between the fees on the two amounts, the
    measure art. 21 refunds by (`FeeSettings.reduced_claim_fee`).
    """

    def fee(amount: Decimal, factor: Decimal) -> Decimal:
        return round_amount(acceptance_fee(amount) * factor, settings.rounding)

    bases = _CLAIM_CHANGE_BASES_ZH if lang == "zh" else _CLAIM_CHANGE_BASES
    change = functools.partial(ClaimChange, filed=filed, changed=changed, stage=stage)
    if changed > filed:
        return change(charged_on=changed, top_up=fee(changed, prepaid) - fee(filed, prepaid), basis=bases["increase"])
    assert stage is not None  # a reduction names its stage: checked in _check_question
    if stage is ClaimChangeStage.BEFORE_INVESTIGATION_END:
        return change(charged_on=changed, refund=fee(filed, prepaid) - fee(changed, prepaid), basis=bases[stage])
    if settings.reduced_claim_fee is ReducedClaimFee.PROPORTIONAL:
        reduced_part = round_amount(acceptance_fee(filed) * final * (filed - changed) / filed, settings.rounding)
    else:
        reduced_part = fee(filed, final) - fee(changed, final)
    return change(charged_on=filed, borne_by_reducing_party=reduced_part, basis=bases[settings.reduced_claim_fee])


def _check_question(question: FeeQuestion) -> None:
    claim = question.claim_amount
    if question.procedure is Procedure.SMALL_CLAIMS and question.counterclaim_amount is not None:
        raise InvalidInputError(
            "a case with a counterclaim is not tried as a small claim (Civil Procedure Law, small-claims rules: "
            "当事人提出反诉的案件): use `simplified` or `ordinary`",
            field="procedure",
        )
    if question.enforcement_without_amount and question.enforcement_amount is not None:
        raise InvalidInputError(
            "`enforcement_without_amount` is for an application with no amount to enforce; "
            "`enforcement_amount` states one: give one of the two",
            field="enforcement_without_amount",
        )
    if question.province is not None:
        if province_key(question.province) not in PROVINCES:
            close = difflib.get_close_matches(province_key(question.province), sorted(PROVINCES), n=1)
            meant = f" (did you mean `{close[0]}`?)" if close else ""
            raise InvalidInputError(
                f"`province` {question.province!r} is not a province of the mainland in pinyin{meant}", field="province"
            )
        if question.case_kind is not CaseKind.IP_WITHOUT_AMOUNT:
            raise InvalidInputError(
                f"`province` sets the fee of an `ip_without_amount` case only; a `{question.case_kind.value}` case's "
                "fee is the national schedule's: drop it",
                field="province",
            )
    if question.changed_claim_amount is None and question.claim_change_stage is not None:
        raise InvalidInputError(
            "`claim_change_stage` needs `changed_claim_amount`, the claim as changed", field="claim_change_stage"
        )
    if question.changed_claim_amount is not None and question.case_kind is not CaseKind.PROPERTY:
        raise InvalidInputError(
            f"`changed_claim_amount` applies to a `property` case, not to `{question.case_kind.value}`",
            field="changed_claim_amount",
        )
    if question.case_kind is CaseKind.IP_WITHOUT_AMOUNT:
        if claim is not None:
            raise InvalidInputError(
                "an IP case with a disputed amount is a property case: drop `claim_amount` "
                "or set `case_kind` to `property`",
                field="claim_amount",
            )
        if question.awarded_amount is not None:
            raise InvalidInputError(
                "`awarded_amount` needs a `claim_amount` to split the fee against", field="awarded_amount"
            )
        return
    if claim is None:
        raise InvalidInputError(
            f"`claim_amount` is required for a {question.case_kind.value} case", field="claim_amount"
        )
    if claim <= 0:
        raise InvalidInputError("`claim_amount` must be more than 0 yuan", field="claim_amount")
    if question.case_kind is CaseKind.PAYMENT_ORDER:
        if question.procedure is not Procedure.ORDINARY or question.outcome is not Outcome.JUDGMENT:
            field = "procedure" if question.procedure is not Procedure.ORDINARY else "outcome"
            raise InvalidInputError(
                f"`{field}` does not apply to a payment order, whose fee is never halved", field=field
            )
        if question.awarded_amount is not None:
            raise InvalidInputError("a payment order has no award to split the fee by", field="awarded_amount")
    _check_claim_change(question, claim)
    changed = question.changed_claim_amount
    if question.awarded_amount is not None and question.awarded_amount > (claim if changed is None else changed):
        which = "`claim_amount`" if changed is None else "the claim as changed (`changed_claim_amount`)"
        raise InvalidInputError(
            f"`awarded_amount` exceeds {which}: a court does not award more than was claimed",
            field="awarded_amount",
        )
    decided = (claim if changed is None else changed) + (question.counterclaim_amount or 0)
    if question.appeal_amount is not None and question.appeal_amount > decided:
        raise InvalidInputError(
            "`appeal_amount` exceeds what the first instance decided (the claim, as changed, and any counterclaim): "
            "an appeal contests part of that judgment (Measures art. 17)",
            field="appeal_amount",
        )


def _check_claim_change(question: FeeQuestion, claim: Decimal) -> None:
    """A change of claim in a property case (`_check_question` has refused it in the others)."""
    changed, stage = question.changed_claim_amount, question.claim_change_stage
    if changed is None:
        return
    if changed <= 0:
        raise InvalidInputError(
            "`changed_claim_amount` must be more than 0 yuan; a claim dropped entirely is a withdrawal "
            "(`outcome`: `withdrawal`)",
            field="changed_claim_amount",
        )
    if round_amount(changed) == round_amount(claim):
        raise InvalidInputError(
            "`changed_claim_amount` equals `claim_amount` to the fen: leave it out when the claim did not change",
            field="changed_claim_amount",
        )
    if changed > claim and stage is not None:
        raise InvalidInputError(
            "`claim_change_stage` applies to a reduction: an increase is charged on the increased amount whenever "
            "it is made (art. 21(1)); leave the stage out",
            field="claim_change_stage",
        )
    if changed < claim and stage is None:
        raise InvalidInputError(
            "a reduced claim needs `claim_change_stage`: `before_investigation_end` (the fee is recomputed and "
            "the difference refunded) or `after_investigation_end` (the plaintiff bears the fee on the reduced part)",
            field="claim_change_stage",
        )
