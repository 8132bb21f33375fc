"""Word .docx: the first table with a recognisable header, and the paragraphs above it.

Cells are read from the XML grid rather than ``row.cells`` because python-docx repeats a
merged cell once per grid cell it covers, and only the XML says whether a cell *continues*
a vertical merge (a step row under a merged № and activity) or merely has the same text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
from docx.oxml.ns import qn

from roadmap.readers.archive import declared_sizes_checked, markup_checked, unreadable
from roadmap.readers.grid import spans_table
from roadmap.readers.text import read_text
from roadmap.table import (
    MAX_ROWS,
    MAX_TABLE_NESTING,
    GridRow,
    Paragraphs,
    RawRoadmap,
    RoadmapReadError,
    build_roadmap,
    cell_paragraphs,
    find_header,
    preamble_lines,
    too_many_rows,
)

# lxml elements have no type stubs; everything XML is ``Any`` here and typed at the edges.
Element = Any

_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_SDT_CONTENT, _T, _TAB = qn("w:sdtContent"), qn("w:t"), qn("w:tab")
_BR, _CR, _NB_HYPHEN = qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")
_VAL = qn("w:val")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Text that Word does not show: deleted or moved-away revisions, and the VML copy of a textbox.
_HIDDEN = frozenset({qn("w:del"), qn("w:moveFrom"), _FALLBACK})
_HEADER_SEARCH_ROWS = 6
_DOCUMENT = "word/document.xml"
# Table and row tags as Word and every other writer spell them; the prefix is free in XML,
# so the walk below checks nesting again, on the tree.
_TABLE_TAG = re.compile(rb"<(/?)w:(tbl|tr)[\s>/]")
_TAG_TAIL = 8  # bytes a tag split between two chunks can have in the first one
_CHUNK = 1024 * 1024


def read_docx(data: bytes) -> RawRoadmap:
    """The roadmap in a .docx; too big, too deep or too long a file is refused before parsing."""
    declared_sizes_checked(data, "docx")
    _scan_tables(data)
    markup_checked(data, "docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # a damaged package fails in many ways, all of them "corrupt"
        raise unreadable(error, "docx") from error
    body = getattr(document.element, "body", None)
    if body is None:
        raise RoadmapReadError("corrupt", format="docx")
    numbering = _Numbering(document)
    blocks = list(_body_blocks(body))
    tables = [block for block in blocks if not isinstance(block, str)]
    for position, block in enumerate(blocks):
        if isinstance(block, str):
            continue
        rows = _table_rows(block, numbering, _table_label(tables, block))
        header = find_header([[row.text(i) for i in range(len(row.cells))] for row in rows])
        if header is None or header[0] >= _HEADER_SEARCH_ROWS:
            continue
        rows += _continuation_rows(blocks[position + 1 :], len(rows[0].cells), numbering, tables)
        preamble = [block for block in blocks[:position] if isinstance(block, str)]
        return build_roadmap(preamble_lines(preamble), rows)
    # No table: perhaps the roadmap was typed with tabs; the text reader knows that layout.
    return read_text("\n".join(block for block in blocks if isinstance(block, str)))


def _scan_tables(data: bytes) -> None:
    """Rows of the top-level tables and nesting depth, read from the XML as it is inflated.

    Both refusals come before python-docx builds its tree: a 20,000-row file is told about
    its rows, not about its size, and a 200-deep nest of tables never reaches lxml.
    """
    depth = rows = 0
    tail = b""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(_DOCUMENT) as xml:
            while chunk := xml.read(_CHUNK):
                buffer = tail + chunk
                for match in _TABLE_TAG.finditer(buffer):
                    if match.end() <= len(tail):
                        continue  # wholly in the previous chunk: counted there
                    closing, tag = match.group(1), match.group(2)
                    if tag == b"tbl":
                        depth += -1 if closing else 1
                        if depth > MAX_TABLE_NESTING:
                            raise RoadmapReadError("nested_tables", limit=str(MAX_TABLE_NESTING))
                    elif not closing and depth == 1:
                        rows += 1
                        if rows > MAX_ROWS:
                            raise too_many_rows()
                tail = buffer[-_TAG_TAIL:]
    except KeyError:
        return  # the main part is elsewhere (rare): the walk below still checks both
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise RoadmapReadError("corrupt", format="docx") from error


def _table_label(tables: list[Element], table: Element) -> str:
    if len(tables) == 1:
        return "таблица"
    return f"таблица {tables.index(table) + 1}"


def _body_blocks(body: Element) -> Iterator[str | Element]:
    """Paragraph texts and table elements in document order, content controls unwrapped."""
    for child in body.iterchildren():
        if child.tag == _P:
            yield _paragraph_text(child)
        elif child.tag == _TBL:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _body_blocks(content)


def _paragraph_text(paragraph: Element, label: str = "") -> str:
    parts: list[str] = [f"{label} "] if label else []
    _collect_text(paragraph, parts)
    return "".join(parts)


def _collect_text(element: Element, parts: list[str]) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if tag in _HIDDEN:
            continue
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _NB_HYPHEN:
            parts.append("-")
        else:
            _collect_text(child, parts)


@dataclass
class _Level:
    kind: str
    pattern: str
    start: int


class _Numbering:
    """Word's automatic numbering, so an auto-numbered № column still reads "1.", "2.", …"""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part, or python-docx cannot find it: nothing to render
            return
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.iterchildren(qn("w:abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in node.iterchildren(qn("w:lvl")):
                levels[_int(lvl.get(qn("w:ilvl")))] = _Level(
                    kind=_child_val(lvl, "w:numFmt") or "decimal",
                    pattern=_child_val(lvl, "w:lvlText") or "",
                    start=_int(_child_val(lvl, "w:start"), 1),
                )
            abstract[node.get(qn("w:abstractNumId")) or ""] = levels
        for num in root.iterchildren(qn("w:num")):
            levels_of = abstract.get(_child_val(num, "w:abstractNumId") or "", {})
            self.levels[num.get(qn("w:numId")) or ""] = levels_of

    def label(self, paragraph: Element) -> str:
        num_pr = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            return ""
        num_id = _child_val(num_pr, "w:numId") or ""
        level = _int(_child_val(num_pr, "w:ilvl"))
        levels = self.levels.get(num_id)
        if not levels or level not in levels or num_id == "0":
            return ""
        counters = self.counters.setdefault(num_id, [])
        while len(counters) <= level:
            depth = len(counters)
            counters.append(levels[depth].start - 1 if depth in levels else 0)
        counters[level] += 1
        del counters[level + 1 :]
        spec = levels[level]
        if spec.kind == "bullet":
            return "•"
        if spec.kind == "none":
            return ""
        text = spec.pattern
        for depth, value in enumerate(counters):
            kind = levels[depth].kind if depth in levels else "decimal"
            text = text.replace(f"%{depth + 1}", _format_counter(value, kind))
        return text


def _format_counter(value: int, kind: str) -> str:
    if kind in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if kind == "upperLetter" else letter
    if kind in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.lower() if kind == "lowerRoman" else roman
    return str(value)


def _roman(value: int) -> str:
    out = ""
    for amount, digits in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while value >= amount:
            out += digits
            value -= amount
    return out


def _child_val(element: Element, path: str) -> str | None:
    child = element.find("/".join(qn(tag) for tag in path.split("/")))
    if child is None:
        return None
    value = child.get(_VAL)
    return str(value) if value is not None else None


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _cell_paragraphs(cell: Element, numbering: _Numbering) -> Paragraphs:
    out: list[str] = []
    for paragraph in _cell_paragraph_elements(cell, 1):
        out.extend(cell_paragraphs(_paragraph_text(paragraph, numbering.label(paragraph))))
    return tuple(out)


def _cell_paragraph_elements(container: Element, depth: int) -> Iterator[Element]:
    """Paragraphs of a cell in reading order, including those of a table nested in it."""
    for child in container.iterchildren():
        if child.tag == _P:
            yield child
        elif child.tag == _TBL:
            if depth >= MAX_TABLE_NESTING:
                raise RoadmapReadError("nested_tables", limit=str(MAX_TABLE_NESTING))
            yield from _cell_paragraph_elements(child, depth + 1)
        elif child.tag in (_TR, _TC):
            yield from _cell_paragraph_elements(child, depth)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _cell_paragraph_elements(content, depth)


def _row_cells(row: Element) -> Iterator[Element]:
    for child in row.iterchildren():
        if child.tag == _TC:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from (cell for cell in content.iterchildren() if cell.tag == _TC)


def _table_rows(table: Element, numbering: _Numbering, label: str) -> list[GridRow]:
    if sum(1 for _ in table.iterchildren(_TR)) > MAX_ROWS:
        raise too_many_rows()
    grid = table.find(qn("w:tblGrid"))
    width = len(grid.findall(qn("w:gridCol"))) if grid is not None else 0
    merges: dict[int, Paragraphs] = {}  # column -> text of the cell a vertical merge started in
    rows: list[GridRow] = []
    for number, row in enumerate(table.iterchildren(_TR), start=1):
        column = _int(_child_val(row, "w:trPr/w:gridBefore"))
        placed: list[tuple[int, int, Paragraphs]] = []
        continued: set[int] = set()
        for cell in _row_cells(row):
            span = max(1, _int(_child_val(cell, "w:tcPr/w:gridSpan"), 1))
            merge = cell.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            if merge is not None and merge.get(_VAL) in (None, "continue"):
                paragraphs = merges.get(column, ())
                continued.add(column)
            else:
                paragraphs = _cell_paragraphs(cell, numbering)
                if merge is not None:
                    merges[column] = paragraphs
                else:
                    merges.pop(column, None)
            placed.append((column, span, paragraphs))
            column += span
        width = max(width, column)
        cells: list[Paragraphs] = [()] * width
        for start, _, paragraphs in placed:
            cells[start] = paragraphs
        rows.append(
            GridRow(
                cells=tuple(cells),
                source_ref=f"{label}, строка {number}",
                merged_above=frozenset(continued),
                full_width=spans_table(placed, continued, width),
            )
        )
    return rows


def _continuation_rows(
    blocks: list[str | Element], width: int, numbering: _Numbering, tables: list[Element]
) -> list[GridRow]:
    """The same table continued after a page break, with headings typed between the parts."""
    rows: list[GridRow] = []
    between: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            if block.strip():
                between.append(block)
            continue
        more = _table_rows(block, numbering, _table_label(tables, block))
        if not more or len(more[0].cells) != width:
            break
        for text in between:
            paragraphs = cell_paragraphs(text)
            if paragraphs:
                cells = (paragraphs,) + ((),) * (width - 1)
                rows.append(GridRow(cells, "текст между таблицами", full_width=True))
        between.clear()
        rows += more
        if len(rows) > MAX_ROWS:
            raise too_many_rows()
    return rows
