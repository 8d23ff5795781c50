"""The damages regimes of Chinese IP statutes as data, and the choice of regime by the date of the act.

Each `Regime` is one version of one law's damages article: its effective dates, statutory-damages
bounds, punitive multiplier range, the order of compensatory methods, and where each fact was read.
Verification marks follow LEGAL.md: a fact read in the primary text is `verified`, one read only in a
secondary source is `secondary`, one from memory is `recalled` (treat as a hypothesis).

Choosing a regime: the law in force when the infringing act occurred governs (Copyright Law 2020
art. 66 ¶2); an act that began before an amendment and continued after it takes the amended law
(SPC copyright interpretation art. 29). So the regime is the one in force on the *last* day of the
act.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import msgspec

from estimator.errors import InvalidInputError, OutsideLawError


class Law(enum.StrEnum):
    COPYRIGHT = "copyright"
    TRADEMARK = "trademark"
    PATENT = "patent"
    UNFAIR_COMPETITION = "unfair_competition"


class Method(enum.StrEnum):
    """Ways a court fixes compensation, in the words of the statutes."""

    ACTUAL_LOSS = "actual_loss"
    ILLEGAL_GAINS = "illegal_gains"
    ROYALTY = "royalty"
    STATUTORY = "statutory"


class Verification(enum.StrEnum):
    VERIFIED = "verified"
    SECONDARY = "secondary"
    RECALLED = "recalled"


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """Where a rule was read, and how firmly."""

    citation: str
    verification: Verification
    url: str | None = None


class Regime(msgspec.Struct, frozen=True, kw_only=True):
    """One version of one law's damages article."""

    id: str
    law: Law
    version: str
    title: str
    title_zh: str
    article: str
    effective_from: dt.date
    effective_from_verification: Verification
    # The day before the next version took effect; None while in force.
    effective_to: dt.date | None
    # Methods in the order the court must try them; a tuple inside the tuple means "either, no order".
    methods: tuple[tuple[Method, ...], ...]
    statutory_floor: Decimal
    statutory_cap: Decimal
    punitive_min: Decimal | None
    punitive_max: Decimal | None
    punitive_requires: str | None
    notes: tuple[str, ...]
    sources: tuple[Source, ...]

    @property
    def has_punitive(self) -> bool:
        return self.punitive_max is not None

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


_CL2020 = Source(
    citation="Copyright Law of the PRC (2020 amendment), art. 54",
    verification=Verification.VERIFIED,
    url="https://github.com/LawRefBook/Laws/blob/ad3fc7a710153f0a72b1a600f57654aab9653c36/民法商法/著作权法(2020-11-11).md",
)
_CL2010 = Source(
    citation="Copyright Law of the PRC (2010 amendment), art. 49",
    verification=Verification.SECONDARY,
    url="https://mgfm.com.cn/falvbaike/1711988047231806.html",
)
_CL2001 = Source(
    citation="Copyright Law of the PRC (2001 amendment), art. 48",
    verification=Verification.SECONDARY,
    url="http://www.law-hr.com/ask/1686475147243459.html",
)
_PUNINT = Source(
    citation="SPC Interpretation on punitive damages in IP civil cases (法释〔2021〕4号), arts. 1-6",
    verification=Verification.VERIFIED,
    url="https://github.com/RanKKI/LawRefBook/blob/d38114f37fedcb467afa1344d591f35f4de21d29/法律法规/司法解释/最高人民法院关于审理侵害知识产权民事案件适用惩罚性赔偿的解释.md",
)
_CRINT = Source(
    citation="SPC Interpretation on copyright civil disputes (法释〔2002〕31号, amended 2020), arts. 24-29",
    verification=Verification.VERIFIED,
    url="https://github.com/LawRefBook/Laws/blob/abe3daaa448d225a37606118eaa4796d05b2c01c/司法解释/最高人民法院关于审理著作权民事纠纷案件适用法律若干问题的解释(2020-12-29).md",
)
_TM2019 = Source(
    citation="Trademark Law of the PRC (2019 amendment), art. 63",
    verification=Verification.VERIFIED,
    url="https://github.com/LawRefBook/Laws/blob/ad3fc7a710153f0a72b1a600f57654aab9653c36/民法商法/商标法(2019-04-23).md",
)
_TM2013 = Source(
    citation="Trademark Law of the PRC (2013 amendment), art. 63",
    verification=Verification.SECONDARY,
    url="https://tecnoquadro.com/research/1207.html",
)
_PAT2020 = Source(
    citation="Patent Law of the PRC (2020 amendment), art. 71",
    verification=Verification.VERIFIED,
    url="https://github.com/LawRefBook/Laws/blob/ad3fc7a710153f0a72b1a600f57654aab9653c36/民法商法/专利法(2020-10-17).md",
)
_PAT2008 = Source(
    citation="Patent Law of the PRC (2008 amendment), art. 65",
    verification=Verification.SECONDARY,
    url="http://dfrtw.com/shangbiaochaxun/98050.html",
)
_AUCL2019 = Source(
    citation="Anti-Unfair Competition Law of the PRC (2019 amendment), art. 17",
    verification=Verification.VERIFIED,
    url="https://github.com/LawRefBook/Laws/blob/ad3fc7a710153f0a72b1a600f57654aab9653c36/经济法/反不正当竞争法(2019-04-23).md",
)
_AUCL2025 = Source(
    citation="Anti-Unfair Competition Law of the PRC (2025 revision), damages article (number not verified)",
    verification=Verification.RECALLED,
    url="https://www.zhonglun.com/research/articles/55042.html",
)

_LOSS_OR_GAINS_THEN_ROYALTY_THEN_STATUTORY = (
    (Method.ACTUAL_LOSS, Method.ILLEGAL_GAINS),
    (Method.ROYALTY,),
    (Method.STATUTORY,),
)
_LOSS_THEN_GAINS_THEN_STATUTORY = ((Method.ACTUAL_LOSS,), (Method.ILLEGAL_GAINS,), (Method.STATUTORY,))
_LOSS_THEN_PROFIT_THEN_ROYALTY_THEN_STATUTORY = (
    (Method.ACTUAL_LOSS,),
    (Method.ILLEGAL_GAINS,),
    (Method.ROYALTY,),
    (Method.STATUTORY,),
)

REGIMES: tuple[Regime, ...] = (
    Regime(
        id="copyright-2001",
        law=Law.COPYRIGHT,
        version="2001",
        title="Copyright Law (2001 amendment)",
        title_zh="著作权法（2001年修正）",
        article="art. 48",
        effective_from=dt.date(2001, 10, 27),
        effective_from_verification=Verification.RECALLED,
        effective_to=dt.date(2010, 3, 31),
        methods=_LOSS_THEN_GAINS_THEN_STATUTORY,
        statutory_floor=Decimal(0),
        statutory_cap=Decimal(500_000),
        punitive_min=None,
        punitive_max=None,
        punitive_requires=None,
        notes=("Same structure and 500,000 ceiling as the 2010 text; no floor, royalty route or punitive damages.",),
        sources=(_CL2001,),
    ),
    Regime(
        id="copyright-2010",
        law=Law.COPYRIGHT,
        version="2010",
        title="Copyright Law (2010 amendment)",
        title_zh="著作权法（2010年修正）",
        article="art. 49",
        effective_from=dt.date(2010, 4, 1),
        effective_from_verification=Verification.RECALLED,
        effective_to=dt.date(2021, 5, 31),
        methods=_LOSS_THEN_GAINS_THEN_STATUTORY,
        statutory_floor=Decimal(0),
        statutory_cap=Decimal(500_000),
        punitive_min=None,
        punitive_max=None,
        punitive_requires=None,
        notes=(
            "Actual loss first; illegal gains only where actual loss is difficult to calculate.",
            "Statutory damages up to 500,000 yuan with no floor where neither can be determined.",
            "No royalty route: a royalty is a factor inside statutory damages (SPC interpretation art. 25).",
        ),
        sources=(_CL2010, _CRINT),
    ),
    Regime(
        id="copyright-2020",
        law=Law.COPYRIGHT,
        version="2020",
        title="Copyright Law (2020 amendment)",
        title_zh="著作权法（2020年修正）",
        article="art. 54",
        effective_from=dt.date(2021, 6, 1),
        effective_from_verification=Verification.VERIFIED,
        effective_to=None,
        methods=_LOSS_OR_GAINS_THEN_ROYALTY_THEN_STATUTORY,
        statutory_floor=Decimal(500),
        statutory_cap=Decimal(5_000_000),
        punitive_min=Decimal(1),
        punitive_max=Decimal(5),
        punitive_requires="intentional infringement with serious circumstances",
        notes=(
            "Actual loss or illegal gains, with no order between them; then the royalty for the right.",
            "Statutory damages of 500 to 5,000,000 yuan (both inclusive) only where all three are hard to calculate.",
            "Punitive 1-5x of the loss, gains or royalty amount; never of statutory damages or of expenses.",
            "Reasonable expenses to stop the infringement are added to the compensation (¶3).",
        ),
        sources=(_CL2020, _PUNINT, _CRINT),
    ),
    Regime(
        id="trademark-2013",
        law=Law.TRADEMARK,
        version="2013",
        title="Trademark Law (2013 amendment)",
        title_zh="商标法（2013年修正）",
        article="art. 63",
        effective_from=dt.date(2014, 5, 1),
        effective_from_verification=Verification.SECONDARY,
        effective_to=dt.date(2019, 10, 31),
        methods=_LOSS_THEN_PROFIT_THEN_ROYALTY_THEN_STATUTORY,
        statutory_floor=Decimal(0),
        statutory_cap=Decimal(3_000_000),
        punitive_min=Decimal(1),
        punitive_max=Decimal(3),
        punitive_requires="bad faith (恶意) with serious circumstances",
        notes=("Royalty route is a multiple of the licence fee.",),
        sources=(_TM2013,),
    ),
    Regime(
        id="trademark-2019",
        law=Law.TRADEMARK,
        version="2019",
        title="Trademark Law (2019 amendment)",
        title_zh="商标法（2019年修正）",
        article="art. 63",
        effective_from=dt.date(2019, 11, 1),
        effective_from_verification=Verification.RECALLED,
        effective_to=None,
        methods=_LOSS_THEN_PROFIT_THEN_ROYALTY_THEN_STATUTORY,
        statutory_floor=Decimal(0),
        statutory_cap=Decimal(5_000_000),
        punitive_min=Decimal(1),
        punitive_max=Decimal(5),
        punitive_requires="bad faith (恶意) with serious circumstances",
        notes=("Royalty route is a multiple of the licence fee.",),
        sources=(_TM2019,),
    ),
    Regime(
        id="patent-2008",
        law=Law.PATENT,
        version="2008",
        title="Patent Law (2008 amendment)",
        title_zh="专利法（2008年修正）",
        article="art. 65",
        effective_from=dt.date(2009, 10, 1),
        effective_from_verification=Verification.RECALLED,
        effective_to=dt.date(2021, 5, 31),
        methods=_LOSS_THEN_PROFIT_THEN_ROYALTY_THEN_STATUTORY,
        statutory_floor=Decimal(10_000),
        statutory_cap=Decimal(1_000_000),
        punitive_min=None,
        punitive_max=None,
        punitive_requires=None,
        notes=(),
        sources=(_PAT2008,),
    ),
    Regime(
        id="patent-2020",
        law=Law.PATENT,
        version="2020",
        title="Patent Law (2020 amendment)",
        title_zh="专利法（2020年修正）",
        article="art. 71",
        effective_from=dt.date(2021, 6, 1),
        effective_from_verification=Verification.SECONDARY,
        effective_to=None,
        methods=(
            (Method.ACTUAL_LOSS, Method.ILLEGAL_GAINS),
            (Method.ROYALTY,),
            (Method.STATUTORY,),
        ),
        statutory_floor=Decimal(30_000),
        statutory_cap=Decimal(5_000_000),
        punitive_min=Decimal(1),
        punitive_max=Decimal(5),
        punitive_requires="intentional infringement with serious circumstances",
        notes=("Statutory range considers the type of patent and the nature and circumstances of infringement.",),
        sources=(_PAT2020,),
    ),
    Regime(
        id="unfair_competition-2019",
        law=Law.UNFAIR_COMPETITION,
        version="2019",
        title="Anti-Unfair Competition Law (2019 amendment)",
        title_zh="反不正当竞争法（2019年修正）",
        article="art. 17",
        effective_from=dt.date(2019, 4, 23),
        effective_from_verification=Verification.RECALLED,
        effective_to=dt.date(2025, 10, 14),
        methods=((Method.ACTUAL_LOSS,), (Method.ILLEGAL_GAINS,), (Method.STATUTORY,)),
        statutory_floor=Decimal(0),
        statutory_cap=Decimal(5_000_000),
        punitive_min=Decimal(1),
        punitive_max=Decimal(5),
        punitive_requires="malicious trade-secret infringement with serious circumstances (trade secrets only)",
        notes=("Statutory damages only for confusion (art. 6) and trade secrets (art. 9).",),
        sources=(_AUCL2019,),
    ),
    Regime(
        id="unfair_competition-2025",
        law=Law.UNFAIR_COMPETITION,
        version="2025",
        title="Anti-Unfair Competition Law (2025 revision)",
        title_zh="反不正当竞争法（2025年修订）",
        article="damages article (renumbered; number not verified)",
        effective_from=dt.date(2025, 10, 15),
        effective_from_verification=Verification.SECONDARY,
        effective_to=None,
        methods=((Method.ACTUAL_LOSS,), (Method.ILLEGAL_GAINS,), (Method.STATUTORY,)),
        statutory_floor=Decimal(0),
        statutory_cap=Decimal(5_000_000),
        punitive_min=Decimal(1),
        punitive_max=Decimal(5),
        punitive_requires="malicious trade-secret infringement with serious circumstances (trade secrets only)",
        notes=("Amounts believed unchanged from the 2019 text; not verified against the new text.",),
        sources=(_AUCL2025,),
    ),
)

_BY_ID = {regime.id: regime for regime in REGIMES}


def regime_by_id(regime_id: str) -> Regime:
    try:
        return _BY_ID[regime_id]
    except KeyError:
        known = ", ".join(sorted(_BY_ID))
        raise InvalidInputError(f"unknown statute `{regime_id}`; known: {known}", field="statute") from None


def copyright_regime(version: str) -> Regime:
    """The copyright regime of a version label (`2001`, `2010`, `2020`) as case records carry it."""
    return regime_by_id(f"copyright-{version}")


def select_regime(law: Law, act_start: dt.date, act_end: dt.date | None = None) -> Regime:
    """The regime governing an act on `act_start` (continuing until `act_end`, if given).

    A continuing act takes the law in force on its last day (SPC copyright interpretation art. 29;
    LEGAL.md §1.3 and open question 7: applied to every amendment by its generic wording).
    """
    if act_end is not None and act_end < act_start:
        raise InvalidInputError("`act_end` is before `act_start`", field="act_end")
    day = act_end or act_start
    for regime in REGIMES:
        if regime.law is law and regime.in_force_on(day):
            return regime
    earliest = min(r.effective_from for r in REGIMES if r.law is law)
    raise OutsideLawError(
        f"no {law.value} damages regime is covered for an act on {day.isoformat()}; "
        f"coverage starts on {earliest.isoformat()}",
        field="act_end" if act_end is not None else "act_start",
    )
