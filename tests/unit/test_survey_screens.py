"""Survey steps are drawn once per survey, language and screen, and shown to nobody else."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.i18n import create_i18n
from handlers.callbacks import AnswerCallback
from handlers.survey_answering.attempt import Attempt
from handlers.survey_answering.screens import step_view
from surveys import answering as flow
from surveys.model import (
    Audience,
    Option,
    Question,
    QuestionKind,
    RespondentRole,
    Scale,
    Segments,
    SurveyDefinition,
)


def _definition(title: str) -> SurveyDefinition:
    return SurveyDefinition(
        title=title,
        intro="",
        audience=Audience.BOTH,
        segments=Segments(ask_role=True, classes=("5 «а»", "5 «б»")),
        questions=(
            Question(
                "1",
                f"{title}: откуда вы узнали?",
                QuestionKind.MULTIPLE,
                options=(Option("a", "От учителей"), Option("b", "На собрании")),
            ),
            Question("2", f"{title}: насколько интересно?", QuestionKind.SCALE, scale=Scale(1, 5)),
        ),
    )


FIRST, SECOND = _definition("Профили"), _definition("Питание")


@pytest.fixture(autouse=True)
def i18n() -> Iterator[I18n]:
    with create_i18n().context() as current:
        yield current


def _on_first_question(definition: SurveyDefinition, *ticked: str) -> flow.Draft:
    draft = flow.start(definition)
    draft = flow.choose_role(definition, draft, RespondentRole.PARENT)
    draft = flow.choose_class(definition, draft, "5 «а»")
    for key in ticked:
        draft = flow.toggle(definition, draft, key)
    return draft


def _attempt(draft: flow.Draft, fingerprint: str = "first", message_id: int = 5) -> Attempt:
    return Attempt(1, "code", fingerprint, message_id, draft)


def _labels(markup: InlineKeyboardMarkup) -> list[str]:
    return [button.text for row in markup.inline_keyboard for button in row]


def test_each_respondent_sees_their_own_ticks() -> None:
    mine = step_view(_attempt(_on_first_question(FIRST, "a")), FIRST)
    theirs = step_view(_attempt(_on_first_question(FIRST, "b")), FIRST)
    assert "✓ От учителей" in _labels(mine[1]) and "На собрании" in _labels(mine[1])
    assert "✓ На собрании" in _labels(theirs[1]) and "От учителей" in _labels(theirs[1])


def test_the_same_screen_is_drawn_once_for_everyone_on_it() -> None:
    draft = _on_first_question(FIRST, "a")
    mine = step_view(_attempt(draft, message_id=5), FIRST)
    # Another parent, another message, other litter: the very same drawing.
    theirs = step_view(replace(_attempt(draft, message_id=77), litter=(3, 4)), FIRST)
    assert theirs is mine


def test_another_survey_or_language_is_drawn_apart(i18n: I18n) -> None:
    draft = _on_first_question(FIRST, "a")
    russian = step_view(_attempt(draft), FIRST)
    other_survey = step_view(_attempt(draft, fingerprint="second"), SECOND)
    assert "Профили" in russian[0] and "Питание" in other_survey[0]
    with i18n.use_locale("en"):
        english = step_view(_attempt(draft), FIRST)
    assert english[0] != russian[0]


def test_buttons_carry_the_step_they_belong_to() -> None:
    draft = _on_first_question(FIRST)
    _, markup = step_view(_attempt(draft), FIRST)
    steps = {
        AnswerCallback.unpack(button.callback_data or "").step
        for row in markup.inline_keyboard
        for button in row
    }
    assert steps == {draft.step_number}
    later = flow.finish_multiple(FIRST, flow.toggle(FIRST, draft, "a"))
    _, markup = step_view(_attempt(later), FIRST)
    assert {
        AnswerCallback.unpack(button.callback_data or "").step
        for row in markup.inline_keyboard
        for button in row
    } == {later.step_number}
