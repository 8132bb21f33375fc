"""«Отчёт по результатам опроса» as PDF, beside the DOCX: the same layout, for a website that
takes PDF or a reader without Word.

fpdf2 (pure Python) with the TTF the charts are drawn with (`surveys.report.fonts`),
embedded, so the file reads the same everywhere. A question's heading starts a new page only
when its chart would not fit under it.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time

from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from surveys.report.fonts import font_file
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

FONT = "ReportSans"
LEFT, TOP, RIGHT, BOTTOM = 25.0, 20.0, 15.0, 20.0  # mm, as the DOCX
TEXT_WIDTH = 210.0 - LEFT - RIGHT
CHART_WIDTH = 160.0
_HEADER_FILL = (0xDD, 0xE7, 0xF0)
_GREY = (0x44, 0x44, 0x44)
# (size in points, bold, space before and after in mm) per heading level.
_HEADINGS = {1: (12.5, True, 4.0, 1.5), 2: (10.5, True, 3.5, 1.5), 3: (9.5, False, 2.0, 1.0)}
_BODY, _SMALL = 10.0, 8.5
# A table row: one line of 8.5 pt type and a little air above and below it (mm).
_ROW_LINE, _ROW_PADDING = _SMALL * 0.3528 * 1.15, 0.45
# A heading with less than this under it on the page goes to the next (mm): a heading never
# ends a page alone.
_KEEP = 25.0


def _line(size: float) -> float:
    """Line height in mm for a type size in points."""
    return size * 0.3528 * 1.3


def _png_height(png: bytes, width: float) -> float:
    pixels_wide, pixels_high = struct.unpack(">II", png[16:24])
    return float(width * pixels_high / pixels_wide)


def _table_height(table: Table) -> float:
    """About how tall a table is drawn (mm): a line a row, and a second for a long label."""
    rows = [table.header, *table.rows]
    lines = sum(2 if len(str(row[0])) > 45 else 1 for row in rows)
    return lines * _ROW_LINE + len(rows) * 2 * _ROW_PADDING + 1.5


def _value(value: Value, translate: Translate) -> str:
    if isinstance(value, float):
        return decimal(value, translate)
    return str(value)


class _Writer:
    def __init__(self, meta: ReportMeta) -> None:
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_margins(LEFT, TOP, RIGHT)
        pdf.set_auto_page_break(auto=True, margin=BOTTOM)
        pdf.add_font(FONT, "", str(font_file()))
        pdf.add_font(FONT, "B", str(font_file(bold=True)))
        pdf.add_font(FONT, "I", str(font_file(italic=True)))
        pdf.set_title(meta.title)
        pdf.set_author(meta.organisation or "")
        pdf.set_creator("")
        # The day of the report, not the moment: the same results make the same file.
        pdf.set_creation_date(datetime.combine(meta.generated_on, time(12), tzinfo=UTC))
        pdf.add_page()
        self.pdf = pdf

    def text(
        self,
        text: str,
        size: float = _BODY,
        *,
        style: str = "",
        centre: bool = False,
        after: float = 1.0,
        grey: bool = False,
    ) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*(_GREY if grey else (0, 0, 0)))
        pdf.multi_cell(
            0,
            _line(size),
            text,
            align=Align.C if centre else Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)
        pdf.ln(after)

    def heading(self, block: Heading, following: Sequence[Block]) -> None:
        """A new page unless the heading, its chart and its first table fit on this one."""
        size, bold, before, after = _HEADINGS[block.level]
        needed = _line(size) * 2
        for after_block in following:
            if isinstance(after_block, Chart):
                needed += _png_height(after_block.png, CHART_WIDTH) + 1
            elif isinstance(after_block, TableBlock):
                needed += _table_height(after_block.table)
                break
            else:
                break
        needed = max(needed, _KEEP)
        pdf = self.pdf
        if pdf.get_y() + before + needed > pdf.page_break_trigger:
            pdf.add_page()
        else:
            pdf.ln(before)
        self.text(block.text, size, style="B" if bold else "", after=after)

    def chart(self, png: bytes) -> None:
        pdf = self.pdf
        pdf.image(io.BytesIO(png), x=LEFT + (TEXT_WIDTH - CHART_WIDTH) / 2, w=CHART_WIDTH)
        pdf.ln(1)

    def table(self, table: Table, translate: Translate) -> None:
        pdf = self.pdf
        width = len(table.header)
        # The labels get what the numbers leave, but never less than a quarter of the width.
        first = max(45.0, min(80.0, TEXT_WIDTH - 22 * (width - 1))) if width > 1 else TEXT_WIDTH
        rest = (TEXT_WIDTH - first) / max(1, width - 1)
        pdf.set_font(FONT, "", _SMALL)
        bold = FontFace(emphasis="BOLD")
        with pdf.table(
            align=Align.L,
            width=TEXT_WIDTH,
            col_widths=(first, *([rest] * (width - 1))),
            text_align=("LEFT", *(["RIGHT"] * (width - 1))),
            line_height=_ROW_LINE,
            headings_style=FontFace(emphasis="BOLD", fill_color=_HEADER_FILL),
            borders_layout=TableBordersLayout.ALL,
            padding=(_ROW_PADDING, 1.0),
            repeat_headings=1,
        ) as drawn:
            header = drawn.row()
            for title in table.header:
                header.cell(title, align=Align.L)
            for index, values in enumerate(table.rows):
                footer = table.footer_from is not None and index >= table.footer_from
                row = drawn.row()
                for value in values:
                    row.cell(_value(value, translate), style=bold if footer else None)
        pdf.ln(1.5)

    def bullets(self, items: tuple[str, ...]) -> None:
        pdf = self.pdf
        size = 9.5
        pdf.set_font(FONT, "", size)
        for item in items:
            if pdf.get_y() + _line(size) > pdf.page_break_trigger:
                pdf.add_page()
            pdf.set_x(LEFT + 2)
            pdf.cell(4, _line(size), "•")
            pdf.multi_cell(TEXT_WIDTH - 6, _line(size), item, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(0.4)
        pdf.ln(1)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _draw(writer: _Writer, block: Block, following: Sequence[Block], translate: Translate) -> None:
    if isinstance(block, Heading):
        writer.heading(block, following)
    elif isinstance(block, Text):
        if block.note:
            writer.text(block.text, _SMALL, style="I", grey=True)
        else:
            writer.text(block.text)
    elif isinstance(block, Chart):
        writer.chart(block.png)
    elif isinstance(block, TableBlock):
        writer.table(block.table, translate)
    else:
        writer.bullets(block.items)


def _head(writer: _Writer, report: Layout) -> None:
    if report.organisation:
        writer.text(report.organisation, 11, centre=True)
    writer.text(report.title, 15, style="B", centre=True, after=1.5)
    writer.text(report.survey, 12.5, style="B", centre=True, after=1.5)
    for fact in report.facts:
        writer.text(fact, centre=True, after=0.5)


def build_pdf(
    results: SurveyResults,
    meta: ReportMeta,
    charts: Mapping[str, bytes],
    translate: Translate,
) -> bytes:
    """The report as PDF; the same arguments as `build_docx`."""
    writer = _Writer(meta)
    report = layout(results, meta, charts, translate)
    _head(writer, report)
    blocks = report.blocks
    for index, block in enumerate(blocks):
        _draw(writer, block, blocks[index + 1 : index + 4], translate)
    return writer.output()
