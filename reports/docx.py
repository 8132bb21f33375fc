"""The execution report as a Word document, in the form a deputy director hands upward.

Landscape A4, Times New Roman: the organisation, the title with the period and the report
date, the summary, then one table of the roadmap's rows (№, Мероприятие, Ожидаемый результат,
Срок, Ответственный, Отметка о выполнении) grouped under section rows, its header repeated on
every page, and the executor's signature lines at the end.

The big table is written as WordprocessingML text and parsed once: python-docx's cell API
looks styles up by name and walks the table for every cell, which takes seconds at a
municipality's 500 rows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, time
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from core.dates import format_day
from reports.labels import (
    DETAIL_LIMIT,
    Translate,
    mark_details,
    occurrence_label,
    period_label,
    period_note,
    period_phrase,
    share_note,
    standing_text,
    summary_lines,
    summed_up_mark,
)
from reports.model import ExecutionReport, Row

FONT = "Times New Roman"
LANGUAGE = "ru-RU"
BODY_SIZE = 12
TABLE_SIZE = 10
TITLE_SIZE = 14
PAGE_WIDTH, PAGE_HEIGHT = Cm(29.7), Cm(21)
LEFT, RIGHT, TOP, BOTTOM = Cm(2), Cm(1.5), Cm(1.5), Cm(1.5)
# №, Мероприятие, Ожидаемый результат, Срок, Ответственный, Отметка о выполнении: 26.2 cm,
# the width between the margins.
COLUMNS_CM = (1.2, 6.6, 4.6, 2.8, 3.4, 7.6)
HEADER = (
    "execution.column.number",
    "execution.column.title",
    "execution.column.result",
    "execution.column.deadline",
    "execution.column.responsible",
    "execution.column.mark",
)
TABLE_STYLE = "Execution Table"
HEADER_SHADE = "D9D9D9"
SECTION_SHADE = "F2F2F2"
LINK_COLOUR = "0563C1"
_TWIPS_PER_CM = 567
# Characters XML 1.0 forbids; a phone keyboard can put them in a comment.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _set_font(style: Any, size: float) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    # The template names theme fonts, which win over a named one; and Word may take Cyrillic
    # from the complex-script or East Asian slot.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _prepare(document: Any) -> str:
    """Page, margins and fonts; returns the style id of the table's paragraphs."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    # The template says English; the roadmap's words are Russian in either language of the
    # report, and Word would underline every one of them as misspelt.
    for language in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        language.set(qn("w:val"), LANGUAGE)
        language.set(qn("w:eastAsia"), LANGUAGE)
    normal = document.styles["Normal"]
    _set_font(normal, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    table = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table.base_style = normal
    _set_font(table, TABLE_SIZE)
    table.paragraph_format.space_after = Pt(0)
    return str(table.style_id)


class _Writer:
    """Builds the table's XML text; links become relationships of the document part."""

    def __init__(self, document: Any, style_id: str) -> None:
        self._part = document.part
        self._paragraph = f'<w:pPr><w:pStyle w:val="{style_id}"/>'
        self._links: dict[str, str] = {}

    def paragraph(self, runs: str, *, centre: bool = False, keep: bool = False) -> str:
        keep_next = "<w:keepNext/>" if keep else ""
        align = '<w:jc w:val="center"/>' if centre else ""
        return f"<w:p>{self._paragraph}{keep_next}{align}</w:pPr>{runs}</w:p>"

    @staticmethod
    def run(text: str, *, bold: bool = False) -> str:
        if not text:
            return ""
        properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
        return f'<w:r>{properties}<w:t xml:space="preserve">{_text(text)}</w:t></w:r>'

    def link(self, prefix: str, url: str) -> str:
        """«Ссылка: » and a web address, clickable."""
        relation = self._links.get(url)
        if relation is None:
            relation = self._part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            self._links[url] = relation
        look = f'<w:rPr><w:color w:val="{LINK_COLOUR}"/><w:u w:val="single"/></w:rPr>'
        anchor = f'<w:r>{look}<w:t xml:space="preserve">{_text(url)}</w:t></w:r>'
        return f"{self.run(prefix)}<w:hyperlink r:id={quoteattr(relation)}>{anchor}</w:hyperlink>"

    def cell(
        self, width: int, paragraphs: Iterable[str], *, span: int = 1, shade: str = ""
    ) -> str:
        properties = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if span > 1:
            properties += f'<w:gridSpan w:val="{span}"/>'
        if shade:
            properties += f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>'
        content = "".join(paragraphs) or self.paragraph("")
        return f"<w:tc><w:tcPr>{properties}</w:tcPr>{content}</w:tc>"


def _widths() -> list[int]:
    return [round(width * _TWIPS_PER_CM) for width in COLUMNS_CM]


def _mark(writer: _Writer, report: ExecutionReport, row: Row, translate: Translate) -> list[str]:
    """The «Отметка о выполнении» cell: each occurrence with its evidence, or, for a crowded
    row (a fan-out to many schools), a summed-up count naming the schools behind."""
    if not row.occurrences:
        return [writer.paragraph(writer.run(translate("execution.mark.none")))]
    if len(row.occurrences) > DETAIL_LIMIT:
        first, *rest = summed_up_mark(row, translate)
        return [writer.paragraph(writer.run(first, bold=True))] + [
            writer.paragraph(writer.run(line)) for line in rest
        ]
    paragraphs = []
    for occurrence in row.occurrences:
        label = occurrence_label(row, occurrence)
        standing = standing_text(occurrence, report.at, translate)
        runs = writer.run(f"{label}: " if label else "") + writer.run(standing, bold=True)
        paragraphs.append(writer.paragraph(runs))
        for line in mark_details(occurrence, translate):
            runs = writer.link(line.text, line.link) if line.link else writer.run(line.text)
            paragraphs.append(writer.paragraph(runs))
    return paragraphs


def _table(widths: Sequence[int], rows: Iterable[str]) -> str:
    """A bordered table of fixed column widths (twips) around rows' XML."""
    border = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(
        border.format(side=side)
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    return (
        f"<w:tbl {nsdecls('w', 'r')}><w:tblPr>"
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/>'
        '<w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )


def _header_cells(writer: _Writer, widths: Sequence[int], labels: Iterable[str]) -> str:
    return "".join(
        writer.cell(
            width,
            [writer.paragraph(writer.run(label, bold=True), centre=True)],
            shade=HEADER_SHADE,
        )
        for width, label in zip(widths, labels, strict=True)
    )


def _rows(writer: _Writer, report: ExecutionReport, translate: Translate) -> Iterator[str]:
    widths = _widths()
    header = _header_cells(writer, widths, (translate(key) for key in HEADER))
    # Repeated at the top of every page; never split over two.
    yield f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>"
    section = None
    for row in report.rows:
        if row.section and row.section != section:
            # Kept with the first row under it: a heading alone at the foot of a page reads
            # as the end of the table.
            title = writer.paragraph(writer.run(row.section, bold=True), centre=True, keep=True)
            merged = writer.cell(sum(widths), [title], span=len(widths), shade=SECTION_SHADE)
            yield f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{merged}</w:tr>"
        section = row.section
        texts = (row.number, row.title, row.result, row.deadline_text, row.responsible)
        cells = "".join(
            writer.cell(width, [writer.paragraph(writer.run(text), centre=index in (0, 3))])
            for index, (width, text) in enumerate(zip(widths, texts, strict=False))
        )
        mark = writer.cell(widths[-1], _mark(writer, report, row, translate))
        # A row shorter than a page stays on one page (Word breaks a taller one anyway).
        yield f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}{mark}</w:tr>"


def _summary_table(writer: _Writer, report: ExecutionReport, translate: Translate) -> str:
    """The totals in two rows, labels over numbers, across the page; a column is as wide as
    its label's longest word needs."""
    lines = summary_lines(report.summary, len(report.rows), translate)
    weights = [max(8, max(len(word) for word in label.split()) + 2) for label, _value in lines]
    total = sum(_widths())
    widths = [total * weight // sum(weights) for weight in weights]
    labels = _header_cells(writer, widths, (label for label, _value in lines))
    values = "".join(
        writer.cell(width, [writer.paragraph(writer.run(value), centre=True)])
        for width, (_label, value) in zip(widths, lines, strict=True)
    )
    rows = (f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>" for cells in (labels, values))
    return _table(widths, rows)


def _centred(document: Any, text: str, *, bold: bool = False, size: float | None = None) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    if size is not None:
        run.font.size = Pt(size)


def _heading(document: Any, report: ExecutionReport, translate: Translate) -> None:
    _centred(document, report.organisation, bold=True)
    document.add_paragraph()
    title = translate("execution.title").format(title=report.roadmap_title)
    _centred(document, title, bold=True, size=TITLE_SIZE)
    at = translate("execution.title.at").format(date=format_day(report.at))
    when = f"{period_phrase(report.period, translate)} ({at})" if report.period else at
    _centred(document, when, bold=True, size=TITLE_SIZE)
    if report.roadmap_period is not None:
        _centred(
            document,
            translate("execution.roadmap_period").format(
                period=period_label(report.roadmap_period, translate)
            ),
        )
    document.add_paragraph()


def _notes(report: ExecutionReport, translate: Translate) -> list[str]:
    notes = [share_note(report.summary, translate)]
    if report.period is not None:
        notes.append(period_note(report.period, translate))
    if any(len(row.occurrences) > DETAIL_LIMIT for row in report.rows):
        notes.append(translate("execution.summary.crowded_note"))
    notes.append(translate("execution.summary.task_note"))
    return notes


def _signature(document: Any, report: ExecutionReport, translate: Translate) -> None:
    blank = "_" * 24
    document.add_paragraph()
    executor = translate("execution.sign.executor").format(name=report.executor or blank)
    document.add_paragraph(executor)
    document.add_paragraph(translate("execution.sign.date").format(date=format_day(report.at)))
    document.add_paragraph()
    document.add_paragraph(f"{blank} / {report.executor or blank}")
    # The captions under the line and under the name, centred on tab stops.
    captions = document.add_paragraph()
    stops = captions.paragraph_format.tab_stops
    stops.add_tab_stop(Cm(2.3), WD_TAB_ALIGNMENT.CENTER)
    stops.add_tab_stop(Cm(6.9), WD_TAB_ALIGNMENT.CENTER)
    signature, name = translate("execution.sign.signature"), translate("execution.sign.name")
    captions.add_run(f"\t{signature}\t{name}").font.size = Pt(9)


def _page_numbers(document: Any) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        )
    )


def build_docx(report: ExecutionReport, translate: Translate) -> bytes:
    """The report as .docx bytes, in the language of `translate`."""
    document = Document()
    style_id = _prepare(document)
    properties = document.core_properties
    properties.title = translate("execution.title").format(title=report.roadmap_title)
    properties.author = report.executor or report.organisation
    properties.last_modified_by = ""
    properties.comments = ""
    properties.created = datetime.combine(report.at, time(12))
    writer = _Writer(document, style_id)
    _heading(document, report, translate)
    document.add_paragraph(translate("execution.summary.heading")).runs[0].bold = True
    body = document.element.body
    body._insert_tbl(parse_xml(_summary_table(writer, report, translate)))
    for note in _notes(report, translate):
        document.add_paragraph(note).paragraph_format.space_before = Pt(3)
    document.add_paragraph()
    body._insert_tbl(parse_xml(_table(_widths(), _rows(writer, report, translate))))
    _signature(document, report, translate)
    _page_numbers(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
