"""Survey definitions from an Excel template a deputy director fills in without instructions.

Sheet "Опрос": labels in column A, values in column B (title, intro, audience, classes,
whether to ask "родитель или обучающийся"); anything in column C and beyond is a hint.
Sheet "Вопросы": a header row and one row per question. Columns are found by their
headings, so they may be moved; a heading the reader does not know is refused rather than
ignored, because its contents would silently vanish. Options go one per line inside one
cell (Alt+Enter in Excel), or separated by ";" when the cell has no line breaks: a
question stays one row that reads like the question it is. Skips go in "Переход", one per
line: "Нет, не слышал(а) → 4" (the option by its text or number, then a question number
or "конец").
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import openpyxl
from openpyxl.utils.cell import get_column_letter

from core.archives import ArchiveRefused, check_archive
from core.dates import format_day
from surveys.building import normalise_word
from surveys.source import (
    DefinitionError,
    Place,
    RawOption,
    RawQuestion,
    RawSurvey,
    Scalar,
    shown,
)

SURVEY_SHEET = "Опрос"
QUESTIONS_SHEET = "Вопросы"
_SCAN_ROWS = 500
_SCAN_COLUMNS = 30
_HEADER_SEARCH_ROWS = 10

_SURVEY_LABELS = (
    (("назван",), "title"),
    (("вступ", "приветств", "описан"), "intro"),
    (("кому", "аудитор"), "audience"),
    (("класс",), "classes"),
    (("спрашивать", "кто отвечает"), "ask_role"),
)
_SURVEY_ALLOWED = "Название, Вступление, Кому адресован, Классы, Спрашивать, кто отвечает"
_QUESTION_ALLOWED = (
    "№, Вопрос, Тип, Обязательный, Варианты ответа, Другое, Переход, Шкала до, "
    "Подпись к 1, Подпись к максимуму, Лимит символов, Комментарий"
)
_IGNORED = "ignored"
_ARROW = re.compile(r"\s*(?:→|->|=>|⇒|—>|–>|-->)\s*")
# Read-only openpyxl streams the sheets: the archive's markup limit leaves them out.
_STREAMED = ("xl/worksheets/",)


def read_xlsx(data: bytes) -> RawSurvey:
    """What the template says, cell by cell; DefinitionError names the sheet and cell."""
    try:
        check_archive(data, streamed=_STREAMED)
    except ArchiveRefused as error:
        raise DefinitionError(error.key, **error.params) from error
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise DefinitionError("survey.file.corrupt_xlsx") from error
    with warnings.catch_warnings():
        # openpyxl warns about what it drops (data validation among them); none matters here.
        warnings.simplefilter("ignore")
        try:
            workbook: Any = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True
            )
        except Exception as error:  # a damaged workbook fails in many ways: all "corrupt"
            raise DefinitionError("survey.file.corrupt_xlsx") from error
        try:
            survey_sheet = _sheet(workbook, SURVEY_SHEET)
            questions_sheet = _sheet(workbook, QUESTIONS_SHEET)
            raw = _read_survey(survey_sheet)
            _read_questions(questions_sheet, raw)
            return raw
        except DefinitionError:
            raise
        except Exception as error:  # read-only sheets are parsed lazily: damage shows here
            raise DefinitionError("survey.file.corrupt_xlsx") from error
        finally:
            workbook.close()


def is_survey_workbook(data: bytes) -> bool:
    """Whether an Excel file is this survey template (its two sheets), not a roadmap table.

    Coordinators send both kinds to the same chat; the sheet names tell them apart before
    either reader gives a misleading "this is not a ..." answer. An archive over the limits
    of core.archives is not ours either: the roadmap importer refuses it with its reason.
    """
    try:
        check_archive(data, streamed=_STREAMED)
    except (ArchiveRefused, zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook: Any = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        except Exception:  # not a workbook at all: certainly not ours
            return False
        try:
            names = {normalise_word(sheet.title) for sheet in workbook.worksheets}
        finally:
            workbook.close()
    return {normalise_word(SURVEY_SHEET), normalise_word(QUESTIONS_SHEET)} <= names


def _sheet(workbook: Any, name: str) -> Any:
    for sheet in workbook.worksheets:
        if normalise_word(sheet.title) == normalise_word(name):
            return sheet
    raise DefinitionError("survey.file.no_sheet", sheet=name)


def _rows(sheet: Any, first: int = 1) -> Iterator[tuple[int, tuple[str, ...]]]:
    rows = sheet.iter_rows(
        min_row=first, max_row=first + _SCAN_ROWS, max_col=_SCAN_COLUMNS, values_only=True
    )
    for number, values in enumerate(rows, start=first):
        yield number, tuple(_text(value) for value in values)


def _text(value: object) -> str:
    """A cell as the person sees it: 5 not 5.0, да/нет for a ticked box, dates as 23.11.2026."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return format_day(value)
    return str(value)


def _place(sheet: Any, column: int, row: int) -> Place:
    return Place(sheet=sheet.title, cell=f"{get_column_letter(column + 1)}{row}")


def _read_survey(sheet: Any) -> RawSurvey:
    raw = RawSurvey(place=_place(sheet, 1, 1))
    for row, values in _rows(sheet):
        label = normalise_word(values[0]) if values else ""
        value = values[1] if len(values) > 1 else ""
        if not label:
            continue
        name = next((name for starts, name in _SURVEY_LABELS if label.startswith(starts)), None)
        if name is None:
            if value.strip():
                raise _place(sheet, 0, row).error(
                    "unknown_heading", value=shown(values[0]), allowed=_SURVEY_ALLOWED
                )
            continue
        scalar = Scalar(value, _place(sheet, 1, row))
        if name == "classes":
            raw.classes = [scalar]
        else:
            raw.fields.setdefault(name, scalar)
    return raw


def _column_name(heading: str) -> str | None:
    """What a heading of the questions sheet holds; None for a heading not known."""
    text = normalise_word(heading)
    if not text or text.startswith(("коммент", "примеч", "поясн")):
        return _IGNORED
    if "подпись" in text:
        return "low_label" if re.search(r"(?<!\d)1(?!\d)|мин|лев|низ", text) else "high_label"
    if text in ("n", "id") or text.startswith(("№", "номер")):
        return "id"
    for starts, name in (
        (("вопрос", "текст вопроса"), "text"),
        (("тип",), "kind"),
        (("обязат",), "required"),
        (("вариант",), "options"),
        (("друг",), "other"),
        (("переход",), "goto"),
        (("шкала",), "scale_high"),
        (("лимит", "макс"), "max_length"),
    ):
        if text.startswith(starts):
            return name
    return None


def _is_header(values: Sequence[str]) -> bool:
    """The row naming the question column and another one: a question that happens to
    begin with "Вопрос" is not taken for the header."""
    names = {_column_name(value) for value in values if value.strip()}
    return "text" in names and len(names - {"text", _IGNORED, None}) >= 1


def _read_questions(sheet: Any, raw: RawSurvey) -> None:
    rows = list(_rows(sheet))
    header = next(
        ((row, values) for row, values in rows[:_HEADER_SEARCH_ROWS] if _is_header(values)),
        None,
    )
    if header is None:
        raise _place(sheet, 0, 1).error("missing_column", column="Вопрос")
    header_row, headings = header
    columns: dict[str, int] = {}
    for column, heading in enumerate(headings):
        name = _column_name(heading)
        if name is None:
            raise _place(sheet, column, header_row).error(
                "unknown_heading", value=shown(heading), allowed=_QUESTION_ALLOWED
            )
        if name != _IGNORED:
            columns.setdefault(name, column)
    raw.questions_place = _place(sheet, columns["text"], header_row)
    for row, values in rows:
        if row > header_row:
            question = _question(sheet, row, values, columns, len(raw.questions) + 1)
            if question is not None:
                raw.questions.append(question)


def _question(
    sheet: Any, row: int, values: Sequence[str], columns: dict[str, int], number: int
) -> RawQuestion | None:
    def cell(name: str) -> Scalar | None:
        column = columns.get(name)
        if column is None or column >= len(values) or not values[column].strip():
            return None
        return Scalar(values[column], _place(sheet, column, row))

    # A row with only its number filled in is a blank line of the form, not a question.
    filled = {name: scalar for name in columns if (scalar := cell(name)) is not None}
    if not set(filled) - {"id"}:
        return None
    raw = RawQuestion(place=_place(sheet, columns["text"], row))
    for name in ("id", "text", "kind", "required", "other", "max_length"):
        if name in filled:
            raw.fields[name] = filled[name]
    if "id" in raw.fields:
        written = raw.fields["id"]
        raw.fields["id"] = Scalar(written.text.strip().rstrip("."), written.place)
    for name in ("scale_high", "low_label", "high_label"):
        if name in filled:
            raw.fields[name] = filled[name]
    if "options" in filled:
        options = filled["options"]
        raw.options_place = options.place
        raw.options = [RawOption(Scalar(label, options.place)) for label in _lines(options.text)]
    if "goto" in filled:
        _attach_gotos(raw, filled["goto"], number)
    return raw


def _lines(text: str) -> list[str]:
    parts = text.splitlines() if "\n" in text or "\r" in text else text.split(";")
    return [part.strip() for part in parts if part.strip()]


def _attach_gotos(raw: RawQuestion, cell: Scalar, question: int) -> None:
    options = raw.options or []
    for line in _lines(cell.text):
        parts = _ARROW.split(line, maxsplit=1)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise cell.place.error("goto_syntax", value=shown(line))
        index = _option_index(options, parts[0])
        if index is None:
            raise cell.place.error("goto_unknown_option", question=question, value=shown(parts[0]))
        options[index] = RawOption(options[index].label, Scalar(parts[1], cell.place))


def _option_index(options: list[RawOption], written: str) -> int | None:
    """An option named by its text, or by its number when no option reads like that number."""
    wanted = normalise_word(written)
    for index, option in enumerate(options):
        if normalise_word(option.label.text) == wanted:
            return index
    if wanted.isdecimal() and 1 <= int(wanted) <= len(options):
        return int(wanted) - 1
    return None
