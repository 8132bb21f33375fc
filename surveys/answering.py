"""One respondent going through a survey: which step comes next, Back, progress, the review.

Pure: the chat handler keeps a `Draft` in FSM state (``draft_to_json`` / ``draft_from_json``) and
asks this module what to show and where to go; nothing here knows the messenger or the database,
so the same rules serve Telegram and MAX alike.

A draft's ``path`` is the list of steps actually shown, the current one last. Moving on pushes the
step the answers lead to (skip logic included); Back pops. Answers to questions that a changed
answer later skips stay in the draft (so returning to them shows what was chosen) but only the
questions on the path are reviewed and submitted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from surveys.model import (
    END,
    OTHER,
    Answer,
    Audience,
    Question,
    QuestionKind,
    RespondentRole,
    Segment,
    SurveyDefinition,
    answers_from_json,
    answers_to_json,
    segment_from_json,
    segment_to_json,
)

# Option labels longer than this do not fit a phone-wide button: they are numbered in the text.
BUTTON_LABEL_LIMIT = 30
# Rough seconds a respondent spends on a step, for the "about N minutes" promise in the intro.
_SECONDS = {
    QuestionKind.SINGLE: 10,
    QuestionKind.SCALE: 8,
    QuestionKind.MULTIPLE: 15,
    QuestionKind.TEXT: 45,
}
_SEGMENT_SECONDS = 5


class StepKind(StrEnum):
    ROLE = "role"  # "Вы родитель или обучающийся?"
    CLASS = "class"  # the class, from the coordinator's list
    QUESTION = "q"
    REVIEW = "review"  # every answer once more, then «Отправить»


@dataclass(frozen=True)
class Step:
    kind: StepKind
    question_id: str | None = None  # only for QUESTION

    def key(self) -> str:
        """A short string for FSM state: "role", "class", "q:<id>", "review"."""
        if self.kind is StepKind.QUESTION:
            return f"{StepKind.QUESTION.value}:{self.question_id}"
        return self.kind.value

    @classmethod
    def from_key(cls, key: str) -> Step:
        kind, _, question_id = key.partition(":")
        if kind == StepKind.QUESTION.value:
            return cls(StepKind.QUESTION, question_id)
        return cls(StepKind(kind))


ROLE = Step(StepKind.ROLE)
CLASS = Step(StepKind.CLASS)
REVIEW = Step(StepKind.REVIEW)


def question_step(question_id: str) -> Step:
    return Step(StepKind.QUESTION, question_id)


class AnswerError(ValueError):
    """An action that does not fit the current step: a forged or outdated button, never a rule
    a respondent could break with the keyboard they were shown."""


class NothingChosen(AnswerError):
    """«Готово» on a multiple choice with no option ticked."""


@dataclass(frozen=True)
class Draft:
    """Answers in progress: what FSM state holds between two taps, and nothing else."""

    path: tuple[Step, ...]
    segment: Segment = field(default_factory=Segment)
    answers: Mapping[str, Answer] = field(default_factory=dict)
    # The respondent pressed «Другое…» and the bot waits for their own words.
    typing_other: bool = False

    @property
    def current(self) -> Step:
        return self.path[-1]

    @property
    def step_number(self) -> int:
        """How many steps deep the respondent is; buttons carry it, so a button of an earlier
        step (a double tap, an old message) is told apart from the current one."""
        return len(self.path)


def draft_to_json(draft: Draft) -> dict[str, Any]:
    return {
        "path": [step.key() for step in draft.path],
        "segment": segment_to_json(draft.segment),
        "answers": answers_to_json(draft.answers),
        "typing_other": draft.typing_other,
    }


def draft_from_json(data: Mapping[str, Any]) -> Draft:
    return Draft(
        path=tuple(Step.from_key(key) for key in data["path"]),
        segment=segment_from_json(data["segment"]),
        answers=answers_from_json(data["answers"]),
        typing_other=bool(data.get("typing_other", False)),
    )


# ---------------------------------------------------------------------------- the order of steps


def segment_steps(definition: SurveyDefinition) -> tuple[Step, ...]:
    """What the respondent is asked about themselves before the questions."""
    steps: list[Step] = []
    if definition.audience is Audience.BOTH and definition.segments.ask_role:
        steps.append(ROLE)
    if definition.segments.classes:
        steps.append(CLASS)
    return tuple(steps)


def first_step(definition: SurveyDefinition) -> Step:
    segments = segment_steps(definition)
    if segments:
        return segments[0]
    return _question_at(definition, 0)


def _question_at(definition: SurveyDefinition, index: int) -> Step:
    if index >= len(definition.questions):
        return REVIEW
    return question_step(definition.questions[index].id)


def _require_question(definition: SurveyDefinition, step: Step) -> Question:
    question = definition.question(step.question_id or "")
    if step.kind is not StepKind.QUESTION or question is None:
        raise AnswerError(f"not a question step: {step.key()}")
    return question


def _skip_target(
    definition: SurveyDefinition, question: Question, answer: Answer | None
) -> Step | None:
    """Where a single-choice answer's skip logic leads, if anywhere valid."""
    if question.kind is not QuestionKind.SINGLE or answer is None or not answer.choices:
        return None
    option = question.option(answer.choices[0])
    if option is None or option.goto is None:
        return None
    if option.goto == END:
        return REVIEW
    target = definition.question(option.goto)
    # Only forward: a backward jump (which validation refuses anyway) would loop forever.
    if target is None or definition.index_of(target.id) <= definition.index_of(question.id):
        return None
    return question_step(target.id)


def next_step(definition: SurveyDefinition, step: Step, answers: Mapping[str, Answer]) -> Step:
    """The step after `step`, given the answers so far (skip logic on single choice)."""
    if step.kind is StepKind.REVIEW:
        raise AnswerError("nothing comes after the review")
    if step.kind is not StepKind.QUESTION:
        segments = segment_steps(definition)
        later = segments[segments.index(step) + 1 :] if step in segments else ()
        return later[0] if later else _question_at(definition, 0)
    question = _require_question(definition, step)
    target = _skip_target(definition, question, answers.get(question.id))
    if target is not None:
        return target
    return _question_at(definition, definition.index_of(question.id) + 1)


# ---------------------------------------------------------------------------- answers


def is_complete(question: Question, answer: Answer | None) -> bool:
    """Whether this answer may be kept for this question (the keyboard only offers such)."""
    return answer is not None and _COMPLETE[question.kind](question, answer)


def _chosen(question: Question, answer: Answer) -> bool:
    """Something chosen, only what the question offers, and words wherever «Другое» is."""
    return (
        bool(answer.choices)
        and all(question.takes_choice(key) for key in answer.choices)
        and (OTHER not in answer.choices or bool(answer.text))
    )


def _single_complete(question: Question, answer: Answer) -> bool:
    return len(answer.choices) == 1 and _chosen(question, answer)


def _multiple_complete(question: Question, answer: Answer) -> bool:
    return len(set(answer.choices)) == len(answer.choices) and _chosen(question, answer)


def _scale_complete(question: Question, answer: Answer) -> bool:
    scale = question.scale
    return (
        answer.number is not None
        and scale is not None
        and scale.low <= answer.number <= scale.high
    )


def _text_complete(question: Question, answer: Answer) -> bool:
    return bool(answer.text)


_COMPLETE: dict[QuestionKind, Callable[[Question, Answer], bool]] = {
    QuestionKind.SINGLE: _single_complete,
    QuestionKind.MULTIPLE: _multiple_complete,
    QuestionKind.SCALE: _scale_complete,
    QuestionKind.TEXT: _text_complete,
}


def start(definition: SurveyDefinition) -> Draft:
    """A fresh draft on the first step (after «Начать»)."""
    return Draft(path=(first_step(definition),))


def _advance(definition: SurveyDefinition, draft: Draft, answers: Mapping[str, Answer]) -> Draft:
    step = next_step(definition, draft.current, answers)
    return replace(draft, path=(*draft.path, step), answers=answers, typing_other=False)


def choose_role(definition: SurveyDefinition, draft: Draft, role: RespondentRole) -> Draft:
    if draft.current != ROLE:
        raise AnswerError("the role is not being asked")
    moved = _advance(definition, draft, draft.answers)
    return replace(moved, segment=replace(draft.segment, role=role))


def choose_class(definition: SurveyDefinition, draft: Draft, class_name: str | None) -> Draft:
    """The class from the list, or None: «Не хочу указывать»."""
    if draft.current != CLASS:
        raise AnswerError("the class is not being asked")
    if class_name is not None and class_name not in definition.segments.classes:
        raise AnswerError("not a class of this survey")
    moved = _advance(definition, draft, draft.answers)
    return replace(moved, segment=replace(draft.segment, class_name=class_name))


def current_question(definition: SurveyDefinition, draft: Draft) -> Question:
    return _require_question(definition, draft.current)


def answer(definition: SurveyDefinition, draft: Draft, given: Answer) -> Draft:
    """Keeps a complete answer to the current question and moves on."""
    question = current_question(definition, draft)
    if not is_complete(question, given):
        raise AnswerError(f"not an answer to question {question.id}")
    return _advance(definition, draft, {**draft.answers, question.id: given})


def choose(definition: SurveyDefinition, draft: Draft, key: str) -> Draft:
    """Single choice: this option, and on (where its skip logic says)."""
    question = current_question(definition, draft)
    if question.kind is not QuestionKind.SINGLE or key == OTHER:
        raise AnswerError("not a single-choice option")
    return answer(definition, draft, Answer(choices=(key,)))


def rate(definition: SurveyDefinition, draft: Draft, number: int) -> Draft:
    question = current_question(definition, draft)
    if question.kind is not QuestionKind.SCALE:
        raise AnswerError("not a scale")
    return answer(definition, draft, Answer(number=number))


def skip(definition: SurveyDefinition, draft: Draft) -> Draft:
    """«Пропустить»: an optional question left without an answer."""
    question = current_question(definition, draft)
    if question.required:
        raise AnswerError("a required question cannot be skipped")
    answers = {key: value for key, value in draft.answers.items() if key != question.id}
    return _advance(definition, draft, answers)


def keep(definition: SurveyDefinition, draft: Draft) -> Draft:
    """«Дальше» after Back: the answer given before stays."""
    question = current_question(definition, draft)
    given = draft.answers.get(question.id)
    if not is_complete(question, given):
        raise AnswerError("nothing to keep")
    return _advance(definition, draft, draft.answers)


def toggle(definition: SurveyDefinition, draft: Draft, key: str) -> Draft:
    """Multiple choice: ticks or unticks an option; stays on the question. Unticking
    «Другое» forgets its text; ticking it goes through `ask_other` instead."""
    question = current_question(definition, draft)
    if question.kind is not QuestionKind.MULTIPLE:
        raise AnswerError("not a multiple choice")
    previous = draft.answers.get(question.id, Answer())
    chosen = set(previous.choices)
    if key in chosen:
        chosen.discard(key)
    elif key == OTHER or question.option(key) is None:
        raise AnswerError("not an option of this question")
    else:
        chosen = ticking(question, chosen, key)
    text = previous.text if OTHER in chosen else None
    updated = Answer(choices=_in_question_order(question, chosen), text=text)
    return replace(draft, answers={**draft.answers, question.id: updated})


def ticking(question: Question, chosen: set[str], key: str) -> set[str]:
    """The ticks after ticking `key` (an option's key or OTHER): an exclusive option clears
    every other tick, and any other tick clears the exclusive ones (`Option.exclusive`)."""
    option = question.option(key)
    if option is not None and option.exclusive:
        return {key}
    exclusive = {option.key for option in question.options if option.exclusive}
    return (chosen - exclusive) | {key}


def _in_question_order(question: Question, chosen: set[str]) -> tuple[str, ...]:
    ordered = [option.key for option in question.options if option.key in chosen]
    return (*ordered, OTHER) if OTHER in chosen else tuple(ordered)


def finish_multiple(definition: SurveyDefinition, draft: Draft) -> Draft:
    """«Готово» on a multiple choice."""
    question = current_question(definition, draft)
    if question.kind is not QuestionKind.MULTIPLE:
        raise AnswerError("not a multiple choice")
    given = draft.answers.get(question.id)
    if given is None or not given.choices:
        raise NothingChosen("tick at least one option")
    return answer(definition, draft, given)


def ask_other(definition: SurveyDefinition, draft: Draft) -> Draft:
    """«Другое…»: the next text message is the respondent's own option."""
    question = current_question(definition, draft)
    if not question.other or question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        raise AnswerError("no «Другое» here")
    return replace(draft, typing_other=True)


def expects_text(definition: SurveyDefinition, draft: Draft) -> bool:
    """Whether a typed message is an answer right now (free text or «Другое»)."""
    if draft.current.kind is not StepKind.QUESTION:
        return False
    question = current_question(definition, draft)
    return draft.typing_other or question.kind is QuestionKind.TEXT


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


def clean_text(text: str) -> str:
    """What is kept of a typed answer: the words, without edge whitespace."""
    return text.strip()


def text_problem(question: Question, text: str) -> TextProblem | None:
    """Why a typed answer (free text or «Другое») is refused, or None when it is fine."""
    cleaned = clean_text(text)
    if not cleaned:
        return TextProblem.EMPTY
    if len(cleaned) > question.max_length:
        return TextProblem.TOO_LONG
    return None


def give_text(definition: SurveyDefinition, draft: Draft, text: str) -> Draft:
    """A typed answer: free text and «Другое» on single choice move on; «Другое» on multiple
    choice is ticked with its words and the respondent stays to press «Готово»."""
    question = current_question(definition, draft)
    if not expects_text(definition, draft):
        raise AnswerError("no text expected")
    if text_problem(question, text) is not None:
        raise AnswerError("refused text")
    words = clean_text(text)
    if question.kind is QuestionKind.TEXT:
        return answer(definition, draft, Answer(text=words))
    if question.kind is QuestionKind.SINGLE:
        return answer(definition, draft, Answer(choices=(OTHER,), text=words))
    previous = draft.answers.get(question.id, Answer())
    chosen = _in_question_order(question, ticking(question, set(previous.choices), OTHER))
    updated = Answer(choices=chosen, text=words)
    return replace(draft, answers={**draft.answers, question.id: updated}, typing_other=False)


def back(draft: Draft) -> Draft:
    """«Назад»: out of typing «Другое» first, else to the step shown before this one."""
    if draft.typing_other:
        return replace(draft, typing_other=False)
    if len(draft.path) < 2:
        raise AnswerError("nothing before the first step")
    return replace(draft, path=draft.path[:-1])


# ---------------------------------------------------------------------------- what to show


@dataclass(frozen=True)
class Progress:
    current: int  # this question's position among the questions shown so far, from 1
    total: int  # questions on the path, assuming no further skips


def progress(definition: SurveyDefinition, draft: Draft) -> Progress | None:
    """ "3 / 10" for a question step; None for the segment steps and the review."""
    step = draft.current
    if step.kind is not StepKind.QUESTION:
        return None
    done = sum(1 for earlier in draft.path[:-1] if earlier.kind is StepKind.QUESTION)
    remaining = len(definition.questions) - definition.index_of(step.question_id or "")
    return Progress(current=done + 1, total=done + remaining)


def numbered_options(question: Question) -> bool:
    """Long labels are listed with numbers in the text, and the buttons carry the numbers."""
    return any(len(option.label) > BUTTON_LABEL_LIMIT for option in question.options)


def estimated_minutes(definition: SurveyDefinition) -> int:
    """What the intro promises: a whole number of minutes, at least one."""
    seconds = _SEGMENT_SECONDS * len(segment_steps(definition))
    seconds += sum(_SECONDS[question.kind] for question in definition.questions)
    return max(1, math.ceil(seconds / 60))


def class_question_audience(definition: SurveyDefinition, segment: Segment) -> Audience:
    """Whom the class question speaks to: "your class", "your child's class", or either."""
    if segment.role is RespondentRole.PARENT:
        return Audience.PARENTS
    if segment.role is RespondentRole.STUDENT:
        return Audience.STUDENTS
    return definition.audience


@dataclass(frozen=True)
class ReviewItem:
    position: int  # from 1, in the order the respondent answered
    question: Question
    answer: Answer | None  # None: an optional question skipped

    def labels(self) -> tuple[str, ...]:
        """The chosen options' labels, «Другое» left to the caller (it carries `answer.text`)."""
        if self.answer is None:
            return ()
        found = (self.question.option(key) for key in self.answer.choices if key != OTHER)
        return tuple(option.label for option in found if option is not None)


def _path_questions(definition: SurveyDefinition, draft: Draft) -> list[Question]:
    questions = []
    for step in draft.path:
        if step.kind is StepKind.QUESTION:
            question = definition.question(step.question_id or "")
            if question is not None:
                questions.append(question)
    return questions


def review(definition: SurveyDefinition, draft: Draft) -> list[ReviewItem]:
    """Every question on the path, with its answer or None when skipped."""
    items = []
    for position, question in enumerate(_path_questions(definition, draft), start=1):
        given = draft.answers.get(question.id)
        items.append(
            ReviewItem(position, question, given if is_complete(question, given) else None)
        )
    return items


def final_answers(definition: SurveyDefinition, draft: Draft) -> dict[str, Answer]:
    """What «Отправить» submits: the answers on the path only, each complete.

    Raises AnswerError unless the draft is on the review screen with every required question
    on its path answered.
    """
    if draft.current.kind is not StepKind.REVIEW:
        raise AnswerError("not on the review screen")
    answers: dict[str, Answer] = {}
    for item in review(definition, draft):
        if item.answer is not None:
            answers[item.question.id] = item.answer
        elif item.question.required:
            raise AnswerError(f"question {item.question.id} is required")
    return answers
