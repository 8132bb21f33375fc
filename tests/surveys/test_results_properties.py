"""Properties of disclosure control over random surveys: nothing small shown, nothing recoverable.

For every table a reader sees with a known total (a row of a breakdown, its answered row, a
column of a single-choice or scale breakdown, respondents by segment), the hidden cells of
that line are never exactly one: total − sum(shown) then covers at least two cells.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.model import OTHER, Answer, QuestionKind, Response
from surveys.results import (
    Breakdown,
    Cell,
    Dimension,
    Group,
    GroupKind,
    QuestionResult,
    SurveyResults,
    summarise,
)
from tests.surveys.results_builders import CLASSES, DEFINITION, PARENT, STUDENT, response

_ROLES = st.sampled_from([PARENT, PARENT, PARENT, STUDENT, STUDENT, None])
_CLASS_NAMES = st.sampled_from([*CLASSES, CLASSES[0], CLASSES[0], CLASSES[1], None])


@st.composite
def _answers(draw: st.DrawFn) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    heard = draw(st.sampled_from(["yes", "yes", "no", "unsure", OTHER, None]))
    if heard is not None:
        text = "Другое мнение" if heard == OTHER else None
        answers["heard"] = Answer(choices=(heard,), text=text)
    sources = draw(st.sets(st.sampled_from(["site", "chat", "teacher"])))
    if sources:
        answers["sources"] = Answer(choices=tuple(sorted(sources)))
    rating = draw(st.one_of(st.none(), st.integers(1, 5)))
    if rating is not None:
        answers["rating"] = Answer(number=rating)
    if draw(st.booleans()):
        answers["wish"] = Answer(text="Пожелание")
    return answers


_RESPONSES = st.lists(
    st.builds(response, _ROLES, _CLASS_NAMES, _answers()), min_size=0, max_size=70
)


def _group(found: Response, dimension: Dimension) -> Group:
    if dimension is Dimension.ROLE:
        role = found.segment.role
        return Group(GroupKind.UNSTATED) if role is None else Group(GroupKind.DECLARED, role)
    name = found.segment.class_name
    return Group(GroupKind.UNSTATED) if name is None else Group(GroupKind.DECLARED, name)


def _chose(found: Response, question_id: str, key: str) -> bool:
    answer = found.answers.get(question_id)
    if answer is None:
        return False
    if answer.number is not None:
        return str(answer.number) == key
    return key in answer.choices


def _answered(found: Response, result: QuestionResult) -> bool:
    answer = found.answers.get(result.question.id)
    return answer is not None and (bool(answer.choices) or answer.number is not None)


def _never_exactly_one_hidden(line: Sequence[Cell]) -> bool:
    return sum(cell.hidden for cell in line) != 1


def _shown_is_safe(cell: Cell, k: int) -> bool:
    return cell.hidden or not 0 < (cell.count or 0) < k


def _check_breakdown(
    breakdown: Breakdown,
    result: QuestionResult,
    responses: Sequence[Response],
    results: SurveyResults,
) -> None:
    k = results.k
    table = next(t for t in results.segments if t.dimension is breakdown.dimension)
    shown_in_table = {
        group for group, cell in zip(table.groups, table.cells, strict=True) if not cell.hidden
    }
    named = [group for group in breakdown.groups if group.kind is not GroupKind.OTHERS]
    assert set(named) <= shown_in_table  # a hidden group is never a column of its own

    def column(found: Response) -> int:
        group = _group(found, breakdown.dimension)
        return named.index(group) if group in named else len(named)

    answered = [found for found in responses if _answered(found, result)]
    for j, cell in enumerate(breakdown.answered):
        truth = sum(column(found) == j for found in answered)
        assert cell.hidden or cell.count == truth
        assert _shown_is_safe(cell, k)
    assert _never_exactly_one_hidden(breakdown.answered)
    for line, row in zip(result.lines, breakdown.cells, strict=True):
        for j, cell in enumerate(row):
            truth = sum(
                column(found) == j and _chose(found, result.question.id, line.key)
                for found in answered
            )
            assert cell.hidden or cell.count == truth
            assert _shown_is_safe(cell, k)
        assert _never_exactly_one_hidden(row)  # the row's total is the overall count
    if result.question.kind in (QuestionKind.SINGLE, QuestionKind.SCALE):
        for j, total in enumerate(breakdown.answered):
            if not total.hidden:
                assert _never_exactly_one_hidden([row[j] for row in breakdown.cells])


@settings(max_examples=300, deadline=None)
@given(_RESPONSES, st.integers(min_value=2, max_value=6), st.integers(0, 2**32))
def test_no_small_cell_is_shown_and_no_hidden_cell_is_recoverable(
    responses: list[Response], k: int, seed: int
) -> None:
    results = summarise(DEFINITION, responses, k=k, rng=random.Random(seed))
    assert results.respondents == len(responses)
    for table in results.segments:
        for group, cell in zip(table.groups, table.cells, strict=True):
            truth = sum(_group(found, table.dimension) == group for found in responses)
            assert cell.hidden or cell.count == truth
            assert _shown_is_safe(cell, k)
        assert _never_exactly_one_hidden(table.cells)
    for result in results.questions:
        if results.withheld:
            assert result.withheld and result.breakdowns == () and result.texts == ()
            continue
        if result.withheld:
            assert result.breakdowns == ()
            assert all(line.cell.hidden for line in result.lines)
            continue
        for line in result.lines:
            truth = sum(_chose(found, result.question.id, line.key) for found in responses)
            assert line.cell.count == truth
        for breakdown in result.breakdowns:
            _check_breakdown(breakdown, result, responses, results)
    shown_classes = {
        group.value
        for table in results.segments
        if table.dimension is Dimension.CLASS
        for group, cell in zip(table.groups, table.cells, strict=True)
        if not cell.hidden
    }
    for row in results.rows:
        assert row.class_name is None or row.class_name in shown_classes
    if not results.withheld:
        assert len(results.rows) == len(responses)
