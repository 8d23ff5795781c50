"""The limitation period and the three-year look-back (LEGAL.md §1, checklist 26)."""

from __future__ import annotations

import datetime as dt

import pytest

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.law.limitation import limitation, years_after, years_before

D = dt.date


def test_a_suit_within_three_years_of_knowledge_recovers_the_whole_infringement() -> None:
    found = limitation(known_on=D(2021, 3, 15), filed_on=D(2024, 3, 15), act_start=D(2020, 1, 1))
    assert found.period_ends == D(2024, 3, 15)  # the last day still counts (Civil Code arts. 201-202)
    assert found.in_time
    assert (found.damages_from, found.damages_to) == (D(2020, 1, 1), None)
    assert not found.time_barred_if_pleaded


def test_checklist_26_a_late_suit_against_a_continuing_act_counts_damages_three_years_back() -> None:
    found = limitation(known_on=D(2016, 5, 1), filed_on=D(2024, 6, 20), act_start=D(2016, 1, 1))
    assert not found.in_time
    assert found.continuing_at_filing
    assert not found.time_barred_if_pleaded
    assert found.damages_from == D(2021, 6, 20)
    assert "three years from filing, from 2021-06-20" in found.reason


def test_a_late_suit_after_the_act_ended_over_three_years_before_fails_if_limitation_is_pleaded() -> None:
    found = limitation(
        known_on=D(2018, 1, 10), filed_on=D(2023, 1, 11), act_start=D(2017, 6, 1), act_end=D(2019, 12, 31)
    )
    assert found.period_ends == D(2021, 1, 10)
    assert found.time_barred_if_pleaded
    assert (found.damages_from, found.damages_to) == (None, None)
    assert "pleads limitation" in found.reason


def test_a_late_suit_keeps_the_acts_of_its_last_three_years_though_the_act_has_ended() -> None:
    # One day of continuation must not decide between nothing and three years: each day's act has its own period.
    ended = limitation(known_on=D(2018, 3, 1), filed_on=D(2022, 3, 1), act_start=D(2018, 1, 1), act_end=D(2021, 12, 31))
    going_on = limitation(known_on=D(2018, 3, 1), filed_on=D(2022, 3, 1), act_start=D(2018, 1, 1))
    assert not ended.in_time
    assert not ended.time_barred_if_pleaded
    assert (ended.damages_from, ended.damages_to) == (D(2019, 3, 1), D(2021, 12, 31))
    assert going_on.damages_from == ended.damages_from
    assert any("from the day it ended" in assumption for assumption in ended.assumptions)


def test_an_act_still_going_on_the_day_of_filing_is_continuing() -> None:
    found = limitation(known_on=D(2017, 1, 1), filed_on=D(2022, 1, 1), act_start=D(2016, 1, 1), act_end=D(2022, 1, 1))
    assert found.continuing_at_filing
    assert found.damages_to == D(2022, 1, 1)


def test_the_twenty_ninth_of_february_has_the_months_last_day_as_its_corresponding_day() -> None:
    assert years_after(D(2020, 2, 29), 3) == D(2023, 2, 28)
    assert years_before(D(2024, 2, 29), 3) == D(2021, 2, 28)
    assert years_after(D(2021, 2, 28), 3) == D(2024, 2, 28)


def test_the_reason_and_sources_are_written_in_chinese_on_request() -> None:
    found = limitation(known_on=D(2016, 5, 1), filed_on=D(2024, 6, 20), act_start=D(2016, 1, 1), lang="zh")
    assert "向前推算三年计算，即自2021-06-20起" in found.reason
    assert any("第二十七条" in source for source in found.sources)
    assert "中断" in found.assumptions[0]


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        pytest.param({"known_on": D(2022, 6, 1), "filed_on": D(2022, 1, 1)}, "filed_on", id="filed before knowing"),
        pytest.param({"known_on": D(2019, 12, 31)}, "known_on", id="known before the act began"),
        pytest.param({"act_end": D(2019, 6, 1)}, "act_end", id="ends before it starts"),
        pytest.param({"filed_on": D(9999, 12, 31)}, "filed_on", id="no year three years on"),
    ],
)
def test_impossible_dates_name_the_field(dates: dict[str, dt.date], field: str) -> None:
    asked = {"known_on": D(2021, 1, 1), "filed_on": D(2022, 1, 1), "act_start": D(2020, 1, 1), **dates}
    with pytest.raises(InvalidInputError) as caught:
        limitation(**asked)
    assert caught.value.field == field


def test_knowledge_before_2015_10_01_keeps_the_former_two_years() -> None:
    # 法释〔2018〕12号 arts. 2-3: two years not run on 2017-10-01 became three; two years already run stayed run.
    former = limitation(known_on=D(2015, 9, 30), filed_on=D(2021, 6, 1), act_start=D(2015, 1, 1))
    current = limitation(known_on=D(2015, 10, 1), filed_on=D(2021, 6, 1), act_start=D(2015, 1, 1))
    assert (former.period_ends, current.period_ends) == (D(2017, 9, 30), D(2018, 10, 1))
    assert former.damages_from == D(2018, 6, 1)
    assert any("former two-year period" in assumption for assumption in former.assumptions)


def test_a_suit_filed_under_the_former_two_year_look_back_is_outside_coverage() -> None:
    with pytest.raises(OutsideLawError) as caught:
        limitation(known_on=D(2016, 1, 1), filed_on=D(2020, 12, 31), act_start=D(2016, 1, 1))
    assert caught.value.field == "filed_on"
