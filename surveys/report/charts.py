"""One PNG chart per question: for a phone (1080 px wide, big type, the question on top) or
for a report's page (16 cm at print size, the body's type, no title: the heading above says it).

The type is the report's one family (`surveys.report.fonts`), named so no system font is
guessed. Built with matplotlib's object API (a `Figure` and the Agg canvas, never pyplot), so
charts can be drawn in worker threads without touching global pyplot state.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from surveys.model import QuestionKind
from surveys.report.fonts import FAMILY as FONT
from surveys.report.labels import (
    DASH,
    Translate,
    decimal,
    line_label,
    median_text,
    percent_text,
    question_heading,
)
from surveys.results import Cell, LineKind, QuestionResult, SurveyResults

COLOUR = "#3B6EA8"
OTHER_COLOUR = "#8C9AA8"


@dataclass(frozen=True)
class ChartStyle:
    """Where a chart goes: a phone (the chat's album) or a report's page."""

    width_in: float
    dpi: int
    label_size: float
    # The question and the count on top (phone: the photo travels alone). A report's page
    # has the question as its heading and the numbers in the table under the chart.
    titled: bool
    title_size: float = 0.0
    label_wrap: int = 24
    title_wrap: int = 44
    # Inches: the blank frame, each text line of the labels, each bar.
    base_in: float = 1.0
    line_in: float = 0.45
    bar_in: float = 0.35
    columns_in: float = 5.5


# 1080 px wide with big type: readable on a phone without zooming.
PHONE = ChartStyle(width_in=10.8, dpi=100, label_size=22, titled=True, title_size=26)
# 16 cm wide at print size, the body's type size: the page's text width, nothing scaled.
PAGE = ChartStyle(
    width_in=16 / 2.54,
    dpi=200,
    label_size=8,
    titled=False,
    label_wrap=48,
    base_in=0.2,
    line_in=0.15,
    bar_in=0.1,
    columns_in=1.7,
)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), width) or [""])


def _figure(style: ChartStyle, height_inches: float) -> Figure:
    figure = Figure(figsize=(style.width_in, height_inches), dpi=style.dpi, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure, style: ChartStyle) -> bytes:
    buffer = io.BytesIO()
    # No date or software name in the file: the same results give the same bytes.
    figure.savefig(
        buffer, format="png", dpi=style.dpi, facecolor="white", metadata={"Software": None}
    )
    return buffer.getvalue()


def _value(cell: Cell, *, with_percent: bool = True) -> str:
    # A charted question has every line shown; the dash only guards against a hidden one.
    if cell.count is None:
        return DASH
    if with_percent and cell.percent is not None:
        return f"{cell.count} ({percent_text(cell.percent)})"
    return str(cell.count)


def _titles(figure: Figure, result: QuestionResult, subtitle: str, style: ChartStyle) -> None:
    """Puts the question, and the lines under it, on top, left-aligned (phone only)."""
    title = _wrap(question_heading(result.number, result.question), style.title_wrap)
    figure.suptitle(
        f"{title}\n{subtitle}",
        x=0.02,
        ha="left",
        fontsize=style.title_size,
        fontfamily=FONT,
        fontweight="bold",
    )


def _answered(result: QuestionResult, translate: Translate) -> str:
    return translate("report.chart.answered").format(count=result.answered.count)


def _title_lines(result: QuestionResult, subtitle: str, style: ChartStyle) -> int:
    if not style.titled:
        return 0
    return _wrap(result.question.text, style.title_wrap).count("\n") + subtitle.count("\n") + 2


def _bars(result: QuestionResult, translate: Translate, style: ChartStyle) -> bytes:
    """Horizontal bars, first option on top, each labelled «12 (40%)»."""
    lines = list(result.lines)
    labels = [
        _wrap(line_label(line, result.question, translate), style.label_wrap) for line in lines
    ]
    rows = sum(max(1, label.count("\n") + 1) for label in labels)
    subtitle = _answered(result, translate)
    if result.question.kind is QuestionKind.MULTIPLE:
        subtitle += "\n" + translate("report.chart.multiple")
    height = (
        style.base_in
        + style.line_in * (rows + 1.1 * _title_lines(result, subtitle, style))
        + style.bar_in * len(lines)
    )
    figure = _figure(style, height)
    axes = figure.subplots()
    positions = list(range(len(lines)))[::-1]
    values = [line.cell.percent or 0.0 for line in lines]
    colours = [OTHER_COLOUR if line.kind is LineKind.OTHER else COLOUR for line in lines]
    axes.barh(positions, values, color=colours, height=0.65)
    for position, value, line in zip(positions, values, lines, strict=True):
        axes.text(
            value + 1.5,
            position,
            _value(line.cell),
            va="center",
            fontsize=style.label_size,
            fontfamily=FONT,
        )
    axes.set_yticks(positions, labels, fontsize=style.label_size, fontfamily=FONT)
    axes.set_xlim(0, max(100.0, max(values, default=0) * 1.45))
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0, pad=style.label_size / 2)
    if style.titled:
        _titles(figure, result, subtitle, style)
    return _png(figure, style)


def _columns(result: QuestionResult, translate: Translate, style: ChartStyle) -> bytes:
    """Columns for the points of a scale, counts on top, the end labels underneath; on the
    phone the mean and median on top too (a page has them in the table, once)."""
    lines = list(result.lines)
    subtitle = _answered(result, translate)
    if result.mean is not None and result.median is not None:
        subtitle += "\n" + translate("report.chart.mean").format(
            mean=decimal(result.mean, translate),
            median=median_text(result.median, translate),
        )
    figure = _figure(
        style, style.columns_in + style.line_in * 1.1 * _title_lines(result, subtitle, style)
    )
    axes = figure.subplots()
    positions = list(range(len(lines)))
    counts = [line.cell.count or 0 for line in lines]
    axes.bar(positions, counts, color=COLOUR, width=0.7)
    top = max(counts, default=0) or 1
    for position, count, line in zip(positions, counts, lines, strict=True):
        axes.text(
            position,
            count + top * 0.03,
            _value(line.cell, with_percent=False),
            ha="center",
            va="bottom",
            fontsize=style.label_size,
            fontfamily=FONT,
        )
    axes.set_xticks(
        positions, [line.key for line in lines], fontsize=style.label_size, fontfamily=FONT
    )
    axes.set_ylim(0, top * 1.2)
    axes.set_yticks([])
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    scale = result.question.scale
    if scale is not None and (scale.low_label or scale.high_label):
        ends = [
            f"{value} — {label}"
            for value, label in ((scale.low, scale.low_label), (scale.high, scale.high_label))
            if label
        ]
        axes.set_xlabel(
            _wrap("   ·   ".join(ends), style.label_wrap * 5 // 2),
            fontsize=style.label_size * 0.9,
            fontfamily=FONT,
            labelpad=style.label_size / 2,
        )
    if style.titled:
        _titles(figure, result, subtitle, style)
    return _png(figure, style)


def chart_png(
    result: QuestionResult, translate: Translate, style: ChartStyle = PHONE
) -> bytes | None:
    """The question's chart; None for free text, withheld questions and no answers."""
    if result.withheld or not result.lines or not result.answered.count:
        return None
    if result.question.kind is QuestionKind.SCALE:
        return _columns(result, translate, style)
    return _bars(result, translate, style)


def charts_for(
    results: SurveyResults, translate: Translate, style: ChartStyle = PHONE
) -> dict[str, bytes]:
    """Question id → PNG, in the survey's order, for every question that has a chart."""
    found = {}
    for result in results.questions:
        png = chart_png(result, translate, style)
        if png is not None:
            found[result.question.id] = png
    return found
