"""The documents open in the programs people use and say, for every activity, what happened."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from reports import build_docx, build_xlsx
from reports.labels import STATUS_FILL, summary_lines
from reports.model import Evidence, EvidenceKind, ExecutionReport, Occurrence, Row, Status
from tests.reports.samples import AT, EN, RU, municipal_report, row, school_report

# For each activity of the school's report: what its «Отметка о выполнении» must say.
SCHOOL_MARKS = {
    "Утверждение плана мероприятий": [
        "Выполнено 18.01.2027, в срок",
        "Ссылка: https://school7.example.ru/news/plan-2027",
        "Комментарий: Проведено для 5–9 классов, 134 участника",
        "Подтверждено: Петрова А.В.",
    ],
    "Педагогический совет по итогам полугодия": [
        "Выполнено 15.02.2027, с опозданием на 5 дней",
        "Файл: Протокол педсовета № 3.pdf",
        "Подтверждено: Петрова А.В.",
    ],
    "Мониторинг посещаемости кружков": ["Не выполнено, просрочено на 21 день (срок 10.03.2027)"],
    "Заседание управляющего совета": ["Срок не наступил (15.04.2027)"],
    "Курсы повышения квалификации по ФГОС": [
        "Не может быть выполнено (срок 20.05.2027)",
        "Причина: Нет лицензии на программу",
    ],
    "Методический семинар": [
        "Выполнено 24.03.2027, в срок",
        "Срок перенесён с 01.03.2027 на 25.03.2027",
        "Файл: Приказ № 41.docx",
    ],
    "Отчёт МО ПК о работе": ["Нет отметок: исполнитель или срок не заданы"],
    "Открытые уроки": ["В работе, срок 30.04.2027"],
}


def _docx(report: ExecutionReport, translate: Any = RU) -> Any:
    return docx.Document(io.BytesIO(build_docx(report, translate)))


def _main_table(document: Any) -> Any:
    (table,) = [t for t in document.tables if t.rows[0].cells[-1].text == "Отметка о выполнении"]
    return table


def _marks(table: Any) -> dict[str, list[str]]:
    """Activity title → the lines of its mark cell (section rows left out)."""
    marks = {}
    for table_row in table.rows[1:]:
        cells = table_row.cells
        if cells[0]._tc is cells[-1]._tc:  # a merged section row
            continue
        marks[cells[1].text] = [p.text for p in cells[-1].paragraphs]
    return marks


def test_docx_says_for_every_activity_what_happened() -> None:
    document = _docx(school_report())
    marks = _marks(_main_table(document))
    assert set(marks) == set(SCHOOL_MARKS)
    for title, expected in SCHOOL_MARKS.items():
        for line in expected:
            assert line in marks[title], (title, line, marks[title])
    # Nothing of one activity leaks into another's mark.
    assert not any("Ссылка" in line for line in marks["Педагогический совет по итогам полугодия"])


def test_docx_is_one_landscape_table_with_sections_and_a_repeated_header() -> None:
    document = _docx(school_report())
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    table = _main_table(document)
    header = table.rows[0]._tr
    assert header.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    assert [cell.text for cell in table.rows[0].cells] == [
        "№ п/п",
        "Мероприятие",
        "Ожидаемый результат",
        "Срок",
        "Ответственный",
        "Отметка о выполнении",
    ]
    merged = [r for r in table.rows if r.cells[0]._tc is r.cells[-1]._tc]
    assert [r.cells[0].text for r in merged] == [
        "1. Организационно-управленческие мероприятия",
        "2. Работа с педагогическими кадрами",
    ]
    # The row cells as the file wrote them.
    first = table.rows[2].cells
    assert [c.text for c in first[:5]] == [
        "1.1",
        "Утверждение плана мероприятий",
        "Результат мероприятия 1.1",
        "до 20.01.2027 г.",
        "Шабанова Н.С., заместитель директора по УВР",
    ]
    # Sections and rows, nothing else: 2 sections + 8 rows + the header.
    assert len(table.rows) == 11


def test_docx_heading_summary_and_signature() -> None:
    report = school_report()
    document = _docx(report)
    text = "\n".join(p.text for p in document.paragraphs)
    assert report.organisation in text
    assert (
        "Отчёт о выполнении мероприятий дорожной карты «Дорожная карта по повышению качества "
        "образования на 2026/2027 учебный год»"
    ) in text
    assert "за период с 01.09.2026 по 31.03.2027 (по состоянию на 31.03.2027)" in text
    assert "Срок реализации дорожной карты: 2026/2027 учебный год" in text
    assert "Исполнитель: Петрова А.В." in text
    assert "Дата: 31.03.2027" in text
    assert "________________________ / Петрова А.В." in text
    summary = document.tables[0]
    labels = [cell.text for cell in summary.rows[0].cells]
    values = [cell.text for cell in summary.rows[1].cells]
    assert list(zip(labels, values, strict=True)) == summary_lines(report.summary, 8, RU)
    assert dict(zip(labels, values, strict=True)) == {
        "Мероприятий": "8",
        "Задач": "7",
        "Выполнено": "3",
        "из них в срок": "2",
        "из них с опозданием": "1",
        "Просрочено": "1",
        "В работе": "1",
        "Срок не наступил": "1",
        "Не может быть выполнено": "1",
        "Доля выполненных в срок": "50 %",
    }
    assert "2 из 4" in text  # the share's base, spelled out


def test_docx_links_are_clickable_and_fonts_official() -> None:
    document = _docx(school_report())
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert targets == {"https://school7.example.ru/news/plan-2027"}
    assert document.styles["Normal"].font.name == "Times New Roman"
    # Every paragraph of the tables in the table style, itself Times New Roman; no run names
    # another font.
    table_style = document.styles["Execution Table"]
    assert table_style.font.name == "Times New Roman"
    assert {
        paragraph.style.name
        for table in document.tables
        for cell in table._cells
        for paragraph in cell.paragraphs
    } == {"Execution Table"}
    fonts = {
        run.font.name
        for table in document.tables
        for cell in table._cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.font.name
    }
    assert fonts <= {"Times New Roman"}
    languages = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang")
    assert [language.get(qn("w:val")) for language in languages] == ["ru-RU"]


def test_docx_in_english() -> None:
    document = _docx(school_report(), EN)
    table = next(t for t in document.tables if t.rows[0].cells[-1].text == "Completion mark")
    marks = {r.cells[1].text: r.cells[-1].text for r in table.rows[1:]}
    assert "Done on 15.02.2027, 5 days late" in marks["Педагогический совет по итогам полугодия"]
    assert "Not done, 21 days overdue" in marks["Мониторинг посещаемости кружков"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Prepared by: Петрова А.В." in text


def test_docx_sums_up_a_row_fanned_out_to_thirty_schools() -> None:
    schools = [f"Школа {n}" for n in range(1, 31)]
    behind = {"Школа 3", "Школа 7"}
    occurrences = [
        Occurrence(date(2027, 3, 1), Status.OVERDUE, school=school)
        if school in behind
        else Occurrence(
            date(2027, 3, 1),
            Status.DONE,
            done_on=date(2027, 3, 1 if n < 20 else 3),
            school=school,
        )
        for n, school in enumerate(schools)
    ]
    occurrences.append(Occurrence(date(2027, 4, 1), Status.UPCOMING, school="Школа 31"))
    crowded = row("5", "", "Отчёт в управление", *occurrences, who="Руководители ОО")
    report = ExecutionReport("Управление образования", "План", AT, (crowded,))
    lines = _marks(_main_table(_docx(report)))["Отчёт в управление"]
    assert lines == [
        "Выполнено 28 из 31 (в срок 18, с опозданием 10)",
        "Просрочено: Школа 3, Школа 7",
        "Срок не наступил: 1",
    ]
    text = "\n".join(p.text for p in _docx(report).paragraphs)
    assert "отметки каждой организации — в таблице XLSX" in text


def test_docx_names_at_most_ten_schools_behind() -> None:
    occurrences = tuple(
        Occurrence(date(2027, 3, 1), Status.OVERDUE, school=f"Школа {n}") for n in range(1, 14)
    )
    report = ExecutionReport("УО", "План", AT, (row("1", "", "Сбор данных", *occurrences),))
    lines = _marks(_main_table(_docx(report)))["Сбор данных"]
    assert lines[1] == (
        "Просрочено: Школа 1, Школа 2, Школа 3, Школа 4, Школа 5, Школа 6, Школа 7, Школа 8, "
        "Школа 9, Школа 10 и ещё 3"
    )


def test_docx_keeps_hostile_text_as_text() -> None:
    nasty = Occurrence(
        date(2027, 3, 1),
        Status.DONE,
        done_on=date(2027, 3, 1),
        evidence=(
            Evidence(EvidenceKind.COMMENT, "<w:p>&amp; \x07 «ок»"),
            Evidence(EvidenceKind.LINK, "javascript:alert(1)"),
        ),
    )
    report = ExecutionReport("УО", "План <b>", AT, (row("1", "", "A & B", nasty),))
    document = _docx(report)
    marks = _marks(_main_table(document))
    assert "Комментарий: <w:p>&amp;  «ок»" in marks["A & B"]
    assert "Ссылка: javascript:alert(1)" in marks["A & B"]  # printed, not linked
    assert not [rel for rel in document.part.rels.values() if rel.is_external]


# The XLSX: one row per occurrence.


def _xlsx(report: ExecutionReport, translate: Any = RU) -> Any:
    return openpyxl.load_workbook(io.BytesIO(build_xlsx(report, translate)))


def _records(sheet: Any) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], values, strict=True)) for values in rows[1:]]


def test_xlsx_has_one_row_per_occurrence_with_its_status_and_evidence() -> None:
    report = school_report()
    book = _xlsx(report)
    assert book.sheetnames == ["Выполнение", "Сводка"]  # no schools: no «Школы»
    sheet = book["Выполнение"]
    records = _records(sheet)
    assert len(records) == sum(max(1, len(r.occurrences)) for r in report.rows) == 8
    by_title = {record["Мероприятие"]: record for record in records}
    late = by_title["Педагогический совет по итогам полугодия"]
    assert late["Статус"] == "Выполнено"
    assert late["Срок (дата)"] == datetime(2027, 2, 10)
    assert late["Дата выполнения"] == datetime(2027, 2, 15)
    assert late["В срок / с опозданием"] == "с опозданием"
    assert late["Дней опоздания или просрочки"] == 5
    assert late["Подтверждение"] == "Файл: Протокол педсовета № 3.pdf"
    assert late["Подтвердил"] == "Петрова А.В."
    first = by_title["Утверждение плана мероприятий"]
    assert first["Подтверждение"] == (
        "Ссылка: https://school7.example.ru/news/plan-2027\n"
        "Комментарий: Проведено для 5–9 классов, 134 участника"
    )
    assert first["В срок / с опозданием"] == "в срок"
    assert first["Раздел"] == "1. Организационно-управленческие мероприятия"
    overdue = by_title["Мониторинг посещаемости кружков"]
    assert (overdue["Статус"], overdue["Дней опоздания или просрочки"]) == ("Просрочено", 21)
    assert overdue["Дата выполнения"] is None
    postponed = by_title["Методический семинар"]
    assert postponed["Срок до переноса"] == datetime(2027, 3, 1)
    assert postponed["Исполнители"] == "Шабанова Н.С., Шарик Н.Н."
    assert by_title["Курсы повышения квалификации по ФГОС"]["Причина"] == (
        "Нет лицензии на программу"
    )
    assert by_title["Заседание управляющего совета"]["Статус"] == "Срок не наступил"
    assert by_title["Открытые уроки"]["Статус"] == "В работе"
    nobody = by_title["Отчёт МО ПК о работе"]
    assert nobody["Статус"] == "Без отметки"
    assert nobody["Срок (дата)"] is None
    assert nobody["Срок (по документу)"] == "По отдельному графику"


def test_xlsx_filter_frozen_header_fills_and_dates() -> None:
    book = _xlsx(school_report())
    sheet = book["Выполнение"]
    assert sheet.auto_filter.ref == "A1:P9"
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    status_column = header.index("Статус") + 1
    due_column = header.index("Срок (дата)") + 1
    words = {
        "Выполнено": Status.DONE,
        "Просрочено": Status.OVERDUE,
        "Срок не наступил": Status.UPCOMING,
        "В работе": Status.IN_PROGRESS,
        "Не может быть выполнено": Status.CANNOT,
    }
    seen = set()
    for index in range(2, sheet.max_row + 1):
        cell = sheet.cell(index, status_column)
        if cell.value in words:
            status = words[cell.value]
            # A solid fill of the status colour, opaque (ARGB; Excel ignores a fill's alpha).
            fill = (cell.fill.fill_type, cell.fill.fgColor.rgb)
            assert fill == ("solid", "FF" + STATUS_FILL[status]), cell.value
            seen.add(status)
            assert sheet.cell(index, due_column).number_format == "DD.MM.YYYY"
    assert seen == set(Status)
    assert sheet.column_dimensions["C"].width == 50


def test_xlsx_summary_sheet_holds_summarise() -> None:
    report = school_report()
    sheet = _xlsx(report)["Сводка"]
    pairs = {
        row[0]: row[1]
        for row in sheet.iter_rows(values_only=True)
        if row and len(row) > 1 and row[1] is not None
    }
    summary = report.summary
    assert pairs["Задач"] == summary.total == 7
    assert pairs["Выполнено"] == summary.done
    assert pairs["из них в срок"] == summary.done_on_time
    assert pairs["из них с опозданием"] == summary.done_late
    assert pairs["Просрочено"] == summary.overdue
    assert pairs["В работе"] == summary.in_progress
    assert pairs["Срок не наступил"] == summary.upcoming
    assert pairs["Не может быть выполнено"] == summary.cannot
    assert pairs["Доля выполненных в срок"] == "50 %"


def test_xlsx_keeps_formulas_out() -> None:
    trap = Occurrence(
        date(2027, 3, 1),
        Status.DONE,
        done_on=date(2027, 3, 1),
        evidence=(Evidence(EvidenceKind.COMMENT, '=HYPERLINK("http://x")'),),
        confirmed_by="=1+1",
    )
    report = ExecutionReport("УО", "План", AT, (row("=2", "", "=SUM(A1)", trap),))
    records = _records(_xlsx(report)["Выполнение"])
    assert records[0]["Мероприятие"] == "=SUM(A1)"
    assert records[0]["№ п/п"] == "=2"
    assert records[0]["Подтвердил"] == "=1+1"


@pytest.mark.parametrize("translate", [RU, EN])
def test_xlsx_in_both_languages(translate: Any) -> None:
    book = _xlsx(municipal_report(), translate)
    assert len(book.sheetnames) == 3


def test_xlsx_of_a_municipality_has_a_school_column() -> None:
    report = municipal_report()
    records = _records(_xlsx(report)["Выполнение"])
    assert len(records) == 3 + 3 + 9 + 1
    assert {r["Организация"] for r in records if r["Организация"]} == {
        "МБОУ «СОШ № 3»",
        "МБОУ «СОШ № 7»",
        "МБОУ «Гимназия № 1»",
    }
    cannot = [r for r in records if r["Статус"] == "Не может быть выполнено"]
    assert [(r["Организация"], r["Причина"]) for r in cannot] == [
        ("МБОУ «Гимназия № 1»", "Нет кабинета")
    ]


def test_a_report_of_nothing_still_renders() -> None:
    empty = ExecutionReport("Школа", "План", AT, ())
    assert _main_table(_docx(empty)).rows[0].cells[0].text == "№ п/п"
    assert _records(_xlsx(empty)["Выполнение"]) == []
    bare = ExecutionReport("Школа", "План", AT, (Row("", "", "Без всего", "", "", ""),))
    assert _marks(_main_table(_docx(bare)))["Без всего"] == [
        "Нет отметок: исполнитель или срок не заданы"
    ]
