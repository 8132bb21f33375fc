"""Uploads built to hurt: zip bombs, 20,000-row tables, tables nested 200 deep.

Built from raw XML in a few milliseconds (python-docx would take minutes for 20,000 rows), and
a bomb's inflated member is written as a stream, so building a 1 GiB bomb needs no 1 GiB of
memory. Used by tests/roadmap/test_upload_limits.py, the e2e tests and bench/uploads.py.
"""

from __future__ import annotations

import base64
import io
import os
import re
import struct
import zipfile
from collections.abc import Iterator
from functools import cache
from html import escape

from tests.roadmap.builders import docx_bytes, xlsx_bytes

HEADER = ("№ п/п", "Мероприятие", "Сроки проведения", "Ответственные исполнители")
TITLE = "Дорожная карта МБОУ «СОШ №2» на 2022-2023 учебный год"
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_SHEET = "xl/worksheets/sheet1.xml"
_DOCUMENT = "word/document.xml"
_MIB = 1024 * 1024


def row_cells(number: int) -> tuple[str, str, str, str]:
    return (
        f"{number}.",
        f"Совещание рабочей группы № {number} по реализации плана",
        "до 04.10.2022 г.",
        "Шабанова Н.С., заместитель директора по УВР",
    )


@cache
def _base_docx() -> bytes:
    return docx_bytes(HEADER, [row_cells(1)], title=(TITLE,))


@cache
def _base_xlsx() -> bytes:
    return xlsx_bytes(HEADER, [row_cells(1)], title=(TITLE,))


def _replace_member(base: bytes, name: str, chunks: Iterator[bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename == name:
                with target.open(name, "w", force_zip64=True) as member:
                    for chunk in chunks:
                        member.write(chunk)
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def _paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>"


def _docx_row(cells: tuple[str, ...]) -> str:
    return "<w:tr>" + "".join(f"<w:tc>{_paragraph(cell)}</w:tc>" for cell in cells) + "</w:tr>"


def _section_properties() -> str:
    with zipfile.ZipFile(io.BytesIO(_base_docx())) as archive:
        xml = archive.read(_DOCUMENT).decode()
    found = re.search(r"<w:sectPr\b.*</w:sectPr>", xml, re.S)
    return found.group(0) if found else ""


def _docx_document(body: Iterator[str]) -> Iterator[bytes]:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    yield f"{head}<w:document {_W}><w:body>".encode()
    yield _paragraph(TITLE).encode()
    for part in body:
        yield part.encode()
    yield f"<w:p/>{_section_properties()}</w:body></w:document>".encode()


def _table(rows: int) -> Iterator[str]:
    grid = "".join('<w:gridCol w:w="2000"/>' for _ in HEADER)
    yield f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{_docx_row(HEADER)}"
    for number in range(1, rows + 1):
        yield _docx_row(row_cells(number))
    yield "</w:tbl>"


def rows_docx(rows: int) -> bytes:
    """A Word roadmap of ``rows`` activities under the header (rows + 1 table rows)."""
    return _replace_member(_base_docx(), _DOCUMENT, _docx_document(_table(rows)))


def nested_docx(depth: int) -> bytes:
    """A one-row roadmap whose activity cell holds a table in a table ... ``depth`` deep."""
    inner = _paragraph("Совещание")
    for _ in range(depth):
        inner = f"<w:tbl><w:tblPr/><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl><w:p/>"
    grid = "".join('<w:gridCol w:w="2000"/>' for _ in HEADER)
    cells = row_cells(1)
    row = (
        f"<w:tr><w:tc>{_paragraph(cells[0])}</w:tc><w:tc>{inner}</w:tc>"
        + "".join(f"<w:tc>{_paragraph(cell)}</w:tc>" for cell in cells[2:])
        + "</w:tr>"
    )
    table = f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{_docx_row(HEADER)}{row}</w:tbl>"
    return _replace_member(_base_docx(), _DOCUMENT, _docx_document(iter([table])))


def huge_cell_docx(size: int) -> bytes:
    """A one-row roadmap whose activity cell holds ``size`` bytes of text that does not
    compress (so no zip limit refuses it first): past the XML parser's text-node limit."""
    text = base64.b64encode(os.urandom(size * 3 // 4)).decode()
    cells = (row_cells(1)[0], text, *row_cells(1)[2:])
    grid = "".join('<w:gridCol w:w="2000"/>' for _ in HEADER)
    table = (
        f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{_docx_row(HEADER)}"
        f"{_docx_row(cells)}</w:tbl>"
    )
    return _replace_member(_base_docx(), _DOCUMENT, _docx_document(iter([table])))


def bomb_docx(inflated: int) -> bytes:
    """A .docx whose document.xml inflates to about ``inflated`` bytes of empty paragraphs."""
    filler = b"<w:p/>" * (_MIB // 6)

    def body() -> Iterator[str]:
        yield from _table(1)

    def chunks() -> Iterator[bytes]:
        parts = list(_docx_document(body()))
        yield from parts[:-1]
        for _ in range(max(1, inflated // len(filler))):
            yield filler
        yield parts[-1]

    return _replace_member(_base_docx(), _DOCUMENT, chunks())


def _xlsx_cell(column: int, row: int, text: str) -> str:
    return f'<c r="{"ABCD"[column]}{row}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _sheet(rows: Iterator[tuple[int, tuple[str, ...]]], tail: Iterator[str]) -> Iterator[bytes]:
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
        b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    for number, cells in rows:
        row = "".join(_xlsx_cell(column, number, text) for column, text in enumerate(cells))
        yield f'<row r="{number}">{row}</row>'.encode()
    for part in tail:
        yield part.encode()
    yield b"</sheetData></worksheet>"


def _sheet_rows(rows: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    yield 1, (TITLE,)
    yield 3, HEADER
    for number in range(1, rows + 1):
        yield 3 + number, row_cells(number)


def rows_xlsx(rows: int, *, empty_rows_after: int = 0) -> bytes:
    """An Excel roadmap of ``rows`` activities, then (if asked) formatted but empty rows."""
    last = 3 + rows
    tail = (f'<row r="{last + i}" s="1"/>' for i in range(1, empty_rows_after + 1))
    return _replace_member(_base_xlsx(), _SHEET, _sheet(_sheet_rows(rows), tail))


def bomb_xlsx(inflated: int) -> bytes:
    """An .xlsx whose sheet inflates to about ``inflated`` bytes of empty rows."""
    filler = b"<row/>" * (_MIB // 6)

    def chunks() -> Iterator[bytes]:
        parts = list(_sheet(_sheet_rows(1), iter(())))
        yield from parts[:-1]
        for _ in range(max(1, inflated // len(filler))):
            yield filler
        yield parts[-1]

    return _replace_member(_base_xlsx(), _SHEET, chunks())


def rows_csv(rows: int) -> bytes:
    lines = [TITLE, ";".join(HEADER)] + [";".join(row_cells(n)) for n in range(1, rows + 1)]
    return "\n".join(lines).encode("utf-8")


def rows_text(rows: int) -> str:
    lines = [TITLE, "\t".join(HEADER)] + ["\t".join(row_cells(n)) for n in range(1, rows + 1)]
    return "\n".join(lines)


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """The same zip with ``name``'s uncompressed size rewritten (local header and directory).

    The compressed bytes stay what they are, so inflating the member would fail or stop
    short: a check that refuses on the declared size alone has provably inflated nothing.
    """
    out = bytearray(data)
    encoded = name.encode()
    position = 0
    while (position := out.find(encoded, position + 1)) != -1:
        if out[position - 30 : position - 26] == b"PK\x03\x04":
            struct.pack_into("<I", out, position - 30 + 22, size)
        elif out[position - 46 : position - 42] == b"PK\x01\x02":
            struct.pack_into("<I", out, position - 46 + 24, size)
    return bytes(out)
