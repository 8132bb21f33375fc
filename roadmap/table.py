"""Roadmap tables: the header found by meaning, then grid rows turned into activities.

Every reader (text export, pasted message, Word, Excel, CSV) only extracts cells into
``GridRow``s; what a roadmap table *means* — which column is which, section rows, steps of
an activity, text wrapped onto the next row, cells an export shifted to the left — is decided
here, once, so that every format is read by the same rules.

Cell text arrives as paragraphs (a Word cell's paragraphs, a wrapped text line's fragments)
and is joined per column at the very end: a deadline reads as one line, responsible people
stay one per line, an activity keeps its list items one per line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from roadmap.warnings import ParseWarning

Paragraphs = tuple[str, ...]

# One cap for every format: a roadmap of more table rows (its header included) is
# refused with "split the file", not read in part. Municipal roadmaps run to 2,000 rows.
MAX_ROWS = 5000
# Tables inside table cells: Word allows it, real roadmaps go two levels deep at most.
MAX_TABLE_NESTING = 10


class Column(StrEnum):
    NUMBER = "number"
    ACTIVITY = "activity"
    RESULT = "result"
    DEADLINE = "deadline"
    RESPONSIBLE = "responsible"


@dataclass(frozen=True)
class RawActivity:
    """One activity of the table, its cells still raw text for the deadline and people parsers.

    An activity spread over several rows (№ and activity merged down in Word; rows without a
    number and without activity text under it in a text export) has ``steps``: one per row,
    its first row included, each with that row's own result, deadline and responsible. The
    parent's own result, deadline and responsible are always its first row's, the same as
    ``steps[0]``: when there are steps, remind about the steps, not the parent. An activity
    on a single row has no steps.
    """

    number: str | None
    section: str | None
    title: str
    result: str | None
    deadline_text: str
    responsible_text: str
    source_ref: str
    steps: tuple[RawActivity, ...] = ()


@dataclass(frozen=True)
class RawRoadmap:
    """Everything read from one roadmap; ``warnings`` are the doubts, each with a source_ref."""

    title: str
    preamble: str
    columns: tuple[Column, ...]
    activities: tuple[RawActivity, ...]
    warnings: tuple[ParseWarning, ...]


class RoadmapReadError(Exception):
    """The file cannot be read as a roadmap; ``code`` is a stable key for the locale catalogs."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, str] = params


def too_many_rows() -> RoadmapReadError:
    return RoadmapReadError("too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", "\u00a0"))


def check_row_count(count: int) -> None:
    """Refuse a table of more than MAX_ROWS rows; readers call it before building rows."""
    if count > MAX_ROWS:
        raise too_many_rows()


@dataclass(frozen=True)
class GridRow:
    """One table row as a reader saw it, before any meaning is given to it."""

    cells: tuple[Paragraphs, ...]
    source_ref: str
    # Columns whose cell continues a vertical merge from the row above (Word, Excel).
    merged_above: frozenset[int] = frozenset()
    # A single cell spanning the table: a section heading in Word or Excel.
    full_width: bool = False

    def text(self, index: int) -> str:
        if 0 <= index < len(self.cells):
            return " ".join(self.cells[index])
        return ""


# --------------------------------------------------------------------------------------------
# Cell text cleaning

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "ol", "ul", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_MD_LINK = re.compile(r"\[([^\[\]\n]*)\]\(\s*([^()\s]*)\s*\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_ODD_SPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x08\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x0b\u2028\u2029\x85]")
_SPACES = re.compile(r" {2,}")
_NO_CONTENT = re.compile(r"^[\s\-–—•·▪●◦‣∙*_.,;:|=~+/\\]*$")
_TRAILING_BULLET = re.compile(r"\s+[•·▪●◦‣∙]+$")
_BULLET = "•"


def _html_to_text(text: str) -> str:
    if _TAG.search(text) is None:
        return html.unescape(text) if "&" in text else text

    def replace(match: re.Match[str]) -> str:
        closing, name = match.group(1), match.group(2).lower()
        if name == "li":
            # A list item becomes its own line; the bullet is normalised with the other lists.
            return "\n" if closing else f"\n{_BULLET} "
        return "\n" if name in _BLOCK_TAGS else ""

    return html.unescape(_TAG.sub(replace, text))


def _link_text(match: re.Match[str]) -> str:
    label, target = match.group(1).strip(), match.group(2).strip()
    address = target.removeprefix("mailto:")
    if not label:
        return address
    if target.startswith("mailto:") or address == label or not address:
        return label
    return f"{label} ({address})"


def clean_line(text: str) -> str:
    """One line of cell or preamble text without markup, odd spaces or stray bullets."""
    text = _ODD_SPACE.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _MD_HEADING.sub("", text)
    return _TRAILING_BULLET.sub("", text).strip()


def cell_paragraphs(raw: str) -> Paragraphs:
    """The readable paragraphs of one raw cell: markup stripped, empty lines dropped."""
    text = _html_to_text(raw)
    text = _MD_LINK.sub(_link_text, text)
    text = text.replace("**", "").replace("__", "")
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _INVISIBLE.sub("", text)
    lines = (clean_line(line) for line in _LINE_BREAK.split(text))
    return tuple(line for line in lines if not _NO_CONTENT.match(line))


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _first_letter(text: str) -> str:
    for char in text:
        if char.isalpha():
            return char
        if char.isdigit():
            return ""
    return ""


def starts_lower(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and stripped[0].isalpha() and stripped[0].islower()


def _starts_upper(text: str) -> bool:
    stripped = text.lstrip("«\"'“„( ")
    return bool(stripped) and stripped[0].isalpha() and stripped[0].isupper()


_ITEM_MARK = re.compile(r"^[-–—•·▪●◦‣∙]+\s*")
_ENUMERATOR = re.compile(r"^(?:\d{1,2}[.)]|[a-zа-я]\))\s+\S")
_INLINE_LIST = re.compile(r":\s*([-–•])\s*(?=\S)")


def _is_item(text: str) -> bool:
    return bool(_ITEM_MARK.match(text) or _ENUMERATOR.match(text))


def _split_items(text: str, marker: str) -> list[str]:
    """Split ``a - b - c`` on the marker, but never inside a range like ``01.05 - 05.05``."""
    items: list[str] = []
    start = 0
    for match in re.finditer(rf"\s{re.escape(marker)}\s*(?=\S)", text):
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if before.isdigit() and after.isdigit():
            continue
        items.append(text[start : match.start()])
        start = match.end()
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _explode_inline_list(line: str) -> list[str]:
    """``Закреплены: - a - b`` (a Word list flattened by an export) back to one item a line."""
    lead = _ITEM_MARK.match(line)
    if lead and line[: lead.end()].strip() in ("-", "–", "•"):
        marker = line[: lead.end()].strip()
        return [f"{marker} {item}" for item in _split_items(line[lead.end() :], marker)]
    found = _INLINE_LIST.search(line)
    if found is None:
        return [line]
    head = line[: found.start() + 1].strip()
    marker = found.group(1)
    items = _split_items(line[found.end() :], marker)
    return ([head] if head else []) + [f"{marker} {item}" for item in items]


def _as_item(line: str, bullet: str) -> str:
    mark = _ITEM_MARK.match(line)
    if mark is None:
        return line
    rest = line[mark.end() :].strip()
    if not rest:
        return ""
    # "• 1. «…»" (an HTML <li> that carries its own number) keeps just the number.
    return rest if _ENUMERATOR.match(rest) or not bullet else f"{bullet}{rest}"


def join_prose(paragraphs: Iterable[str]) -> str:
    """Activity or result text: wrapped fragments rejoined, list items one a line as ``— item``."""
    lines: list[str] = []
    for paragraph in paragraphs:
        if not lines:
            lines.append(paragraph)
            continue
        previous = lines[-1]
        starts_new_line = (
            _is_item(paragraph)
            or previous.endswith(":")
            or (previous[-1] in ".!?;" and _starts_upper(paragraph))
        )
        if starts_new_line:
            lines.append(paragraph)
        elif re.search(r"[а-яёa-z]-$", previous) and starts_lower(paragraph):
            lines[-1] = previous + paragraph  # a word hyphenated at the end of a line
        else:
            lines[-1] = f"{previous} {paragraph}"
    out = [_as_item(item, "— ") for line in lines for item in _explode_inline_list(line)]
    return "\n".join(_squash(line) for line in out if line)


def join_deadline(paragraphs: Iterable[str]) -> str:
    return _squash(" ".join(paragraphs))


_OPEN_END = re.compile(r"(?:,|\s(?:и|-|–))$")


def join_responsible(paragraphs: Iterable[str]) -> str:
    """One line per person or group; a line wrapped mid-description is rejoined with a space."""
    lines: list[str] = []
    for paragraph in paragraphs:
        for item in _explode_inline_list(paragraph):
            text = _as_item(item, "")
            if not text:
                continue
            if lines and (starts_lower(text) or _OPEN_END.search(lines[-1])):
                lines[-1] = f"{lines[-1]} {text}"
            else:
                lines.append(text)
    return "\n".join(_squash(line) for line in lines)


# --------------------------------------------------------------------------------------------
# Header detection

# Who takes part: the pupils in a school's event plan, but the staff in a project's plan. The
# responsible only where no column names one (the weakest word for it), and even then not when
# its cells name pupils (see ``_audience``).
_PARTICIPANTS_WEIGHT = 1
_HEADER_WORDS: tuple[tuple[Column | None, re.Pattern[str], int], ...] = (
    (Column.DEADLINE, re.compile(r"^(?:срок|дат[аы]$|период|время$|когда$|график|месяцы?$)"), 3),
    (Column.DEADLINE, re.compile(r"^(?:начал[оа]$|окончани|завершени)"), 2),
    (Column.RESPONSIBLE, re.compile(r"^(?:ответствен|исполнител|соисполнител|фио$)"), 3),
    (Column.RESPONSIBLE, re.compile(r"^(?:кто$|координатор)"), 2),
    (Column.RESPONSIBLE, re.compile(r"^участник"), _PARTICIPANTS_WEIGHT),
    (Column.RESULT, re.compile(r"^(?:результат)"), 3),
    (Column.RESULT, re.compile(r"^(?:показател|продукт)"), 2),
    (Column.RESULT, re.compile(r"^(?:итог|эффект|отчетн)"), 1),
    (Column.ACTIVITY, re.compile(r"^(?:мероприят|деятельност)"), 3),
    (Column.ACTIVITY, re.compile(r"^(?:наименовани|содержани|действи)"), 2),
    (Column.ACTIVITY, re.compile(r"^(?:работ|задач|направлени|тема$)"), 1),
    # Not ours (None): the age or classes of who takes part, how many, the place, a phone, a
    # mark of completion, a note. Known, so that they count for a header and are never taken
    # for the activity or the responsible; their cells are not read.
    (
        None,
        re.compile(
            r"^(?:возраст|классы?$|кол$|количеств|аудитори|мест[оа]$|телефон|тел$|отметк|"
            r"примечани)"
        ),
        3,
    ),
)
_NUMBER_HEADER = re.compile(r"^(?:(?:№+|n|no|#|номер)\s*(?:п\s*/?\s*п|пп)?|п\s*/\s*п)$")
_HEADER_TOKEN = re.compile(r"[№#]|[a-zа-я]+")
_INITIALS_HEADER = re.compile(r"\bф\.?\s*и\.?\s*о\b\.?")

_Hit = tuple[Column | None, int]


def _normalise_header(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("*", "")
    text = _INITIALS_HEADER.sub("фио", text)
    return " ".join(text.split()).strip(" .:;,")


def _header_hit(text: str, looked_at: int = 3) -> _Hit | None:
    """What a header cell names (None: a column not ours) and how surely (3 = the usual word)."""
    norm = _normalise_header(text)
    if not norm or len(norm) > 80 or norm[0].isdigit():
        return None
    if _NUMBER_HEADER.match(norm):
        return Column.NUMBER, 3
    tokens = _HEADER_TOKEN.findall(norm)
    if len(tokens) > 8:
        return None
    # The head noun comes first in a Russian header: "Сроки проведения мероприятия" is a deadline.
    for token in tokens[:looked_at]:
        hits = [(column, weight) for column, word, weight in _HEADER_WORDS if word.match(token)]
        if hits:
            return max(hits, key=lambda hit: hit[1])
    return None


def header_cell_column(text: str) -> tuple[Column, int] | None:
    """Which of our columns a header cell names, and how surely (3 = the usual word for it)."""
    hit = _header_hit(text)
    if hit is None or hit[0] is None:
        return None
    return hit[0], hit[1]


def _participants(text: str) -> bool:
    return _header_hit(text) == (Column.RESPONSIBLE, _PARTICIPANTS_WEIGHT)


def column_not_ours(text: str) -> bool:
    """A header naming a column we do not read (participants unless they are the responsible)."""
    hit = _header_hit(text)
    return (hit is not None and hit[0] is None) or _participants(text)


def detect_columns(header_cells: Sequence[str]) -> dict[Column, int] | None:
    """Map each known column to its index in a header row, or None if this is not a header."""
    found: dict[Column, tuple[int, int]] = {}
    unnamed: list[int] = []
    nonempty = recognised = 0
    for index, cell in enumerate(header_cells):
        if not _normalise_header(cell):
            continue
        hit = _header_hit(cell)
        if hit is None:
            nonempty += 1
            unnamed.append(index)
            continue
        column, weight = hit
        if column is None:
            continue  # a column not ours: neither for nor against a header
        nonempty += 1
        recognised += 1
        if column not in found or weight > found[column][0]:
            found[column] = (weight, index)
    if Column.ACTIVITY not in found and Column.DEADLINE in found and recognised >= 2 and unnamed:
        # "№ | Что сделать | Срок | Кто": the unnamed column left of the rest is the activity.
        found[Column.ACTIVITY] = (0, unnamed[0])
        recognised += 1
    named = {Column.RESULT, Column.DEADLINE, Column.RESPONSIBLE} & found.keys()
    if Column.ACTIVITY not in found or not named or recognised * 2 < nonempty:
        return None
    return {column: index for column, (_, index) in found.items()}


# A header spread over two rows: a word wrapped onto the row below ("Срок" / "исполнения"), or
# a merged top cell over the columns it names ("Мероприятия" over "наименование | срок").


@dataclass(frozen=True)
class _Header:
    """Where the header is (``first`` to ``last`` row) and its text per column, rows joined."""

    first: int
    last: int
    texts: tuple[str, ...]
    mapping: dict[Column, int]


def _cell(cells: Sequence[str], index: int) -> str:
    return cells[index].strip() if 0 <= index < len(cells) else ""


def _same(a: str, b: str) -> bool:
    return _normalise_header(a) == _normalise_header(b)


def _spans(top: Sequence[str], bottom: Sequence[str], index: int) -> bool:
    """The top cell goes on over the next column, where the row below has its own word."""
    return not _cell(top, index + 1) and bool(_cell(bottom, index + 1))


def _unrepeated(top: Sequence[str], bottom: Sequence[str]) -> list[str]:
    """A merged top cell that a reader repeated in each column it covers, said once."""
    out = [text.strip() for text in top]
    for index in range(1, len(top)):
        if out[index] and _same(top[index], top[index - 1]) and _cell(bottom, index):
            out[index] = ""
    return out


def _continues(top: Sequence[str], bottom: Sequence[str]) -> bool:
    """The row below a header only finishes its words, or names what a merged top cell covers."""
    top = _unrepeated(top, bottom)
    own = [
        i for i in range(len(bottom)) if _cell(bottom, i) and not _same(bottom[i], _cell(top, i))
    ]
    if not own:
        return False
    under_a_word = [i for i in own if _cell(top, i) and not _spans(top, bottom, i)]
    if len(under_a_word) * 2 > sum(1 for text in top if text):
        return False  # "анкетирование | сентябрь | завуч": a first row typed in lower case
    for index in own:
        text = _cell(bottom, index)
        named = _header_hit(text) is not None
        if len(text) > 40 or len(text.split()) > 4:
            return False
        if not named and (_has_digit(text) or deadline_like(text) or responsible_like(text)):
            return False
        if starts_lower(text) or text.startswith("("):
            continue
        if not (named and index not in under_a_word):
            return False
    return True


def _tops(top: Sequence[str], bottom: Sequence[str]) -> bool:
    """The row above a header is made only of header words: a merged top header over it."""
    filled = [i for i in range(len(top)) if _cell(top, i)]
    if not filled or filled == [0]:
        return False  # one cell from the left edge: a title over the table, not a header
    return all(_header_word(_cell(top, i)) for i in filled)


def _header_word(text: str) -> bool:
    if len(text.split()) > 4 or _has_digit(text):
        return False
    return _header_hit(text, looked_at=1) is not None


def _has_digit(text: str) -> bool:
    return any(char.isdigit() for char in text)


def _join_header(top: Sequence[str], bottom: Sequence[str]) -> tuple[str, ...]:
    """Each column's header text from two rows: a merged top cell's own word under it wins."""
    top = _unrepeated(top, bottom)
    out: list[str] = []
    owner = ""  # the merged top cell the columns to the right are under
    for index in range(max(len(top), len(bottom))):
        upper, lower = _cell(top, index), _cell(bottom, index)
        if upper:
            owner = upper if lower else ""
        if not lower or _same(lower, upper):
            out.append(upper)
        elif not upper:
            named = _header_hit(lower) is not None
            out.append(lower if named or not owner else f"{owner} {lower}")
        elif _spans(top, bottom, index) and _header_hit(lower) is not None:
            out.append(lower)
        else:
            out.append(f"{upper} {lower}")
    return tuple(out)


def _header_at(rows: Sequence[Sequence[str]], index: int) -> _Header | None:
    """The header whose row ``index`` is, with the row above or below that belongs to it."""
    mapping = detect_columns(rows[index])
    if mapping is None:
        return None
    pairs = ((index, index + 1, _continues), (index - 1, index, _tops))
    for first, last, belongs in pairs:
        if first < 0 or last >= len(rows) or not belongs(rows[first], rows[last]):
            continue
        texts = _join_header(rows[first], rows[last])
        joined = detect_columns(texts)
        if joined is not None and (Column.DEADLINE in joined or Column.DEADLINE not in mapping):
            return _Header(first, last, texts, joined)
    return _Header(index, index, tuple(text.strip() for text in rows[index]), mapping)


def _locate_header(rows: Sequence[Sequence[str]]) -> _Header | None:
    """The first header with a deadline column, else the first header at all."""
    first: _Header | None = None
    for index in range(len(rows)):
        header = _header_at(rows, index)
        if header is None:
            continue
        if Column.DEADLINE in header.mapping:
            return header
        if first is None:
            first = header
    return first


def find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[Column, int]] | None:
    """Where the header starts and what its columns are (see ``_locate_header``)."""
    header = _locate_header(rows)
    return None if header is None else (header.first, header.mapping)


# Several date columns ("Дата | Дата | Дата", "Дата 1 | Дата 2 | Резервная дата"): a main date
# and reserve dates, every one of them a deadline of the row, read as a series. A start and an
# end column ("Дата начала | Дата окончания", "Сроки" over "начало | окончание"): a range.
_DATE_WORD = re.compile(r"^(?:дат[аы]|сроки?)$")
_DATE_QUALIFIER = re.compile(
    r"^(?:основн|резерв|дополнительн|запасн|повторн|проведени|перв|втор|трет)"
)
_RANGE_START = re.compile(r"^(?:начал|старт)")
_RANGE_END = re.compile(r"^(?:окончани|завершени|конец$|конца$)")
_SERIES, _RANGE = "; ", " – "


def _date_series_header(text: str) -> bool:
    tokens = _HEADER_TOKEN.findall(_normalise_header(text))
    return any(_DATE_WORD.match(token) for token in tokens) and all(
        _DATE_WORD.match(token) or _DATE_QUALIFIER.match(token) for token in tokens
    )


def _dates_with(text: str, word: re.Pattern[str]) -> bool:
    hit = header_cell_column(text)
    tokens = _HEADER_TOKEN.findall(_normalise_header(text))
    return hit is not None and hit[0] is Column.DEADLINE and any(word.match(t) for t in tokens)


def _deadline_columns(
    header: Sequence[str], mapping: dict[Column, int]
) -> tuple[tuple[int, ...], str]:
    """The deadline column, or the date columns of a series or a range, and how to join them."""
    main = mapping[Column.DEADLINE]
    starts = [i for i, text in enumerate(header) if _dates_with(text, _RANGE_START)]
    ends = [i for i, text in enumerate(header) if _dates_with(text, _RANGE_END)]
    if starts and ends and main in (starts[0], ends[0]):
        return (starts[0], ends[0]), _RANGE
    if not _date_series_header(header[main]):
        return (main,), _SERIES
    columns = tuple(index for index, text in enumerate(header) if _date_series_header(text))
    return columns, _SERIES


def _join_dates(texts: Sequence[str], joint: str) -> str:
    """The texts of a row's date columns as one deadline: "a; b; c", or "a – b" for a range
    ("с a" and "по b" need no dash)."""
    texts = [text for text in texts if text]
    if joint == _RANGE and len(texts) == 2 and re.match(r"(?i)(?:по|до)\b", texts[1]):
        joint = " "
    return joint.join(texts)


# --------------------------------------------------------------------------------------------
# What a cell looks like

_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3}){0,3}[.)]?$")
_LEADING_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){0,3}[.)]?)\s+(\S.*)$", re.S)
_MONTH = r"(?:январ|феврал|март|апрел|ма[йяюе]|июн|июл|август|сентябр|октябр|ноябр|декабр)"
_DEADLINE_START = re.compile(
    rf"^(?:(?:до|с|со|по|в|во|к|не|на|от|течени\w*|еже\w+|постоянно|систематически|регулярно|"
    rf"весь|кажд\w*|раз|начал\w*|конец|конц\w*|середин\w*|{_MONTH}\w*|[ivx]+)\b|\d)"
)
_TIME_HINT = re.compile(
    rf"{_MONTH}|\d{{1,2}}[./]\d{{1,2}}|(?:19|20)\d\d|течени|еже[гмкнд]|постоянн|систематич|"
    r"регулярн|график|по мере|полугод|четверт|квартал|год|недел|месяц|\bдн[яей]|семестр|"
    r"каникул|период"
)
_NUMBER_WORD = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s*([а-яё]+)")
_TIME_WORD = re.compile(rf"^(?:{_MONTH}|раз|квартал|полугод|четверт|недел|месяц|дн|год|г$)")
_INITIALS = re.compile(
    r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.|[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+"
)
_ROLE_START = re.compile(
    r"^(?:зам\w*|директор\w*|руководител\w*|учител\w*|педагог\w*|классн\w*|администрац\w*|"
    r"специалист\w*|методист\w*|координатор\w*|ответственн\w*|комитет\w*|управлени\w*|"
    r"отдел\w*|рабоч\w* групп\w*|совет\w*|председател\w*|воспитател\w*|психолог\w*|"
    r"социальн\w*|библиотекар\w*|заведующ\w*|начальник\w*|инспектор\w*|сотрудник\w*|"
    r"члены|обучающи\w*|родител\w*|участник\w*)\b",
    re.I,
)


# A month, a school term or quarter, perhaps with its year, capitalised: a heading over the
# rows of a plan by months ("Сентябрь", "ОКТЯБРЬ 2024", "I четверть", "2 полугодие").
_PERIOD_WORD = re.compile(
    rf"^(?:{_MONTH}\w*|(?:[IVX]{{1,4}}|\d)\s*-?\s*(?:я\s+)?(?:четверть|полугодие|квартал|триместр))"
    r"(?:\s+(?:19|20)\d\d(?:\s*г(?:од|\.)?)?)?$",
    re.I,
)
_OPEN_DEADLINE = re.compile(r"(?:[,\-–—]|\b(?:с|со|по|до|и|в|на))$", re.I)


def _period_word(text: str) -> bool:
    text = text.strip(" .:")
    return _starts_upper(text) and bool(_PERIOD_WORD.match(text))


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def deadline_like(text: str) -> bool:
    """Reads like a deadline cell ("до 20.10.2022 г.", "В течение года", "Май, январь")."""
    text = text.strip(" -–—«»\"'()").lower()
    if not text or len(text) > 100 or len(text.split()) > 12:
        return False
    numbered = _NUMBER_WORD.match(text)
    if numbered and not _TIME_WORD.match(numbered.group(1)):
        return False  # "2. Мониторинг за 2022 год" is a heading, not a date
    return bool(_DEADLINE_START.match(text)) and bool(_TIME_HINT.search(text))


def responsible_like(text: str) -> bool:
    """Reads like people: a surname with initials, or a post ("заместитель директора …")."""
    text = text.strip()
    if not text or deadline_like(text):
        return False
    if len(text) <= 250 and _INITIALS.search(text):
        return True
    return len(text) <= 120 and bool(_ROLE_START.match(text))


def _has_content(text: str) -> bool:
    return any(char.isalnum() for char in text)


# --------------------------------------------------------------------------------------------
# Section headings

_NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,2}\.?\s*[«\"]?[A-ZА-ЯЁ]")
_ROMAN_HEADING = re.compile(r"^[IVXLC]{1,6}\.?\s+\S")
_STAGE = re.compile(r"^(?:[IVX]{1,4}\.?\s*)?(?:[\w-]+\s+){0,2}этап\b|^этап\b", re.I)
_GOAL = re.compile(r"^(?:цел[ьи]|задач[аи])\b", re.I)
_HEADING_WORD = re.compile(r"^(?:раздел|блок|модуль|направление)\b", re.I)
_EMBEDDED_HEADING = re.compile(r"(?<=[.!?])\s+(?=\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZА-ЯЁ])")
_LINKING_LETTER = re.compile(r"^[иявскоуаiі](?:\s|$)", re.I)


def _is_stage(text: str) -> bool:
    return len(text) <= 120 and bool(_STAGE.match(text))


def heading_like(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > 300:
        return False
    if _NUMBERED_HEADING.match(text) or _ROMAN_HEADING.match(text):
        return True
    if _is_stage(text) or _GOAL.match(text) or _HEADING_WORD.match(text):
        return True
    letters = [char for char in text if char.isalpha()]
    capitals = sum(char.isupper() for char in letters)
    return len(letters) >= 8 and capitals >= 0.8 * len(letters) and len(text.split()) >= 2


def section_level(text: str) -> int:
    """Stage > goal > numbered heading by depth; a new heading replaces those at its level."""
    if _is_stage(text) or _ROMAN_HEADING.match(text) or _HEADING_WORD.match(text):
        return 0
    if _GOAL.match(text):
        return 1
    numbered = re.match(r"^(\d{1,2}(?:\.\d{1,2}){0,2})", text)
    if numbered:
        return 1 + numbered.group(1).count(".") + 1
    return 2


def _garbage(text: str) -> bool:
    """An OCR leftover: mostly Latin letters in a Russian table."""
    latin = sum(char.isalpha() and not ("\u0400" <= char <= "\u04ff") for char in text)
    cyrillic = sum("\u0400" <= char <= "\u04ff" for char in text)
    return latin >= 4 and latin > cyrillic


def join_cut_fragments(fragments: Sequence[str]) -> str:
    """A heading an export cut at the column borders ("2. Опр|еделение целей и зад|ач проекта")."""
    out = ""
    for fragment in fragments:
        if not out:
            out = fragment
            continue
        if fragment.lower().startswith(out.lower()):
            out = fragment  # "Цел" then "Цель: …": the export repeated the start
            continue
        if fragment[0] in ".,;:" and out.endswith(fragment[0]):
            fragment = fragment[1:].lstrip()
            if not fragment:
                continue
        if out[-1].isalpha() and fragment[0].isalpha() and not _LINKING_LETTER.match(fragment):
            out += fragment
        else:
            out = f"{out} {fragment}"
    return _squash(out)


def split_sections(text: str) -> list[str]:
    """ "Цель: … проекта. 1. Организация обучения педагогов" is a goal and then a heading."""
    if _GOAL.match(text) or _is_stage(text):
        return [part.strip() for part in _EMBEDDED_HEADING.split(text) if part.strip()]
    return [text]


# --------------------------------------------------------------------------------------------
# Preamble and title

_TITLE_WORD = re.compile(r"^(?:дорожн|план|программ|график|мероприят|комплекс|перечень|календар)")


def _blocks(lines: Sequence[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def preamble_lines(raw_lines: Iterable[str]) -> list[str]:
    """Cleaned preamble lines, "" where a blank line separated paragraphs."""
    out: list[str] = []
    for raw in raw_lines:
        paragraphs = cell_paragraphs(raw)
        out.extend(paragraphs if paragraphs else [""])
    return out


def title_from(lines: Sequence[str]) -> str:
    """The roadmap's own title: the last title-like block before the table, else the first."""
    blocks = [" ".join(block) for block in _blocks(lines)]
    blocks = [_squash(block) for block in blocks]
    titles = [
        block
        for block in blocks
        if len(block) <= 400
        and any(_TITLE_WORD.match(word) for word in _HEADER_TOKEN.findall(block.lower())[:3])
    ]
    if titles:
        return titles[-1]
    mentions = [block for block in blocks if re.search(r"дорожн\w* карт|план", block.lower())]
    if mentions:
        return mentions[0]
    return blocks[0] if blocks else ""


def preamble_from(lines: Sequence[str]) -> str:
    return "\n\n".join("\n".join(block) for block in _blocks(lines))


# --------------------------------------------------------------------------------------------
# Realigning cells an export shifted

_NUM, _DEADLINE, _PEOPLE, _TEXT = "num", "deadline", "people", "text"
_DISPLACEMENT = 0.1
_GAP = 0.3  # above the displacement cost: a shifted row is packed against its anchors


def _kind(text: str) -> str:
    if is_number(text):
        return _NUM
    if deadline_like(text):
        return _DEADLINE
    if responsible_like(text):
        return _PEOPLE
    return _TEXT


def _fit(kind: str, role: Column | None) -> float:
    if role is Column.NUMBER:
        return 4.0 if kind == _NUM else -5.0
    if kind == _NUM:
        return -1.0
    fits: dict[Column | None, float]
    if kind == _DEADLINE:
        fits, other = {Column.DEADLINE: 3.0, Column.RESPONSIBLE: -2.0, None: 0.0}, -1.0
    elif kind == _PEOPLE:
        fits, other = {Column.RESPONSIBLE: 3.0, Column.DEADLINE: -2.0}, 0.0
    else:
        fits, other = {Column.ACTIVITY: 1.0, Column.RESULT: 1.0, Column.DEADLINE: -1.0}, 0.0
    return fits.get(role, other)


def _align(
    kinds: Sequence[str], origins: Sequence[int], roles: Sequence[Column | None]
) -> list[int]:
    """Columns for the non-empty cells, in order, that best fit what each cell looks like."""
    count, width = len(kinds), len(roles)
    worst = float("-inf")
    score = [[worst] * width for _ in range(count)]
    back = [[-1] * width for _ in range(count)]
    for index in range(count):
        for column in range(index, width - (count - 1 - index)):
            own = _fit(kinds[index], roles[column]) - _DISPLACEMENT * abs(column - origins[index])
            if index == 0:
                score[index][column] = own
                continue
            for previous in range(index - 1, column):
                if score[index - 1][previous] == worst:
                    continue
                total = score[index - 1][previous] + own - _GAP * (column - previous - 1)
                if total > score[index][column]:
                    score[index][column] = total
                    back[index][column] = previous
    column = max(range(width), key=lambda c: score[count - 1][c])
    placed = [column]
    for index in range(count - 1, 0, -1):
        column = back[index][column]
        placed.append(column)
    return placed[::-1]


# --------------------------------------------------------------------------------------------
# Rows into activities


@dataclass
class _Heading:
    level: int
    text: str
    number: str | None  # "2" for "2. Методическая работа"
    confirmed: bool = False  # an activity numbered "2.x" has been seen under it


@dataclass
class _RowDraft:
    cells: dict[int, list[str]]
    source_ref: str


@dataclass
class _ActivityDraft:
    number: str | None
    section: str | None
    rows: list[_RowDraft]


@dataclass
class _Builder:
    mapping: dict[Column, int]
    width: int
    numbered: bool
    deadline_cols: tuple[int, ...]
    deadline_joint: str = _SERIES
    # Columns named but not ours (participants, place, phone, note): their cells are not read.
    not_ours: frozenset[int] = frozenset()
    # A participants column read as the responsible: its cells naming only pupils are not.
    audience_col: int | None = None
    # The header's rows and columns, to know it again on the next page.
    header_keys: frozenset[tuple[str, ...]] = frozenset()
    header_mapping: dict[Column, int] = field(default_factory=dict)
    activities: list[_ActivityDraft] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    sections: list[_Heading] = field(default_factory=list)
    current: _ActivityDraft | None = None
    last_section: bool = False
    shift: dict[int, int] | None = None
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    trailing: list[tuple[str, str]] = field(default_factory=list)

    @property
    def roles(self) -> list[Column | None]:
        by_index = {index: column for column, index in self.mapping.items()}
        by_index.update((index, Column.DEADLINE) for index in self.deadline_cols)
        return [by_index.get(index) for index in range(self.width)]

    @property
    def num_col(self) -> int | None:
        return self.mapping.get(Column.NUMBER)

    @property
    def act_col(self) -> int:
        return self.mapping[Column.ACTIVITY]

    def warn(self, code: str, source_ref: str, fragment: str) -> None:
        self.warnings.append(
            ParseWarning.of(code, source_ref=source_ref, fragment=_excerpt(fragment))
        )

    # -- sections ---------------------------------------------------------------------------

    def add_section(self, texts: Sequence[str], source_ref: str) -> None:
        for text in texts:
            level = section_level(text)
            while self.sections and self.sections[-1].level >= level:
                self.sections.pop()
            numbered = re.match(r"^(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s", text)
            self.sections.append(_Heading(level, text, numbered.group(1) if numbered else None))
            self.trailing.append((source_ref, text))
        self.current = None
        self.shift = None
        self.last_section = True

    def extend_section(self, text: str) -> None:
        heading = self.sections[-1]
        heading.text = join_prose([heading.text, text])

    @property
    def section(self) -> str | None:
        return " / ".join(heading.text for heading in self.sections) or None

    def close_numbered_sections(self, number: str | None) -> None:
        """Leave "2. Методическая работа" once "2.1", "2.2" are followed by "3"."""
        while self.sections and number is not None:
            heading = self.sections[-1]
            if heading.number is None:
                return
            inside = number.startswith(f"{heading.number}.")
            if inside:
                heading.confirmed = True
                return
            if not heading.confirmed:
                return  # activities numbered 1, 2, 3 under "1. …": numbering is not by section
            self.sections.pop()

    def section_candidate(self, row: GridRow, texts: Sequence[str]) -> list[str] | None:
        filled = [index for index, text in enumerate(texts) if text]
        limit = max(self.act_col, self.num_col if self.num_col is not None else 0)
        if filled[0] > limit or any(deadline_like(texts[index]) for index in filled):
            return None
        if any(responsible_like(texts[index]) for index in filled[1:]):
            return None
        if self.current is not None and _activity_text(self.current, self.act_col).endswith(":"):
            return None  # "… по вопросам:" goes on with its numbered items
        fragments: list[str] = []
        dropped: list[str] = []
        for index in filled:
            for paragraph in row.cells[index]:
                (dropped if _garbage(paragraph) else fragments).append(paragraph)
        if not fragments:
            return None
        stages = [fragment for fragment in fragments if _is_stage(fragment)]
        if stages:
            dropped += [f for f in fragments if f is not stages[0] and not stages[0].startswith(f)]
            text = stages[0]
        else:
            text = join_cut_fragments(fragments)
        if not heading_like(text):
            return None
        for fragment in dropped:
            self.warn("table.section_fragment_dropped", row.source_ref, fragment)
        return split_sections(text)

    # -- activities, steps, continuations ---------------------------------------------------

    def new_activity(self, number: str | None, cells: dict[int, list[str]], ref: str) -> None:
        heading = self.numbered_heading_above(number)
        if heading is not None:
            self.activities.pop()
            self.add_section([heading], ref)
        for source_ref, fragment in self.unplaced:
            self.warn("table.row_unplaced", source_ref, fragment)
        self.unplaced.clear()
        self.trailing.clear()
        self.close_numbered_sections(number)
        self.current = _ActivityDraft(number, self.section, [_RowDraft(cells, ref)])
        self.activities.append(self.current)

    def numbered_heading_above(self, number: str | None) -> str | None:
        """ "1. Организационные мероприятия" with nothing but a title, then "1.1": a heading."""
        previous = self.current
        if previous is None or number is None or previous.number is None:
            return None
        if len(previous.rows) != 1 or not number.startswith(f"{previous.number}."):
            return None
        cells = previous.rows[0].cells
        if any(paragraphs for column, paragraphs in cells.items() if column != self.act_col):
            return None
        title = join_prose(cells.get(self.act_col, []))
        return f"{previous.number}. {title}" if title else None

    def add_step(self, cells: dict[int, list[str]], ref: str, fragment: str) -> None:
        if self.current is None:
            self.unplaced.append((ref, fragment))
            return
        self.current.rows.append(_RowDraft(cells, ref))

    def continue_cells(self, cells: dict[int, list[str]], ref: str, fragment: str) -> None:
        if self.current is None:
            self.unplaced.append((ref, fragment))
            return
        for column, paragraphs in cells.items():
            if column == self.num_col:
                continue
            target = self.current.rows[-1]
            if column == self.act_col:
                # Wrapped activity text belongs to the row that has activity text, not to a step.
                target = next(
                    (row for row in reversed(self.current.rows) if row.cells.get(column)),
                    self.current.rows[0],
                )
            target.cells.setdefault(column, []).extend(paragraphs)

    def lone_cell(self, index: int, row: GridRow, text: str, after_section: bool) -> None:
        paragraphs = list(row.cells[index])
        if index in self.not_ours:
            self.continue_cells({index: paragraphs}, row.source_ref, text)
            return
        if self.period_heading(index, text):
            self.add_section([text], row.source_ref)
            return
        if after_section and index <= self.act_col and self.sections:
            self.extend_section(join_prose(paragraphs))  # a heading wrapped onto the next line
            return
        target = index
        if self.shift is not None and index in self.shift:
            target = self.shift[index]  # same shift as the row it continues
        elif index == self.num_col:
            if _starts_upper(text) and len(text) <= 150 and not text.endswith(","):
                self.add_section([text], row.source_ref)
                return
            target = self.act_col
            self.warn("table.fragment_column_guessed", row.source_ref, text)
        elif index >= self.width:
            target = self.width - 1
            self.warn("table.fragment_column_guessed", row.source_ref, text)
        elif (
            index == self.act_col
            and self.numbered
            and _starts_upper(text)
            and len(text) <= 150
            and text[-1] not in ",;:"
        ):
            self.add_section([text], row.source_ref)
            return
        self.continue_cells({target: paragraphs}, row.source_ref, text)

    def period_heading(self, index: int, text: str) -> bool:
        """ "Сентябрь" alone in the date column of a plan whose dates come first: the month
        the rows below are in, unless the date above is left open ("с 25 августа по")."""
        if index != self.deadline_cols[0] or index > self.act_col or not _period_word(text):
            return False
        above = self.current.rows[-1].cells.get(index) if self.current is not None else None
        return not (above and _OPEN_DEADLINE.search(above[-1]))

    def realign(self, row: GridRow, texts: Sequence[str]) -> tuple[list[Paragraphs], bool]:
        """The row's cells by column; shifted cells put back where they belong."""
        cells = list(row.cells[: self.width]) + [()] * (
            self.width - min(len(row.cells), self.width)
        )
        if not self.shift_suspected(row, texts):
            self.shift = None
            return cells, False
        items: list[tuple[Paragraphs, int]] = []
        for index, paragraphs in enumerate(row.cells):
            if not paragraphs:
                continue
            glued = _LEADING_NUMBER.match(" ".join(paragraphs)) if index == self.num_col else None
            if glued:
                # "1.2 Проведение …" in the number column: the number and its activity text.
                items.append(((glued.group(1),), index))
                items.append((cell_paragraphs(glued.group(2)), index + 1))
            else:
                items.append((paragraphs, index))
        while len(items) > self.width:
            (last, _), (before, origin) = items.pop(), items.pop()
            items.append((before + last, origin))
        kinds = [_kind(" ".join(paragraphs)) for paragraphs, _ in items]
        placed = _align(kinds, [origin for _, origin in items], self.roles)
        realigned: list[Paragraphs] = [()] * self.width
        moved: list[str] = []
        shift: dict[int, int] = {}
        for (paragraphs, origin), column in zip(items, placed, strict=True):
            realigned[column] = realigned[column] + paragraphs
            shift.setdefault(origin, column)
            if column != origin:
                moved.append(" ".join(paragraphs))
        if not moved:
            self.shift = None
            return cells, False
        self.shift = shift
        self.warn("table.cells_shifted", row.source_ref, moved[0])
        return realigned, True

    def shift_suspected(self, row: GridRow, texts: Sequence[str]) -> bool:
        if any(text for text in texts[self.width :]):
            return True  # more cells than the header has
        num_col, act_col = self.num_col, self.act_col
        if num_col is not None and texts[num_col] and not is_number(texts[num_col]):
            return True  # words where only a number can be
        if num_col is not None and not texts[num_col] and is_number(texts[act_col]):
            return True  # the number one column to the right
        deadline_col = self.mapping.get(Column.DEADLINE)
        if deadline_col is None or deadline_like(texts[deadline_col]):
            return False
        # A date sits in another column: not the activity, whose text may mention dates, nor
        # the number column, where "6.2" reads like a date, nor a column not ours right of the
        # deadline (a mark of completion, a note), where a date is that column's own.
        last_deadline = max(self.deadline_cols)
        mentions = {act_col, num_col, *self.deadline_cols}
        mentions |= {index for index in self.not_ours if index > last_deadline}
        return any(
            deadline_like(text)
            for index, text in enumerate(texts[: self.width])
            if index not in mentions
        )

    def add(self, row: GridRow) -> None:
        texts = [_squash(row.text(index)) for index in range(max(len(row.cells), self.width))]
        if not any(_has_content(text) for text in texts):
            return
        if is_column_numbers(texts) or self.repeats_header(texts):
            return  # "1 | 2 | 3 | 4 | 5" under the header, or the header repeated on a new page
        if row.full_width:
            text = " ".join(join_prose(cell) for cell in row.cells if cell)
            self.add_section(split_sections(text), row.source_ref)
            return
        num_col, act_col = self.num_col, self.act_col
        identity_merged = {act_col, num_col} & row.merged_above
        if identity_merged:
            self.merged_step(row, act_col in row.merged_above)
            return
        has_number = num_col is not None and is_number(texts[num_col])
        filled = [index for index, text in enumerate(texts) if text]
        if not has_number:
            sections = self.section_candidate(row, texts)
            if sections is not None:
                self.add_section(sections, row.source_ref)
                return
        after_section, self.last_section = self.last_section, False
        if len(filled) == 1 and not has_number:
            self.lone_cell(filled[0], row, texts[filled[0]], after_section)
            return
        cells, _ = self.realign(row, texts)
        self.place(cells, row.source_ref)

    def repeats_header(self, texts: Sequence[str]) -> bool:
        return _row_key(texts) in self.header_keys or detect_columns(texts) == self.header_mapping

    def only_not_ours(self, cells: dict[int, list[str]]) -> bool:
        """Text only in columns not ours: their wrapped lines, never a step of its own."""
        return bool(cells) and all(index in self.not_ours for index in cells)

    def merged_step(self, row: GridRow, activity_merged: bool) -> None:
        """Word/Excel: № and activity merged down over the rows of one activity's steps."""
        cells = {
            index: list(paragraphs)
            for index, paragraphs in enumerate(row.cells[: self.width])
            if paragraphs
            and index != self.num_col
            and not (activity_merged and index == self.act_col)
        }
        self.last_section = False
        self.shift = None
        if self.only_not_ours(cells):
            self.continue_cells(cells, row.source_ref, _first_text(cells))
        elif cells:
            self.add_step(cells, row.source_ref, _first_text(cells))

    def place(self, cells: Sequence[Paragraphs], ref: str) -> None:
        num_col, act_col = self.num_col, self.act_col
        by_column = {
            index: list(paragraphs) for index, paragraphs in enumerate(cells) if paragraphs
        }
        number_text = " ".join(cells[num_col]) if num_col is not None else ""
        activity = " ".join(cells[act_col])
        fragment = _first_text(by_column)
        if num_col is not None and is_number(number_text):
            by_column.pop(num_col)
            self.new_activity(_clean_number(number_text), by_column, ref)
            return
        if num_col is not None:
            by_column.pop(num_col, None)
        if not by_column:
            return
        if self.only_not_ours(by_column) or (
            not activity and all(starts_lower(" ".join(p)) for p in by_column.values())
        ):
            self.continue_cells(by_column, ref, fragment)
        elif not activity:
            self.add_step(by_column, ref, fragment)
        elif starts_lower(activity):
            self.continue_cells(by_column, ref, fragment)
        elif self.numbered and self.current is not None:
            self.add_step(by_column, ref, fragment)
        else:
            self.new_activity(None, by_column, ref)

    # -- result -------------------------------------------------------------------------------

    def finish(self) -> tuple[RawActivity, ...]:
        for source_ref, fragment in self.unplaced + self.trailing:
            self.warn("table.trailing_text_ignored", source_ref, fragment)
        return tuple(self.activity(draft) for draft in self.activities)

    def joined(self, row: _RowDraft, column: Column) -> str:
        index = self.mapping.get(column)
        if index is None:
            return ""
        paragraphs = row.cells.get(index, [])
        if column is Column.DEADLINE:
            # Every date column, as one series or range for the deadline parser: each cell's
            # text kept whole, so that a doubt about one quotes that cell.
            dates = [join_deadline(row.cells.get(i, [])) for i in self.deadline_cols]
            return _join_dates(dates, self.deadline_joint)
        if column is Column.RESPONSIBLE:
            people = join_responsible(paragraphs)
            return "" if index == self.audience_col and _audience(people) else people
        return join_prose(paragraphs)

    def activity(self, draft: _ActivityDraft) -> RawActivity:
        first = draft.rows[0]
        title = self.joined(first, Column.ACTIVITY)

        def raw(row: _RowDraft, own_title: str) -> RawActivity:
            return RawActivity(
                number=draft.number,
                section=draft.section,
                title=own_title,
                result=self.joined(row, Column.RESULT) or None,
                deadline_text=self.joined(row, Column.DEADLINE),
                responsible_text=self.joined(row, Column.RESPONSIBLE),
                source_ref=row.source_ref,
            )

        parent = raw(first, title)
        if len(draft.rows) == 1:
            return parent
        steps = tuple(raw(row, self.joined(row, Column.ACTIVITY) or title) for row in draft.rows)
        return RawActivity(
            number=parent.number,
            section=parent.section,
            title=parent.title,
            result=parent.result,
            deadline_text=parent.deadline_text,
            responsible_text=parent.responsible_text,
            source_ref=parent.source_ref,
            steps=steps,
        )


def _activity_text(draft: _ActivityDraft, act_col: int) -> str:
    for row in reversed(draft.rows):
        if row.cells.get(act_col):
            return row.cells[act_col][-1]
    return ""


def _first_text(cells: dict[int, list[str]]) -> str:
    for index in sorted(cells):
        if cells[index]:
            return " ".join(cells[index])
    return ""


def _excerpt(text: str, limit: int = 80) -> str:
    text = _squash(text.replace("\n", " "))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clean_number(text: str) -> str:
    return text.strip().rstrip(".)")


_COLUMN_NUMBER = re.compile(r"^(\d{1,2})[.)]?$")


def is_column_numbers(texts: Sequence[str]) -> bool:
    """ "1 | 2 | 3 | 4" under a header ("1." or "1)", a gap, or all in one cell): each column's
    own number, not a row of the table."""
    cells = [(index, text.strip()) for index, text in enumerate(texts) if text.strip()]
    if len(cells) == 1:
        cells = list(enumerate(cells[0][1].split()))
    if len(cells) < 3:
        return False
    offsets: set[int] = set()
    for index, text in cells:
        number = _COLUMN_NUMBER.match(text)
        if number is None:
            return False
        offsets.add(int(number.group(1)) - index)
    return len(offsets) == 1 and offsets <= {0, 1}


def _row_key(texts: Sequence[str]) -> tuple[str, ...]:
    key = [_normalise_header(text) for text in texts]
    while key and not key[-1]:
        key.pop()
    return tuple(key)


# Who takes part, when it is pupils: by their classes or ages, or as learners, or their parents.
_AUDIENCE = re.compile(
    r"^(?:все\s+)?(?:обучающ|учащ|ученик|учениц|школьник|старшеклассник|воспитанник|дет[иейя]|"
    r"выпускник|студент|родител|законн\w*\s+представител|желающ|классы?\b|"
    r"\d{1,2}(?:\s*[-–—]\s*\d{1,2})?\s*(?:[«\"]?[а-я][»\"]?)?\s*(?:кл|класс|лет|год|$))",
    re.I,
)
_AUDIENCE_SPLIT = re.compile(r"[,;\n]|\s+и\s+")


def _audience(text: str) -> bool:
    """Names only pupils (their classes, their ages) or their parents: no one to remind."""
    items = [item.strip(" .") for item in _AUDIENCE_SPLIT.split(text)]
    items = [item for item in items if item]
    return bool(items) and all(_AUDIENCE.match(item) for item in items)


def _participants_as_responsible(
    header: Sequence[str], mapping: dict[Column, int], body: Sequence[GridRow]
) -> int | None:
    """The participants column when the table names no responsible and they are the staff.

    A column of pupils ("1-11 классы", "обучающиеся 5-9 классов") is no one to remind: it is
    dropped from ``mapping``, and every row then says nobody is named.
    """
    index = mapping.get(Column.RESPONSIBLE)
    if index is None or not _participants(header[index]):
        return None
    cells = [row.text(index) for row in body if row.text(index).strip()]
    if sum(_audience(text) for text in cells) * 2 > len(cells):
        del mapping[Column.RESPONSIBLE]
        return None
    return index


def _is_numbered(rows: Sequence[GridRow], mapping: dict[Column, int]) -> bool:
    """Whether activities here carry numbers, so a row without one is a step, not an activity."""
    num_col = mapping.get(Column.NUMBER)
    if num_col is None:
        return False
    act_col = mapping[Column.ACTIVITY]
    numbered = sum(is_number(row.text(num_col)) for row in rows)
    with_text = sum(bool(row.text(act_col).strip()) for row in rows if not row.full_width)
    return numbered > 0 and numbered * 2 >= with_text


def build_roadmap(preamble: Sequence[str], rows: Sequence[GridRow]) -> RawRoadmap:
    """The roadmap in ``rows``; rows above the header count as preamble.

    ``preamble`` holds cleaned lines, "" between paragraphs (see ``preamble_lines``).
    """
    check_row_count(len(rows))
    texts = [[row.text(index) for index in range(len(row.cells))] for row in rows]
    header = _locate_header(texts)
    if header is None:
        raise RoadmapReadError("not_a_table")
    if Column.DEADLINE not in header.mapping:
        names = ", ".join(_squash(text) for text in header.texts if text.strip())
        raise RoadmapReadError("no_deadline_column", columns=names)
    lines = [*preamble, ""]  # title rows inside the table start a paragraph of their own
    for row in rows[: header.first]:
        lines.append(
            " ".join(text for text in (row.text(i) for i in range(len(row.cells))) if text)
        )
    width = max(index for index, text in enumerate(header.texts) if text.strip()) + 1
    body = rows[header.last + 1 :]
    mapping = dict(header.mapping)
    audience_col = _participants_as_responsible(header.texts, mapping, body)
    deadline_cols, deadline_joint = _deadline_columns(header.texts, mapping)
    builder = _Builder(
        mapping,
        width,
        _is_numbered(body, mapping),
        deadline_cols=deadline_cols,
        deadline_joint=deadline_joint,
        not_ours=frozenset(
            index
            for index, text in enumerate(header.texts)
            if column_not_ours(text) and index not in mapping.values()
        ),
        audience_col=audience_col,
        header_keys=frozenset(_row_key(texts[i]) for i in range(header.first, header.last + 1)),
        header_mapping=header.mapping,
    )
    for row in body:
        builder.add(row)
    activities = builder.finish()
    columns = tuple(column for column in Column if column in mapping)
    return RawRoadmap(
        title=title_from(lines),
        preamble=preamble_from(lines),
        columns=columns,
        activities=activities,
        warnings=tuple(builder.warnings),
    )
