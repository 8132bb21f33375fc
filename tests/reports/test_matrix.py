"""Schools × activities: the right cell for each school, the schools furthest behind first."""

from __future__ import annotations

import io
from datetime import date

import matplotlib.image
import numpy
import openpyxl
from matplotlib.colors import to_rgb

from reports import build_xlsx, matrix_png, school_matrix
from reports.labels import NO_TASK_COLOUR, STATUS_COLOUR, STATUS_FILL
from reports.matrix import (
    BOTTOM_INCHES,
    CELL_INCHES,
    DPI,
    LEFT_INCHES,
    MatrixCell,
    cell_of,
    most_behind_columns,
)
from reports.model import ExecutionReport, Occurrence, Status
from tests.reports.samples import AT, EN, RU, municipal_report, row, school_report

SOSH3, SOSH7, GYMNASIUM = "МБОУ «СОШ № 3»", "МБОУ «СОШ № 7»", "МБОУ «Гимназия № 1»"


def test_a_municipal_report_gives_the_right_cells() -> None:
    matrix = school_matrix(municipal_report())
    assert [(c.label, c.title, c.row) for c in matrix.columns] == [
        ("1", "Назначение ответственных", 0),
        ("2", "Оснащение кабинетов", 1),
        ("3", "Ежемесячный отчёт", 2),
    ]  # the body's row 4 has no school: no column
    cells = {line.school: line.cells for line in matrix.schools}
    assert cells == {
        SOSH3: (
            MatrixCell(Status.DONE, 1, 1),
            MatrixCell(Status.OVERDUE, 0, 1),
            MatrixCell(Status.UPCOMING, 2, 3),  # two months done, one to come
        ),
        SOSH7: (
            MatrixCell(Status.DONE, 1, 1),
            MatrixCell(Status.DONE, 1, 1),  # late, but done
            MatrixCell(Status.OVERDUE, 1, 3),  # one month overdue speaks for the three
        ),
        GYMNASIUM: (
            MatrixCell(Status.DONE, 1, 1),
            MatrixCell(Status.CANNOT, 0, 1),
            MatrixCell(Status.IN_PROGRESS, 2, 3),
        ),
    }
    # One overdue each for the two schools (tied on share done: by name), none for the third.
    assert [line.school for line in matrix.schools] == [SOSH3, SOSH7, GYMNASIUM]
    assert [line.summary.overdue for line in matrix.schools] == [1, 1, 0]
    assert cells[SOSH3][2].symbol == "○ 2/3"
    assert cells[SOSH3][1].symbol == "!"


def test_the_worst_status_speaks_for_a_cell() -> None:
    def occurrence(status: Status) -> Occurrence:
        return Occurrence(AT, status, done_on=AT if status is Status.DONE else None)

    done, overdue, cannot = Status.DONE, Status.OVERDUE, Status.CANNOT
    assert cell_of([]) == MatrixCell()
    assert cell_of([occurrence(done)] * 3) == MatrixCell(done, 3, 3)
    assert cell_of([occurrence(done), occurrence(Status.UPCOMING)]).status is Status.UPCOMING
    assert cell_of([occurrence(Status.IN_PROGRESS), occurrence(cannot)]).status is cannot
    assert cell_of([occurrence(cannot), occurrence(overdue), occurrence(done)]) == MatrixCell(
        overdue, 1, 3
    )


def _school(school: str, *statuses: Status) -> list[Occurrence]:
    return [
        Occurrence(
            date(2027, 3, 1),
            status,
            done_on=date(2027, 3, 1) if status is Status.DONE else None,
            school=school,
        )
        for status in statuses
    ]


def test_furthest_behind_first_most_overdue_then_least_done() -> None:
    done, overdue, upcoming = Status.DONE, Status.OVERDUE, Status.UPCOMING
    occurrences = (
        _school("А: всё сделано", done, done, done, done, done)
        + _school("Б: одна просрочка, мало сделано", overdue, upcoming, upcoming, upcoming, done)
        + _school("В: две просрочки", overdue, overdue, done, done, done)
        + _school("Г: одна просрочка, много сделано", overdue, done, done, done, done)
        + _school("Д: ничего не сделано, срок не наступил", *[upcoming] * 5)
    )
    report = ExecutionReport("УО", "План", AT, (row("1", "", "Отчёт", *occurrences),))
    assert [line.school[0] for line in school_matrix(report).schools] == list("ВБГДА")


def test_the_columns_kept_when_there_are_too_many() -> None:
    matrix = school_matrix(municipal_report())
    assert most_behind_columns(matrix, 5) == [0, 1, 2]
    # Activities 2 and 3 have one overdue school each; 2 also a «cannot»: kept first.
    assert most_behind_columns(matrix, 1) == [1]
    assert most_behind_columns(matrix, 2) == [1, 2]


def test_the_schools_sheet() -> None:
    book = openpyxl.load_workbook(io.BytesIO(build_xlsx(municipal_report(), RU)))
    assert book.sheetnames == ["Выполнение", "Сводка", "Школы"]
    sheet = book["Школы"]
    rows = list(sheet.iter_rows(min_row=9, values_only=True))
    assert rows[0][:8] == (
        "Организация",
        "Задач",
        "Выполнено",
        "Просрочено",
        "Доля выполненных",
        "1 Назначение ответственных",
        "2 Оснащение кабинетов",
        "3 Ежемесячный отчёт",
    )
    assert [r[:8] for r in rows[1:]] == [
        (SOSH3, 5, 3, 1, 0.6, "✓", "!", "○ 2/3"),
        (SOSH7, 5, 3, 1, 0.6, "✓", "✓", "! 1/3"),
        (GYMNASIUM, 5, 3, 0, 0.6, "✓", "✕", "… 2/3"),
    ]
    # Solid fills of the status colours, opaque (ARGB; Excel ignores a fill's alpha).
    for (line, column), status in {(10, 7): Status.OVERDUE, (12, 7): Status.CANNOT}.items():
        fill = sheet.cell(line, column).fill
        assert (fill.fill_type, fill.fgColor.rgb) == ("solid", "FF" + STATUS_FILL[status])
    assert sheet.freeze_panes == "F10"
    assert sheet.auto_filter.ref == "A9:H12"


def test_a_school_report_has_no_matrix() -> None:
    assert school_matrix(school_report()).schools == ()
    assert not school_report().municipal


def _image(png: bytes) -> numpy.ndarray:
    assert png.startswith(b"\x89PNG")
    return numpy.asarray(matplotlib.image.imread(io.BytesIO(png), format="png"))[:, :, :3]


def _drawn_cells(png: bytes, rows: int, columns: int) -> list[list[Status | None]]:
    """The status each drawn cell's colour says, read near the cell's left edge (clear of its
    mark), from the layout's constants: the cells sit at LEFT_INCHES from the left and
    BOTTOM_INCHES from the bottom, CELL_INCHES apart."""
    image = _image(png)
    height = image.shape[0]
    colours: dict[Status | None, numpy.ndarray] = {
        status: numpy.array(to_rgb(colour)) for status, colour in STATUS_COLOUR.items()
    }
    colours[None] = numpy.array(to_rgb(NO_TASK_COLOUR))
    found: list[list[Status | None]] = []
    for index in range(rows):
        y = height - round((BOTTOM_INCHES + (rows - index - 0.5) * CELL_INCHES) * DPI)
        line = []
        for column in range(columns):
            x = round((LEFT_INCHES + (column + 0.12) * CELL_INCHES) * DPI)
            pixel = image[y, x]
            (status,) = [s for s, rgb in colours.items() if (abs(pixel - rgb) < 0.01).all()]
            line.append(status)
        found.append(line)
    return found


def test_the_heat_map_draws_every_cell_in_its_colour() -> None:
    report = municipal_report()
    png = matrix_png(report, RU)
    width = _image(png).shape[1]
    assert 600 <= width <= 1400
    matrix = school_matrix(report)
    assert _drawn_cells(png, 3, 3) == [
        [cell.status for cell in line.cells] for line in matrix.schools
    ]


def test_the_heat_map_keeps_the_columns_and_schools_furthest_behind() -> None:
    report = municipal_report()
    # Activity 2 (an overdue and a «cannot») for СОШ № 3, the school furthest behind.
    assert _drawn_cells(matrix_png(report, EN, max_columns=1, max_rows=1), 1, 1) == [
        [Status.OVERDUE]
    ]
    assert _drawn_cells(matrix_png(report, EN, max_columns=2, max_rows=3), 3, 2) == [
        [Status.OVERDUE, Status.UPCOMING],
        [Status.DONE, Status.OVERDUE],
        [Status.CANNOT, Status.IN_PROGRESS],
    ]
