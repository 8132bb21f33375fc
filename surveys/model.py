"""What a survey is and what a respondent answered: plain values, no messenger, no SQL.

Definitions come from YAML, an .xlsx template or a built-in template (``surveys.loading``) and
are stored as JSON (``definition_to_json`` / ``definition_from_json``); answers travel through
FSM state as JSON (``answers_to_json`` / ``answers_from_json``) and are stored only on submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter


class QuestionKind(StrEnum):
    SINGLE = "single"  # one option (optionally "Другое: …" with text)
    MULTIPLE = "multiple"  # any number of options (optionally "Другое: …")
    SCALE = "scale"  # a whole number from 1 to 5 or 1 to 10, with labels for both ends
    TEXT = "text"  # free text, length-limited


class Audience(StrEnum):
    """Whom the survey is meant for; `BOTH` asks the respondent which they are."""

    PARENTS = "parents"
    STUDENTS = "students"
    BOTH = "both"


class SurveyStatus(StrEnum):
    DRAFT = "draft"  # being prepared: no link works yet
    OPEN = "open"  # answers accepted until the closing date
    CLOSED = "closed"  # by hand or at the closing date; results stay


class RespondentRole(StrEnum):
    PARENT = "parent"
    STUDENT = "student"


# The option key an answer carries when the respondent chose "Другое: …" and typed their own.
OTHER = "other"
# A skip target meaning "no more questions: go to the review screen".
END = "end"
DEFAULT_TEXT_LIMIT = 500
MAX_TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Option:
    key: str  # stable within its question: "1", "2", … unless the file names them
    label: str
    # Skip logic (single choice only): the id of the question to go to next, or END.
    goto: str | None = None
    # Multiple choice only: an answer that rules out the others («Пока не знаю»). Ticking it
    # clears every other tick, «Другое» included; ticking another clears it.
    exclusive: bool = False


@dataclass(frozen=True)
class Scale:
    low: int = 1
    high: int = 5  # 5 or 10
    low_label: str = ""
    high_label: str = ""


@dataclass(frozen=True)
class Question:
    id: str  # stable within the survey: "1", "2", … unless the file names them
    text: str
    kind: QuestionKind
    required: bool = True
    options: tuple[Option, ...] = ()
    scale: Scale | None = None
    # Single and multiple choice: offer "Другое: …" and take the respondent's own words.
    other: bool = False
    # Free text and the "Другое" text: at most this many characters.
    max_length: int = DEFAULT_TEXT_LIMIT

    def option(self, key: str) -> Option | None:
        return next((option for option in self.options if option.key == key), None)

    def takes_choice(self, key: str) -> bool:
        """Whether a respondent may choose this key: an option's, or «Другое» where offered."""
        return self.option(key) is not None or (key == OTHER and self.other)


@dataclass(frozen=True)
class Segments:
    """What respondents say about themselves before the questions (never who they are)."""

    ask_role: bool = True  # "Вы родитель или обучающийся?" (only when the audience is BOTH)
    classes: tuple[str, ...] = ()  # e.g. ("5 «а»", "10 «б»"); empty: the class is not asked


@dataclass(frozen=True)
class SurveyDefinition:
    title: str
    intro: str
    audience: Audience
    questions: tuple[Question, ...]
    segments: Segments = field(default_factory=Segments)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index_of(self, question_id: str) -> int:
        for index, question in enumerate(self.questions):
            if question.id == question_id:
                return index
        raise KeyError(question_id)


@dataclass(frozen=True)
class Answer:
    """One question's answer; which fields are filled depends on the question's kind.

    single: ``choices`` has one key (OTHER with ``text`` for "Другое");
    multiple: ``choices`` has one or more keys (OTHER among them with ``text``);
    scale: ``number``; text: ``text``. An optional question left out has no Answer at all.
    """

    choices: tuple[str, ...] = ()
    number: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Segment:
    """What the respondent declared: role and class, each None when not asked or not given."""

    role: RespondentRole | None = None
    class_name: str | None = None


@dataclass(frozen=True)
class Response:
    """One submitted response as reports see it: no person, no time."""

    segment: Segment
    answers: Mapping[str, Answer]  # question id -> answer


_DEFINITION = TypeAdapter(SurveyDefinition)
_ANSWERS = TypeAdapter(dict[str, Answer])
_SEGMENT = TypeAdapter(Segment)


def definition_to_json(definition: SurveyDefinition) -> dict[str, Any]:
    return _DEFINITION.dump_python(definition, mode="json")  # type: ignore[no-any-return]


def definition_from_json(data: Mapping[str, Any]) -> SurveyDefinition:
    return _DEFINITION.validate_python(data)


def answers_to_json(answers: Mapping[str, Answer]) -> dict[str, Any]:
    return _ANSWERS.dump_python(dict(answers), mode="json")  # type: ignore[no-any-return]


def answers_from_json(data: Mapping[str, Any]) -> dict[str, Answer]:
    return _ANSWERS.validate_python(data)


def segment_to_json(segment: Segment) -> dict[str, Any]:
    return _SEGMENT.dump_python(segment, mode="json")  # type: ignore[no-any-return]


def segment_from_json(data: Mapping[str, Any]) -> Segment:
    return _SEGMENT.validate_python(data)
