"""One PNG chart per question, readable on a phone: 1080 px wide, big Cyrillic-capable type.

Built with matplotlib's object API (a `Figure` and the Agg canvas, never pyplot), so charts
can be drawn in worker threads without touching global pyplot state.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from surveys.model import QuestionKind
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

WIDTH_PX = 1080
DPI = 100
# DejaVu Sans ships with matplotlib and has Cyrillic; named so no system font is guessed.
FONT = "DejaVu Sans"
TITLE_SIZE = 26
LABEL_SIZE = 22
COLOUR = "#3B6EA8"
OTHER_COLOUR = "#8C9AA8"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), width) or [""])


def _figure(height_inches: float) -> Figure:
    figure = Figure(figsize=(WIDTH_PX / DPI, height_inches), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _value(cell: Cell, *, with_percent: bool = True) -> str:
    # A charted question has every line shown; the dash only guards against a hidden one.
    if cell.count is None:
        return DASH
    if with_percent and cell.percent is not None:
        return f"{cell.count} ({percent_text(cell.percent)})"
    return str(cell.count)


def _titles(figure: Figure, result: QuestionResult, subtitle: str) -> None:
    """Puts the question, and the lines under it, on top, left-aligned."""
    title = _wrap(question_heading(result.number, result.question), 44)
    figure.suptitle(
        f"{title}\n{subtitle}",
        x=0.02,
        ha="left",
        fontsize=TITLE_SIZE,
        fontfamily=FONT,
        fontweight="bold",
    )


def _answered(result: QuestionResult, translate: Translate) -> str:
    return translate("report.chart.answered").format(count=result.answered.count)


def _bars(result: QuestionResult, translate: Translate) -> bytes:
    """Horizontal bars, first option on top, each labelled «12 (40%)»."""
    lines = list(result.lines)
    labels = [_wrap(line_label(line, result.question, translate), 24) for line in lines]
    rows = sum(max(1, label.count("\n") + 1) for label in labels)
    subtitle = _answered(result, translate)
    if result.question.kind is QuestionKind.MULTIPLE:
        subtitle += "\n" + translate("report.chart.multiple")
    title_lines = _wrap(result.question.text, 44).count("\n") + subtitle.count("\n") + 2
    figure = _figure(1.0 + 0.5 * title_lines + 0.45 * rows + 0.35 * len(lines))
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
            fontsize=LABEL_SIZE,
            fontfamily=FONT,
        )
    axes.set_yticks(positions, labels, fontsize=LABEL_SIZE, fontfamily=FONT)
    axes.set_xlim(0, max(100.0, max(values, default=0) * 1.45))
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0, pad=10)
    _titles(figure, result, subtitle)
    return _png(figure)


def _columns(result: QuestionResult, translate: Translate) -> bytes:
    """Columns for the points of a scale, counts on top, the end labels underneath."""
    lines = list(result.lines)
    subtitle = _answered(result, translate)
    if result.mean is not None and result.median is not None:
        subtitle += "\n" + translate("report.chart.mean").format(
            mean=decimal(result.mean, translate),
            median=median_text(result.median, translate),
        )
    title_lines = _wrap(result.question.text, 44).count("\n") + subtitle.count("\n") + 2
    figure = _figure(5.5 + 0.5 * title_lines)
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
            fontsize=LABEL_SIZE,
            fontfamily=FONT,
        )
    axes.set_xticks(positions, [line.key for line in lines], fontsize=LABEL_SIZE, fontfamily=FONT)
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
            _wrap("   ·   ".join(ends), 60), fontsize=LABEL_SIZE - 2, fontfamily=FONT, labelpad=12
        )
    _titles(figure, result, subtitle)
    return _png(figure)


def chart_png(result: QuestionResult, translate: Translate) -> bytes | None:
    """The question's chart; None for free text, withheld questions and no answers."""
    if result.withheld or not result.lines or not result.answered.count:
        return None
    if result.question.kind is QuestionKind.SCALE:
        return _columns(result, translate)
    return _bars(result, translate)


def charts_for(results: SurveyResults, translate: Translate) -> dict[str, bytes]:
    """Question id → PNG, in the survey's order, for every question that has a chart."""
    found = {}
    for result in results.questions:
        png = chart_png(result, translate)
        if png is not None:
            found[result.question.id] = png
    return found
