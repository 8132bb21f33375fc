"""«Отчёт по результатам опроса»: a DOCX a school can put on its website as it is.

A4, plain serif type, black headings, a chart and a table per question, breakdowns, the
free-text answers, and a note on how respondents were protected.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from core.dates import format_day
from surveys.model import QuestionKind
from surveys.report.labels import (
    ReportMeta,
    Translate,
    decimal,
    median_text,
    period_text,
    question_heading,
)
from surveys.report.tables import (
    Table,
    Value,
    breakdown_table,
    question_table,
    segment_table,
    summary_notes,
)
from surveys.results import QuestionResult, SurveyResults

FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
LEFT, RIGHT, TOP, BOTTOM = Cm(2.5), Cm(1.5), Cm(2), Cm(2)
TEXT_WIDTH_CM = 17.0
CHART_WIDTH = Cm(15)
_HEADER_SHADE = "DDE7F0"


def _set_font(style: Any, size: float, *, bold: bool = False) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = BLACK
    # The template's headings name theme fonts (Calibri Light), which win over a named font;
    # and Word may take Cyrillic from the complex-script or East Asian slot.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _prepare(document: Any) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    styles = document.styles
    _set_font(styles["Normal"], 12)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    _set_font(styles["Title"], 18, bold=True)
    _set_font(styles["Heading 1"], 15, bold=True)
    _set_font(styles["Heading 2"], 13, bold=True)
    _set_font(styles["Heading 3"], 12, bold=True)
    _set_font(styles["List Bullet"], 12)
    # The template's Title has a coloured rule under it; a website copy needs none.
    border = styles["Title"].element.find(qn("w:pPr"))
    if border is not None:
        for rule in border.findall(qn("w:pBdr")):
            border.remove(rule)


def _shade(cell: Any, colour: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    properties.append(shading)


def _text(value: Value, translate: Translate) -> str:
    if isinstance(value, float):
        return decimal(value, translate)
    return str(value)


def _fill(cell: Any, text: str, *, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(10.5)


def _table(document: Any, table: Table, translate: Translate, *, caption: bool = True) -> None:
    if caption:
        document.add_paragraph(table.title, style="Heading 3")
    width = len(table.header)
    drawn = document.add_table(rows=1 + len(table.rows), cols=width)
    drawn.style = "Table Grid"
    drawn.alignment = WD_TABLE_ALIGNMENT.CENTER
    first = min(8.0, TEXT_WIDTH_CM - 2.2 * (width - 1))
    rest = (TEXT_WIDTH_CM - first) / max(1, width - 1)
    for column in range(width):
        for cell in drawn.columns[column].cells:
            cell.width = Cm(first if column == 0 else rest)
    for column, title in enumerate(table.header):
        cell = drawn.rows[0].cells[column]
        _fill(cell, title, bold=True)
        _shade(cell, _HEADER_SHADE)
    for index, values in enumerate(table.rows, 1):
        bold = table.footer_from is not None and index - 1 >= table.footer_from
        for column, value in enumerate(values):
            _fill(
                drawn.rows[index].cells[column],
                _text(value, translate),
                bold=bold,
                right=column > 0,
            )
    document.add_paragraph()


def _texts(document: Any, result: QuestionResult, translate: Translate) -> None:
    if not result.texts:
        return
    key = "report.texts" if result.question.kind is QuestionKind.TEXT else "report.other_texts"
    document.add_paragraph(translate(key), style="Heading 3")
    for text in result.texts:
        document.add_paragraph(" ".join(text.split()), style="List Bullet")


def _question(
    document: Any,
    result: QuestionResult,
    results: SurveyResults,
    chart: bytes | None,
    translate: Translate,
) -> None:
    document.add_heading(question_heading(result.number, result.question), level=2)
    if result.withheld:
        document.add_paragraph(
            translate("report.question.withheld").format(
                question=question_heading(result.number, result.question), k=results.k
            )
        )
        return
    if result.question.kind is QuestionKind.TEXT:
        document.add_paragraph(
            translate("report.chart.answered").format(count=result.answered.count)
        )
        _texts(document, result, translate)
        return
    if chart is not None:
        document.add_picture(io.BytesIO(chart), width=CHART_WIDTH)
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(document, question_table(result, results, translate), translate, caption=False)
    if result.question.kind is QuestionKind.MULTIPLE:
        document.add_paragraph(translate("report.multiple_note"))
    if result.mean is not None and result.median is not None:
        document.add_paragraph(
            translate("report.scale_summary").format(
                mean=decimal(result.mean, translate),
                median=median_text(result.median, translate),
            )
        )
    for breakdown in result.breakdowns:
        _table(document, breakdown_table(breakdown, result, results, translate), translate)
    _texts(document, result, translate)


def build_docx(
    results: SurveyResults,
    meta: ReportMeta,
    charts: Mapping[str, bytes],
    translate: Translate,
) -> bytes:
    """The report; `charts` maps question ids to PNGs (`charts_for`), missing ones are skipped."""
    document = Document()
    _prepare(document)
    properties = document.core_properties
    properties.title = meta.title
    properties.author = meta.organisation or ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.created = datetime.combine(meta.generated_on, time(12))
    document.add_paragraph(
        translate("report.title"), style="Title"
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(meta.title).bold = True
    for line in (
        translate("report.organisation").format(name=meta.organisation)
        if meta.organisation
        else None,
        period_text(meta, translate),
        translate("report.respondents").format(count=results.respondents),
        translate("report.generated").format(day=format_day(meta.generated_on)),
    ):
        if line:
            document.add_paragraph(line)
    if results.segments:
        document.add_heading(translate("report.section.respondents"), level=1)
        for table in results.segments:
            _table(document, segment_table(table, results, translate), translate)
    if not results.withheld:
        document.add_heading(translate("report.section.questions"), level=1)
        for result in results.questions:
            _question(document, result, results, charts.get(result.question.id), translate)
    document.add_heading(translate("report.section.notes"), level=1)
    for note in summary_notes(results, translate):
        document.add_paragraph(note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
