"""Charts of estimates, claim advice and held-out reliability, drawn from real inputs (the seed cases)."""

from __future__ import annotations

import math
import re
import string
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from io import BytesIO

import matplotlib
import msgspec
import pytest
from matplotlib import _pylab_helpers
from matplotlib.image import imread

from api import charts
from api.charts import ChartFormat, advice_chart, award_chart, cjk_font, reliability_chart
from calibration.evaluate import Evaluation, evaluate
from calibration.records import bundled_records
from estimator.model.advice import ClaimAdvice, advise_claim
from estimator.model.artifact import FittedModel, default_model
from estimator.model.case import Case
from estimator.model.estimate import Estimate, Evidence, Question, estimate_cases

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BLOGGER = Case(
    law_version="2020",
    work_type="ai_image",
    plaintiff_type="individual",
    defendant_type="individual",
    commercial_use=False,
    claimed_economic_loss=5000,
)
FILM = Case(law_version="2020", work_type="film", claimed_economic_loss=2_000_000, claimed_expenses=50_000)

Chart = Callable[..., bytes]


@pytest.fixture(scope="module")
def model() -> FittedModel:
    return default_model()


@pytest.fixture(scope="module")
def blogger(model: FittedModel) -> Estimate:
    return estimate_cases(model, [Question(case=BLOGGER)])[0]


@pytest.fixture(scope="module")
def film(model: FittedModel) -> Estimate:
    return estimate_cases(model, [Question(case=FILM)])[0]


@pytest.fixture(scope="module")
def advice(model: FittedModel) -> ClaimAdvice:
    return advise_claim(model, Question(case=BLOGGER), assessed_loss=5000, your_claim=5_000_000, points=30)


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate(bundled_records(), folds=5)


@pytest.fixture(scope="module")
def seeds(blogger: Estimate, advice: ClaimAdvice, evaluation: Evaluation) -> dict[str, Callable[..., bytes]]:
    """Each chart bound to its seed input, so one test can run over all three."""
    return {
        "award": lambda **kw: award_chart(blogger, **kw),
        "advice": lambda **kw: advice_chart(advice, **kw),
        "reliability": lambda **kw: reliability_chart(evaluation, **kw),
    }


@pytest.fixture(scope="module")
def pngs(seeds: dict[str, Chart]) -> dict[str, bytes]:
    """The English PNG of each seed chart, drawn once for the tests that only read it."""
    return {name: chart() for name, chart in seeds.items()}


def _png_shape(data: bytes) -> tuple[int, ...]:
    assert data.startswith(PNG_SIGNATURE)
    return tuple(imread(BytesIO(data)).shape)


def _svg_text(data: bytes) -> str:
    """All text in an SVG document (titles live in its metadata; labels are drawn as paths)."""
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    return "".join(root.itertext())


CHARTS = ["award", "advice", "reliability"]


@pytest.mark.parametrize("name", CHARTS)
def test_png_decodes_to_an_image_of_a_readable_size(name: str, pngs: dict[str, bytes]) -> None:
    height, width, *_ = _png_shape(pngs[name])
    assert height >= 400
    assert width >= 600


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("award", "Award for economic loss"),
        ("advice", "What to claim"),
        ("reliability", "Held-out reliability"),
    ],
)
def test_svg_is_xml_named_by_its_title(name: str, title: str, seeds: dict[str, Chart]) -> None:
    data = seeds[name](fmt="svg")
    assert b"<svg" in data
    assert title in _svg_text(data)


def test_same_input_gives_the_same_png(seeds: dict[str, Chart], pngs: dict[str, bytes]) -> None:
    # PNGs carry no date, so one can be cached and compared by its bytes (SVG element ids are random).
    assert seeds["award"](fmt="png") == pngs["award"]


def test_award_chart_differs_by_case(film: Estimate, pngs: dict[str, bytes]) -> None:
    assert award_chart(film) != pngs["award"]


def test_advice_chart_differs_with_and_without_your_claim(model: FittedModel, pngs: dict[str, bytes]) -> None:
    without = advise_claim(model, Question(case=BLOGGER), assessed_loss=5000, points=30)
    assert without.your_claim is None
    assert advice_chart(without) != pngs["advice"]


def test_reliability_title_carries_the_coverage(evaluation: Evaluation) -> None:
    text = _svg_text(reliability_chart(evaluation, fmt="svg"))
    assert f"{evaluation.model.coverage_80:.1%}" in text
    assert f"{evaluation.model.coverage_50:.1%}" in text
    assert f"{evaluation.n_evaluated} cases" in text


def test_a_proved_amount_and_a_case_without_a_claim_still_chart(model: FittedModel) -> None:
    proved, unclaimed = estimate_cases(
        model,
        [
            Question(case=FILM, evidence=Evidence(actual_loss=300_000)),
            Question(case=Case(law_version="2010", work_type="photograph")),
        ],
    )
    assert proved.economic_loss.p10 == proved.economic_loss.p90  # all the mass on one figure
    assert unclaimed.court_fees.fee_due is None
    for estimate in (proved, unclaimed):
        height, width, *_ = _png_shape(award_chart(estimate))
        assert height >= 400
        assert width >= 600


def test_a_proved_amount_above_the_statutory_cap_is_bounded_by_the_claim_alone(model: FittedModel) -> None:
    claimed, unclaimed = estimate_cases(
        model,
        [
            Question(
                case=Case(law_version="2020", claimed_economic_loss=10_000_000), evidence=Evidence(actual_loss=8e6)
            ),
            Question(case=Case(law_version="2020"), evidence=Evidence(actual_loss=8e6)),
        ],
    )
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # labels as <text>, not paths, to read them
        text = _svg_text(award_chart(claimed, fmt="svg"))
        assert "cap: the claim, 10,000,000" in text
        assert "statutory maximum" not in text
        # Nothing bounds it but the amount itself: no cap is marked ("cap: …" in the legend, "cap … →" at the edge).
        assert not re.search(r"\bcap[: ]", _svg_text(award_chart(unclaimed, fmt="svg")))


@pytest.mark.parametrize("claim", [1, 2, 5])
def test_a_claim_of_a_few_yuan_without_a_floor_charts(model: FittedModel, claim: int) -> None:
    """The 2010 law has no floor: the award's p10 rounds to 0 yuan, which a log axis cannot show."""
    (estimate,) = estimate_cases(model, [Question(case=Case(law_version="2010", claimed_economic_loss=claim))])
    height, width, *_ = _png_shape(award_chart(estimate))
    assert (height, width) > (400, 600)


@pytest.mark.parametrize("name", CHARTS)
def test_chinese_renders_without_warnings(name: str, seeds: dict[str, Chart], pngs: dict[str, bytes]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would be a UserWarning
        chinese = seeds[name](lang="zh")
    _png_shape(chinese)
    if cjk_font() is None:
        # No CJK font installed: the English chart, rather than boxes for every character.
        assert chinese == pngs[name]
    else:
        assert chinese != pngs[name]


def test_label_tables_agree() -> None:
    assert charts._EN.keys() == charts._ZH.keys()
    fields = string.Formatter()
    for key, english in charts._EN.items():
        named = {f for _, f, _, _ in fields.parse(english) if f}
        assert named == {f for _, f, _, _ in fields.parse(charts._ZH[key]) if f}, key


def test_the_redrawn_curve_reproduces_the_estimates_quantiles(film: Estimate) -> None:
    fit = charts._lognormal_through(film)
    assert fit is not None
    mu, sd = fit
    loss = film.economic_loss
    quantiles = {-1.2816: loss.p10, -0.6745: loss.p25, 0.0: loss.p50, 0.6745: loss.p75, 1.2816: loss.p90}
    for z, quantile in quantiles.items():
        assert math.exp(mu + sd * z) == pytest.approx(quantile, rel=0.01)


def test_charts_leave_no_pyplot_figures_behind(blogger: Estimate) -> None:
    before = _pylab_helpers.Gcf.get_num_fig_managers()
    award_chart(blogger, fmt="svg")
    assert _pylab_helpers.Gcf.get_num_fig_managers() == before


def test_unknown_format_is_refused(blogger: Estimate) -> None:
    with pytest.raises(ValueError, match="png"):
        award_chart(blogger, fmt="gif")  # type: ignore[arg-type]  # the wrong value is the point


def test_media_types_cover_every_format() -> None:
    formats: list[ChartFormat] = ["png", "svg"]
    assert [charts.MEDIA_TYPES[f] for f in formats] == ["image/png", "image/svg+xml"]


def test_the_chinese_footnote_cites_the_article_in_chinese_numerals(blogger: Estimate) -> None:
    chinese = charts._Style(charts._ZH, {})  # as drawn with a CJK font, which this machine may not have
    law_line = charts._award_footnote(blogger, chinese, point=False)[0]
    assert "著作权法（2020年修正）第五十四条" in law_line, law_line


def test_reliability_groups_hold_at_least_five_cases_and_an_empty_bar_says_0(evaluation: Evaluation) -> None:
    """Ten deciles of 1 or 2 cases say nothing; a bar of height 0 would read as missing data."""
    small = msgspec.structs.replace(evaluation, held_out=evaluation.held_out[:12], n_evaluated=12)
    missed = msgspec.structs.replace(
        small, held_out=[msgspec.structs.replace(h, observed=h.p90 * 10) for h in small.held_out]
    )
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        full, grouped, empty = (reliability_chart(e, fmt="svg") for e in (evaluation, small, missed))
    assert "coverage by decile" in _svg_text(full)
    assert "coverage in 2 equal groups by predicted median (6 cases a group)" in _svg_text(grouped)
    assert "decile" not in _svg_text(grouped)
    # The y axis says "0%" once; each empty bar (2 groups x the 80% and 50% ranges) says it too.
    assert [_labels(chart).count("0%") for chart in (grouped, empty)] == [1, 5]


def _labels(svg: bytes) -> list[str]:
    """Each text element's text, in an SVG drawn with text as text."""
    return ["".join(e.itertext()).strip() for e in ET.fromstring(svg).iter() if e.tag.endswith("}text")]
