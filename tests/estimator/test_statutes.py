"""Regime selection by the date of the act (LEGAL.md §1.3, checklist 19-20, 23-25)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from estimator.errors import InvalidInputError, OutsideLawError
from estimator.law.statutes import REGIMES, Law, select_regime

D = Decimal


@pytest.mark.parametrize(
    ("law", "start", "end", "regime_id"),
    [
        pytest.param(Law.COPYRIGHT, dt.date(2021, 6, 1), None, "copyright-2020", id="checklist-19: on 2021-06-01"),
        pytest.param(Law.COPYRIGHT, dt.date(2021, 5, 31), None, "copyright-2010", id="checklist-19: day before"),
        pytest.param(
            Law.COPYRIGHT, dt.date(2021, 5, 1), dt.date(2021, 7, 1), "copyright-2020", id="checklist-20: continuing act"
        ),
        pytest.param(Law.COPYRIGHT, dt.date(2005, 1, 1), None, "copyright-2001", id="LEGAL-1.2: 2001 text"),
        pytest.param(Law.TRADEMARK, dt.date(2019, 11, 1), None, "trademark-2019", id="checklist-23: 2019 text"),
        pytest.param(Law.TRADEMARK, dt.date(2019, 10, 31), None, "trademark-2013", id="checklist-23: 2013 text"),
        pytest.param(Law.PATENT, dt.date(2021, 6, 1), None, "patent-2020", id="checklist-24: 2020 text"),
        pytest.param(Law.PATENT, dt.date(2015, 1, 1), None, "patent-2008", id="checklist-24: 2008 text"),
        pytest.param(Law.UNFAIR_COMPETITION, dt.date(2019, 4, 23), None, "unfair_competition-2019", id="checklist-25"),
    ],
)
def test_regime_is_the_one_in_force_on_the_last_day_of_the_act(
    law: Law, start: dt.date, end: dt.date | None, regime_id: str
) -> None:
    assert select_regime(law, start, end).id == regime_id


@pytest.mark.parametrize(
    ("regime_id", "floor", "cap", "punitive"),
    [
        pytest.param("copyright-2020", 500, 5_000_000, (1, 5), id="checklist-19: 500-5,000,000, 1-5x"),
        pytest.param("copyright-2010", 0, 500_000, None, id="checklist-19: no floor, 500,000, no punitive"),
        pytest.param("trademark-2019", 0, 5_000_000, (1, 5), id="checklist-23"),
        pytest.param("trademark-2013", 0, 3_000_000, (1, 3), id="checklist-23: 1-3x"),
        pytest.param("patent-2020", 30_000, 5_000_000, (1, 5), id="checklist-24"),
        pytest.param("patent-2008", 10_000, 1_000_000, None, id="checklist-24: no punitive"),
    ],
)
def test_bounds_and_punitive_range(regime_id: str, floor: int, cap: int, punitive: tuple[int, int] | None) -> None:
    regime = next(r for r in REGIMES if r.id == regime_id)
    assert (regime.statutory_floor, regime.statutory_cap) == (D(floor), D(cap))
    got = None if regime.punitive_min is None else (regime.punitive_min, regime.punitive_max)
    assert got == (None if punitive is None else (D(punitive[0]), D(punitive[1])))


def test_versions_of_one_law_do_not_overlap_or_leave_gaps() -> None:
    for law in Law:
        versions = sorted((r for r in REGIMES if r.law is law), key=lambda r: r.effective_from)
        for earlier, later in itertools.pairwise(versions):
            assert earlier.effective_to is not None
            assert earlier.effective_to + dt.timedelta(days=1) == later.effective_from, (earlier.id, later.id)
        assert versions[-1].effective_to is None


def test_every_regime_cites_a_source() -> None:
    assert all(regime.sources for regime in REGIMES)


def test_act_before_coverage_is_outside_the_law() -> None:
    with pytest.raises(OutsideLawError) as caught:
        select_regime(Law.COPYRIGHT, dt.date(1995, 1, 1))
    assert caught.value.field == "act_start"


def test_act_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        select_regime(Law.COPYRIGHT, dt.date(2022, 1, 1), dt.date(2021, 1, 1))
    assert caught.value.field == "act_end"
