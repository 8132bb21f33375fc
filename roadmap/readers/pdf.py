"""PDF with a text layer: the ruled table by the borders drawn around its cells, and the text
above it as the title and preamble.

A PDF has no cells, paragraphs or merges, only glyphs and the lines drawn between them. So:

- Cells are the rectangles pdfplumber finds among the ruling lines. Their edges make the grid;
  a rectangle over several grid rows is a vertical merge (the rows under its first one get
  ``merged_above`` and its text, as the Word reader gives them), one across the table is a
  section row.
- A cell's lines become paragraphs where a line ends short: if the next line's first word
  would have fit after it, the writer broke the line (a new paragraph, a list item, the next
  person); otherwise the layout wrapped it and the two are one paragraph, unless the next
  line starts a list item, or a sentence after one that ended: there the length cannot tell,
  and a paragraph break is the likelier.
- A table Word or LibreOffice continued over several pages is one table: the parts on later
  pages with the same column borders are joined, the header they repeat is dropped, and a row
  a page break cut in two (its part on the next page has no number and goes on in lower case)
  is one row again. Page numbers and lines every page repeats (a running header or footer)
  are dropped; other text between the parts is a row across the table, as the Word reader
  reads text between two tables (a section heading typed there).
- A page with an image and no text is a scan: if no page has text, the file is refused
  ("pdf_scanned"); otherwise each such page is a warning, so that what it holds is not lost
  silently. So is a page left unread for its cost (below).

A PDF without ruled tables (columns aligned by spaces) is read as text, its columns split at
wide gaps, as the text reader reads a message whose tabs became spaces.

Hostile files: the streams are inflated by count before pdfminer opens the file
(``core.pdf_streams``), pages are counted before any is read (at most ``MAX_PAGES``), each
page's glyphs are counted before it is read (the limits below ``MAX_PAGES``), and whatever
pdfminer raises on a damaged file is "pdf_corrupt", on a password "pdf_encrypted".
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pdfplumber
from pdfminer.pdfdevice import PDFDevice
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream
from pdfplumber.utils.exceptions import PdfminerException

from core.archives import ArchiveRefused
from core.pdf_streams import check_pdf_streams
from roadmap.readers.archive import refusal
from roadmap.readers.grid import Placed, spans_table
from roadmap.readers.text import read_text
from roadmap.table import (
    MAX_ROWS,
    Column,
    GridRow,
    Paragraphs,
    RawRoadmap,
    RoadmapReadError,
    build_roadmap,
    cell_paragraphs,
    find_header,
    preamble_lines,
    starts_lower,
    too_many_rows,
)
from roadmap.warnings import ParseWarning

# A roadmap runs to a few dozen pages; a 2,000-row municipal plan to about 150.
MAX_PAGES = 200
# What interpreting a PDF may cost. pdfminer and pdfplumber spend ~30 µs and ~2 KB on each
# glyph of a page. A roadmap page draws 1,000-3,000 glyphs with 6-7 bytes of drawing
# instructions each (a 2,000-row plan of 167 pages: 333,000 glyphs, 1.7 MB, 8 s); a hostile
# page draws a glyph a byte, or repeats a form of glyphs. So the glyphs of each page are
# counted first, cheaply (nothing kept); a page of more glyphs than any page of text has,
# or of more instructions than a drawing has, is left unread with a warning. More
# instructions in all, or more glyphs in all than a 3,500-row plan has, refuse the file.
MAX_PAGE_GLYPHS = 40_000  # ~80 MB while the page is read
MAX_PAGE_CONTENT_BYTES = 2 * 1024 * 1024
MAX_CONTENT_BYTES = 32 * 1024 * 1024
MAX_CHARS = 1_000_000
_HEADER_SEARCH_ROWS = 6
# Borders of one grid line, as Word and LibreOffice draw them, agree within this (points).
_SNAP = 2.0
# Column borders of a table's parts on two pages agree within this.
_SAME_COLUMNS = 3.0
# Word's and LibreOffice's default cell margin (0.19 cm), when a column shows none.
_DEFAULT_PADDING = 5.4
_MAX_PADDING = 15.0
# A wrapped line may end this much short of the margin and still count as wrapped: a lost
# paragraph break costs less than a paragraph cut in two (a person split across two lines).
_WRAP_SLACK = 2.0
_SPACE_EM = 0.25  # a space is about a quarter of the font size in Times, Arial, DejaVu
_SAME_LINE = 2.5  # words whose tops differ by less are on one line (points)
_COLUMN_GAP = 3.0  # spaces: a wider gap between two words parts two columns
_PAGE_NUMBER = re.compile(
    r"^[-–—\s]*(?:(?:стр(?:аница)?|с|page)\.?\s*)?\d{1,3}"
    r"(?:\s*(?:из|/|of)\s*\d{1,3})?[-–—\s]*$",
    re.IGNORECASE,
)
_BETWEEN = "текст между таблицами"
_DIGITS = re.compile(r"\d+")
_HYPHENATED = re.compile(r"[а-яёa-z0-9]-$", re.IGNORECASE)
# How a list item starts: "1.", "2)", "а)", a bullet, a hyphen-minus and a space. Not a dash:
# prose wraps before " — " too.
_ITEM_START = re.compile(r"^(?:\d{1,2}[.)]\s|[a-zа-я]\)\s|[•·▪●◦‣∙]|-\s)")
_SENTENCE_END = re.compile(r"(?<!\b[А-ЯЁA-Z])[.!?;]$")


@dataclass
class _Line:
    """One line of words: its text, where it sits, and what the wrap test needs."""

    text: str
    spaced: str  # the text with wide gaps kept wide (columns of a table without rules)
    x0: float
    x1: float
    top: float
    bottom: float
    first_word: float  # width of its first word
    space: float  # width of a space in its font
    trailing_space: bool = False  # a space glyph after its last word (LibreOffice draws them)


@dataclass(eq=False)
class _Cell:
    x0: float
    x1: float
    colspan: int
    lines: list[_Line] = field(default_factory=list)
    padding: float = _DEFAULT_PADDING
    # A cell on the next page that carries on this one (a row cut by the page break).
    joined_into: _Cell | None = None

    def resolved(self) -> _Cell:
        cell = self
        while cell.joined_into is not None:
            cell = cell.joined_into
        return cell

    def text(self) -> str:
        return " ".join(line.text for line in self.resolved().lines)


@dataclass
class _Slot:
    """A grid position a cell covers: ``origin`` on the cell's first row."""

    cell: _Cell
    origin: bool


# A grid row: one entry per column; None where a cell to the left spans over it, or no cell.
_Row = list[_Slot | None]


@dataclass
class _Part:
    """The piece of a table on one page."""

    page: int
    top: float
    columns: list[float]  # x of the column borders, left to right
    rows: list[_Row]

    def texts(self, index: int) -> list[str]:
        return [_slot_text(slot) for slot in self.rows[index]]


@dataclass
class _Text:
    """A line of text outside the tables, and the page's text margins (for the wrap test)."""

    page: int
    line: _Line
    margins: _Cell

    @property
    def top(self) -> float:
        return self.line.top

    @property
    def text(self) -> str:
        return self.line.text


_Block = _Part | _Text


def read_pdf(data: bytes) -> RawRoadmap:
    """The roadmap in a PDF with a text layer; a scan, a password or damage is refused."""
    try:
        check_pdf_streams(data)
    except ArchiveRefused as error:
        raise refusal(error) from error
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return _read_document(pdf)
    except RoadmapReadError:
        raise
    except PdfminerException as error:
        raise _opening_error(error) from error
    except Exception as error:  # damage shows in many ways, on opening or on any page
        raise RoadmapReadError("pdf_corrupt") from error


def _opening_error(error: PdfminerException) -> RoadmapReadError:
    cause = error.args[0] if error.args else None
    if isinstance(cause, PDFEncryptionError):
        return RoadmapReadError("pdf_encrypted")
    return RoadmapReadError("pdf_corrupt")


def _read_document(pdf: Any) -> RawRoadmap:
    # Counted through pdfminer's lazy walk of the page tree: pdfplumber's ``pages`` would
    # build every page of a 100,000-page file before anything could be said.
    if sum(1 for _ in itertools.islice(PDFPage.create_pages(pdf.doc), MAX_PAGES + 1)) > MAX_PAGES:
        raise RoadmapReadError("too_many_pages", limit=str(MAX_PAGES))
    pages = _Pages()
    for page in pdf.pages:
        pages.read(page)
    if not pages.texted:
        # Pages of pictures are a scan; pages with nothing at all, an empty file.
        raise RoadmapReadError("pdf_scanned" if pages.scanned else "empty")
    try:
        raw = _roadmap(pages.blocks)
    except RoadmapReadError as error:
        raw = _without_a_ruled_table(pages, error)
    warnings = tuple(
        ParseWarning.of(code, source_ref=f"страница {number}")
        for code, pages_of in (
            ("table.pdf_page_without_text", pages.scanned),
            ("table.pdf_page_skipped", pages.skipped),
        )
        for number in pages_of
    )
    return replace(raw, warnings=raw.warnings + warnings) if warnings else raw


def _without_a_ruled_table(pages: _Pages, error: RoadmapReadError) -> RawRoadmap:
    """No ruled table with a roadmap's header: perhaps it is in the pages left unread, or
    typed without rules; otherwise the reason it was not found."""
    if error.code not in ("not_a_table", "no_deadline_column"):
        raise error
    if pages.scanned:
        raise RoadmapReadError("pdf_scanned") from error  # the table is in the scans
    if pages.skipped:
        raise RoadmapReadError("archive_too_complex") from error
    if error.code != "not_a_table":
        raise error
    try:
        return read_text(pages.layout_text())
    except RoadmapReadError as unruled:
        if unruled.code == "empty":
            raise error from unruled  # all the text was in tables, none a roadmap's
        raise


class _Pages:
    """The pages read one by one, each freed once its text is in blocks (200 pages of glyphs
    cached would cost gigabytes), within the limits on what interpreting them may cost."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.scanned: list[int] = []  # pages of pictures without text
        self.skipped: list[int] = []  # pages too heavy to interpret
        self.texted = 0
        self.chars = 0
        self.content = 0
        self.resources = PDFResourceManager(caching=True)

    def read(self, page: Any) -> None:
        content = _content_bytes(page)
        self.content += content
        if self.content > MAX_CONTENT_BYTES:
            raise RoadmapReadError("archive_too_complex")
        if content > MAX_PAGE_CONTENT_BYTES or _too_many_glyphs(page, self.resources):
            self.skipped.append(page.page_number)
            self.texted += 1  # whatever it holds, it is no scan
            return
        self.chars += len(page.chars)
        if self.chars > MAX_CHARS:
            raise RoadmapReadError("archive_too_complex")
        has_text = any(char["text"].strip() for char in page.chars)
        if not has_text and (page.images or page.curves):  # a picture, or letters as curves
            self.scanned.append(page.page_number)
        self.texted += has_text
        self.blocks += _page_blocks(page)
        page.close()

    def layout_text(self) -> str:
        """The text with wide gaps kept, for a table without rules."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, _Text):
                lines.append(block.line.spaced)
        return "\n".join(lines)


class _Enough(Exception):
    pass


class _GlyphCounter(PDFDevice):
    """Counts the bytes of the strings a page draws (at least one a glyph), keeping nothing."""

    def __init__(self, resources: PDFResourceManager) -> None:
        super().__init__(resources)
        self.glyphs = 0

    def render_string(self, textstate: Any, seq: Any, ncs: Any, graphicstate: Any) -> None:
        self.glyphs += sum(len(item) for item in seq if isinstance(item, bytes))
        if self.glyphs > MAX_PAGE_GLYPHS:
            raise _Enough


def _too_many_glyphs(page: Any, resources: PDFResourceManager) -> bool:
    counter = _GlyphCounter(resources)
    try:
        PDFPageInterpreter(resources, counter).process_page(page.page_obj)
    except _Enough:
        return True
    return False


def _content_bytes(page: Any) -> int:
    """Bytes of the page's drawing instructions, before any is interpreted."""
    return sum(
        len(stream.get_data())
        for stream in getattr(page.page_obj, "contents", None) or ()
        if isinstance(stream, PDFStream)
    )


# --------------------------------------------------------------------------------------------
# One page: its tables as grids, its other text as lines


def _page_blocks(page: Any) -> list[_Block]:
    words = page.extract_words(extra_attrs=["size"])
    spaces = _Spaces(page.chars)
    tables = [table for table in page.find_tables() if len(table.cells) >= 2]
    parts: list[_Part] = []
    outside: list[dict[str, Any]] = []
    grids = [_Grid(table.cells) for table in tables]
    for word in words:
        for grid in grids:
            if grid.take(word):
                break
        else:
            outside.append(word)
    for grid in grids:
        parts.append(grid.part(page.page_number, spaces))
    lines = [line for line in _lines(outside, spaces) if not _PAGE_NUMBER.match(line.text)]
    texts: list[_Text] = []
    if lines:
        margins = _Cell(min(line.x0 for line in lines), max(line.x1 for line in lines), 1)
        margins.padding = 0.0
        texts = [_Text(page.page_number, line, margins) for line in lines]
    blocks: list[_Block] = [*parts, *texts]
    blocks.sort(key=lambda block: block.top)
    return blocks


def _snapped(values: Sequence[float]) -> list[float]:
    """Distinct positions, those closer than _SNAP taken for one."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > _SNAP:
            out.append(value)
    return out


def _index(borders: Sequence[float], value: float) -> int:
    """The border nearest ``value``."""
    at = bisect.bisect_left(borders, value)
    if at == len(borders) or (at > 0 and value - borders[at - 1] < borders[at] - value):
        return at - 1
    return at


class _Grid:
    """A table's cells placed on the grid their edges make, and the words inside them."""

    def __init__(self, cells: Sequence[tuple[float, float, float, float]]) -> None:
        self.xs = _snapped([x for cell in cells for x in (cell[0], cell[2])])
        self.ys = _snapped([y for cell in cells for y in (cell[1], cell[3])])
        self.top, self.bottom = self.ys[0], self.ys[-1]
        self.left, self.right = self.xs[0], self.xs[-1]
        width, height = len(self.xs) - 1, len(self.ys) - 1
        self.rows: list[_Row] = [[None] * width for _ in range(height)]
        self.owner: list[list[_Cell | None]] = [[None] * width for _ in range(height)]
        self.words: dict[int, list[dict[str, Any]]] = {}
        self.cells: list[_Cell] = []
        for x0, top, x1, bottom in cells:
            c0, c1 = _index(self.xs, x0), _index(self.xs, x1)
            r0, r1 = _index(self.ys, top), _index(self.ys, bottom)
            if c1 <= c0 or r1 <= r0:
                continue
            cell = _Cell(x0=x0, x1=x1, colspan=c1 - c0)
            self.cells.append(cell)
            for row in range(r0, r1):
                self.rows[row][c0] = _Slot(cell, origin=row == r0)
                for column in range(c0, c1):
                    self.owner[row][column] = cell

    def take(self, word: dict[str, Any]) -> bool:
        """Whether the word lies in this table; if so it is kept for the cell it lies in."""
        x = (word["x0"] + word["x1"]) / 2
        y = (word["top"] + word["bottom"]) / 2
        if not (self.left <= x <= self.right and self.top <= y <= self.bottom):
            return False
        row = max(0, bisect.bisect_right(self.ys, y) - 1)
        column = max(0, bisect.bisect_right(self.xs, x) - 1)
        if row < len(self.owner) and column < len(self.owner[row]):
            cell = self.owner[row][column]
            if cell is not None:
                self.words.setdefault(id(cell), []).append(word)
        return True  # a word in the table but in no cell (a gap in the rules) is dropped

    def part(self, page: int, spaces: _Spaces) -> _Part:
        for cell in self.cells:
            cell.lines = _lines(self.words.get(id(cell), []), spaces)
        self._set_padding()
        rows = [row for row in self.rows if any(row)]
        return _Part(page, self.top, self.xs, rows)

    def _set_padding(self) -> None:
        """A column's cell margin: how far its text starts from its left border at least."""
        by_column: dict[int, float] = {}
        for cell in self.cells:
            column = _index(self.xs, cell.x0)
            for line in cell.lines:
                offset = line.x0 - cell.x0
                by_column[column] = min(by_column.get(column, offset), offset)
        for cell in self.cells:
            found = by_column.get(_index(self.xs, cell.x0), _DEFAULT_PADDING)
            cell.padding = min(max(found, 0.5), _MAX_PADDING)


def _lines(words: Sequence[dict[str, Any]], spaces: _Spaces) -> list[_Line]:
    """Words grouped into lines, top to bottom, each line's words left to right."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda word: (word["top"], word["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) < _SAME_LINE:
            lines[-1].append(word)
        else:
            lines.append([word])
    out: list[_Line] = []
    for line in lines:
        line.sort(key=lambda word: word["x0"])
        first = line[0]
        space = _SPACE_EM * float(first.get("size") or 10.0)
        out.append(
            _Line(
                text=" ".join(word["text"] for word in line),
                spaced=_spaced(line, space),
                x0=first["x0"],
                x1=max(word["x1"] for word in line),
                top=min(word["top"] for word in line),
                bottom=max(word["bottom"] for word in line),
                first_word=first["x1"] - first["x0"],
                space=space,
                trailing_space=spaces.after(line[-1]),
            )
        )
    return out


def _spaced(words: Sequence[dict[str, Any]], space: float) -> str:
    """The line with a gap wider than a few spaces kept wide: columns typed without rules."""
    out = str(words[0]["text"])
    for previous, word in itertools.pairwise(words):
        wide = word["x0"] - previous["x1"] > _COLUMN_GAP * space
        out += ("   " if wide else " ") + word["text"]
    return out


class _Spaces:
    """The page's space glyphs by line: extract_words drops them, the hyphen rule needs them."""

    def __init__(self, chars: Sequence[dict[str, Any]]) -> None:
        self.by_top: dict[int, list[float]] = {}
        for char in chars:
            if char["text"] == " ":
                self.by_top.setdefault(round(char["top"]), []).append(char["x0"])

    def after(self, word: dict[str, Any]) -> bool:
        top = round(word["top"])
        return any(
            abs(x - word["x1"]) < 1.0
            for near in (top - 1, top, top + 1)
            for x in self.by_top.get(near, ())
        )


# --------------------------------------------------------------------------------------------
# The document: the table with a header, its parts on later pages, the text above it


def _roadmap(blocks: Sequence[_Block]) -> RawRoadmap:
    for position, block in enumerate(blocks):
        if not isinstance(block, _Part):
            continue
        found = find_header([block.texts(i) for i in range(len(block.rows))])
        if found is None or found[0] >= _HEADER_SEARCH_ROWS:
            continue
        header_at, mapping = found
        table = _Table(block, header_at, mapping)
        table.extend(blocks[position + 1 :], _running(blocks))
        preamble = _preamble([b for b in blocks[:position] if isinstance(b, _Text)])
        return build_roadmap(preamble_lines(preamble), table.grid_rows())
    raise RoadmapReadError("not_a_table")


def _running(blocks: Sequence[_Block]) -> frozenset[str]:
    """Lines printed on more than one page (a running header or footer), digits aside."""
    pages: dict[str, set[int]] = {}
    for block in blocks:
        if isinstance(block, _Text):
            pages.setdefault(_DIGITS.sub("0", block.text), set()).add(block.page)
    return frozenset(text for text, seen in pages.items() if len(seen) > 1)


def _preamble(lines: Sequence[_Text]) -> list[str]:
    """The paragraphs above the table, "" where a gap of a line or more parts two of them."""
    out: list[str] = []
    previous: _Text | None = None
    for text in lines:
        if previous is None:
            out.append(text.text)
        elif text.page != previous.page or _gap(previous.line, text.line):
            out += ["", text.text]
        elif _wrapped(previous.line, text.line, text.margins) and not _opens(out[-1], text.line):
            out[-1] = _glued(out[-1], previous.line, text.text)
        else:
            out.append(text.text)
        previous = text
    return out


def _gap(line: _Line, following: _Line) -> bool:
    """An empty line's worth of space between two lines: a paragraph break."""
    return following.top - line.bottom > 0.8 * (line.bottom - line.top)


class _Table:
    """A table's rows over all its pages."""

    def __init__(self, first: _Part, header_at: int, mapping: dict[Column, int]) -> None:
        self.width = len(first.columns) - 1
        self.columns = first.columns
        self.number_column = mapping.get(Column.NUMBER)
        self.activity_column = mapping.get(Column.ACTIVITY)
        self.deadline_column = mapping.get(Column.DEADLINE)
        self.rows: list[_Row] = list(first.rows)
        self.sources: list[str] = [f"таблица, строка {n}" for n in range(1, len(first.rows) + 1)]
        self.count = len(first.rows)
        self.header = [first.texts(i) for i in range(min(header_at + 2, len(first.rows)))]
        self.full_width: set[int] = set()  # rows of text typed between two parts

    def extend(self, blocks: Sequence[_Block], running: frozenset[str]) -> None:
        """The parts on the following pages, with the text between them (but what every page
        repeats: "Приложение 1 к приказу № 202-О" over each part is no section heading)."""
        between: list[str] = []
        for block in blocks:
            if isinstance(block, _Text):
                if _DIGITS.sub("0", block.text) not in running:
                    between.append(block.text)
                continue
            if not self._same_columns(block):
                return
            rows = self._without_header(block)
            if not between and rows and self._carry_over(rows):
                rows.pop(0)
            for text in between:
                self._add_text_row(text)
            between.clear()
            for row in rows:
                self._add(row, f"таблица, строка {self.count + 1}")
                self.count += 1
            if len(self.rows) > MAX_ROWS:
                raise too_many_rows()

    def _same_columns(self, part: _Part) -> bool:
        return len(part.columns) == len(self.columns) and all(
            abs(a - b) <= _SAME_COLUMNS for a, b in zip(part.columns, self.columns, strict=True)
        )

    def _without_header(self, part: _Part) -> list[_Row]:
        """The part's rows without the header (and title rows) the page repeats."""
        skip = 0
        while skip < len(part.rows) and part.texts(skip) in self.header:
            skip += 1
        return part.rows[skip:]

    def _carry_over(self, rows: Sequence[_Row]) -> bool:
        """The top row of a page joined to the bottom row of the page before, where the break
        cut them apart; True when nothing of it is left to be a row of its own.

        A row the break cut in two has no number of its own, and its activity goes on in
        lower case, or all its text does, or it has no deadline (a short cell, the last to
        overflow) and no activity of its own (one would start with a capital).

        A row that is a row may still continue cells above it: a merged cell whose text ran
        over (lower case, and merged down over the rows below it: the activity over its
        steps), and an empty cell under a cell merged down (the merge goes on).
        """
        if not self.rows or (len(self.rows) - 1) in self.full_width:
            return False
        above, row = self.rows[-1], rows[0]
        texts = [_slot_text(slot) for slot in row]
        activity = self._text(texts, self.activity_column).strip()
        own_activity = self.activity_column is not None and not _spans_down(
            rows, self.activity_column
        )
        filled = [text for text in texts if text.strip()]
        cut = not self._text(texts, self.number_column).strip() and (
            (own_activity and starts_lower(activity))
            or (bool(filled) and all(starts_lower(text) for text in filled))
            or (
                not self._text(texts, self.deadline_column).strip()
                and (not activity or starts_lower(activity))
                and any(text.strip() for text in texts)
            )
        )
        for column, slot in enumerate(row):
            if slot is None or not slot.origin:
                continue
            target = _covering(above, column)
            if target is None:
                continue
            text = slot.cell.text()
            overflow = starts_lower(text) and _spans_down(rows, column)
            merge_goes_on = not text.strip() and _merged(above[column])
            if cut or overflow or merge_goes_on:
                _continue(slot, target)
        return cut

    @staticmethod
    def _text(texts: Sequence[str], column: int | None) -> str:
        return texts[column] if column is not None and column < len(texts) else ""

    def _add_text_row(self, text: str) -> None:
        cell = _Cell(x0=self.columns[0], x1=self.columns[-1], colspan=self.width)
        cell.lines = [_Line(text, text, cell.x0, cell.x1, 0, 0, 0, 0)]
        row: _Row = [_Slot(cell, origin=True)] + [None] * (self.width - 1)
        self.full_width.add(len(self.rows))
        self._add(row, _BETWEEN)

    def _add(self, row: _Row, source: str) -> None:
        self.rows.append(row)
        self.sources.append(source)

    def grid_rows(self) -> list[GridRow]:
        out: list[GridRow] = []
        for index, (row, source) in enumerate(zip(self.rows, self.sources, strict=True)):
            cells: list[Paragraphs] = [()] * self.width
            placed: list[Placed] = []
            continued: set[int] = set()
            for column, slot in enumerate(row):
                if slot is None:
                    continue
                paragraphs = _paragraphs(slot.cell.resolved())
                cells[column] = paragraphs
                if slot.origin:
                    placed.append((column, slot.cell.colspan, paragraphs))
                else:
                    continued.add(column)
            if index in self.full_width:
                full_width = True
            else:
                full_width = spans_table(placed, continued, self.width)
            if not any(cells) and not continued:
                continue
            out.append(GridRow(tuple(cells), source, frozenset(continued), full_width))
        return out


def _covering(row: _Row, column: int) -> _Cell | None:
    """The cell over ``column`` in ``row``: its own, or one spanning from the left."""
    for start in range(column, -1, -1):
        slot = row[start]
        if slot is not None:
            return slot.cell if start + slot.cell.colspan > column else None
    return None


def _spans_down(rows: Sequence[_Row], column: int) -> bool:
    """Whether the first row's cell in ``column`` is merged down over the next row."""
    if len(rows) < 2 or column >= len(rows[1]):
        return False
    first, second = rows[0][column], rows[1][column]
    return first is not None and second is not None and first.cell is second.cell


def _merged(slot: _Slot | None) -> bool:
    """Whether the cell of this slot is merged down from a row above."""
    return slot is not None and not slot.origin


def _continue(slot: _Slot, target: _Cell) -> None:
    """The slot's cell is the rest of ``target``: its lines move there, the slot continues it."""
    cell = slot.cell.resolved()
    target = target.resolved()
    if cell is not target:
        target.lines.extend(cell.lines)
        cell.lines = []
        cell.joined_into = target
    slot.origin = False


def _slot_text(slot: _Slot | None) -> str:
    return slot.cell.text() if slot is not None else ""


# --------------------------------------------------------------------------------------------
# A cell's lines into paragraphs


def _paragraphs(cell: _Cell) -> Paragraphs:
    out: list[str] = []
    for text in _joined_lines(cell):
        out.extend(cell_paragraphs(text))
    return tuple(out)


def _joined_lines(cell: _Cell) -> Iterator[str]:
    """The cell's paragraphs: a line the layout wrapped joined to the next one."""
    current = ""
    previous: _Line | None = None
    for line in cell.lines:
        if previous is not None and _wrapped(previous, line, cell) and not _opens(current, line):
            current = _glued(current, previous, line.text)
        else:
            if current:
                yield current
            current = line.text
        previous = line
    if current:
        yield current


def _wrapped(line: _Line, following: _Line, cell: _Cell) -> bool:
    """Whether the next line's first word did not fit after this one (so the layout wrapped).

    Left-aligned text (a first line indented aside) wraps where its words reach the right
    margin; centred text where the line would grow wider than the cell.
    """
    needed = following.space + following.first_word - _WRAP_SLACK
    margin = cell.x0 + cell.padding
    if following.x0 - margin <= _SNAP and line.x0 >= following.x0 - _SNAP:
        return line.x1 + needed > cell.x1 - cell.padding
    return line.x1 - line.x0 + needed > cell.x1 - cell.x0 - 2 * cell.padding


def _opens(text: str, line: _Line) -> bool:
    """A line that starts a paragraph where its length cannot tell: a list item, or a sentence
    after one that ended (an initial's full stop is no end: "Иванова И." / "И., директор")."""
    if _ITEM_START.match(line.text):
        return True
    return bool(_SENTENCE_END.search(text)) and _starts_upper(line.text)


def _starts_upper(text: str) -> bool:
    stripped = text.lstrip("«\"'“„(")
    return stripped[:1].isupper()


def _glued(text: str, line: _Line, more: str) -> str:
    """Two pieces of one paragraph: a word broken after its hyphen is not parted by a space,
    unless the writer put one there ("информационно- методической", kept as typed)."""
    if not line.trailing_space and _HYPHENATED.search(text) and more[:1].isalnum():
        return text + more
    return f"{text} {more}"
