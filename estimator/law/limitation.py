"""The limitation period of a copyright claim, and the damages a late suit keeps.

SPC copyright interpretation art. 27 (LEGAL.md §1, checklist 26): the limitation period is three
years from the day the holder knew or should have known of the infringement and the infringer
(Civil Code art. 188). A holder who sues later while the act is still going on at filing still
gets an order to stop (while the copyright lasts), and damages counted back three years from the
day of filing. Read act by act, the same holds for an act that ended less than three years before
a late filing: its last three years are not time-barred, only what came before. An act over more
than three years before a late filing leaves a claim the defendant can defeat by pleading
limitation (the court may not raise it of its own motion, Civil Code art. 193).

Periods are counted as the Civil Code counts them: from the day after the start (art. 201), to
the corresponding day of the last year, or the month's last day where there is none (art. 202).
"""

from __future__ import annotations

import datetime as dt

import msgspec

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.language import Language

YEARS = 3
# The three years came with the General Provisions of the Civil Law on 2017-10-01; before them a
# copyright claim had two (SPC copyright interpretation of 2002, art. 28). A period of two years
# not yet run on 2017-10-01 became three; one already run stayed run (法释〔2018〕12号 arts. 2-3).
# So a holder who knew before 2015-10-01 had two years, ended before 2017-10-01.
THREE_YEARS_FROM_KNOWLEDGE_ON = dt.date(2015, 10, 1)
FORMER_YEARS = 2
# The look-back of three years is in the interpretation as amended in force from 2021-01-01; the
# 2002 text counted back two years. Earlier filings are not answered. [recalled, not verified]
LOOK_BACK_TEXT_FROM = dt.date(2021, 1, 1)
_EARLIEST = dt.date(dt.MINYEAR + YEARS, 1, 1)
_LATEST = dt.date(dt.MAXYEAR - YEARS, 12, 31)

SOURCES = (
    "Civil Code of the PRC, art. 188 (three years from knowledge of the harm and the obligor)",
    "SPC Interpretation on copyright civil disputes (法释〔2002〕31号, amended 2020), art. 27",
    "Civil Code of the PRC, arts. 201-202 (counting periods), 193 (limitation is not raised by the court)",
    "SPC Provisions on the limitation period of the General Provisions of the Civil Law (法释〔2018〕12号), arts. 2-3",
)
SOURCES_ZH = (
    "《中华人民共和国民法典》第一百八十八条",
    "《最高人民法院关于审理著作权民事纠纷案件适用法律若干问题的解释》（法释〔2002〕31号，2020年修正）第二十七条",
    "《中华人民共和国民法典》第二百零一条、第二百零二条、第一百九十三条",
    "《最高人民法院关于适用〈中华人民共和国民法总则〉诉讼时效制度若干问题的解释》（法释〔2018〕12号）第二条、第三条",
)


_ASSUMPTIONS = (
    "no suspension or interruption of the period (a demand letter or other claim interrupts it, Civil Code "
    "arts. 194-195), and no extension where the last day is a public holiday (art. 203)",
    "each day of an act starts its own period, so acts in the three years before filing are never time-barred; "
    "some courts count a continuing act's period from the day it ended, which would make the whole claim timely",
)
_ASSUMPTIONS_ZH = (
    "未考虑诉讼时效的中止、中断（如发送律师函、权利人主张权利，《民法典》第一百九十四条、第一百九十五条）"
    "及期间最后一日为法定休假日时的顺延（第二百零三条）",
    "按每一侵权行为分别起算诉讼时效，起诉前三年内的侵权行为不超过诉讼时效；"
    "亦有法院对持续侵权自侵权行为终了之日起算，则全部请求均未超过诉讼时效",
)


class Limitation(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a suit filed on `filed_on` is in time, and which acts its damages may cover."""

    period_ends: dt.date  # the last day to file in time (before any extension, suspension or interruption)
    in_time: bool
    continuing_at_filing: bool
    # Late, with the act over more than three years before filing: the claim fails if the defendant
    # pleads limitation.
    time_barred_if_pleaded: bool
    # The acts whose damages count: all of them when in time; from three years before filing when
    # late (the act going on, or over within those three years); none (both None) when
    # time-barred. `damages_to` None with a `damages_from`: to the end of an act still going on.
    damages_from: dt.date | None
    damages_to: dt.date | None
    reason: str
    assumptions: tuple[str, ...]
    sources: tuple[str, ...]


def years_after(day: dt.date, years: int) -> dt.date:
    """The corresponding day `years` later (Civil Code art. 202): 29 February gives the month's last day."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return dt.date(day.year + years, 3, 1) - dt.timedelta(days=1)


def years_before(day: dt.date, years: int) -> dt.date:
    """The corresponding day `years` earlier, or the month's last day where there is none."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 3, 1) - dt.timedelta(days=1)


def limitation(
    *,
    known_on: dt.date,
    filed_on: dt.date,
    act_start: dt.date,
    act_end: dt.date | None = None,
    lang: Language = "en",
) -> Limitation:
    """The limitation of a copyright claim; `act_end` None: the act was still going on at filing."""
    _check(known_on=known_on, filed_on=filed_on, act_start=act_start, act_end=act_end)
    zh = lang == "zh"
    former = known_on < THREE_YEARS_FROM_KNOWLEDGE_ON
    period_ends = years_after(known_on, FORMER_YEARS if former else YEARS)
    in_time = filed_on <= period_ends
    continuing = act_end is None or act_end >= filed_on
    look_back = years_before(filed_on, YEARS)
    ended = "" if in_time else (f"已于{period_ends}届满" if zh else f"ended on {period_ends}")
    damages_from: dt.date | None
    damages_to: dt.date | None
    if in_time:
        damages_from, damages_to = act_start, act_end
        reason = (
            f"起诉之日（{filed_on}）未超过诉讼时效期间（至{period_ends}届满），损害赔偿按全部侵权期间计算"
            if zh
            else f"filed on {filed_on}, within the limitation period (which ends on {period_ends}): damages for "
            "the whole infringement"
        )
    elif continuing:
        # A late filing (from 2021) is more than three years after the act began: the look-back starts after it.
        damages_from, damages_to = look_back, act_end
        reason = (
            f"诉讼时效期间{ended}，但侵权行为在起诉时仍在持续：在著作权保护期内应判决停止侵权，损害赔偿数额自起诉之日起"
            f"向前推算三年计算，即自{look_back}起"
            if zh
            else f"the limitation period {ended}, but the act was still going on when the suit was filed: the court "
            "orders it stopped (while the copyright lasts), and damages count back three years from filing, from "
            f"{look_back}"
        )
    elif act_end is not None and act_end >= look_back:
        damages_from, damages_to = look_back, act_end
        reason = (
            f"诉讼时效期间{ended}，侵权行为于{act_end}停止：起诉前三年内（自{look_back}起）的侵权行为未超过诉讼时效，"
            "此前的部分，被告提出诉讼时效抗辩的不获支持"
            if zh
            else f"the limitation period {ended} and the act stopped on {act_end}: its acts in the three years "
            f"before filing (from {look_back}) are not time-barred; for earlier ones the claim fails if the "
            "defendant pleads limitation"
        )
    else:
        damages_from = damages_to = None
        reason = (
            f"诉讼时效期间{ended}，侵权行为在起诉三年前已经停止：被告提出诉讼时效抗辩的，赔偿请求不获支持"
            "（人民法院不主动适用诉讼时效）"
            if zh
            else f"the limitation period {ended} and the act was over more than three years before filing: the "
            "claim fails if the defendant pleads limitation (the court does not raise it of its own motion)"
        )
    assumptions = list(_ASSUMPTIONS_ZH if zh else _ASSUMPTIONS)
    if former:
        assumptions.append(
            f"{THREE_YEARS_FROM_KNOWLEDGE_ON}前知道侵权的，原二年诉讼时效期间在2017-10-01前已届满，不适用三年期间"
            if zh
            else f"knowledge before {THREE_YEARS_FROM_KNOWLEDGE_ON}: the former two-year period ran out before "
            "2017-10-01, when the three years came in, so it stays two years"
        )
    return Limitation(
        period_ends=period_ends,
        in_time=in_time,
        continuing_at_filing=continuing,
        time_barred_if_pleaded=damages_from is None,
        damages_from=damages_from,
        damages_to=damages_to,
        reason=reason,
        assumptions=tuple(assumptions),
        sources=SOURCES_ZH if zh else SOURCES,
    )


def _check(*, known_on: dt.date, filed_on: dt.date, act_start: dt.date, act_end: dt.date | None) -> None:
    for field, day in (("known_on", known_on), ("filed_on", filed_on), ("act_start", act_start)):
        if not _EARLIEST <= day <= _LATEST:
            raise InvalidInputError(f"`{field}` must be between {_EARLIEST} and {_LATEST}", field=field)
    if act_end is not None and act_end < act_start:
        raise InvalidInputError("`act_end` is before `act_start`", field="act_end")
    if known_on < act_start:
        raise InvalidInputError(
            "`known_on` is before `act_start`: nobody knows of an infringement before it begins", field="known_on"
        )
    if filed_on < known_on:
        raise InvalidInputError(
            "`filed_on` is before `known_on`: a holder who sued knew of the infringement by then", field="filed_on"
        )
    if filed_on < LOOK_BACK_TEXT_FROM:
        raise OutsideLawError(
            f"suits filed before {LOOK_BACK_TEXT_FROM} fall under the copyright interpretation's earlier text "
            "(damages counted back two years), which this service does not cover",
            field="filed_on",
        )
