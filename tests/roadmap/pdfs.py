"""PDFs built for the reader's tests: ruled tables drawn with fpdf2, and files built to hurt.

fpdf2 draws each cell's borders, breaks a table across pages between rows and repeats the
header row on every page, as Word does; a "\\n" in a cell's text is a paragraph break, a
long text wraps inside the cell. DejaVu Sans (shipped by matplotlib) has the Cyrillic.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence

from fpdf import FPDF
from PIL import Image

from surveys.report.fonts import font_file

FONT = "DejaVu"
HEADER = ("№ п/п", "Мероприятие", "Срок проведения", "Ответственные исполнители")
TITLE = "ДОРОЖНАЯ КАРТА МБОУ «СОШ №7» на 2024-2025 учебный год"


def _document() -> FPDF:
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font(FONT, "", str(font_file()))
    pdf.add_font(FONT, "B", str(font_file(bold=True)))
    pdf.set_font(FONT, size=10)
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf


def _draw_table(pdf: FPDF, rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    pdf.add_page()
    pdf.multi_cell(0, 6, TITLE, align="C")
    pdf.ln(4)
    with pdf.table(col_widths=(15, 120, 55, 80), line_height=5, repeat_headings=1) as table:
        for cells in (header, *rows):
            row = table.row()
            for text in cells:
                row.cell(text)


def table_pdf(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> bytes:
    """A title above a ruled table whose header row repeats on every page."""
    pdf = _document()
    _draw_table(pdf, rows, header)
    return bytes(pdf.output())


class _WithRunningHeader(FPDF):
    def header(self) -> None:
        self.set_font(FONT, size=8)
        self.cell(0, 5, "Приложение 1 к приказу от 12.09.2024 № 115-О", align="R")
        self.ln(6)
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"Страница {self.page_no()}", align="C")


def running_header_pdf(rows: Sequence[Sequence[str]]) -> bytes:
    """A table over pages under a line each page repeats, with numbered pages."""
    pdf = _WithRunningHeader(orientation="L", format="A4")
    pdf.add_font(FONT, "", str(font_file()))
    pdf.add_font(FONT, "B", str(font_file(bold=True)))
    pdf.set_font(FONT, size=10)
    _draw_table(pdf, rows, HEADER)
    return bytes(pdf.output())


def text_pdf(pages: int, text: str = "Страница с текстом") -> bytes:
    """``pages`` pages of one line each."""
    pdf = _document()
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 10, f"{text} {number}")
    return bytes(pdf.output())


def blank_pdf(pages: int) -> bytes:
    """Pages with nothing on them."""
    pdf = _document()
    for _ in range(pages):
        pdf.add_page()
    return bytes(pdf.output())


def encrypted_pdf(rows: Sequence[Sequence[str]]) -> bytes:
    """A roadmap that opens only with a password."""
    pdf = _document()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    _draw_table(pdf, rows, HEADER)
    return bytes(pdf.output())


def _page_image() -> bytes:
    image = Image.new("L", (400, 280), color=255)
    for x in range(40, 360):
        for y in (40, 80, 120):
            image.putpixel((x, y), 0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def scanned_pdf(pages: int = 1) -> bytes:
    """Pages that are pictures only: what a scanner makes."""
    pdf = FPDF(orientation="L", format="A4")
    for _ in range(pages):
        pdf.add_page()
        pdf.image(io.BytesIO(_page_image()), x=10, y=10, w=270)
    return bytes(pdf.output())


def table_then_scan_pdf(rows: Sequence[Sequence[str]]) -> bytes:
    """A roadmap with text, and one more page that is a scan (its end, say, or signatures)."""
    pdf = _document()
    _draw_table(pdf, rows, HEADER)
    pdf.add_page()
    pdf.image(io.BytesIO(_page_image()), x=10, y=10, w=270)
    return bytes(pdf.output())


def bomb_pdf(inflated_bytes: int) -> bytes:
    """A one-page PDF whose content stream inflates to ``inflated_bytes`` of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(inflated_bytes // len(chunk))]
    return _handmade(b"".join(parts) + compressor.flush(), pages=1)


def dense_pdf(pages: int, content_bytes: int) -> bytes:
    """Pages that each draw a glyph for nearly every byte of their instructions: the most
    interpreting a file of a few kilobytes can ask for. All pages share one content stream."""
    line = b"BT /F1 1 Tf 10 10 Td (" + b"x" * 200 + b") Tj ET\n"
    return _handmade(zlib.compress(line * (content_bytes // len(line))), pages=pages)


def _handmade(stream: bytes, pages: int) -> bytes:
    """A PDF written by hand around one Flate content stream: the point is a stream no writer
    would make. Its cross-reference offsets are right, so only the stream is wrong with it."""
    kids = b" ".join(b"%d 0 R" % (5 + page) for page in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 3 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> >>"
    ] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def unruled_pdf(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> bytes:
    """A table without rules: each column's text starts at its own x, as a typed table does."""
    pdf = _document()
    pdf.add_page()
    pdf.cell(0, 8, TITLE)
    pdf.ln(10)
    for cells in (header, *rows):
        for x, text in zip((10, 30, 130, 190), cells, strict=True):
            pdf.set_x(x)
            pdf.cell(1, 6, text)
        pdf.ln(7)
    return bytes(pdf.output())
