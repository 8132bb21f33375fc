"""Small survey definitions and responses for the results and report tests."""

from __future__ import annotations

from collections.abc import Mapping

from surveys.model import (
    OTHER,
    Answer,
    Audience,
    Option,
    Question,
    QuestionKind,
    RespondentRole,
    Response,
    Scale,
    Segment,
    Segments,
    SurveyDefinition,
)

PARENT = RespondentRole.PARENT
STUDENT = RespondentRole.STUDENT
CLASSES = ("5 «а»", "5 «б»", "10 «а»")

HEARD = Question(
    "heard",
    "Слышали ли вы о проекте «Школа Минпросвещения России»?",
    QuestionKind.SINGLE,
    options=(Option("yes", "Да"), Option("no", "Нет"), Option("unsure", "Не уверен(а)")),
    other=True,
)
SOURCES = Question(
    "sources",
    "Откуда вы узнали о проекте?",
    QuestionKind.MULTIPLE,
    required=False,
    options=(
        Option("site", "Сайт школы"),
        Option("chat", "Чат класса"),
        Option("teacher", "От учителя"),
    ),
)
RATING = Question(
    "rating",
    "Насколько вы довольны?",
    QuestionKind.SCALE,
    scale=Scale(1, 5, "совсем нет", "очень"),
)
WISH = Question("wish", "Что бы вы улучшили?", QuestionKind.TEXT, required=False)

DEFINITION = SurveyDefinition(
    title="Осведомлённость о проекте",
    intro="Опрос анонимный.",
    audience=Audience.BOTH,
    questions=(HEARD, SOURCES, RATING, WISH),
    segments=Segments(ask_role=True, classes=CLASSES),
)


def response(
    role: RespondentRole | None = PARENT,
    class_name: str | None = "5 «а»",
    answers: Mapping[str, Answer] | None = None,
) -> Response:
    return Response(Segment(role, class_name), dict(answers or {}))


def single(key: str, text: str | None = None) -> Answer:
    return Answer(choices=(key,), text=text if key == OTHER else None)


def many(*keys: str, text: str | None = None) -> Answer:
    return Answer(choices=keys, text=text)


def number(value: int) -> Answer:
    return Answer(number=value)


def free(text: str) -> Answer:
    return Answer(text=text)
