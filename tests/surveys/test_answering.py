"""A respondent's way through a survey: steps, skip logic, Back, progress, review, submit."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import answering as flow
from surveys.answering import (
    CLASS,
    REVIEW,
    ROLE,
    AnswerError,
    Draft,
    NothingChosen,
    Progress,
    Step,
    StepKind,
    TextProblem,
    question_step,
)
from surveys.model import (
    END,
    OTHER,
    Answer,
    Audience,
    Option,
    Question,
    QuestionKind,
    RespondentRole,
    Scale,
    Segment,
    Segments,
    SurveyDefinition,
)

SINGLE, MULTIPLE, SCALE, TEXT = (
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.SCALE,
    QuestionKind.TEXT,
)

HEARD = Question(
    "heard",
    "Вы слышали о проекте «Школа Минпросвещения России»?",
    SINGLE,
    options=(Option("yes", "Да"), Option("no", "Нет, не слышал(а)", goto="rate")),
)
SOURCES = Question(
    "sources",
    "Откуда вы о нём узнали?",
    MULTIPLE,
    options=(
        Option("site", "Сайт школы"),
        Option("chat", "Чат класса"),
        Option("teacher", "От учителя"),
    ),
    other=True,
    max_length=40,
)
RATE = Question(
    "rate",
    "Насколько вам интересно участвовать?",
    SCALE,
    scale=Scale(1, 5, "совсем не интересно", "очень интересно"),
)
MORE = Question(
    "more",
    "Хотите ответить ещё на пару вопросов?",
    SINGLE,
    options=(Option("1", "Да"), Option("2", "Нет, хватит", goto=END)),
    other=True,
    max_length=30,
)
SCORE = Question("score", "Оцените работу школы", SCALE, required=False, scale=Scale(1, 10))
WISH = Question("wish", "Что бы вы хотели узнать?", TEXT, required=False, max_length=20)

DEFINITION = SurveyDefinition(
    title="Осведомлённость о проекте",
    intro="Несколько вопросов о проекте.",
    audience=Audience.BOTH,
    questions=(HEARD, SOURCES, RATE, MORE, SCORE, WISH),
    segments=Segments(ask_role=True, classes=("5 «а»", "10 «б»")),
)
PLAIN = SurveyDefinition(
    title="Без сегментов",
    intro="",
    audience=Audience.PARENTS,
    questions=(HEARD, SOURCES, RATE, MORE, SCORE, WISH),
)


def q(question_id: str) -> Step:
    return question_step(question_id)


def draft_at(*steps: Step, answers: dict[str, Answer] | None = None) -> Draft:
    return Draft(path=steps, answers=answers or {})


# ---------------------------------------------------------------------------- order of steps


@pytest.mark.parametrize(
    ("audience", "ask_role", "classes", "expected"),
    [
        (Audience.BOTH, True, ("5 «а»",), (ROLE, CLASS)),
        (Audience.BOTH, True, (), (ROLE,)),
        (Audience.BOTH, False, ("5 «а»",), (CLASS,)),
        (Audience.BOTH, False, (), ()),
        (Audience.PARENTS, True, ("5 «а»",), (CLASS,)),
        (Audience.STUDENTS, True, (), ()),
    ],
)
def test_segment_steps(
    audience: Audience, ask_role: bool, classes: tuple[str, ...], expected: tuple[Step, ...]
) -> None:
    definition = SurveyDefinition("T", "", audience, (RATE,), Segments(ask_role, classes))
    assert flow.segment_steps(definition) == expected
    assert flow.first_step(definition) == (expected[0] if expected else q("rate"))


@pytest.mark.parametrize(
    ("step", "answers", "expected"),
    [
        (ROLE, {}, CLASS),
        (CLASS, {}, q("heard")),
        (q("heard"), {"heard": Answer(("yes",))}, q("sources")),
        (q("heard"), {"heard": Answer(("no",))}, q("rate")),  # skip logic
        (q("heard"), {}, q("sources")),  # no answer yet: the plain order
        (q("sources"), {"sources": Answer(("site",))}, q("rate")),
        (q("rate"), {"rate": Answer(number=3)}, q("more")),
        (q("more"), {"more": Answer(("1",))}, q("score")),
        (q("more"), {"more": Answer(("2",))}, REVIEW),  # goto END
        (q("more"), {"more": Answer((OTHER,), text="Может быть")}, q("score")),
        (q("score"), {}, q("wish")),
        (q("wish"), {}, REVIEW),
    ],
)
def test_next_step(step: Step, answers: dict[str, Answer], expected: Step) -> None:
    assert flow.next_step(DEFINITION, step, answers) == expected


def test_next_step_without_segments_starts_at_the_first_question() -> None:
    assert flow.first_step(PLAIN) == q("heard")
    # A definition without segments never shows ROLE/CLASS, but a stale step still leads on.
    assert flow.next_step(PLAIN, CLASS, {}) == q("heard")


@pytest.mark.parametrize("goto", ["heard", "sources", "nowhere"])
def test_a_backward_or_unknown_skip_is_ignored_rather_than_looping(goto: str) -> None:
    looping = Question(
        "more", "?", SINGLE, options=(Option("1", "Да", goto=goto), Option("2", "Нет"))
    )
    definition = SurveyDefinition("T", "", Audience.PARENTS, (HEARD, SOURCES, looping, WISH))
    assert flow.next_step(definition, q("more"), {"more": Answer(("1",))}) == q("wish")


def test_nothing_follows_the_review() -> None:
    with pytest.raises(AnswerError):
        flow.next_step(DEFINITION, REVIEW, {})


@pytest.mark.parametrize("key", ["role", "class", "review", "q:heard", "q:a:b", "q:"])
def test_step_keys_round_trip(key: str) -> None:
    assert Step.from_key(key).key() == key


# ---------------------------------------------------------------------------- a whole walk


def test_a_walk_with_skip_logic_back_and_a_changed_answer() -> None:
    draft = flow.start(DEFINITION)
    assert draft.current == ROLE and draft.step_number == 1
    draft = flow.choose_role(DEFINITION, draft, RespondentRole.PARENT)
    assert draft.current == CLASS
    draft = flow.choose_class(DEFINITION, draft, "10 «б»")
    assert draft.segment == Segment(RespondentRole.PARENT, "10 «б»")
    assert flow.progress(DEFINITION, draft) == Progress(1, 6)

    draft = flow.choose(DEFINITION, draft, "no")  # skips "sources"
    assert draft.current == q("rate")
    assert flow.progress(DEFINITION, draft) == Progress(2, 5)
    draft = flow.rate(DEFINITION, draft, 4)
    draft = flow.choose(DEFINITION, draft, "2")  # "Нет, хватит": straight to the review
    assert draft.current == REVIEW
    assert flow.progress(DEFINITION, draft) is None
    assert [item.question.id for item in flow.review(DEFINITION, draft)] == [
        "heard",
        "rate",
        "more",
    ]

    # Back through the path actually taken: review -> more -> rate -> heard.
    draft = flow.back(draft)
    assert draft.current == q("more")
    draft = flow.back(flow.back(draft))
    assert draft.current == q("heard")
    assert flow.progress(DEFINITION, draft) == Progress(1, 6)
    draft = flow.choose(DEFINITION, draft, "yes")  # now "sources" is asked
    assert draft.current == q("sources")
    draft = flow.toggle(DEFINITION, draft, "chat")
    draft = flow.ask_other(DEFINITION, draft)
    assert flow.expects_text(DEFINITION, draft)
    draft = flow.give_text(DEFINITION, draft, "  Из газеты ")
    assert draft.current == q("sources") and not draft.typing_other
    draft = flow.finish_multiple(DEFINITION, draft)
    # "rate" keeps its earlier answer: «Дальше» goes on with it.
    assert draft.answers["rate"] == Answer(number=4)
    draft = flow.keep(DEFINITION, draft)
    draft = flow.choose(DEFINITION, draft, "1")
    assert flow.progress(DEFINITION, draft) == Progress(5, 6)
    draft = flow.skip(DEFINITION, draft)
    draft = flow.give_text(DEFINITION, draft, "Расписание")
    assert draft.current == REVIEW

    assert flow.final_answers(DEFINITION, draft) == {
        "heard": Answer(("yes",)),
        "sources": Answer(("chat", OTHER), text="Из газеты"),
        "rate": Answer(number=4),
        "more": Answer(("1",)),
        "wish": Answer(text="Расписание"),
    }
    items = flow.review(DEFINITION, draft)
    assert [(item.position, item.question.id) for item in items] == [
        (1, "heard"),
        (2, "sources"),
        (3, "rate"),
        (4, "more"),
        (5, "score"),
        (6, "wish"),
    ]
    assert items[1].labels() == ("Чат класса",)
    assert items[4].answer is None  # skipped


def test_answers_off_the_final_path_are_kept_for_back_but_never_submitted() -> None:
    draft = flow.start(PLAIN)
    draft = flow.choose(PLAIN, draft, "yes")
    draft = flow.toggle(PLAIN, draft, "site")
    draft = flow.finish_multiple(PLAIN, draft)
    draft = flow.back(flow.back(draft))
    assert draft.current == q("heard")
    draft = flow.choose(PLAIN, draft, "no")  # "sources" now skipped
    draft = flow.rate(PLAIN, draft, 2)
    draft = flow.choose(PLAIN, draft, "2")
    assert "sources" in draft.answers
    assert set(flow.final_answers(PLAIN, draft)) == {"heard", "rate", "more"}
    # Going back to "heard" and taking the long way shows the old ticks again.
    for _ in range(3):
        draft = flow.back(draft)
    draft = flow.choose(PLAIN, draft, "yes")
    assert draft.answers["sources"] == Answer(("site",))


def test_the_first_step_has_nothing_before_it() -> None:
    with pytest.raises(AnswerError):
        flow.back(flow.start(DEFINITION))


def test_back_leaves_typing_other_before_leaving_the_question() -> None:
    draft = flow.ask_other(PLAIN, draft_at(q("heard"), q("sources")))
    assert draft.typing_other
    draft = flow.back(draft)
    assert draft.current == q("sources") and not draft.typing_other
    assert flow.back(draft).current == q("heard")


# ---------------------------------------------------------------------------- single actions


def test_segment_answers_are_checked() -> None:
    with pytest.raises(AnswerError):
        flow.choose_class(DEFINITION, draft_at(ROLE, CLASS), "11 «в»")
    with pytest.raises(AnswerError):
        flow.choose_role(DEFINITION, draft_at(ROLE, CLASS), RespondentRole.STUDENT)
    with pytest.raises(AnswerError):
        flow.choose_class(DEFINITION, draft_at(ROLE), None)
    unnamed = flow.choose_class(DEFINITION, draft_at(ROLE, CLASS), None)
    assert unnamed.segment.class_name is None and unnamed.current == q("heard")


@pytest.mark.parametrize(
    ("action", "at"),
    [
        (lambda d: flow.choose(PLAIN, d, "site"), "sources"),  # not single choice
        (lambda d: flow.choose(PLAIN, d, "maybe"), "heard"),  # no such option
        (lambda d: flow.choose(PLAIN, d, OTHER), "more"),  # «Другое» needs words
        (lambda d: flow.rate(PLAIN, d, 6), "rate"),  # off the 1-5 scale
        (lambda d: flow.rate(PLAIN, d, 0), "rate"),
        (lambda d: flow.rate(PLAIN, d, 3), "heard"),  # not a scale
        (lambda d: flow.skip(PLAIN, d), "rate"),  # required
        (lambda d: flow.keep(PLAIN, d), "wish"),  # nothing to keep
        (lambda d: flow.toggle(PLAIN, d, "yes"), "sources"),  # another question's option
        (lambda d: flow.toggle(PLAIN, d, OTHER), "sources"),  # ticked only with words
        (lambda d: flow.toggle(PLAIN, d, "site"), "heard"),  # not multiple choice
        (lambda d: flow.finish_multiple(PLAIN, d), "heard"),
        (lambda d: flow.ask_other(PLAIN, d), "heard"),  # no «Другое» offered
        (lambda d: flow.give_text(PLAIN, d, "слова"), "heard"),  # no text expected
        (lambda d: flow.give_text(PLAIN, d, "x" * 21), "wish"),  # over the limit
        (lambda d: flow.give_text(PLAIN, d, "   "), "wish"),
    ],
)
def test_actions_that_do_not_fit_the_step_are_refused(
    action: Callable[[Draft], Draft], at: str
) -> None:
    with pytest.raises(AnswerError):
        action(draft_at(q(at)))


def test_actions_on_the_review_or_a_segment_step_are_refused() -> None:
    for step in (REVIEW, ROLE, CLASS):
        with pytest.raises(AnswerError):
            flow.choose(DEFINITION, draft_at(step), "yes")
        assert not flow.expects_text(DEFINITION, draft_at(step))


def test_ticks_keep_the_question_order_and_other_last() -> None:
    draft = draft_at(q("sources"))
    draft = flow.toggle(PLAIN, draft, "teacher")
    draft = flow.ask_other(PLAIN, draft)
    draft = flow.give_text(PLAIN, draft, "Соседи")
    draft = flow.toggle(PLAIN, draft, "site")
    assert draft.answers["sources"] == Answer(("site", "teacher", OTHER), text="Соседи")
    draft = flow.toggle(PLAIN, draft, "teacher")
    assert draft.answers["sources"] == Answer(("site", OTHER), text="Соседи")
    # Unticking «Другое» forgets its words.
    draft = flow.toggle(PLAIN, draft, OTHER)
    assert draft.answers["sources"] == Answer(("site",))


def test_done_with_nothing_ticked_is_refused() -> None:
    draft = flow.toggle(PLAIN, flow.toggle(PLAIN, draft_at(q("sources")), "site"), "site")
    with pytest.raises(NothingChosen):
        flow.finish_multiple(PLAIN, draft)
    with pytest.raises(NothingChosen):
        flow.finish_multiple(PLAIN, draft_at(q("sources")))


def test_other_on_single_choice_answers_and_moves_on() -> None:
    draft = flow.ask_other(PLAIN, draft_at(q("more")))
    draft = flow.give_text(PLAIN, draft, "Пожалуй")
    assert draft.answers["more"] == Answer((OTHER,), text="Пожалуй")
    assert draft.current == q("score") and not draft.typing_other


def test_skip_forgets_an_earlier_answer() -> None:
    draft = draft_at(q("score"), answers={"score": Answer(number=9)})
    skipped = flow.skip(PLAIN, draft)
    assert "score" not in skipped.answers and skipped.current == q("wish")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Расписание кружков", None),
        ("x" * 20, None),
        ("  " + "x" * 20 + "\n", None),  # edges do not count
        ("x" * 21, TextProblem.TOO_LONG),
        ("", TextProblem.EMPTY),
        (" \n\t", TextProblem.EMPTY),
    ],
)
def test_text_problem(text: str, problem: TextProblem | None) -> None:
    assert flow.text_problem(WISH, text) is problem


@pytest.mark.parametrize(
    ("question", "answer", "complete"),
    [
        (HEARD, Answer(("yes",)), True),
        (HEARD, Answer(("yes", "no")), False),
        (HEARD, Answer(()), False),
        (HEARD, Answer((OTHER,), text="x"), False),  # no «Другое» offered
        (MORE, Answer((OTHER,), text="x"), True),
        (MORE, Answer((OTHER,)), False),  # «Другое» without words
        (SOURCES, Answer(("site", "chat")), True),
        (SOURCES, Answer(("site", "site")), False),
        (SOURCES, Answer(("site", "nope")), False),
        (RATE, Answer(number=5), True),
        (RATE, Answer(number=6), False),
        (RATE, Answer(), False),
        (SCORE, Answer(number=10), True),
        (WISH, Answer(text="x"), True),
        (WISH, Answer(text=""), False),
        (WISH, None, False),
    ],
)
def test_is_complete(question: Question, answer: Answer | None, complete: bool) -> None:
    assert flow.is_complete(question, answer) is complete


# ---------------------------------------------------------------------------- what is shown


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((ROLE,), None),
        ((ROLE, CLASS), None),
        ((ROLE, CLASS, q("heard")), Progress(1, 6)),
        ((q("heard"),), Progress(1, 6)),
        ((q("heard"), q("sources")), Progress(2, 6)),
        ((q("heard"), q("rate")), Progress(2, 5)),  # "sources" skipped
        ((q("heard"), q("rate"), q("more"), q("score"), q("wish")), Progress(5, 5)),
        ((q("heard"), q("rate"), q("more"), REVIEW), None),
    ],
)
def test_progress(path: tuple[Step, ...], expected: Progress | None) -> None:
    assert flow.progress(DEFINITION, draft_at(*path)) == expected


def test_numbered_options_for_long_labels() -> None:
    assert not flow.numbered_options(SOURCES)
    long = Question(
        "x",
        "?",
        SINGLE,
        options=(Option("1", "Да"), Option("2", "Да, но хотелось бы узнать подробнее")),
    )
    assert flow.numbered_options(long)


def test_estimated_minutes() -> None:
    # 2 segment steps (10 s) + 2 single (20) + multiple (15) + 2 scales (16) + text (45) = 106 s
    assert flow.estimated_minutes(DEFINITION) == 2
    assert flow.estimated_minutes(SurveyDefinition("T", "", Audience.PARENTS, (HEARD,))) == 1
    many = SurveyDefinition("T", "", Audience.PARENTS, (WISH,) * 12)
    assert flow.estimated_minutes(many) == 9


@pytest.mark.parametrize(
    ("audience", "role", "expected"),
    [
        (Audience.BOTH, None, Audience.BOTH),
        (Audience.BOTH, RespondentRole.PARENT, Audience.PARENTS),
        (Audience.BOTH, RespondentRole.STUDENT, Audience.STUDENTS),
        (Audience.PARENTS, None, Audience.PARENTS),
        (Audience.STUDENTS, None, Audience.STUDENTS),
    ],
)
def test_class_question_audience(
    audience: Audience, role: RespondentRole | None, expected: Audience
) -> None:
    definition = SurveyDefinition("T", "", audience, (HEARD,))
    assert flow.class_question_audience(definition, Segment(role=role)) is expected


def test_final_answers_only_from_the_review() -> None:
    with pytest.raises(AnswerError):
        flow.final_answers(PLAIN, draft_at(q("heard"), answers={"heard": Answer(("yes",))}))


def test_final_answers_refuse_a_required_question_without_an_answer() -> None:
    # Only a forged state gets here: the keyboard never moves on without an answer.
    forged = draft_at(q("heard"), q("rate"), REVIEW, answers={"heard": Answer(("no",))})
    with pytest.raises(AnswerError):
        flow.final_answers(PLAIN, forged)


def test_draft_json_round_trip() -> None:
    draft = Draft(
        path=(ROLE, CLASS, q("heard"), q("sources")),
        segment=Segment(RespondentRole.STUDENT, "5 «а»"),
        answers={"heard": Answer(("yes",)), "sources": Answer(("site", OTHER), text="Друг")},
        typing_other=True,
    )
    data = json.loads(json.dumps(flow.draft_to_json(draft)))
    assert flow.draft_from_json(data) == draft


# ---------------------------------------------------------------------------- random walks


_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["role", "class", "choose", "rate", "skip", "keep", "toggle", "done", "other", "text",
             "back", *["fit"] * 20]
        ),
        st.integers(min_value=0, max_value=11),
        st.text(max_size=45),
    ),
    max_size=60,
)  # fmt: skip


def _apply(draft: Draft, action: str, number: int, words: str) -> Draft:
    definition = DEFINITION
    step = draft.current
    question = definition.question(step.question_id or "")
    keys = [option.key for option in question.options] if question else []
    keys = keys or ["x"]
    key = keys[number % len(keys)]
    if action == "role":
        return flow.choose_role(definition, draft, list(RespondentRole)[number % 2])
    if action == "class":
        classes = definition.segments.classes
        return flow.choose_class(definition, draft, (*classes, None)[number % 3])
    if action == "fit":  # whatever the current step takes, so walks reach the review often
        if step.kind is StepKind.ROLE:
            action = "role"
        elif step.kind is StepKind.CLASS:
            action = "class"
        elif question is not None:
            action = {SINGLE: "choose", MULTIPLE: "toggle", SCALE: "rate", TEXT: "text"}[
                question.kind
            ]
            number, words = number % 5 + 1, words or "ответ"
            if question.kind is MULTIPLE and draft.answers.get(question.id):
                action = "done"
        return _apply(draft, action, number, words) if action != "fit" else draft
    operations = {
        "choose": lambda: flow.choose(definition, draft, key),
        "rate": lambda: flow.rate(definition, draft, number),
        "skip": lambda: flow.skip(definition, draft),
        "keep": lambda: flow.keep(definition, draft),
        "toggle": lambda: flow.toggle(definition, draft, key),
        "done": lambda: flow.finish_multiple(definition, draft),
        "other": lambda: flow.ask_other(definition, draft),
        "text": lambda: flow.give_text(definition, draft, words),
        "back": lambda: flow.back(draft),
    }
    return operations[action]()


@settings(max_examples=300, deadline=None)
@given(_ACTIONS)
def test_random_walks_keep_the_path_consistent(actions: list[tuple[str, int, str]]) -> None:
    """Whatever is pressed, in any order: refused or applied, the path always follows the
    answers' skip logic step by step, progress stays in range, and submit sees the path only."""
    draft = flow.start(DEFINITION)
    for action, number, words in actions:
        try:
            draft = _apply(draft, action, number, words)
        except AnswerError:
            continue
        for earlier, later in zip(draft.path, draft.path[1:], strict=False):
            assert flow.next_step(DEFINITION, earlier, draft.answers) == later
        shown = flow.progress(DEFINITION, draft)
        if shown is not None:
            assert 1 <= shown.current <= shown.total <= len(DEFINITION.questions)
        assert flow.draft_from_json(json.loads(json.dumps(flow.draft_to_json(draft)))) == draft
        if draft.current == REVIEW:
            submitted = flow.final_answers(DEFINITION, draft)
            on_path = {step.question_id for step in draft.path}
            assert set(submitted) <= on_path
            for question in DEFINITION.questions:
                if question.id in on_path and question.required:
                    assert flow.is_complete(question, submitted[question.id])


# ---------------------------------------------------------------------------- exclusive options

UNSURE = Question(
    "unsure",
    "Какие направления вам интересны?",
    MULTIPLE,
    options=(
        Option("it", "IT"),
        Option("eng", "Инженерное"),
        Option("none", "Пока не знаю", exclusive=True),
    ),
    other=True,
)
WITH_UNSURE = SurveyDefinition("Опрос", "", Audience.PARENTS, (UNSURE,))


def _ticks(draft: Draft) -> tuple[str, ...]:
    return draft.answers["unsure"].choices


def test_an_exclusive_option_clears_the_others_and_another_clears_it() -> None:
    draft = flow.start(WITH_UNSURE)
    draft = flow.toggle(WITH_UNSURE, draft, "it")
    draft = flow.toggle(WITH_UNSURE, draft, "eng")
    assert _ticks(draft) == ("it", "eng")
    draft = flow.toggle(WITH_UNSURE, draft, "none")
    assert _ticks(draft) == ("none",)
    draft = flow.toggle(WITH_UNSURE, draft, "eng")
    assert _ticks(draft) == ("eng",)
    # «Другое» with its words is another answer: it clears the exclusive one, and back.
    draft = flow.toggle(WITH_UNSURE, draft, "none")
    draft = flow.give_text(WITH_UNSURE, flow.ask_other(WITH_UNSURE, draft), "Медицина")
    assert _ticks(draft) == (OTHER,) and draft.answers["unsure"].text == "Медицина"
    draft = flow.toggle(WITH_UNSURE, draft, "none")
    assert _ticks(draft) == ("none",) and draft.answers["unsure"].text is None
    # Unticking it leaves nothing ticked; «Готово» then asks for a tick.
    draft = flow.toggle(WITH_UNSURE, draft, "none")
    assert _ticks(draft) == ()


def test_an_exclusive_option_without_the_flag_is_just_an_option() -> None:
    plain = SurveyDefinition(
        "Опрос",
        "",
        Audience.PARENTS,
        (Question("unsure", "?", MULTIPLE, options=(Option("a", "А"), Option("b", "Не знаю"))),),
    )
    draft = flow.toggle(plain, flow.toggle(plain, flow.start(plain), "a"), "b")
    assert draft.answers["unsure"].choices == ("a", "b")
