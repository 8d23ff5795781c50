"""Charts of an estimate, of claim advice and of the model's held-out reliability, as PNG or SVG bytes.

Each call builds its own `matplotlib.figure.Figure` with an Agg canvas, saves it to memory and drops
it: pyplot is never used, because it keeps every figure in a process-wide registry that is neither
thread-safe nor freed unless closed, and a server draws many charts at once. The only process-wide
effect is `matplotlib.use("Agg")`, so anything else that does touch pyplot never looks for a display.

Money is drawn on log axes (5,000 and 5,000,000 yuan are both ordinary awards) with thousands
separators. The award chart redraws the model's predictive distribution from the estimate alone: a
log-normal fitted through the quantiles the estimate reports (and through the floor and cap at the
probabilities it puts on them), clipped at the statutory floor and the cap, with the point masses at
the floor and at the full claim as bars. This matches the censored log-normal the estimator uses.

Chinese labels (`lang="zh"`) need a font with CJK glyphs, which matplotlib does not ship. The
installed fonts are searched once for one that covers every character the Chinese labels use (Noto
Sans CJK, Source Han Sans, WenQuanYi, Droid Sans Fallback and the like are tried first). If none is
installed the chart is drawn with the English labels instead: drawing Chinese in a font without the
glyphs gives empty boxes and a "Glyph ... missing from font" warning per character, which helps
nobody. `cjk_font()` says which font, if any, is used.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, fontManager
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, PercentFormatter
from matplotlib.transforms import ScaledTranslation

from calibration.evaluate import Evaluation
from calibration.fit import covered
from estimator.language import ARTICLE_NUMBER_CHARACTERS, Language, article_number_zh
from estimator.law.statutes import copyright_regime
from estimator.model.advice import ClaimAdvice, ClaimOption
from estimator.model.estimate import QUANTILES, Estimate
from estimator.model.features import FloatArray

# No display on a server: whatever else in the process imports pyplot gets the file-only backend.
matplotlib.use("Agg")

ChartFormat = Literal["png", "svg"]
MEDIA_TYPES: dict[ChartFormat, str] = {"png": "image/png", "svg": "image/svg+xml"}

DPI = 100
AWARD_FIGSIZE = (10.5, 7.2)  # inches: the award chart's size
_NORMAL = NormalDist()
# Colours: blues for the model's distribution, orange for point masses, purple for fees, red for
# the claimant's own claim and for misses; chosen to stay distinct for the common colour blindnesses.
_CURVE, _BAND80, _BAND50, _MEDIAN = "#1f4e79", "#c6dbef", "#6baed6", "#08306b"
_MASS, _FEE, _SHARE, _BOUND = "#e6550d", "#756bb1", "#54278f", "#555555"
_NET, _AWARD, _YOURS, _INSIDE, _OUTSIDE = "#1f4e79", "#41ab5d", "#d62728", "#2c7fb8", "#d62728"

# --- labels -------------------------------------------------------------------------------------------

_EN: dict[str, str] = {
    "award_title": "Award for economic loss: the model's predictive distribution",
    "award_subtitle": "median {p50} yuan · 50% range {p25}–{p75} · 80% range {p10}–{p90} · mean {mean}",
    "award_x": "award for economic loss (yuan, log scale)",
    "award_y": "probability density (per unit of ln yuan)",
    "award_y2": "chance of exactly this amount",
    "curve": "predictive distribution (model)",
    "range80": "80% range (p10–p90)",
    "range50": "50% range (p25–p75)",
    "median": "median {amount}",
    "floor": "statutory floor {amount}",
    "cap_claim": "cap: the claim, {amount}",
    "cap_statute": "cap: statutory maximum, {amount}",
    "cap_off": "cap {amount} →",
    "mass_floor": "P(award = floor) {p}",
    "mass_cap": "P(award = full claim) {p}",
    "point": "certain award {amount}",
    "fee_due": "court fee due {amount}",
    "fee_share": "your expected fee share {amount} (fitted split)",
    "off_low": "← off scale: {what}",
    "award_foot_law": "{route}, {statute} {article} · expected net recovery {net} yuan · P(net < 0) = {p_neg}",
    "award_foot_fee": "Court fee {fee} yuan, of which you are expected to bear {share} (fitted split)",
    "award_foot_nofee": "No amount claimed, so no court fee is computed",
    "award_foot_expenses": " · expected supported expenses {expenses} yuan",
    "award_foot_point": "Bar: the only possible award (an amount proved, or a claim no higher than the floor).",
    "award_subtitle_point": "the award is {amount} yuan with certainty",
    "award_foot_curve": "Curve: the model's predictive distribution (log-normal through the estimate's quantiles, "
    "clipped at floor and cap); bars: chance of exactly the floor or the full claim.",
    "route_statutory": "Statutory damages",
    "route_actual_loss": "Actual loss",
    "route_illegal_gains": "Infringer's illegal gains",
    "route_royalty": "Royalty multiple",
    "advice_title": "What to claim: expected net recovery against the amount claimed",
    "advice_subtitle": "best claim {best} yuan (net {best_net}) · smallest within 5% of best: {near} (net {near_net})",
    "advice_subtitle_yours": "your claim {yours}: net {yours_net}, P(losing money) {p_loss}",
    "advice_x": "amount claimed (yuan, log scale)",
    "advice_y": "yuan",
    "net": "expected net recovery",
    "award_p50": "median award",
    "fee_line": "your expected court fee (fitted split)",
    "best": "best: {claim} → {net}",
    "near": "within 5%: {claim} → {net}",
    "yours": "your claim {claim} → {net}",
    "stat_cap": "statutory cap {amount}",
    "p_loss_y": "P(losing money)",
    "advice_foot": "Assumption: the award model reads your assessed loss ({assessed}); the amount claimed only caps "
    "the award and sets the court fee and its split — asking more does not raise the award.",
    "assessed_none": "not given: the range comes from the facts alone",
    "rel_title": "Held-out reliability: 80% ranges held {c80} of awards, 50% ranges {c50} ({n} cases, {scheme})",
    "rel_a_title": "(a) predicted 80% range and actual award, cases sorted by predicted median",
    "rel_a_x": "held-out case, sorted by predicted median",
    "rel_a_y": "award (yuan, log scale)",
    "rel_range80": "predicted 80% range (p10–p90)",
    "rel_range50": "predicted 50% range (p25–p75)",
    "rel_median": "predicted median",
    "rel_inside": "actual award, inside 80% range",
    "rel_outside": "actual award, outside",
    "rel_b_title": "(b) coverage by decile of the predicted median ({size} cases per decile)",
    "rel_b_x": "decile of the predicted median (yuan)",
    "rel_b_title_groups": "(b) coverage in {k} equal groups by predicted median ({size} cases a group)",
    "rel_b_x_groups": "group of cases by predicted median (yuan)",
    "rel_b_y": "share of cases inside",
    "cov80": "inside 80% range",
    "cov50": "inside 50% range",
    "nominal80": "nominal 80%",
    "nominal50": "nominal 50%",
    "rel_foot": "Each case is predicted by a model fitted without it ({scheme} cross-validation, the interval scale "
    "chosen inside each fold). Median absolute log error {male} (a typical miss of ×{factor}).",
    "scheme_loo": "leave-one-out",
    "scheme_k": "{k}-fold",
}

_ZH: dict[str, str] = {
    "award_title": "经济损失赔偿额：模型的预测分布",
    "award_subtitle": "中位数 {p50} 元 · 50%区间 {p25}–{p75} · 80%区间 {p10}–{p90} · 均值 {mean}",
    "award_x": "经济损失赔偿额（元，对数刻度）",
    "award_y": "概率密度（每单位 ln 元）",
    "award_y2": "恰为该金额的概率",
    "curve": "预测分布（模型）",
    "range80": "80%区间（p10–p90）",
    "range50": "50%区间（p25–p75）",
    "median": "中位数 {amount}",
    "floor": "法定赔偿下限 {amount}",
    "cap_claim": "上限：诉讼请求 {amount}",
    "cap_statute": "上限：法定赔偿上限 {amount}",
    "cap_off": "上限 {amount} →",
    "mass_floor": "P(判赔 = 下限) {p}",
    "mass_cap": "P(全额支持) {p}",
    "point": "确定判赔 {amount}",
    "fee_due": "应交诉讼费 {amount}",
    "fee_share": "预计由您负担的诉讼费 {amount}（拟合分担）",
    "off_low": "← 超出刻度：{what}",
    "award_foot_law": "{route}，{statute}{article} · 预期净回收 {net} 元 · P(净回收 < 0) = {p_neg}",
    "award_foot_fee": "诉讼费 {fee} 元，预计由您负担 {share} 元（拟合分担）",
    "award_foot_nofee": "未提出金额请求，无法计算诉讼费",
    "award_foot_expenses": " · 预计获支持的合理开支 {expenses} 元",
    "award_foot_point": "柱：唯一可能的判赔额（已证明的金额，或不高于法定下限的诉讼请求）。",
    "award_subtitle_point": "判赔确定为 {amount} 元",
    "award_foot_curve": "曲线：模型的预测分布（过估计分位数的对数正态分布，在下限与上限处截断）；"
    "柱：恰为下限或全额支持的概率。",
    "route_statutory": "法定赔偿",
    "route_actual_loss": "实际损失",
    "route_illegal_gains": "侵权人的违法所得",
    "route_royalty": "权利使用费倍数",
    "advice_title": "主张多少：预期净回收与主张金额",
    "advice_subtitle": "最佳主张 {best} 元（净回收 {best_net}）· "
    "与最佳相差5%以内的最小主张 {near}（净回收 {near_net}）",
    "advice_subtitle_yours": "您的主张 {yours}：净回收 {yours_net}，亏损概率 {p_loss}",
    "advice_x": "主张金额（元，对数刻度）",
    "advice_y": "元",
    "net": "预期净回收",
    "award_p50": "判赔中位数",
    "fee_line": "预计由您负担的诉讼费（拟合分担）",
    "best": "最佳：{claim} → {net}",
    "near": "5%以内：{claim} → {net}",
    "yours": "您的主张 {claim} → {net}",
    "stat_cap": "法定上限 {amount}",
    "p_loss_y": "P(亏损)",
    "advice_foot": "假设：赔偿模型读取您自行评估的损失（{assessed}）；主张金额只限定判赔上限并决定诉讼费及其分担，"
    "多主张不会提高判赔。",
    "assessed_none": "未提供：区间仅由案件事实得出",
    "rel_title": "留出检验：80%区间覆盖 {c80} 的判赔，50%区间覆盖 {c50}（{n} 件，{scheme}）",
    "rel_a_title": "(a) 预测80%区间与实际判赔，按预测中位数排序",
    "rel_a_x": "留出案件（按预测中位数排序）",
    "rel_a_y": "判赔额（元，对数刻度）",
    "rel_range80": "预测80%区间（p10–p90）",
    "rel_range50": "预测50%区间（p25–p75）",
    "rel_median": "预测中位数",
    "rel_inside": "实际判赔，在80%区间内",
    "rel_outside": "实际判赔，在区间外",
    "rel_b_title": "(b) 按预测中位数十分位的覆盖率（每组 {size} 件）",
    "rel_b_x": "预测中位数十分位（元）",
    "rel_b_title_groups": "(b) 按预测中位数等分为 {k} 组的覆盖率（每组 {size} 件）",
    "rel_b_x_groups": "按预测中位数分组（元）",
    "rel_b_y": "落入区间的比例",
    "cov80": "落入80%区间",
    "cov50": "落入50%区间",
    "nominal80": "名义 80%",
    "nominal50": "名义 50%",
    "rel_foot": "每个案件均由不含该案件的模型预测（{scheme}交叉验证，区间尺度在每折内选定）。"
    "对数绝对误差中位数 {male}（典型偏差 ×{factor}）。",
    "scheme_loo": "留一法",
    "scheme_k": "{k}折",
}

_LABELS: Mapping[Language, Mapping[str, str]] = {"en": _EN, "zh": _ZH}

# Families known to carry the CJK Unified Ideographs, tried before scanning every installed font.
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Arial Unicode MS",
)


def _chinese_characters() -> set[str]:
    """Every non-ASCII character the Chinese charts can draw: the labels and the statute titles."""
    text = "".join(_ZH.values()) + "".join(copyright_regime(v).title_zh for v in ("2001", "2010", "2020"))
    return {c for c in text if ord(c) > 127} | ARTICLE_NUMBER_CHARACTERS


def _covers(path: str, characters: Sequence[str]) -> bool:
    try:
        font = FT2Font(path)
    except (OSError, RuntimeError):  # an unreadable or unsupported font file is simply not a candidate
        return False
    return all(font.get_char_index(ord(c)) for c in characters)


@functools.cache
def cjk_font() -> str | None:
    """The family of an installed font that has every glyph of the Chinese labels, or None.

    Cached for the process: fonts are not installed under a running server. Characters the default
    font (DejaVu Sans) has need not be in it, because Chinese text is drawn with that font as the
    per-glyph fallback. matplotlib's own "Last Resort" font maps every code point to a box and is
    never the answer.
    """
    default = FT2Font(findfont(FontProperties(family="DejaVu Sans")))
    # Ideographs first, so a font without them is rejected at the first character.
    needed = sorted((c for c in _chinese_characters() if not default.get_char_index(ord(c))), reverse=True)
    known = {name: rank for rank, name in enumerate(_CJK_FAMILIES)}
    for entry in sorted(fontManager.ttflist, key=lambda f: known.get(f.name, len(known))):
        if not entry.name.startswith("Last Resort") and _covers(entry.fname, needed):
            return str(entry.name)
    return None


@dataclass(frozen=True)
class _Style:
    """The labels of one language and the font keyword arguments that draw them."""

    text: Mapping[str, str]
    font: Mapping[str, Any]  # keyword arguments for every text call; empty means matplotlib's default

    def __call__(self, key: str, **values: object) -> str:
        return self.text[key].format(**values)

    def legend_font(self, size: float) -> dict[str, Any]:
        return {"size": size, **({"family": self.font["fontfamily"]} if self.font else {})}


def _style(lang: Language) -> _Style:
    if lang == "zh":
        family = cjk_font()
        if family is not None:
            return _Style(_ZH, {"fontfamily": [family, "DejaVu Sans"]})
    return _Style(_EN, {})


# --- formatting ---------------------------------------------------------------------------------------


def _yuan(amount: float) -> str:
    """Whole yuan with thousands separators and a true minus sign (12,500; −3,408)."""
    text = f"{amount:,.0f}"
    return text.replace("-", "−") if text != "-0" else "0"


def _percent(p: float) -> str:
    return f"{p:.1%}" if p >= 0.001 or p == 0 else "<0.1%"


def _money_axis(axis: Axis, low: float, high: float) -> None:
    """Log-scale money ticks labelled 1,000 / 2,000 / 5,000…; only decades when the range is wide."""
    decades = math.log10(high / low)
    subs = (1.0, 2.0, 5.0) if decades <= 3.2 else (1.0,) if decades > 5.5 else (1.0, 3.0)
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: _yuan(value)))
    axis.set_minor_formatter(NullFormatter())


def _signed_money_axis(axis: Axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: _yuan(value)))


# --- layout -------------------------------------------------------------------------------------------
#
# Margins are measured and set by hand rather than by matplotlib's constrained layout: that engine
# draws the whole figure once more before saving and costs more than half the render time, while
# the few things that vary here (tick label widths, legend and footnote heights) measure cheaply.


def _figure(width: float, height: float) -> tuple[Figure, RendererAgg]:
    """A figure with its own Agg canvas (nothing registered with pyplot) and a renderer to measure with."""
    figure = Figure(figsize=(width, height), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    return figure, canvas.get_renderer()  # type: ignore[no-untyped-call]  # backend_agg is unannotated


def _size(artist: Artist, renderer: RendererAgg) -> tuple[float, float]:
    """Width and height of an artist in inches, measured without drawing the figure."""
    box = artist.get_window_extent(renderer)
    return box.width / DPI, box.height / DPI


def _ticks_width(axis: Axis, renderer: RendererAgg) -> float:
    """Inches taken by an axis's widest tick label, for the margin beside it."""
    return max((_size(t, renderer)[0] for t in axis.get_majorticklabels() if t.get_text()), default=0.0)


def _place(
    figure: Figure, *, left: float, right: float, top: float, bottom: float, panels: int = 1, gap: float = 0.0
) -> None:
    """Set the margins around the axes in inches; `gap` separates `panels` stacked panels."""
    width, height = figure.get_size_inches()
    mean_panel = (height - top - bottom - gap * (panels - 1)) / panels
    figure.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        hspace=gap / mean_panel,
    )


def _titles(figure: Figure, style: _Style, title: str, subtitle: Text, renderer: RendererAgg) -> float:
    """Put the title at the top; the margin above the axes that holds it and the (axes) subtitle."""
    height = figure.get_size_inches()[1]
    heading = figure.suptitle(title, y=1 - 0.1 / height, va="top", fontsize=14, fontweight="bold", **style.font)
    return 0.1 + _size(heading, renderer)[1] + 0.12 + _size(subtitle, renderer)[1] + 0.1


def _footnote(figure: Figure, style: _Style, lines: Sequence[str]) -> Text:
    """Key numbers and how to read the chart, under it."""
    width, height = figure.get_size_inches()
    return figure.text(
        0.1 / width, 0.1 / height, "\n".join(lines), ha="left", va="bottom", fontsize=8.5, color="#333333", **style.font
    )


def _save(figure: Figure, fmt: ChartFormat, title: str) -> bytes:
    """The figure as bytes; SVG keeps text as paths (no font needed to view it) and names itself."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"chart format must be one of {sorted(MEDIA_TYPES)}, got {fmt!r}")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=DPI, metadata={"Title": title})
    figure.clear()  # drop the artists now rather than whenever the collector gets to the cycle
    return buffer.getvalue()


# --- 1. the award distribution ------------------------------------------------------------------------


def _lognormal_through(estimate: Estimate) -> tuple[float, float] | None:
    """(mu, sd) of ln(award) fitted to the points the estimate pins down; None for a point mass.

    Quantiles at the floor or the cap are censored and say only that the mass there is at least so
    much, so they are left out; the floor and cap enter instead at the probabilities the estimate
    gives them (P(award <= floor) = p_floor, P(award >= cap) = p_full_claim). A least-squares line
    through (z, ln amount) recovers the estimator's own parameters up to rounding.
    """
    loss, law = estimate.economic_loss, estimate.law
    points: list[tuple[float, float]] = []
    amounts = (loss.p10, loss.p25, loss.p50, loss.p75, loss.p90)
    for probability, amount in zip(QUANTILES, amounts, strict=True):
        if law.floor * 1.000001 < amount < law.cap * 0.999999:
            points.append((_NORMAL.inv_cdf(probability), math.log(amount)))
    # The masses are rounded to 4 decimals, which leaves a tiny one (0.0001) with no usable z; they
    # count only when large enough to be exact or when the quantiles alone cannot fix the line.
    usable = 0.01 if len(points) >= 2 else 0.0
    if law.floor > 0 and usable < loss.p_floor < 1:
        points.append((_NORMAL.inv_cdf(loss.p_floor), math.log(law.floor)))
    if usable < loss.p_full_claim < 1:
        points.append((_NORMAL.inv_cdf(1 - loss.p_full_claim), math.log(law.cap)))
    if len({z for z, _ in points}) < 2:
        return None
    z = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    sd, mu = np.polyfit(z, y, 1)
    if not sd > 1e-3:  # a proved amount: the estimator's spread is 1e-9, drawn as a single bar
        return None
    return float(mu), float(sd)


def _log_density(x: FloatArray, mu: float, sd: float) -> FloatArray:
    """Density of ln(award) at the amounts x: the natural height on a log axis."""
    z = (np.log(x) - mu) / sd
    density: FloatArray = np.exp(-0.5 * z * z) / (sd * math.sqrt(2 * math.pi))
    return density


def _mass_bar(axes: tuple[Axes, Axes], x: float, height: float, color: str, label: str, side: int = 0) -> None:
    """A bar at x on the first axes with its chance written on top, equally wide anywhere on a log axis.

    The percentage goes on the second axes (the one drawn last) so no shaded band hides it. `side` -1
    puts the bar just left of x and +1 just right: the masses at the floor and at the cap then stand
    outside the curve's support instead of under it.
    """
    axis, front = axes
    half = 10**0.015
    left, right = {-1: (x / half**2, x), 0: (x / half, x * half), 1: (x, x * half**2)}[side]
    axis.bar(left, height, width=right - left, align="edge", color=color, alpha=0.9, label=label, zorder=3)
    # Beside a bound the percentage stands over the bar's outer edge, off the bound's line and the curve.
    front.annotate(
        _percent(height),
        xy=({-1: right, 0: math.sqrt(left * right), 1: left}[side], height),
        xycoords=axis.transData,
        xytext=(0, 3),
        textcoords="offset points",
        ha={-1: "right", 0: "center", 1: "left"}[side],
        va="bottom",
        fontsize=8.5,
        fontweight="bold",
        color=color,
    )


def award_chart(estimate: Estimate, *, fmt: ChartFormat = "png", lang: Language = "en") -> bytes:
    """The award's predictive distribution, its ranges, the floor and cap, and the court fee.

    `lang="zh"` draws Chinese labels when a CJK font is installed (see `cjk_font`), else English.
    """
    figure, title = award_figure(estimate, lang=lang)
    return _save(figure, fmt, title)


def award_figure(estimate: Estimate, *, lang: Language = "en") -> tuple[Figure, str]:
    """The award chart's figure, built and laid out but not yet drawn, and its title."""
    style = _style(lang)
    loss, law, fees = estimate.economic_loss, estimate.law, estimate.court_fees
    # The statutory floor binds statutory damages only; a proved loss is awarded as proved.
    floor = law.floor if law.route == "statutory" and law.floor > 0 else None
    cap = law.cap
    fit = _lognormal_through(estimate)
    statute_cap = float(copyright_regime(law.version).statutory_cap)

    # The x range holds the floor, the mass and the cap; a cap far beyond where the mass is (a
    # 5,000,000 statutory maximum over awards in the thousands) is pointed to at the edge instead.
    if fit is not None:
        low_mass, high_mass = math.exp(fit[0] - 3.1 * fit[1]), math.exp(fit[0] + 3.1 * fit[1])
    else:
        low_mass = high_mass = loss.p50
    # Awards are whole yuan: a claim of a few yuan without a floor (2010 law) rounds its p10 to 0.
    low = max(min(floor if floor is not None else low_mass, loss.p10, loss.p50), 1.0)
    cap_shown = cap <= max(high_mass, loss.p90) * 40
    high = cap if cap_shown else min(cap, max(high_mass, loss.p90 * 3))
    x_min, x_max = low / 10**0.3, high * 10**0.3

    figure, renderer = _figure(*AWARD_FIGSIZE)
    axis = figure.add_subplot()
    masses = axis.twinx()
    # Draw the density axis over the bars' axis (its background hidden), so the curve and the median
    # stay visible where a point-mass bar stands at the same amount.
    axis.set_zorder(masses.get_zorder() + 1)
    axis.patch.set_visible(False)
    axis.set_xscale("log")
    axis.set_xlim(x_min, x_max)

    if fit is not None:
        mu, sd = fit
        lo_curve = floor if floor is not None else x_min
        grid = np.geomspace(lo_curve, min(cap, x_max), 500)
        density = _log_density(grid, mu, sd)
        axis.plot(grid, density, color=_CURVE, linewidth=2.2, label=style("curve"), zorder=4)
        for q_low, q_high, colour, key in (
            (loss.p10, loss.p90, _BAND80, "range80"),
            (loss.p25, loss.p75, _BAND50, "range50"),
        ):
            start = max(q_low, lo_curve)
            band = np.geomspace(start, max(q_high, start * 1.0001), 200)
            axis.fill_between(band, _log_density(band, mu, sd), color=colour, label=style(key), zorder=2, linewidth=0)
        median_height = float(_log_density(np.array([loss.p50]), mu, sd)[0])
        median_label = style("median", amount=_yuan(loss.p50))
        axis.vlines(loss.p50, 0, median_height, color=_MEDIAN, linewidth=2, label=median_label, zorder=5)
        axis.annotate(
            median_label,
            xy=(loss.p50, median_height),
            xytext=(4, 6),
            textcoords="offset points",
            fontsize=9,
            color=_MEDIAN,
            **style.font,
        )
        axis.set_ylim(0, float(density.max()) * 1.32)  # headroom for the labels above the curve
        axis.set_ylabel(style("award_y"), **style.font)
        # Point masses at the floor and at the full claim, on their own axis: a chance, not a density.
        if floor is not None and loss.p_floor > 0:
            label = style("mass_floor", p=_percent(loss.p_floor))
            _mass_bar((masses, axis), floor, loss.p_floor, _MASS, label, side=-1)
        if loss.p_full_claim > 0 and cap_shown:
            label = style("mass_cap", p=_percent(loss.p_full_claim))
            _mass_bar((masses, axis), cap, loss.p_full_claim, "#f39c4a", label, side=1)
    else:  # a proved amount: all the probability on one figure
        _mass_bar((masses, axis), loss.p50, 1.0, _CURVE, style("point", amount=_yuan(loss.p50)))
        axis.set_ylim(0, 1.32)
        axis.set_yticks([])
    # A fixed 0-100% scale, whatever the masses: a bar's height is its chance at a glance, and a 100%
    # bar stands as high as the curve's peak.
    masses.set_ylim(0, 1.32)
    masses.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    masses.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    masses.set_ylabel(style("award_y2"), color=_MASS, **style.font)
    masses.tick_params(axis="y", colors=_MASS)

    if floor is not None:
        axis.axvline(floor, color=_BOUND, linestyle="--", linewidth=1.2, label=style("floor", amount=_yuan(floor)))
    # Statutory damages stop at the statutory maximum or the claim; a proved amount only at the claim,
    # and with no claim above it (the cap is then the amount itself) there is no bound to mark.
    statutory = law.route == "statutory"
    cap_label = style("cap_claim" if cap < statute_cap or not statutory else "cap_statute", amount=_yuan(cap))
    marked = statutory or cap > loss.p50 * 1.000001
    if marked and cap_shown:
        axis.axvline(cap, color=_BOUND, linestyle=":", linewidth=1.6, label=cap_label)
    elif marked:
        axis.text(
            0.995,
            0.5,
            style("cap_off", amount=_yuan(cap)),
            transform=axis.transAxes,
            ha="right",
            va="center",
            color=_BOUND,
            fontsize=9,
            **style.font,
        )

    # The court fee and the claimant's expected share of it, as amounts on the award axis: an award
    # left of the share line does not even pay the claimant's part of the fee.
    off_scale: list[str] = []
    if fees.fee_due is not None and fees.fitted is not None:
        for amount, key, colour, dash in (
            (fees.fee_due, "fee_due", _FEE, "-."),
            (fees.fitted.plaintiff, "fee_share", _SHARE, (0, (1, 1))),
        ):
            label = style(key, amount=_yuan(amount))
            if x_min <= amount <= x_max:
                axis.axvline(amount, color=colour, linestyle=dash, linewidth=1.4, label=label)
            elif amount > 0:
                off_scale.append(label)
    if off_scale:
        axis.text(
            0.01,
            0.97,
            style("off_low", what="; ".join(off_scale)),
            transform=axis.transAxes,
            ha="left",
            va="top",
            fontsize=8.5,
            color=_SHARE,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#cccccc"},
            zorder=8,
            **style.font,
        )

    _money_axis(axis.xaxis, x_min, x_max)
    axis.set_xlabel(style("award_x"), **style.font)
    axis.grid(axis="x", which="major", color="#e5e5e5", linewidth=0.8)
    handles, labels = axis.get_legend_handles_labels()
    mass_handles, mass_labels = masses.get_legend_handles_labels()
    # Below the plot, not on it: with ten entries any corner would hide part of some distribution.
    # Anchored a fixed distance under the axes (clear of tick labels and x label); the layout engine
    # counts an axes legend, so the footnote goes below it.
    legend = axis.legend(
        handles + mass_handles,
        labels + mass_labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=axis.transAxes + ScaledTranslation(0, -0.5, figure.dpi_scale_trans),
        ncols=3,
        prop=style.legend_font(8.5),
        frameon=False,
    )
    title = style("award_title")
    if fit is not None:
        subtitle = style(
            "award_subtitle",
            p50=_yuan(loss.p50),
            p25=_yuan(loss.p25),
            p75=_yuan(loss.p75),
            p10=_yuan(loss.p10),
            p90=_yuan(loss.p90),
            mean=_yuan(loss.mean),
        )
    else:
        subtitle = style("award_subtitle_point", amount=_yuan(loss.p50))
    top = _titles(
        figure, style, title, axis.set_title(subtitle, fontsize=10.5, color="#333333", **style.font), renderer
    )
    footnote = _footnote(figure, style, _award_footnote(estimate, style, point=fit is None))
    # Under the axes: tick labels and the x label (0.5 in, where the legend is anchored), the legend,
    # then the footnote.
    _place(
        figure,
        left=_ticks_width(axis.yaxis, renderer) + 0.45,
        right=_ticks_width(masses.yaxis, renderer) + 0.45,
        top=top,
        bottom=0.5 + _size(legend, renderer)[1] + 0.15 + _size(footnote, renderer)[1] + 0.1,
    )
    return figure, title


def _award_footnote(estimate: Estimate, style: _Style, *, point: bool) -> list[str]:
    """Route and law, net recovery and its risk; the fee and its split; how to read the chart."""
    law, fees = estimate.law, estimate.court_fees
    chinese = style.text is _ZH
    regime = copyright_regime(law.version)  # the estimate's own labels may be in the other language
    statute = regime.title_zh if chinese else regime.title
    article = article_number_zh(regime.article) if chinese else regime.article
    route_key = f"route_{law.route}"
    lines = [
        style(
            "award_foot_law",
            route=style(route_key) if route_key in style.text else law.route,
            statute=statute,
            article=article,
            net=_yuan(estimate.net_recovery.expected),
            p_neg=_percent(estimate.net_recovery.p_negative),
        )
    ]
    if fees.fee_due is not None and fees.fitted is not None:
        fee_line = style("award_foot_fee", fee=_yuan(fees.fee_due), share=_yuan(fees.fitted.plaintiff))
    else:
        fee_line = style("award_foot_nofee")
    if estimate.expenses.claimed is not None:
        fee_line += style("award_foot_expenses", expenses=_yuan(estimate.expenses.expected_supported))
    lines.append(fee_line)
    lines.append(style("award_foot_point" if point else "award_foot_curve"))
    return lines


# --- 2. claim advice ----------------------------------------------------------------------------------


def advice_chart(advice: ClaimAdvice, *, fmt: ChartFormat = "png", lang: Language = "en") -> bytes:
    """Expected net recovery, median award and the claimant's expected fee against the claim.

    A second panel below, on the same claim axis, shows the chance of losing money. `lang="zh"`
    draws Chinese labels when a CJK font is installed (see `cjk_font`), else English.
    """
    style = _style(lang)
    options = sorted(advice.options, key=lambda o: o.claim)
    claims = np.array([o.claim for o in options])
    net = np.array([o.expected_net_recovery for o in options])
    x_min, x_max = float(claims.min()) / 10**0.15, max(float(claims.max()), advice.statutory_cap) * 10**0.15

    figure, renderer = _figure(10.5, 7.4)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3.2, 1.3))
    top.set_xscale("log")
    top.set_xlim(x_min, x_max)

    top.axhline(0, color="#222222", linewidth=1.0, zorder=1)
    top.plot(claims, [o.award_p50 for o in options], color=_AWARD, linewidth=1.6, label=style("award_p50"))
    top.plot(
        claims,
        [o.plaintiff_fee_expected for o in options],
        color=_FEE,
        linewidth=1.6,
        linestyle="--",
        label=style("fee_line"),
    )
    top.plot(claims, net, color=_NET, linewidth=2.6, label=style("net"), zorder=4)
    top.axvline(advice.statutory_cap, color=_BOUND, linestyle=":", linewidth=1.4)
    bottom.axvline(advice.statutory_cap, color=_BOUND, linestyle=":", linewidth=1.4)

    # A linear y axis: the point of the chart is how far net recovery falls at large claims, which a
    # compressed (symmetric-log) axis would hide. Room above and below for the marker labels.
    values = np.concatenate([net, [o.award_p50 for o in options], [o.plaintiff_fee_expected for o in options]])
    y_low, y_high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    span = max(y_high - y_low, 1.0)
    top.set_ylim(y_low - 0.12 * span, y_high + 0.2 * span)
    _signed_money_axis(top.yaxis)

    marks: list[tuple[ClaimOption, str, str, str, tuple[float, float]]] = [
        (advice.best, "best", _NET, "*", (-12, 22)),
        (advice.smallest_near_best, "near", "#3182bd", "D", (-30, -34)),
    ]
    if advice.your_claim is not None:
        # Above the line, unless the best or near-best label already stands there.
        taken = advice.your_claim.claim in (advice.best.claim, advice.smallest_near_best.claim)
        marks.append((advice.your_claim, "yours", _YOURS, "X", (30, -58) if taken else (-14, 26)))
    for option, key, colour, marker, offset in marks:
        if key == "near" and option.claim == advice.best.claim:
            continue  # the best is also the smallest near it: one label is enough
        label = style(key, claim=_yuan(option.claim), net=_yuan(option.expected_net_recovery))
        size = 15 if marker == "*" else 9
        top.plot(option.claim, option.expected_net_recovery, marker=marker, color=colour, markersize=size, zorder=6)
        bottom.plot(option.claim, option.p_losing_money, marker=marker, color=colour, markersize=size * 0.7, zorder=6)
        right_edge = option.claim > x_max / 10**0.8
        top.annotate(
            label,
            xy=(option.claim, option.expected_net_recovery),
            xytext=(-abs(offset[0]) - 8 if right_edge else offset[0], offset[1]),
            textcoords="offset points",
            ha="right" if right_edge else "center",
            fontsize=9,
            color=colour,
            fontweight="bold",
            arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.8},
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": colour, "alpha": 0.9},
            zorder=7,
            **style.font,
        )
    top.text(
        advice.statutory_cap / 10**0.02,
        0.02,
        style("stat_cap", amount=_yuan(advice.statutory_cap)),
        transform=top.get_xaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=8.5,
        color=_BOUND,
        **style.font,
    )
    top.set_ylabel(style("advice_y"), **style.font)
    top.grid(color="#ececec", linewidth=0.8)
    top.set_axisbelow(True)
    # The legend takes the left corner the net line stays away from at small claims.
    low_claims = net[: max(len(net) // 3, 1)]
    net_is_low = float(low_claims.mean()) < sum(top.get_ylim()) / 2
    top.legend(loc="upper left" if net_is_low else "lower left", prop=style.legend_font(9), framealpha=0.92)

    bottom.fill_between(claims, [o.p_losing_money for o in options], color="#fcbba1", linewidth=0)
    bottom.plot(claims, [o.p_losing_money for o in options], color="#cb181d", linewidth=1.8)
    bottom.set_ylim(0, 1.05)
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    bottom.set_yticks([0, 0.5, 1.0])
    bottom.set_ylabel(style("p_loss_y"), **style.font)
    bottom.grid(color="#ececec", linewidth=0.8)
    bottom.set_axisbelow(True)
    _money_axis(bottom.xaxis, x_min, x_max)
    bottom.set_xlabel(style("advice_x"), **style.font)

    title = style("advice_title")
    subtitle = style(
        "advice_subtitle",
        best=_yuan(advice.best.claim),
        best_net=_yuan(advice.best.expected_net_recovery),
        near=_yuan(advice.smallest_near_best.claim),
        near_net=_yuan(advice.smallest_near_best.expected_net_recovery),
    )
    if advice.your_claim is not None:
        subtitle += "\n" + style(
            "advice_subtitle_yours",
            p_loss=_percent(advice.your_claim.p_losing_money),
            yours=_yuan(advice.your_claim.claim),
            yours_net=_yuan(advice.your_claim.expected_net_recovery),
        )
    top_margin = _titles(
        figure, style, title, top.set_title(subtitle, fontsize=10, color="#333333", **style.font), renderer
    )
    assessed = _yuan(advice.assessed_loss) if advice.assessed_loss is not None else style("assessed_none")
    if advice.assessed_loss is not None and style.text is _EN:
        assessed += " yuan"
    elif advice.assessed_loss is not None:
        assessed += " 元"
    footnote = _footnote(
        figure, style, _wrap(style("advice_foot", assessed=assessed), 150 if style.text is _EN else 75)
    )
    _place(
        figure,
        left=max(_ticks_width(top.yaxis, renderer), _ticks_width(bottom.yaxis, renderer)) + 0.45,
        right=0.3,
        top=top_margin,
        bottom=0.55 + _size(footnote, renderer)[1] + 0.15,
        panels=2,
        gap=0.12,
    )
    return _save(figure, fmt, title)


def _median_span(low: float, high: float) -> str:
    """A group's predicted medians as a tick label: one amount, or the first and last on two lines."""
    return _yuan(low) if _yuan(low) == _yuan(high) else f"{_yuan(low)}–\n{_yuan(high)}"


def _wrap(text: str, width: int) -> list[str]:
    """Break a footnote at spaces (English) or anywhere (Chinese) to at most `width` characters."""
    lines: list[str] = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width)
        cut = cut if cut > width // 2 else width
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*lines, text]


# --- 3. held-out reliability --------------------------------------------------------------------------


def reliability_chart(evaluation: Evaluation, *, fmt: ChartFormat = "png", lang: Language = "en") -> bytes:
    """Predicted ranges against actual awards for every held-out case, and coverage by decile.

    (a) one vertical bar per case (p10–p90, the 50% range darker) with its actual award as a dot,
    coloured by whether the 80% range held it; (b) the share of cases inside their 80% and 50% ranges
    in each tenth of the cases by predicted median, against the nominal 80% and 50%. `lang="zh"` draws
    Chinese labels when a CJK font is installed (see `cjk_font`), else English.
    """
    style = _style(lang)
    held = sorted(evaluation.held_out, key=lambda h: h.p50)
    if not held:
        raise ValueError("the evaluation holds no held-out predictions to chart")
    observed = np.array([h.observed for h in held])
    q = np.array([[h.p10, h.p25, h.p50, h.p75, h.p90] for h in held])
    inside80 = covered(observed, q[:, 0], q[:, 4])
    inside50 = covered(observed, q[:, 1], q[:, 3])
    rank = np.arange(1, len(held) + 1)
    scheme = style("scheme_loo") if evaluation.scheme == "leave-one-out" else style("scheme_k", k=evaluation.folds)

    figure, renderer = _figure(12, 8.6)
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))

    # Bars as wide as the cases allow without touching: about 11 inches of axis shared among them.
    bar = max(0.8, min(5.0, 0.55 * 11 * 72 / len(held)))
    top.vlines(rank, q[:, 0], q[:, 4], color=_BAND80, linewidth=bar, label=style("rel_range80"), zorder=2)
    top.vlines(rank, q[:, 1], q[:, 3], color=_BAND50, linewidth=bar, label=style("rel_range50"), zorder=3)
    top.scatter(rank, q[:, 2], marker="_", s=60, color=_MEDIAN, linewidths=1.5, label=style("rel_median"), zorder=4)
    top.scatter(
        rank[inside80], observed[inside80], s=22, color=_INSIDE, edgecolors="white", linewidths=0.5,
        label=style("rel_inside"), zorder=5,
    )  # fmt: skip
    top.scatter(
        rank[~inside80], observed[~inside80], s=30, color=_OUTSIDE, marker="D", edgecolors="white",
        linewidths=0.5, label=style("rel_outside"), zorder=5,
    )  # fmt: skip
    top.set_yscale("log")
    y_low = float(min(observed.min(), q[:, 0].min())) / 10**0.15
    y_high = float(max(observed.max(), q[:, 4].max())) * 10**0.15
    top.set_ylim(y_low, y_high)
    _money_axis(top.yaxis, y_low, y_high)
    top.set_xlim(0, len(held) + 1)
    top.set_xlabel(style("rel_a_x"), **style.font)
    top.set_ylabel(style("rel_a_y"), **style.font)
    panel_title = top.set_title(style("rel_a_title"), fontsize=10.5, loc="left", **style.font)
    top.grid(axis="y", which="major", color="#ececec", linewidth=0.8)
    top.set_axisbelow(True)
    # Lower right: the cases with the largest predicted awards leave that corner empty.
    top.legend(loc="lower right", prop=style.legend_font(8.5), framealpha=0.92, ncols=2)

    # Deciles, unless that leaves fewer than 5 cases a group: a share of 1 or 2 cases says nothing.
    n_groups = min(10, max(1, len(held) // 5))
    groups = [g for g in np.array_split(np.arange(len(held)), n_groups) if len(g)]
    positions = np.arange(len(groups))
    cover80 = [float(inside80[g].mean()) for g in groups]
    cover50 = [float(inside50[g].mean()) for g in groups]
    width = 0.38
    for offset, cover, face in ((-width / 2, cover80, _BAND50), (width / 2, cover50, _BAND80)):
        bottom.bar(positions + offset, cover, width, color=face, edgecolor=_BAND50)
        for x, share in zip(positions + offset, cover, strict=True):
            if share == 0:  # an empty bar would read as missing data
                bottom.text(x, 0.01, "0%", ha="center", va="bottom", fontsize=8, color=_OUTSIDE, **style.font)
    bottom.axhline(0.8, color=_MEDIAN, linestyle="--", linewidth=1.3, label=style("nominal80"))
    bottom.axhline(0.5, color=_MEDIAN, linestyle=":", linewidth=1.5, label=style("nominal50"))
    bottom.set_xticks(positions, [_median_span(q[g[0], 2], q[g[-1], 2]) for g in groups], fontsize=8.5)
    bottom.set_ylim(0, 1.22)  # room for the legend above full-coverage bars
    bottom.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    bottom.set_ylabel(style("rel_b_y"), **style.font)
    sizes = sorted({len(g) for g in groups})
    size = str(sizes[0]) if len(sizes) == 1 else f"{sizes[0]}–{sizes[-1]}"
    by = "" if len(groups) == 10 else "_groups"  # "decile" only for ten groups
    bottom.set_xlabel(style("rel_b_x" + by), **style.font)
    bottom.set_title(style("rel_b_title" + by, size=size, k=len(groups)), fontsize=10.5, loc="left", **style.font)
    bottom.legend(
        handles=[
            Patch(color=_BAND50, label=style("cov80")),
            Patch(facecolor=_BAND80, edgecolor=_BAND50, label=style("cov50")),
            Line2D([], [], color=_MEDIAN, linestyle="--", label=style("nominal80")),
            Line2D([], [], color=_MEDIAN, linestyle=":", label=style("nominal50")),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=4,
        prop=style.legend_font(8.5),
        framealpha=0.92,
    )
    bottom.grid(axis="y", color="#ececec", linewidth=0.8)
    bottom.set_axisbelow(True)

    metrics = evaluation.model
    title = style(
        "rel_title",
        c80=_percent(metrics.coverage_80),
        c50=_percent(metrics.coverage_50),
        n=evaluation.n_evaluated,
        scheme=scheme,
    )
    top_margin = _titles(figure, style, title, panel_title, renderer)
    foot = style(
        "rel_foot",
        scheme=scheme,
        male=f"{metrics.median_abs_log_error:.2f}",
        factor=f"{math.exp(metrics.median_abs_log_error):.1f}",
    )
    footnote = _footnote(figure, style, _wrap(foot, 190 if style.text is _EN else 95))
    # Between the panels: the top panel's x label, then the bottom panel's title.
    _place(
        figure,
        left=max(_ticks_width(top.yaxis, renderer), _ticks_width(bottom.yaxis, renderer)) + 0.45,
        right=0.3,
        top=top_margin,
        bottom=0.75 + _size(footnote, renderer)[1] + 0.15,
        panels=2,
        gap=0.85,
    )
    return _save(figure, fmt, title)
