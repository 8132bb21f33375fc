"""Schools × activities: who is behind on what, for a municipality's report.

`school_matrix` is the pure model (also the XLSX «Школы» sheet); `matrix_png` draws it as a
heat map readable on a phone. Its rules:

- a column is a roadmap row with at least one school's occurrence (a fan-out to schools);
- a cell is the worst status among the school's occurrences of that row, worst first
  overdue, cannot, in progress, upcoming, done (`SEVERITY`): so a cell is «done» only when
  everything is, and a monthly activity with one overdue month is «overdue»; it also keeps
  «done k of n»;
- schools are ordered furthest behind first: most overdue occurrences, then the lowest share
  done (done / all the school's occurrences), then by name.
"""

from __future__ import annotations

import io
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.dates import format_day
from reports.labels import (
    NO_TASK_COLOUR,
    STATUS_COLOUR,
    STATUS_SYMBOL,
    Translate,
    percent_text,
    status_word,
)
from reports.model import SEVERITY, ExecutionReport, Occurrence, Status, Summary, summarise

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.path import Path

_RANK = {status: rank for rank, status in enumerate(SEVERITY)}


@dataclass(frozen=True)
class MatrixCell:
    """One school in one activity; `status` None: the school has no task there."""

    status: Status | None = None
    done: int = 0
    total: int = 0

    @property
    def symbol(self) -> str:
        """«!», «✓», …; with «3/8» when the school has several tasks in the activity."""
        if self.status is None:
            return ""
        symbol = STATUS_SYMBOL[self.status]
        return f"{symbol} {self.done}/{self.total}" if self.total > 1 else symbol


EMPTY = MatrixCell()


@dataclass(frozen=True)
class MatrixColumn:
    """An activity: its number as written (its place in the report when it has none)."""

    label: str
    title: str
    row: int  # index in ExecutionReport.rows


@dataclass(frozen=True)
class SchoolLine:
    school: str
    summary: Summary  # over the school's occurrences in every column
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class Matrix:
    columns: tuple[MatrixColumn, ...]
    schools: tuple[SchoolLine, ...]  # furthest behind first


def cell_of(occurrences: list[Occurrence]) -> MatrixCell:
    """The worst status of a school's occurrences in one activity, and how many are done."""
    if not occurrences:
        return EMPTY
    worst = min((item.status for item in occurrences), key=_RANK.__getitem__)
    done = sum(item.status is Status.DONE for item in occurrences)
    return MatrixCell(worst, done, len(occurrences))


def behind_key(line: SchoolLine) -> tuple[int, float, str]:
    """Most overdue first, then the lowest share done, then the name."""
    share = line.summary.share_done
    return (-line.summary.overdue, 1.0 if share is None else share, line.school)


def school_matrix(report: ExecutionReport) -> Matrix:
    """The matrix of every school named by an occurrence of the report."""
    columns: list[MatrixColumn] = []
    by_school: dict[str, dict[int, list[Occurrence]]] = defaultdict(lambda: defaultdict(list))
    for index, row in enumerate(report.rows):
        schooled = [item for item in row.occurrences if item.school]
        if not schooled:
            continue
        column = len(columns)
        columns.append(MatrixColumn(row.number or str(index + 1), row.title, index))
        for occurrence in schooled:
            by_school[str(occurrence.school)][column].append(occurrence)
    lines = []
    for school, found in by_school.items():
        cells = tuple(cell_of(found.get(column, [])) for column in range(len(columns)))
        summary = summarise(item for items in found.values() for item in items)
        lines.append(SchoolLine(school, summary, cells))
    lines.sort(key=behind_key)
    return Matrix(tuple(columns), tuple(lines))


def most_behind_columns(matrix: Matrix, limit: int) -> list[int]:
    """Up to `limit` columns, those with the most overdue cells (then cannot, then not done),
    in roadmap order."""
    if len(matrix.columns) <= limit:
        return list(range(len(matrix.columns)))

    def weight(column: int) -> tuple[int, int, int, int]:
        cells = [line.cells[column] for line in matrix.schools]
        overdue = sum(cell.status is Status.OVERDUE for cell in cells)
        cannot = sum(cell.status is Status.CANNOT for cell in cells)
        open_ = sum(cell.status not in (None, Status.DONE) for cell in cells)
        return (-overdue, -cannot, -open_, column)

    return sorted(sorted(range(len(matrix.columns)), key=weight)[:limit])


# The heat map: sized per cell, so every cell has the same size on a phone, which zooms in;
# 30 activities and 40 schools make about 1,270 × 1,600 px, what a messenger keeps of a photo.
MAX_COLUMNS = 30
MAX_ROWS = 40
CELL_INCHES = 0.3
LEFT_INCHES, RIGHT_INCHES = 3.2, 1.0
BOTTOM_INCHES = 0.85  # the legend
DPI = 96
# DejaVu Sans ships with matplotlib and has Cyrillic; named so no system font is guessed.
FONT = "DejaVu Sans"
LABEL_SIZE = 11
NOTE_SIZE = 10
TITLE_SIZE = 15
SCHOOL_CHARACTERS = 34
MARK_SIZE = 150  # points², the «!» and «✕» in a cell
# DejaVu Sans at 10 pt is about this wide per character, for wrapping the notes.
_NOTE_CHARACTER_INCHES = 0.085
_NOTE_LINE_INCHES = 0.21


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _width(columns: int) -> float:
    return LEFT_INCHES + RIGHT_INCHES + max(columns, 12) * CELL_INCHES


def _figure(columns: int, rows: int, notes: int) -> tuple[Figure, Axes]:
    # Imported here: matplotlib takes a good part of a second to import, and the model and
    # the XLSX sheet do not need it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # The title, the notes, the activities' numbers and what they are.
    top = 0.9 + _NOTE_LINE_INCHES * notes + 0.8
    bottom = BOTTOM_INCHES
    width = _width(columns)
    height = top + bottom + rows * CELL_INCHES
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes(
        (
            LEFT_INCHES / width,
            bottom / height,
            columns * CELL_INCHES / width,
            rows * CELL_INCHES / height,
        )
    )
    return figure, axes


def _colour(cell: MatrixCell) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(NO_TASK_COLOUR if cell.status is None else STATUS_COLOUR[cell.status])


def _mark(character: str) -> Path:
    """A character as a marker, centred on the point (a glyph's own origin is its baseline's
    left end)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    path = TextPath((0, 0), character, prop=FontProperties(family=FONT, weight="bold"))
    box = path.get_extents()
    centre = Affine2D().translate(-(box.x0 + box.x1) / 2, -(box.y0 + box.y1) / 2)
    return path.transformed(centre)


def _draw_cells(axes: Axes, lines: list[SchoolLine], columns: list[int]) -> None:
    image = [[_colour(line.cells[column]) for column in columns] for line in lines]
    axes.imshow(image, aspect="auto", interpolation="nearest")
    axes.set_xticks([x - 0.5 for x in range(1, len(columns))], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, len(lines))], minor=True)
    axes.grid(which="minor", color="white", linewidth=1.5)
    axes.tick_params(which="minor", length=0)
    # A mark in the cells that matter, for readers who do not tell red from green: one
    # scatter per mark, not a text per cell, so a full matrix draws as fast as an empty one.
    for status, marker in ((Status.OVERDUE, _mark("!")), (Status.CANNOT, _mark("✕"))):
        points = [
            (x, y)
            for y, line in enumerate(lines)
            for x, column in enumerate(columns)
            if line.cells[column].status is status
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.scatter(xs, ys, marker=marker, s=MARK_SIZE, c="#2B0B0B", linewidths=0)


def _labels(
    axes: Axes, matrix: Matrix, lines: list[SchoolLine], columns: list[int], translate: Translate
) -> None:
    axes.set_xticks(range(len(columns)))
    axes.set_xticklabels(
        [matrix.columns[column].label for column in columns],
        rotation=90,
        fontsize=LABEL_SIZE,
        fontfamily=FONT,
    )
    axes.xaxis.tick_top()
    axes.xaxis.set_label_position("top")
    axes.set_xlabel(translate("execution.matrix.activities"), fontsize=NOTE_SIZE, fontfamily=FONT)
    axes.set_yticks(range(len(lines)))
    axes.set_yticklabels(
        [_short(line.school, SCHOOL_CHARACTERS) for line in lines],
        fontsize=LABEL_SIZE,
        fontfamily=FONT,
    )
    axes.tick_params(which="major", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    right = axes.secondary_yaxis("right")
    right.set_yticks(
        range(len(lines)),
        labels=[
            f"{line.summary.overdue} · {percent_text(line.summary.share_done, translate)}"
            for line in lines
        ],
        fontsize=LABEL_SIZE,
        fontfamily=FONT,
    )
    right.tick_params(length=0)
    right.spines["right"].set_visible(False)


def _legend(figure: Figure, translate: Translate) -> None:
    from matplotlib.patches import Patch

    def patch(colour: str, label: str) -> Patch:
        return Patch(facecolor=colour, edgecolor="#999999", label=label)

    handles = [patch(STATUS_COLOUR[status], status_word(status, translate)) for status in SEVERITY]
    handles.append(patch(NO_TASK_COLOUR, translate("execution.matrix.none")))
    figure.legend(
        handles=handles,
        loc="lower left",
        ncol=3,
        frameon=False,
        prop={"family": FONT, "size": LABEL_SIZE},
        bbox_to_anchor=(0.0, 0.0),
    )


def _notes(
    matrix: Matrix, columns: int, rows: int, width: float, translate: Translate
) -> list[str]:
    """The rules under the title, wrapped to the figure's width."""
    notes = [
        translate("execution.matrix.order"),
        translate("execution.matrix.cell_rule"),
        translate("execution.matrix.right"),
    ]
    if columns < len(matrix.columns):
        notes.append(
            translate("execution.matrix.cut_columns").format(
                shown=columns, total=len(matrix.columns)
            )
        )
    if rows < len(matrix.schools):
        notes.append(
            translate("execution.matrix.cut_rows").format(shown=rows, total=len(matrix.schools))
        )
    characters = int((width - 0.2) / _NOTE_CHARACTER_INCHES)
    return [line for note in notes for line in textwrap.wrap(note, characters)]


def matrix_png(
    report: ExecutionReport,
    translate: Translate,
    *,
    matrix: Matrix | None = None,
    max_columns: int = MAX_COLUMNS,
    max_rows: int = MAX_ROWS,
) -> bytes:
    """The heat map as PNG bytes. Past `max_columns` activities it shows those with the most
    overdue cells, past `max_rows` schools the furthest behind, and says so under the title."""
    matrix = matrix if matrix is not None else school_matrix(report)
    columns = most_behind_columns(matrix, max_columns)
    lines = list(matrix.schools[:max_rows])
    notes = _notes(matrix, len(columns), len(lines), _width(len(columns)), translate)
    figure, axes = _figure(len(columns), max(len(lines), 1), len(notes))
    if lines and columns:
        _draw_cells(axes, lines, columns)
        _labels(axes, matrix, lines, columns, translate)
    else:
        axes.set_axis_off()
    height = figure.get_figheight()
    left = 0.1 / figure.get_figwidth()
    title = translate("execution.matrix.title").format(date=format_day(report.at))
    figure.text(
        left,
        1 - 0.15 / height,
        _short(report.organisation, 90),
        fontsize=LABEL_SIZE,
        fontfamily=FONT,
        va="top",
    )
    figure.text(
        left,
        1 - 0.4 / height,
        title,
        fontsize=TITLE_SIZE,
        fontfamily=FONT,
        fontweight="bold",
        va="top",
    )
    for number, note in enumerate(notes):
        figure.text(
            left,
            1 - (0.85 + _NOTE_LINE_INCHES * number) / height,
            note,
            fontsize=NOTE_SIZE,
            fontfamily=FONT,
            va="top",
            color="#333333",
        )
    _legend(figure, translate)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
