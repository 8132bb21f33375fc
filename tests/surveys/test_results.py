"""Survey statistics: counts, percentages, breakdowns and the cells hidden to protect people."""

from __future__ import annotations

import random
from dataclasses import fields

import pytest

from surveys.model import OTHER, Audience, Segments, SurveyDefinition
from surveys.results import (
    HIDDEN,
    AnonymousRow,
    Cell,
    Dimension,
    Group,
    GroupKind,
    LineKind,
    SegmentTable,
    SurveyResults,
    summarise,
    suppress,
    top_lines,
)
from tests.surveys.results_builders import (
    DEFINITION,
    PARENT,
    STUDENT,
    free,
    many,
    number,
    response,
    single,
)


def _class(name: str) -> Group:
    return Group(GroupKind.DECLARED, name)


def _table(results: SurveyResults, dimension: Dimension) -> dict[Group, int | None]:
    found = next(table for table in results.segments if table.dimension is dimension)
    return {group: cell.count for group, cell in zip(found.groups, found.cells, strict=True)}


def _counts(results: SurveyResults, question_id: str) -> dict[str, int | None]:
    result = next(q for q in results.questions if q.question.id == question_id)
    return {line.key: line.cell.count for line in result.lines}


def _by_classes(sizes: dict[str, int]) -> list:  # type: ignore[type-arg]
    return [
        response(PARENT, name, {"heard": single("yes"), "rating": number(4)})
        for name, size in sizes.items()
        for _ in range(size)
    ]


# ------------------------------------------------------------------ suppress, the rule itself


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"a": 10, "b": 12, "c": 9}, set()),  # nothing small
        ({"a": 10, "b": 12, "c": 3}, {"c", "a"}),  # 3 hidden, then the next smallest
        ({"a": 10, "b": 2, "c": 3}, {"b", "c"}),  # two small ones protect each other
        ({"a": 0, "b": 20, "c": 3}, {"c", "b"}),  # a zero is a poor complement: 20 instead
        ({"a": 0, "b": 3}, {"b", "a"}),  # …but better than none
        ({"a": 5, "b": 7}, set()),  # k itself is shown
        ({"a": 0, "b": 0, "c": 9}, set()),  # zeros are never hidden for themselves
    ],
)
def test_suppress_one_line(values: dict[str, int], expected: set[str]) -> None:
    assert suppress(values, [list(values)], 5) == expected


def test_suppress_repeats_until_rows_and_columns_are_safe() -> None:
    # A 2×2 table with row and column totals known: hiding the 2 forces a complement in its
    # row, which leaves the column with one hidden cell, and so on round the square.
    values = {(0, 0): 2, (0, 1): 9, (1, 0): 8, (1, 1): 30}
    rows = [[(0, 0), (0, 1)], [(1, 0), (1, 1)]]
    columns = [[(0, 0), (1, 0)], [(0, 1), (1, 1)]]
    hidden = suppress(values, rows + columns, 5)
    assert hidden == set(values)
    for line in rows + columns:
        assert sum(key in hidden for key in line) != 1


def test_suppress_with_a_larger_k() -> None:
    assert suppress({"a": 7, "b": 40, "c": 30}, [["a", "b", "c"]], 10) == {"a", "c"}


# ------------------------------------------------------------------ respondents by segment


def test_respondents_by_role_and_class() -> None:
    responses = [
        *[response(PARENT, "5 «а»") for _ in range(8)],
        *[response(STUDENT, "5 «а»") for _ in range(7)],
        *[response(PARENT, "5 «б»") for _ in range(6)],
        *[response(STUDENT, "10 «а»") for _ in range(6)],
    ]
    results = summarise(DEFINITION, responses)
    assert results.respondents == 27
    assert not results.withheld
    assert _table(results, Dimension.ROLE) == {
        Group(GroupKind.DECLARED, "parent"): 14,
        Group(GroupKind.DECLARED, "student"): 13,
    }
    assert _table(results, Dimension.CLASS) == {
        _class("5 «а»"): 15,
        _class("5 «б»"): 6,
        _class("10 «а»"): 6,
    }
    roles = results.segments[0]
    assert roles.cells[0].percent == pytest.approx(100 * 14 / 27)


def test_a_class_of_three_is_hidden_and_one_more_class_with_it() -> None:
    results = summarise(DEFINITION, _by_classes({"5 «а»": 15, "5 «б»": 12, "10 «а»": 3}))
    # 30 respondents in all are shown, so 10 «а» alone would be 30 − 15 − 12.
    assert _table(results, Dimension.CLASS) == {
        _class("5 «а»"): 15,
        _class("5 «б»"): None,
        _class("10 «а»"): None,
    }


def test_classes_listed_without_answers_show_zero_and_unstated_gets_a_row() -> None:
    responses = [*_by_classes({"5 «а»": 9, "5 «б»": 6}), *[response(PARENT, None)] * 6]
    results = summarise(DEFINITION, responses)
    assert _table(results, Dimension.CLASS) == {
        _class("5 «а»"): 9,
        _class("5 «б»"): 6,
        _class("10 «а»"): 0,
        Group(GroupKind.UNSTATED): 6,
    }


def test_no_segment_tables_when_nothing_was_asked() -> None:
    definition = SurveyDefinition(
        "Опрос", "", Audience.PARENTS, DEFINITION.questions, Segments(ask_role=True, classes=())
    )
    results = summarise(definition, _by_classes({"5 «а»": 6}))
    assert results.segments == ()
    assert all(q.breakdowns == () for q in results.questions)


def test_k_is_an_argument() -> None:
    results = summarise(DEFINITION, _by_classes({"5 «а»": 15, "5 «б»": 12, "10 «а»": 3}), k=3)
    assert _table(results, Dimension.CLASS)[_class("10 «а»")] == 3


def test_fewer_than_k_respondents_show_only_their_number() -> None:
    responses = [
        response(PARENT, "5 «а»", {"heard": single("yes"), "wish": free("Больше кружков")}),
        response(STUDENT, "5 «б»", {"heard": single("no"), "wish": free("Спасибо")}),
    ]
    results = summarise(DEFINITION, responses)
    assert results.withheld
    assert results.respondents == 2
    assert results.rows == ()
    for question in results.questions:
        assert question.withheld
        assert question.answered is HIDDEN
        assert question.texts == ()
        assert all(line.cell.hidden for line in question.lines)
    assert all(cell.count in (None, 0) for table in results.segments for cell in table.cells)


def test_no_responses_at_all() -> None:
    results = summarise(DEFINITION, [])
    assert results.respondents == 0
    assert not results.withheld
    assert _counts(results, "heard") == {"yes": 0, "no": 0, "unsure": 0, OTHER: 0}


# ------------------------------------------------------------------ per question


def _mixed() -> list:  # type: ignore[type-arg]
    answers = [
        {"heard": single("yes"), "sources": many("site", "chat"), "rating": number(5)},
        {"heard": single("yes"), "sources": many("chat"), "rating": number(4)},
        {"heard": single("yes"), "sources": many("site", "chat", "teacher"), "rating": number(4)},
        {"heard": single("no"), "rating": number(2), "wish": free("Больше новостей в чате")},
        {"heard": single("no"), "rating": number(3), "wish": free("  ")},
        {"heard": single(OTHER, "Слышал краем уха"), "rating": number(1)},
        {"heard": single("yes"), "sources": many("teacher"), "rating": number(5)},
        {"heard": single("yes"), "sources": many("site"), "wish": free("Ничего")},
    ]
    return [response(PARENT, "5 «а»", a) for a in answers]


def test_single_choice_counts_percentages_and_other_texts() -> None:
    results = summarise(DEFINITION, _mixed(), rng=random.Random(1))
    heard = results.questions[0]
    assert heard.answered == Cell(8, 100.0)
    assert _counts(results, "heard") == {"yes": 5, "no": 2, "unsure": 0, OTHER: 1}
    assert [line.kind for line in heard.lines] == [LineKind.OPTION] * 3 + [LineKind.OTHER]
    assert [line.label for line in heard.lines][:3] == ["Да", "Нет", "Не уверен(а)"]
    assert heard.lines[0].cell.percent == pytest.approx(62.5)
    assert heard.texts == ("Слышал краем уха",)


def test_multiple_choice_percentages_are_of_those_who_answered() -> None:
    results = summarise(DEFINITION, _mixed())
    sources = results.questions[1]
    assert sources.answered.count == 5
    assert _counts(results, "sources") == {"site": 3, "chat": 3, "teacher": 2}
    percents = [line.cell.percent for line in sources.lines]
    assert percents == [pytest.approx(60.0), pytest.approx(60.0), pytest.approx(40.0)]
    assert sum(p or 0 for p in percents) > 100


def test_scale_distribution_mean_and_median() -> None:
    results = summarise(DEFINITION, _mixed())
    rating = results.questions[2]
    assert _counts(results, "rating") == {"1": 1, "2": 1, "3": 1, "4": 2, "5": 2}
    assert [line.kind for line in rating.lines] == [LineKind.VALUE] * 5
    assert rating.mean == pytest.approx(24 / 7)
    assert rating.median == 4.0


def test_free_text_skips_blanks_and_is_shuffled() -> None:
    many_texts = [response(PARENT, "5 «а»", {"wish": free(f"Ответ {i:02}")}) for i in range(30)]
    in_order = tuple(f"Ответ {i:02}" for i in range(30))
    first = summarise(DEFINITION, many_texts, rng=random.Random(1)).questions[3].texts
    second = summarise(DEFINITION, many_texts, rng=random.Random(2)).questions[3].texts
    assert sorted(first) == sorted(second) == list(in_order)
    assert first != in_order and second != in_order and first != second
    texts = summarise(DEFINITION, _mixed()).questions[3]
    assert sorted(texts.texts) == ["Больше новостей в чате", "Ничего"]
    assert texts.answered.count == 2  # a free-text count is never hidden: the texts show it
    assert not texts.withheld


def test_a_question_answered_by_fewer_than_k_is_withheld() -> None:
    responses = [
        response(PARENT, "5 «а»", {"heard": single("yes"), "sources": many("site")}),
        *[response(PARENT, "5 «а»", {"heard": single("no")}) for _ in range(9)],
    ]
    results = summarise(DEFINITION, responses)
    sources = results.questions[1]
    assert sources.withheld
    assert sources.answered is HIDDEN
    assert all(line.cell.hidden for line in sources.lines)
    assert sources.breakdowns == ()
    assert not results.questions[0].withheld


def test_top_lines_most_chosen_first() -> None:
    results = summarise(DEFINITION, _mixed())
    assert [line.key for line in top_lines(results.questions[0])] == ["yes", "no", OTHER]
    assert [line.key for line in top_lines(results.questions[0], 1)] == ["yes"]


# ------------------------------------------------------------------ breakdowns


def _scenario() -> list:  # type: ignore[type-arg]
    """30 respondents: 5 «а» 15, 5 «б» 12, 10 «а» 3 (too few); parents and students."""
    plan = {
        "5 «а»": [("yes", 5)] * 8 + [("no", 4)] * 4 + [("yes", 3)] * 3,
        "5 «б»": [("yes", 4)] * 6 + [("no", 2)] * 5 + [(OTHER, 1)],
        "10 «а»": [("no", 1)] * 3,
    }
    found = []
    for name, rows in plan.items():
        for index, (heard, rating) in enumerate(rows):
            role = STUDENT if index % 3 == 0 else PARENT
            answer = single(heard, "Не помню" if heard == OTHER else None)
            found.append(response(role, name, {"heard": answer, "rating": number(rating)}))
    return found


def test_class_breakdown_leaves_out_small_classes_and_shows_the_rest_together() -> None:
    results = summarise(DEFINITION, _scenario())
    heard = results.questions[0]
    by_class = next(b for b in heard.breakdowns if b.dimension is Dimension.CLASS)
    assert by_class.groups == (_class("5 «а»"), Group(GroupKind.OTHERS))
    assert [cell.count for cell in by_class.answered] == [15, 15]
    counts = [[cell.count for cell in row] for row in by_class.cells]
    # yes: 11 | 6; no: 4 | 8; unsure: 0 | 0; other: 0 | 1 (hidden, and so its row's 0)
    assert counts[0] == [11, 6]
    assert counts[3] == [None, None]
    assert counts[1] == [None, None]  # the columns then need a second hidden cell each
    assert counts[2] == [0, 0]
    for row in by_class.cells:
        assert sum(cell.hidden for cell in row) != 1
    for j in range(2):
        assert sum(row[j].hidden for row in by_class.cells) != 1
    assert "10 «а»" not in {group.value for b in heard.breakdowns for group in b.groups}


def test_breakdown_percentages_are_of_the_group_that_answered() -> None:
    results = summarise(DEFINITION, _scenario())
    by_role = next(b for b in results.questions[0].breakdowns if b.dimension is Dimension.ROLE)
    assert by_role.groups == (_class("parent"), _class("student"))
    parents = by_role.answered[0].count
    assert parents == 20
    yes = by_role.cells[0][0]
    assert yes.count is not None
    assert yes.percent == pytest.approx(100 * yes.count / parents)


def test_scale_breakdown_means_only_where_no_cell_is_hidden() -> None:
    responses = [
        *[response(PARENT, "5 «а»", {"rating": number(5)}) for _ in range(6)],
        *[response(PARENT, "5 «а»", {"rating": number(4)}) for _ in range(5)],
        *[response(STUDENT, "5 «б»", {"rating": number(2)}) for _ in range(6)],
        *[response(STUDENT, "5 «б»", {"rating": number(1)}) for _ in range(5)],
    ]
    rating = summarise(DEFINITION, responses).questions[2]
    by_role = next(b for b in rating.breakdowns if b.dimension is Dimension.ROLE)
    assert by_role.means == (pytest.approx(50 / 11), pytest.approx(17 / 11))
    assert rating.mean == pytest.approx(67 / 22)
    responses.append(response(STUDENT, "5 «б»", {"rating": number(3)}))
    rating = summarise(DEFINITION, responses).questions[2]
    by_role = next(b for b in rating.breakdowns if b.dimension is Dimension.ROLE)
    # The lone 3 is hidden, so is a complement in each line: no mean reveals them.
    assert None in by_role.means


def test_no_breakdown_when_every_group_is_hidden() -> None:
    responses = [*_by_classes({"5 «а»": 20}), response(STUDENT, "5 «а»", {})]
    results = summarise(DEFINITION, responses)
    roles = _table(results, Dimension.ROLE)
    assert roles == {_class("parent"): None, _class("student"): None}
    assert all(b.dimension is not Dimension.ROLE for q in results.questions for b in q.breakdowns)


def test_free_texts_of_a_small_class_stay_in_the_overall_list_unattributed() -> None:
    responses = [
        *_by_classes({"5 «а»": 10, "5 «б»": 10}),
        response(PARENT, "10 «а»", {"heard": single("yes"), "wish": free("Из маленького класса")}),
    ]
    results = summarise(DEFINITION, responses)
    assert results.questions[3].texts == ("Из маленького класса",)
    row = next(r for r in results.rows if "wish" in r.answers)
    assert row.class_name is None


# ------------------------------------------------------------------ raw rows


def test_raw_rows_have_no_day_and_name_only_shown_groups() -> None:
    assert {field.name for field in fields(AnonymousRow)} == {"role", "class_name", "answers"}
    results = summarise(DEFINITION, _scenario(), rng=random.Random(3))
    assert len(results.rows) == 30
    classes = [row.class_name for row in results.rows]
    assert classes.count("5 «а»") == 15  # 10 parents and 5 students: both at least k
    assert classes.count("5 «б»") == 0  # hidden as the complement of 10 «а»
    assert classes.count(None) == 15
    assert {row.role for row in results.rows} == {PARENT, STUDENT}


def test_raw_rows_hide_a_class_where_one_role_in_it_is_small() -> None:
    responses = [
        *[response(PARENT, "5 «а»") for _ in range(9)],
        *[response(STUDENT, "5 «а»") for _ in range(2)],
        *[response(PARENT, "5 «б»") for _ in range(6)],
        *[response(STUDENT, "5 «б»") for _ in range(6)],
        *[response(STUDENT, "10 «а»") for _ in range(6)],
    ]
    results = summarise(DEFINITION, responses)
    assert _table(results, Dimension.CLASS)[_class("5 «а»")] == 11
    names = [row.class_name for row in results.rows]
    assert names.count("5 «а»") == 0  # 2 students of 5 «а» would be two rows a filter finds
    assert names.count("5 «б»") == 12


def test_raw_rows_are_shuffled() -> None:
    responses = [
        response(PARENT, "5 «а»", {"rating": number(1 + i % 5), "wish": free(str(i))})
        for i in range(40)
    ]
    results = summarise(DEFINITION, responses, rng=random.Random(5))
    order = [row.answers["wish"].text for row in results.rows]
    assert sorted(order, key=lambda t: int(t or 0)) == [str(i) for i in range(40)]
    assert order != [str(i) for i in range(40)]


def test_k_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="k must"):
        summarise(DEFINITION, [], k=0)


def test_segment_table_type_is_plain_data() -> None:
    table = summarise(DEFINITION, _scenario()).segments[1]
    assert isinstance(table, SegmentTable)
    assert all(isinstance(cell, Cell) for cell in table.cells)
