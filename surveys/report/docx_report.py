"""«Отчёт по результатам опроса» as DOCX: a file a school can put on its website as it is.

A4, one sans-serif family for text, tables and charts (`surveys.report.fonts`), black
headings, the content of `surveys.report.layout`. Questions follow one another on the page;
a question's heading keeps with its chart and the chart with its table.

Written as WordprocessingML built here and parsed once per run of blocks, with the style ids
looked up once: python-docx's paragraph-by-paragraph API looks a style up by name on every
paragraph and rebuilds a table's cell grid on every row it is asked for, which took seconds
for a survey of 2,000 responses (bench/survey_docx.py). Pictures still go through
python-docx, which keeps their relationships.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from surveys.report.fonts import FAMILY, WINDOWS_FALLBACK
from surveys.report.labels import ReportMeta, Translate, decimal
from surveys.report.layout import (
    Block,
    Chart,
    Heading,
    Layout,
    TableBlock,
    Text,
    layout,
)
from surveys.report.tables import Table, Value
from surveys.results import SurveyResults

BLACK = RGBColor(0, 0, 0)
GREY = RGBColor(0x44, 0x44, 0x44)
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
LEFT, RIGHT, TOP, BOTTOM = Cm(2.5), Cm(1.5), Cm(2), Cm(2)
TEXT_WIDTH_CM = 17.0
CHART_WIDTH = Cm(16)
_HEADER_SHADE = "DDE7F0"
_TWIPS_PER_CM = 567
# Characters XML 1.0 refuses (a phone keyboard can produce some): dropped from the text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Our paragraph styles: (name, size in points, bold, italic, space after in points, colour).
_TABLE_STYLE = "Report Table"
_NOTE_STYLE = "Report Note"
_ORGANISATION_STYLE = "Report Organisation"
_SURVEY_STYLE = "Report Survey"
_OWN_STYLES = (
    (_TABLE_STYLE, 8.5, False, False, 0, BLACK),
    (_NOTE_STYLE, 8.5, False, True, 4, GREY),
    (_ORGANISATION_STYLE, 11, False, False, 2, BLACK),
    (_SURVEY_STYLE, 12.5, True, False, 4, BLACK),
)
_BUILT_IN = (
    ("Normal", 10, False),
    ("Title", 15, True),
    ("Heading 1", 12.5, True),
    ("Heading 2", 10.5, True),
    ("Heading 3", 9.5, False),
    ("List Bullet", 9.5, False),
)


def _set_font(style: Any, size: float, *, bold: bool = False, colour: RGBColor = BLACK) -> None:
    style.font.name = FAMILY
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = colour
    _one_family(style.element.get_or_add_rPr())


def _one_family(run_properties: Any) -> None:
    """The family in every slot, no theme font (the template's Calibri Light would win over
    a named font, and Word may take Cyrillic from the complex-script or East Asian slot)."""
    fonts = run_properties.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FAMILY)


def _font_table(document: Any) -> None:
    """Names the family in the font table with Verdana as its stand-in (see fonts.py)."""
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            table = parse_xml(part.blob)
            table.insert(
                0,
                parse_xml(
                    f'<w:font {nsdecls("w")} w:name="{FAMILY}">'
                    f'<w:altName w:val="{WINDOWS_FALLBACK}"/><w:charset w:val="CC"/>'
                    '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
                ),
            )
            part._blob = etree.tostring(
                table, xml_declaration=True, encoding="UTF-8", standalone=True
            )
            return


def _prepare(document: Any) -> dict[str, str]:
    """Page, fonts and styles; the style ids by name, looked up once."""
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        run = defaults.find(qn("w:rPrDefault"))
        if run is not None and run.find(qn("w:rPr")) is not None:
            _one_family(run.find(qn("w:rPr")))
    for name, size, bold in _BUILT_IN:
        _set_font(styles[name], size, bold=bold)
    styles["Normal"].paragraph_format.space_after = Pt(3)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].paragraph_format.space_before = Pt(8 if name != "Heading 3" else 4)
        styles[name].paragraph_format.space_after = Pt(3)
    styles["List Bullet"].paragraph_format.space_after = Pt(1)
    # The template's Title has a coloured rule under it; a website copy needs none.
    border = styles["Title"].element.find(qn("w:pPr"))
    if border is not None:
        for rule in border.findall(qn("w:pBdr")):
            border.remove(rule)
    for name, size, bold, italic, after, colour in _OWN_STYLES:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        _set_font(style, size, bold=bold, colour=colour)
        style.font.italic = italic
        style.paragraph_format.space_after = Pt(after)
    names = [name for name, *_ in _BUILT_IN] + [name for name, *_ in _OWN_STYLES]
    return {name: styles[name].style_id for name in names}


def _clean(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def _value(value: Value, translate: Translate) -> str:
    if isinstance(value, float):
        return decimal(value, translate)
    return str(value)


class _Writer:
    """Paragraphs and tables as XML text, parsed into the body a run of blocks at a time."""

    def __init__(self, document: Any, styles: dict[str, str]) -> None:
        self._document = document
        self._body = document.element.body
        self._styles = styles
        self._pending: list[str] = []

    def paragraph(
        self,
        text: str,
        style: str = "Normal",
        *,
        centre: bool = False,
        keep: bool = False,
        bold: bool = False,
    ) -> None:
        self._pending.append(self._p(text, style, centre=centre, keep=keep, bold=bold))

    def _p(
        self,
        text: str,
        style: str,
        *,
        centre: bool = False,
        keep: bool = False,
        bold: bool = False,
    ) -> str:
        properties = f'<w:pStyle w:val="{self._styles[style]}"/>'
        if keep:
            properties += "<w:keepNext/>"
        if centre:
            properties += '<w:jc w:val="center"/>'
        run = ""
        if text:
            weight = "<w:rPr><w:b/></w:rPr>" if bold else ""
            run = f'<w:r>{weight}<w:t xml:space="preserve">{_clean(text)}</w:t></w:r>'
        return f"<w:p><w:pPr>{properties}</w:pPr>{run}</w:p>"

    def table(self, table: Table, translate: Translate) -> None:
        width = len(table.header)
        # The labels get what the numbers leave, but never less than a quarter of the width.
        first = (
            max(4.5, min(8.0, TEXT_WIDTH_CM - 2.2 * (width - 1))) if width > 1 else TEXT_WIDTH_CM
        )
        rest = (TEXT_WIDTH_CM - first) / max(1, width - 1)
        widths = [
            round((first if column == 0 else rest) * _TWIPS_PER_CM) for column in range(width)
        ]
        grid = "".join(f'<w:gridCol w:w="{twips}"/>' for twips in widths)
        rows = [self._row(table.header, widths, header=True)]
        last = len(table.rows) - 1
        for index, values in enumerate(table.rows):
            bold = table.footer_from is not None and index >= table.footer_from
            texts = [_value(value, translate) for value in values]
            rows.append(self._row(texts, widths, bold=bold, keep=index < last))
        self._pending.append(
            "<w:tbl><w:tblPr>"
            f'<w:tblStyle w:val="{self._styles.get("Table Grid", "TableGrid")}"/>'
            '<w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
            '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0"'
            ' w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )

    def _row(
        self,
        values: Any,
        widths: list[int],
        *,
        header: bool = False,
        bold: bool = False,
        keep: bool = True,
    ) -> str:
        """One row; `keep`: with the next, so a short table stays on one page."""
        cells = []
        keep_next = "<w:keepNext/>" if keep else ""
        for column, (value, twips) in enumerate(zip(values, widths, strict=True)):
            shade = (
                f'<w:shd w:val="clear" w:color="auto" w:fill="{_HEADER_SHADE}"/>' if header else ""
            )
            align = '<w:jc w:val="right"/>' if column > 0 and not header else ""
            weight = "<w:rPr><w:b/></w:rPr>" if header or bold else ""
            text = f'<w:r>{weight}<w:t xml:space="preserve">{_clean(value)}</w:t></w:r>'
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{twips}" w:type="dxa"/>{shade}</w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{self._styles[_TABLE_STYLE]}"/>{keep_next}{align}'
                "</w:pPr>"
                f"{text}</w:p></w:tc>"
            )
        # A header row repeats on the next page; no row splits across two.
        repeat = "<w:tblHeader/>" if header else ""
        return f"<w:tr><w:trPr><w:cantSplit/>{repeat}</w:trPr>{''.join(cells)}</w:tr>"

    def picture(self, png: bytes) -> None:
        self.flush()
        self._document.add_picture(io.BytesIO(png), width=CHART_WIDTH)
        paragraph = self._body.findall(qn("w:p"))[-1]
        properties = paragraph.get_or_add_pPr()
        properties.jc_val = 1  # centred
        properties.keepNext_val = True  # with the table under it

    def flush(self) -> None:
        if not self._pending:
            return
        parsed = parse_xml(f"<w:body {nsdecls('w')}>{''.join(self._pending)}</w:body>")
        end = self._body.sectPr
        for element in list(parsed):
            if end is not None:
                end.addprevious(element)
            else:
                self._body.append(element)
        self._pending = []


_HEADING_STYLES = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}


def _draw(writer: _Writer, block: Block, translate: Translate) -> None:
    if isinstance(block, Heading):
        writer.paragraph(block.text, _HEADING_STYLES[block.level], keep=True)
    elif isinstance(block, Text):
        writer.paragraph(block.text, _NOTE_STYLE if block.note else "Normal")
    elif isinstance(block, Chart):
        writer.picture(block.png)
    elif isinstance(block, TableBlock):
        writer.table(block.table, translate)
    else:
        for item in block.items:
            writer.paragraph(item, "List Bullet")


def _head(writer: _Writer, report: Layout) -> None:
    if report.organisation:
        writer.paragraph(report.organisation, _ORGANISATION_STYLE, centre=True)
    writer.paragraph(report.title, "Title", centre=True)
    writer.paragraph(report.survey, _SURVEY_STYLE, centre=True)
    for fact in report.facts:
        writer.paragraph(fact, centre=True)


def build_docx(
    results: SurveyResults,
    meta: ReportMeta,
    charts: Mapping[str, bytes],
    translate: Translate,
) -> bytes:
    """The report; `charts` maps question ids to PNGs (`charts_for(…, PAGE)`), missing ones
    are skipped."""
    document = Document()
    writer = _Writer(document, _prepare(document))
    _font_table(document)
    properties = document.core_properties
    properties.title = meta.title
    properties.author = meta.organisation or ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.created = properties.modified = datetime.combine(meta.generated_on, time(12))
    report = layout(results, meta, charts, translate)
    _head(writer, report)
    for block in report.blocks:
        _draw(writer, block, translate)
    writer.flush()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
