"""Survey statistics a school may publish: counts, shares and breakdowns that protect respondents.

Disclosure control, as statistical offices do it for small tables:

- a count 0 < n < k (k = 5 by default) is hidden;
- a group (a role or a class) whose respondent count is hidden is left out of breakdowns; the
  hidden groups appear there only together, as one "others" column;
- complementary suppression: wherever a total is known, a line with exactly one hidden cell
  would give it away as total − sum(shown), so the next smallest cell is hidden too, until no
  line has exactly one hidden cell;
- with fewer than k respondents in all, nothing but that number is shown.

A hidden count is not kept anywhere in the results (``Cell.count`` is None), so a renderer
cannot print it by mistake. Nor is the reason it is hidden: reports print one mark («скрыто»)
for both kinds, since "complement" would tell a reader the cell is 0 or at least k, which with
a total can pin a small cell down exactly.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from surveys.model import (
    OTHER,
    Answer,
    Audience,
    Question,
    QuestionKind,
    RespondentRole,
    Response,
    SurveyDefinition,
)

DEFAULT_K = 5


class Dimension(StrEnum):
    """What respondents declared about themselves, and so what results are broken down by."""

    ROLE = "role"
    CLASS = "class"


class GroupKind(StrEnum):
    DECLARED = "declared"  # a role or a class the respondent chose
    UNSTATED = "unstated"  # asked, but not given
    OTHERS = "others"  # the hidden groups together (breakdowns only)


@dataclass(frozen=True)
class Group:
    kind: GroupKind
    value: str = ""  # the RespondentRole value or the class name, for DECLARED


@dataclass(frozen=True)
class Cell:
    """A count a report may print, or a hidden one (count None: the number is not kept)."""

    count: int | None
    percent: float | None = None

    @property
    def hidden(self) -> bool:
        return self.count is None


HIDDEN = Cell(None)


def _cell(count: int, base: int | None) -> Cell:
    return Cell(count, 100.0 * count / base if base else None)


@dataclass(frozen=True)
class SegmentTable:
    """Respondents by one dimension; percentages of all respondents (shown as a total)."""

    dimension: Dimension
    groups: tuple[Group, ...]
    cells: tuple[Cell, ...]


class LineKind(StrEnum):
    OPTION = "option"
    OTHER = "other"  # "Другое: …"
    VALUE = "value"  # one point of a scale


@dataclass(frozen=True)
class Line:
    """One row of a question's table: an option, "Другое" or a point of the scale."""

    kind: LineKind
    key: str  # the option key, OTHER, or the scale value
    label: str  # the option's label or the scale value; empty for OTHER (renderers name it)
    cell: Cell  # respondents who chose it; percent of those who answered the question


@dataclass(frozen=True)
class Breakdown:
    """A question's lines by group: the shown groups, then OTHERS when some are hidden."""

    dimension: Dimension
    groups: tuple[Group, ...]
    answered: tuple[Cell, ...]  # per group: how many answered the question
    cells: tuple[tuple[Cell, ...], ...]  # per line (as QuestionResult.lines), per group
    # Scale only: each group's mean, None where one of its cells is hidden (a mean and a
    # count would let two hidden cells be solved for).
    means: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class QuestionResult:
    number: int  # 1-based position in the survey
    question: Question
    answered: Cell  # percent of all respondents
    # Fewer than k answered (choice and scale questions): no lines, breakdowns or chart.
    withheld: bool
    lines: tuple[Line, ...]
    mean: float | None
    median: float | None
    # Free-text answers, or the "Другое" texts of a choice question; shuffled, never
    # attributed to a group.
    texts: tuple[str, ...]
    breakdowns: tuple[Breakdown, ...]


@dataclass(frozen=True)
class AnonymousRow:
    """One response for the raw-answers sheet: no day, and a group only where it is shown."""

    role: RespondentRole | None
    class_name: str | None
    answers: Mapping[str, Answer]


@dataclass(frozen=True)
class SurveyResults:
    definition: SurveyDefinition
    k: int
    respondents: int
    segments: tuple[SegmentTable, ...]
    questions: tuple[QuestionResult, ...]
    rows: tuple[AnonymousRow, ...]  # shuffled; empty when withheld

    @property
    def withheld(self) -> bool:
        """Too few respondents to show anything but their number."""
        return 0 < self.respondents < self.k


K = TypeVar("K", bound=Hashable)


def suppress(
    values: Mapping[K, int], lines: Iterable[Sequence[K]], k: int, hidden: Iterable[K] = ()
) -> set[K]:
    """The cells to hide: 0 < n < k, then complements until no line has exactly one hidden.

    A line is a group of cells whose sum (or the sum with a known value) a reader knows. The
    complement is the line's smallest shown cell, a non-zero one first: hiding a zero protects
    little where a reader can guess the zero.
    """
    result = {key for key, value in values.items() if 0 < value < k} | set(hidden)
    lines = [list(line) for line in lines]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(key in result for key in line) != 1:
                continue
            shown = [key for key in line if key not in result]
            if not shown:  # a line of one cell: callers never build one
                continue
            result.add(min(shown, key=lambda key: (values[key] == 0, values[key])))
            changed = True
    return result


def _group_of(response: Response, dimension: Dimension) -> Group:
    value: str | None
    if dimension is Dimension.ROLE:
        value = response.segment.role.value if response.segment.role is not None else None
    else:
        value = response.segment.class_name
    return Group(GroupKind.UNSTATED) if value is None else Group(GroupKind.DECLARED, value)


def _dimensions(definition: SurveyDefinition) -> list[Dimension]:
    found = []
    if definition.audience is Audience.BOTH and definition.segments.ask_role:
        found.append(Dimension.ROLE)
    if definition.segments.classes:
        found.append(Dimension.CLASS)
    return found


def _groups(
    definition: SurveyDefinition, dimension: Dimension, responses: Sequence[Response]
) -> list[Group]:
    """The definition's groups in its order (even with no respondents), then any others seen."""
    listed = (
        [role.value for role in RespondentRole]
        if dimension is Dimension.ROLE
        else list(definition.segments.classes)
    )
    groups = [Group(GroupKind.DECLARED, value) for value in listed]
    seen = {_group_of(response, dimension) for response in responses}
    groups += sorted(
        (g for g in seen if g.kind is GroupKind.DECLARED and g not in groups),
        key=lambda group: group.value,
    )
    if Group(GroupKind.UNSTATED) in seen:
        groups.append(Group(GroupKind.UNSTATED))
    return groups


def _segment_table(
    definition: SurveyDefinition, dimension: Dimension, responses: Sequence[Response], k: int
) -> SegmentTable:
    groups = _groups(definition, dimension, responses)
    counts = dict.fromkeys(groups, 0)
    for response in responses:
        counts[_group_of(response, dimension)] += 1
    hidden = suppress(counts, [groups], k)
    total = len(responses)
    return SegmentTable(
        dimension,
        tuple(groups),
        tuple(HIDDEN if group in hidden else _cell(counts[group], total) for group in groups),
    )


def _has_answer(question: Question, answer: Answer | None) -> bool:
    if answer is None:
        return False
    if question.kind is QuestionKind.SCALE:
        return answer.number is not None
    if question.kind is QuestionKind.TEXT:
        return bool(answer.text and answer.text.strip())
    return bool(answer.choices)


def _line_specs(question: Question) -> list[tuple[LineKind, str, str]]:
    if question.kind is QuestionKind.SCALE:
        scale = question.scale
        low, high = (scale.low, scale.high) if scale is not None else (1, 5)
        return [(LineKind.VALUE, str(value), str(value)) for value in range(low, high + 1)]
    if question.kind is QuestionKind.TEXT:
        return []
    specs = [(LineKind.OPTION, option.key, option.label) for option in question.options]
    if question.other:
        specs.append((LineKind.OTHER, OTHER, ""))
    return specs


def _chosen(question: Question, answer: Answer, key: str) -> bool:
    if question.kind is QuestionKind.SCALE:
        return answer.number is not None and str(answer.number) == key
    return key in answer.choices


def _texts(question: Question, answered: Sequence[Answer]) -> list[str]:
    texts = []
    for answer in answered:
        if question.kind is QuestionKind.TEXT or OTHER in answer.choices:
            text = (answer.text or "").strip()
            if text:
                texts.append(text)
    return texts


@dataclass(frozen=True)
class _Column:
    """A breakdown column: which groups of the segment table it gathers."""

    group: Group
    members: frozenset[Group]


def _columns(table: SegmentTable) -> list[_Column]:
    """Shown groups with respondents, then the hidden ones together; [] when pointless."""
    shown = [
        _Column(group, frozenset({group}))
        for group, cell in zip(table.groups, table.cells, strict=True)
        if not cell.hidden and cell.count
    ]
    hidden = frozenset(
        group for group, cell in zip(table.groups, table.cells, strict=True) if cell.hidden
    )
    columns = [*shown]
    if hidden:
        columns.append(_Column(Group(GroupKind.OTHERS), hidden))
    return columns if shown and len(columns) >= 2 else []


# A breakdown's counts: ("n", line, column) who chose that line; ("a", 0, column) who answered
# the question at all.
_Key = tuple[str, int, int]


def _answered(column: int) -> _Key:
    return ("a", 0, column)


def _chose(line: int, column: int) -> _Key:
    return ("n", line, column)


def _breakdown(
    question: Question,
    specs: Sequence[tuple[LineKind, str, str]],
    pairs: Sequence[tuple[Response, Answer]],
    table: SegmentTable,
    k: int,
) -> Breakdown | None:
    columns = _columns(table)
    if not columns:
        return None
    width, height = len(columns), len(specs)
    values = _tally(question, specs, pairs, table.dimension, columns)
    hidden = suppress(values, _known_sums(question, height, width), k)

    def shown(key: _Key, base: int | None) -> Cell:
        return HIDDEN if key in hidden else _cell(values[key], base)

    bases = [None if _answered(j) in hidden else values[_answered(j)] for j in range(width)]
    cells = tuple(
        tuple(shown(_chose(i, j), bases[j]) for j in range(width)) for i in range(height)
    )
    if all(cell.hidden for row in cells for cell in row):
        return None  # nothing a reader could learn from it
    return Breakdown(
        table.dimension,
        tuple(column.group for column in columns),
        tuple(shown(_answered(j), None) for j in range(width)),
        cells,
        _column_means(question, specs, cells, bases),
    )


def _tally(
    question: Question,
    specs: Sequence[tuple[LineKind, str, str]],
    pairs: Sequence[tuple[Response, Answer]],
    dimension: Dimension,
    columns: Sequence[_Column],
) -> dict[_Key, int]:
    """Every count of the breakdown, zeros included."""
    column_of = {member: j for j, column in enumerate(columns) for member in column.members}
    values: dict[_Key, int] = {}
    for j in range(len(columns)):
        values[_answered(j)] = 0
        values.update((_chose(i, j), 0) for i in range(len(specs)))
    for response, answer in pairs:
        column = column_of.get(_group_of(response, dimension))
        if column is None:  # only zero-count groups are left out, and they have none
            continue
        values[_answered(column)] += 1
        for i, (_, key, _label) in enumerate(specs):
            if _chosen(question, answer, key):
                values[_chose(i, column)] += 1
    return values


def _known_sums(question: Question, height: int, width: int) -> list[list[_Key]]:
    """The lines of counts whose sum a reader knows, for complementary suppression."""
    lines = [[_chose(i, j) for j in range(width)] for i in range(height)]
    lines.append([_answered(j) for j in range(width)])
    if question.kind in (QuestionKind.SINGLE, QuestionKind.SCALE):
        # One answer per respondent: a column sums to its answered count, which a reader
        # can know (for a required question it is the group's respondents).
        lines += [[_chose(i, j) for i in range(height)] for j in range(width)]
    return lines


def _column_means(
    question: Question,
    specs: Sequence[tuple[LineKind, str, str]],
    cells: Sequence[Sequence[Cell]],
    bases: Sequence[int | None],
) -> tuple[float | None, ...]:
    if question.kind is not QuestionKind.SCALE:
        return ()
    return tuple(
        _column_mean(specs, [row[j] for row in cells]) if base else None
        for j, base in enumerate(bases)
    )


def _column_mean(specs: Sequence[tuple[LineKind, str, str]], cells: list[Cell]) -> float | None:
    if any(cell.hidden for cell in cells):
        return None
    total = sum(cell.count or 0 for cell in cells)
    if not total:
        return None
    return (
        sum(int(key) * (cell.count or 0) for (_, key, _), cell in zip(specs, cells, strict=True))
        / total
    )


def _question(
    number: int,
    question: Question,
    responses: Sequence[Response],
    tables: Sequence[SegmentTable],
    k: int,
    rng: random.Random,
) -> QuestionResult:
    pairs = _answers_to(question, responses)
    answered = len(pairs)
    counted = question.kind is not QuestionKind.TEXT
    if counted and 0 < answered < k:
        return _withheld(number, question)
    specs = _line_specs(question)
    answers = [answer for _, answer in pairs]
    texts = _texts(question, answers)
    rng.shuffle(texts)
    breakdowns = (
        tuple(
            found
            for table in tables
            if (found := _breakdown(question, specs, pairs, table, k)) is not None
        )
        if counted and answered
        else ()
    )
    return QuestionResult(
        number,
        question,
        _cell(answered, len(responses)),
        False,
        _lines(question, specs, answers),
        *_mean_and_median(question, answers),
        tuple(texts),
        breakdowns,
    )


def _answers_to(
    question: Question, responses: Sequence[Response]
) -> list[tuple[Response, Answer]]:
    """The responses that answer this question, each with its answer."""
    return [
        (response, answer)
        for response in responses
        if (answer := response.answers.get(question.id)) is not None
        and _has_answer(question, answer)
    ]


def _lines(
    question: Question, specs: Sequence[tuple[LineKind, str, str]], answers: Sequence[Answer]
) -> tuple[Line, ...]:
    """Each line with who chose it, as a share of those who answered."""
    return tuple(
        Line(
            kind,
            key,
            label,
            _cell(sum(_chosen(question, answer, key) for answer in answers), len(answers)),
        )
        for kind, key, label in specs
    )


def _mean_and_median(
    question: Question, answers: Sequence[Answer]
) -> tuple[float | None, float | None]:
    numbers = [answer.number for answer in answers if answer.number is not None]
    if question.kind is not QuestionKind.SCALE or not numbers:
        return None, None
    return statistics.fmean(numbers), float(statistics.median(numbers))


def _shown_groups(table: SegmentTable) -> set[Group]:
    return {
        group
        for group, cell in zip(table.groups, table.cells, strict=True)
        if not cell.hidden and group.kind is GroupKind.DECLARED
    }


def _anonymous_rows(
    responses: Sequence[Response], tables: Sequence[SegmentTable], k: int, rng: random.Random
) -> list[AnonymousRow]:
    """Raw answers with a group only where the segment tables show it.

    A class is named only when it is shown and, where roles are named too, each role within
    it has at least k rows: otherwise filtering the sheet by class and role would single out
    the few.
    """
    by_dimension = {table.dimension: _shown_groups(table) for table in tables}
    roles = by_dimension.get(Dimension.ROLE, set())
    classes = by_dimension.get(Dimension.CLASS, set())

    def role_of(response: Response) -> RespondentRole | None:
        role = response.segment.role
        return role if role is not None and _group_of(response, Dimension.ROLE) in roles else None

    combinations: dict[tuple[str, RespondentRole | None], int] = {}
    for response in responses:
        if response.segment.class_name is not None:
            pair = (response.segment.class_name, role_of(response))
            combinations[pair] = combinations.get(pair, 0) + 1
    too_small = {name for (name, _), count in combinations.items() if count < k}
    rows = []
    for response in responses:
        name = response.segment.class_name
        shown = (
            name is not None
            and _group_of(response, Dimension.CLASS) in classes
            and name not in too_small
        )
        rows.append(AnonymousRow(role_of(response), name if shown else None, response.answers))
    rng.shuffle(rows)
    return rows


def summarise(
    definition: SurveyDefinition,
    responses: Sequence[Response],
    *,
    k: int = DEFAULT_K,
    rng: random.Random | None = None,
) -> SurveyResults:
    """Everything a report shows, with small counts already hidden.

    `rng` shuffles free texts and raw rows (so their order reveals nothing); tests pass a
    seeded one, everyone else gets the system's.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    rng = rng or random.SystemRandom()
    tables = tuple(
        _segment_table(definition, dimension, responses, k)
        for dimension in _dimensions(definition)
    )
    if 0 < len(responses) < k:
        return SurveyResults(
            definition,
            k,
            len(responses),
            tables,
            tuple(_withheld(number, q) for number, q in enumerate(definition.questions, 1)),
            (),
        )
    questions = tuple(
        _question(number, question, responses, tables, k, rng)
        for number, question in enumerate(definition.questions, 1)
    )
    rows = tuple(_anonymous_rows(responses, tables, k, rng))
    return SurveyResults(definition, k, len(responses), tables, questions, rows)


def _withheld(number: int, question: Question) -> QuestionResult:
    lines = tuple(Line(kind, key, label, HIDDEN) for kind, key, label in _line_specs(question))
    return QuestionResult(number, question, HIDDEN, True, lines, None, None, (), ())


def top_lines(result: QuestionResult, limit: int = 3) -> list[Line]:
    """The most chosen lines first (ties in the survey's order), for a short summary."""
    shown = [line for line in result.lines if not line.cell.hidden and line.cell.count]
    return sorted(shown, key=lambda line: -(line.cell.count or 0))[:limit]
