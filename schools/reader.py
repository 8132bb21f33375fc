"""A list of schools and their heads: CSV or Excel, the columns found by what the header says.

A municipality keeps it as a spreadsheet: «Наименование ОО | ФИО руководителя | Должность»
in any order, often with more columns (address, phone, e-mail) that are of no use here. The
header is looked for in the first rows, as the roadmap reader does; a row that cannot be used
is reported with its number and the reason, and the rest of the list is read.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

# A school's name as long as one typed in the chat may be.
from core.organisation_names import NAME_MAX_LENGTH, NAME_MIN_LENGTH
from roadmap.readers.text import decode_text
from roadmap.readers.xlsx import visible_sheet_values
from roadmap.responsible import normalise_person_name, person_key
from roadmap.table import Column, RoadmapReadError, cell_paragraphs, header_cell_column
from schools.names import school_key

# The same cap as the roadmap readers: a longer file is refused, not cut silently.
MAX_ROWS = 5000
PERSON_MAX_LENGTH = 300
POSITION_MAX_LENGTH = 500
_HEADER_SEARCH_ROWS = 30
_EXCERPT = 80

_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = (";", ",", "\t")
_ARCHIVE_REFUSALS = frozenset({"archive_too_large", "archive_too_complex"})  # core.archives


class SchoolsReadError(Exception):
    """The file cannot be read as a list of schools; ``code`` is a key for the catalogs."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, str] = params


class SchoolColumn(StrEnum):
    SCHOOL = "school"
    HEAD = "head"
    POSITION = "position"


class ProblemKind(StrEnum):
    NO_SCHOOL = "no_school"  # something in the row, but no school's name: the row is skipped
    LONG_NAME = "long_name"  # a name longer than an organisation's may be: skipped
    DUPLICATE = "duplicate"  # the same school again: the first row counts
    NO_HEAD = "no_head"  # the school is loaded, its head is left as it is
    BAD_HEAD = "bad_head"  # not one person's name ("вакансия", two names): as NO_HEAD


@dataclass(frozen=True)
class RowProblem:
    line: int  # as a spreadsheet numbers its rows
    kind: ProblemKind
    text: str  # what the row says, shortened


@dataclass(frozen=True)
class SchoolRow:
    line: int
    name: str
    key: str  # schools.names.school_key
    head: str | None  # the head's name as the list writes it
    head_key: str | None  # roadmap.responsible.person_key: matches "Иванова А.П." too
    position: str | None


@dataclass(frozen=True)
class SchoolsTable:
    rows: tuple[SchoolRow, ...]
    problems: tuple[RowProblem, ...]


# --------------------------------------------------------------------------------------------
# The header

_TOKEN = re.compile(r"[a-zа-я]+")
_POSITION_WORD = re.compile(r"^должност")
_NAME_WORDS = frozenset({"фио", "фамилия", "имя"})
# Columns that name something else about the school or the person: never the school or head.
_OTHER = re.compile(
    r"^(?:адрес|телефон|тел$|e$|email$|mail$|почт|сайт|инн$|огрн|кпп$|код$|колич|числ|контакт|"
    r"примечани|индекс|ссылк|лицензи|мероприяти|срок|дат[аы]$|результат|ответствен|исполнител|"
    r"населенн|район|муниципал|округ|город)"
)
_HEAD_WORD = re.compile(r"^(?:руководител|директор|заведующ|начальник)")
_SCHOOL_WORD = re.compile(
    r"^(?:школ[аы]?$|оо$|оу$|ou$|образовательн|общеобразовательн|организаци|учреждени|"
    r"наименовани|названи)"
)
# «Полное наименование ОО»: the head noun comes after these.
_MODIFIERS = frozenset({"полное", "краткое", "сокращенное", "официальное"})


def _header_tokens(text: str) -> list[str]:
    """The words of a cell that may be a header; none for a blank, long or numbered cell."""
    if not text.strip() or len(text) > 60 or any(char.isdigit() for char in text):
        return []
    tokens = _TOKEN.findall(text.lower().replace("ё", "е").replace(".", ""))
    return tokens if len(tokens) <= 6 else []


def header_cell(text: str) -> SchoolColumn | None:
    """Which column a header cell names: the school, its head's name, the head's position."""
    tokens = _header_tokens(text)
    if not tokens:
        return None
    if any(_POSITION_WORD.match(token) for token in tokens):
        return SchoolColumn.POSITION
    if any(token in _NAME_WORDS for token in tokens):
        return SchoolColumn.HEAD
    if any(_OTHER.match(token) for token in tokens):
        return None
    return _by_head_noun(tokens)


def _by_head_noun(tokens: list[str]) -> SchoolColumn | None:
    # The head noun comes first: «Руководитель ОО» is a person, «Наименование ОО» a school,
    # «заместитель директора» (a roadmap's cell) neither.
    noun = tokens[1] if tokens[0] in _MODIFIERS and len(tokens) > 1 else tokens[0]
    if _HEAD_WORD.match(noun):
        return SchoolColumn.HEAD
    if _SCHOOL_WORD.match(noun):
        return SchoolColumn.SCHOOL
    return None


def detect_school_columns(cells: Sequence[str]) -> dict[SchoolColumn, int] | None:
    """Each column's index in a header row, or None unless it names a school and a head."""
    found: dict[SchoolColumn, int] = {}
    for index, cell in enumerate(cells):
        if _names_a_deadline(cell):
            return None  # a roadmap's header, whatever else it says
        column = header_cell(cell)
        if column is not None and column not in found:
            found[column] = index
    if SchoolColumn.SCHOOL not in found or SchoolColumn.HEAD not in found:
        return None
    return found


def _names_a_deadline(cell: str) -> bool:
    hit = header_cell_column(cell) if cell else None
    return hit is not None and hit[0] is Column.DEADLINE


def find_schools_header(
    rows: Sequence[Sequence[str]],
) -> tuple[int, dict[SchoolColumn, int]] | None:
    """The first row (of the first few) that is a schools list's header, and its columns."""
    for index, cells in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        mapping = detect_school_columns(cells)
        if mapping is not None:
            return index, mapping
    return None


# --------------------------------------------------------------------------------------------
# Files into grids of cell text


def _clean(cell: str) -> str:
    return " ".join(" ".join(cell_paragraphs(cell)).split())


def _sniff(data: bytes, filename: str) -> str:
    """ "xlsx" or "csv"; refuses what is neither."""
    if not data.lstrip(b"\xef\xbb\xbf").strip():
        raise SchoolsReadError("empty")
    if data.startswith(_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            raise SchoolsReadError("corrupt") from error
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise SchoolsReadError("not_a_list")  # a Word file, an archive: not a spreadsheet
    if data.startswith(_OLE2):
        raise SchoolsReadError("unsupported_format")  # an old .xls (or a password)
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SchoolsReadError("unsupported_format")
    if filename.lower().endswith((".xlsx", ".xls", ".docx", ".doc", ".pdf")):
        raise SchoolsReadError("corrupt")  # claims to be an office file but is text
    return "csv"


def _csv_grids(data: bytes, max_rows: int) -> list[list[list[str]]]:
    text = decode_text(data).lstrip("\ufeff")
    sample = text[:20000]
    grids: list[list[list[str]]] = []
    for delimiter in sorted(_DELIMITERS, key=sample.count, reverse=True):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        grid: list[list[str]] = []
        try:
            for cells in reader:
                grid.append(cells)
                if len(grid) >= max_rows:
                    break
        except csv.Error as error:
            raise SchoolsReadError("corrupt") from error
        grids.append(grid)
    return grids


def _grids(data: bytes, filename: str, max_rows: int) -> list[list[list[str]]]:
    """Candidate tables: each visible sheet of a workbook, each delimiter of a CSV."""
    if _sniff(data, filename) == "csv":
        return _csv_grids(data, max_rows)
    try:
        return visible_sheet_values(data, max_rows=max_rows)
    except RoadmapReadError as error:
        if error.code in _ARCHIVE_REFUSALS:
            raise SchoolsReadError(error.code, **error.params) from error
        raise SchoolsReadError("corrupt") from error


def is_schools_list(data: bytes, filename: str) -> bool:
    """Whether the file's header names schools and heads (reads only its first rows)."""
    try:
        grids = _grids(data, filename, _HEADER_SEARCH_ROWS)
    except SchoolsReadError:
        return False
    return any(
        find_schools_header([[_clean(cell) for cell in row] for row in grid]) is not None
        for grid in grids
    )


# --------------------------------------------------------------------------------------------
# Rows


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1].rstrip() + "…"


def _display_name(text: str, normalised: str) -> str:
    """The name as written, unless it is in capitals (or lower case) throughout."""
    letters = [char for char in text if char.isalpha()]
    if all(char.isupper() for char in letters) or all(char.islower() for char in letters):
        return normalised
    return text


def _has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


def _is_repeat(cells: Sequence[str], mapping: dict[SchoolColumn, int]) -> bool:
    """The header again (a page break in a printed list) or "1 | 2 | 3" under it."""
    if detect_school_columns(cells) == mapping:
        return True
    filled = [cell for cell in cells if cell]
    return len(filled) >= 2 and all(cell.rstrip(".").isdigit() for cell in filled)


class _Rows:
    def __init__(self, mapping: dict[SchoolColumn, int]) -> None:
        self.mapping = mapping
        self.rows: list[SchoolRow] = []
        self.problems: list[RowProblem] = []
        self.seen: set[str] = set()

    def cell(self, cells: Sequence[str], column: SchoolColumn) -> str:
        index = self.mapping.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    def problem(self, line: int, kind: ProblemKind, text: str) -> None:
        self.problems.append(RowProblem(line, kind, _excerpt(text)))

    def add(self, line: int, cells: Sequence[str]) -> None:
        if not any(_has_letters(cell) for cell in cells) or _is_repeat(cells, self.mapping):
            return  # empty, numbering or the header again: nothing to report
        name = self.cell(cells, SchoolColumn.SCHOOL)
        key = self._new_school(line, name, cells)
        if key is None:
            return
        head = self._head(line, name, self.cell(cells, SchoolColumn.HEAD))
        position = self.cell(cells, SchoolColumn.POSITION)[:POSITION_MAX_LENGTH] or None
        self.rows.append(
            SchoolRow(
                line=line,
                name=name,
                key=key,
                head=head,
                head_key=person_key(head) if head is not None else None,
                position=position if head is not None else None,
            )
        )

    def _new_school(self, line: int, name: str, cells: Sequence[str]) -> str | None:
        """The key of a school not listed before; None, with the problem noted, otherwise."""
        if len(name) < NAME_MIN_LENGTH or not _has_letters(name):
            self.problem(line, ProblemKind.NO_SCHOOL, " | ".join(c for c in cells if c))
            return None
        if len(name) > NAME_MAX_LENGTH:
            self.problem(line, ProblemKind.LONG_NAME, name)
            return None
        key = school_key(name)
        if key in self.seen:
            self.problem(line, ProblemKind.DUPLICATE, name)
            return None
        self.seen.add(key)
        return key

    def _head(self, line: int, school: str, text: str) -> str | None:
        """The head's name as it will be shown; None, with the problem noted, when unusable."""
        if not _has_letters(text):
            self.problem(line, ProblemKind.NO_HEAD, school)
            return None
        normalised = normalise_person_name(text)
        if normalised is None or len(text) > PERSON_MAX_LENGTH:
            self.problem(line, ProblemKind.BAD_HEAD, f"{school}: {text}")
            return None
        return _display_name(text, normalised)


def _trim(grid: list[list[str]]) -> list[list[str]]:
    """Trailing empty rows dropped (Excel keeps formatted but empty rows in a sheet)."""
    end = len(grid)
    while end and not any(grid[end - 1]):
        end -= 1
    return grid[:end]


def read_schools(data: bytes, filename: str) -> SchoolsTable:
    """The schools in an uploaded CSV or XLSX; SchoolsReadError says why a file is refused."""
    for grid in _grids(data, filename, MAX_ROWS + 1):
        cleaned = _trim([[_clean(cell) for cell in row] for row in grid])
        found = find_schools_header(cleaned)
        if found is None:
            continue
        if len(cleaned) > MAX_ROWS:
            raise SchoolsReadError("too_many_rows", limit=str(MAX_ROWS))
        header_at, mapping = found
        rows = _Rows(mapping)
        for index in range(header_at + 1, len(cleaned)):
            rows.add(index + 1, cleaned[index])
        if not rows.rows and not rows.problems:
            raise SchoolsReadError("no_rows")
        return SchoolsTable(tuple(rows.rows), tuple(rows.problems))
    raise SchoolsReadError("not_a_list")
