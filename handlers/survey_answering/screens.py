"""The survey message at each step before the review: drawn once per survey, language and
screen."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import AnswerAction
from handlers.render import day, fit, quote, short
from handlers.survey_answering.attempt import Attempt
from handlers.survey_answering.buttons import button, in_rows, keyboard, navigation, ticked
from handlers.survey_answering.review import review_view
from services.memo import keep_recent
from storage.records import Survey
from surveys import answering as flow
from surveys.answering import AnswerError, Draft, StepKind
from surveys.model import (
    OTHER,
    Answer,
    Audience,
    Question,
    QuestionKind,
    RespondentRole,
    Segment,
    SurveyDefinition,
)
from surveys.results import DEFAULT_K

SMALL_GROUP = DEFAULT_K
ROLES = tuple(RespondentRole)
_CLASSES_PER_ROW = 3
_NUMBERS_PER_ROW = 5
_OTHER_BUTTON_TEXT = 20
_KEPT_TEXT = 200


@dataclass(frozen=True)
class Screen:
    """What a step before the review shows, apart from the survey and the language: equal
    screens look the same, so each is drawn once per survey and language (`_draw`), not on
    every tap. The views below read nothing else."""

    step: int  # the respondent's step number, carried by every button
    kind: StepKind
    role: RespondentRole | None = None
    class_name: str | None = None
    question_id: str | None = None
    given: Answer | None = None  # this question's answer so far
    typing_other: bool = False
    progress: flow.Progress | None = None


def screen_of(definition: SurveyDefinition, draft: Draft) -> Screen:
    step = draft.current
    question_id = step.question_id if step.kind is StepKind.QUESTION else None
    return Screen(
        step=draft.step_number,
        kind=step.kind,
        role=draft.segment.role,
        class_name=draft.segment.class_name,
        question_id=question_id,
        given=draft.answers.get(question_id) if question_id is not None else None,
        typing_other=draft.typing_other,
        progress=flow.progress(definition, draft),
    )


def intro_text(survey: Survey) -> str:
    definition = survey.definition
    lines = [
        _("survey.answer.intro")
        .format(title=quote(definition.title), intro=quote(definition.intro))
        .rstrip(),
        "",
        _("survey.answer.intro.privacy").format(k=SMALL_GROUP),
        "",
        _("survey.answer.intro.save"),
        _("survey.answer.intro.length").format(
            count=len(definition.questions), minutes=flow.estimated_minutes(definition)
        ),
    ]
    if survey.closes_on is not None:
        lines.append(_("survey.answer.intro.closes").format(day=day(survey.closes_on)))
    return fit(lines)


def intro_keyboard() -> InlineKeyboardMarkup:
    start = button(_("survey.answer.button.start"), 0, AnswerAction.START)
    return InlineKeyboardMarkup(inline_keyboard=[[start]])


def _role_view(screen: Screen) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        button(
            ticked(_(f"survey.answer.role.{role.value}"), role is screen.role),
            screen.step,
            AnswerAction.ROLE,
            index,
        )
        for index, role in enumerate(ROLES)
    ]
    return _("survey.answer.role.question"), keyboard([buttons, navigation(screen.step)])


def _class_view(definition: SurveyDefinition, screen: Screen) -> tuple[str, InlineKeyboardMarkup]:
    audience = flow.class_question_audience(definition, Segment(role=screen.role))
    key = {
        Audience.PARENTS: "survey.answer.class.parents",
        Audience.STUDENTS: "survey.answer.class.students",
        Audience.BOTH: "survey.answer.class.both",
    }[audience]
    buttons = [
        button(ticked(name, name == screen.class_name), screen.step, AnswerAction.CLASS, index)
        for index, name in enumerate(definition.segments.classes)
    ]
    rows = [
        *in_rows(buttons, _CLASSES_PER_ROW),
        [button(_("survey.answer.class.none"), screen.step, AnswerAction.NO_CLASS)],
        navigation(screen.step),
    ]
    text = "\n\n".join([_(key), _("survey.answer.class.hint").format(k=SMALL_GROUP)])
    return text, keyboard(rows)


def _option_buttons(
    step: int, question: Question, chosen: tuple[str, ...], action: AnswerAction
) -> list[list[InlineKeyboardButton]]:
    numbered = flow.numbered_options(question)
    buttons = [
        button(
            ticked(str(index + 1) if numbered else option.label, option.key in chosen),
            step,
            action,
            index,
        )
        for index, option in enumerate(question.options)
    ]
    return in_rows(buttons, _NUMBERS_PER_ROW) if numbered else in_rows(buttons, 1)


def _other_button(
    step: int, question: Question, chosen: tuple[str, ...], text: str | None
) -> list[InlineKeyboardButton]:
    if not question.other:
        return []
    if question.kind is QuestionKind.MULTIPLE and OTHER in chosen:
        label = _("survey.answer.button.other_chosen").format(
            text=short(text or "", _OTHER_BUTTON_TEXT)
        )
        return [button(label, step, AnswerAction.TOGGLE, -1)]
    return [button(_("survey.answer.button.other"), step, AnswerAction.OTHER)]


def _scale_rows(
    step: int, question: Question, chosen: int | None
) -> list[list[InlineKeyboardButton]]:
    scale = question.scale
    if scale is None:
        return []
    buttons = [
        button(ticked(str(number), number == chosen), step, AnswerAction.RATE, number)
        for number in range(scale.low, scale.high + 1)
    ]
    return in_rows(buttons, _NUMBERS_PER_ROW)


def _question_hints(question: Question, screen: Screen) -> list[str]:
    given = screen.given
    hints: list[str] = []
    if screen.typing_other:
        return [_("survey.answer.hint.other").format(limit=question.max_length)]
    if question.kind is QuestionKind.MULTIPLE:
        hints.append(_("survey.answer.hint.multiple"))
    elif question.kind is QuestionKind.SCALE and question.scale is not None:
        scale = question.scale
        hints.append(_("survey.answer.hint.scale").format(low=scale.low, high=scale.high))
        for number, label in ((scale.low, scale.low_label), (scale.high, scale.high_label)):
            if label:
                hints.append(
                    _("survey.answer.hint.scale_end").format(number=number, label=quote(label))
                )
    elif question.kind is QuestionKind.TEXT:
        if given is not None and given.text:
            hints.append(
                _("survey.answer.hint.kept").format(text=quote(short(given.text, _KEPT_TEXT)))
            )
        else:
            hints.append(_("survey.answer.hint.text").format(limit=question.max_length))
    elif given is not None and OTHER in given.choices and given.text:
        hints.append(
            _("survey.answer.hint.other_kept").format(text=quote(short(given.text, _KEPT_TEXT)))
        )
    if not question.required:
        hints.append(_("survey.answer.hint.optional"))
    return hints


def _question_lines(question: Question, screen: Screen, chosen: tuple[str, ...]) -> list[str]:
    """Progress, the question, its numbered options when the buttons carry numbers, hints."""
    lines = []
    shown = screen.progress
    if shown is not None:
        lines.append(
            "<b>"
            + _("survey.answer.progress").format(current=shown.current, total=shown.total)
            + "</b>"
        )
    lines.append(f"<b>{quote(question.text)}</b>")
    if flow.numbered_options(question) and not screen.typing_other:
        lines.append("")
        lines.extend(
            ticked(f"{index}. {quote(option.label)}", option.key in chosen)
            for index, option in enumerate(question.options, start=1)
        )
    lines.append("")
    lines.extend(f"<i>{hint}</i>" for hint in _question_hints(question, screen))
    return lines


def _question_view(
    definition: SurveyDefinition, screen: Screen
) -> tuple[str, InlineKeyboardMarkup]:
    question = definition.question(screen.question_id or "")
    if question is None:
        raise AnswerError(f"no question {screen.question_id}")
    given, step = screen.given, screen.step
    chosen = given.choices if given is not None else ()
    lines = _question_lines(question, screen, chosen)
    if screen.typing_other:
        back = button(_("survey.answer.button.to_options"), step, AnswerAction.BACK)
        return fit(lines), keyboard([[back]])
    rows: list[list[InlineKeyboardButton]] = []
    keep = False
    if question.kind is QuestionKind.SINGLE:
        rows += _option_buttons(step, question, chosen, AnswerAction.CHOOSE)
        rows.append(_other_button(step, question, chosen, None))
        keep = OTHER in chosen and flow.is_complete(question, given)
    elif question.kind is QuestionKind.MULTIPLE:
        rows += _option_buttons(step, question, chosen, AnswerAction.TOGGLE)
        rows.append(_other_button(step, question, chosen, given.text if given else None))
        rows.append([button(_("survey.answer.button.done"), step, AnswerAction.DONE)])
    elif question.kind is QuestionKind.SCALE:
        rows += _scale_rows(step, question, given.number if given is not None else None)
    else:
        keep = flow.is_complete(question, given)
    rows.append(navigation(step, skip=not question.required, keep=keep))
    return fit(lines), keyboard(rows)


# Screens drawn lately, per (survey fingerprint, language, screen): a few hundred parents of
# one class answering the same survey see the same few dozen screens.
_DRAWN_SIZE = 2048
_drawn: dict[tuple[str | None, str, Screen], tuple[str, InlineKeyboardMarkup]] = {}


def _draw(definition: SurveyDefinition, screen: Screen) -> tuple[str, InlineKeyboardMarkup]:
    if screen.kind is StepKind.ROLE:
        return _role_view(screen)
    if screen.kind is StepKind.CLASS:
        return _class_view(definition, screen)
    return _question_view(definition, screen)


def step_view(attempt: Attempt, definition: SurveyDefinition) -> tuple[str, InlineKeyboardMarkup]:
    """The text and keyboard of the attempt's current step (the intro before «Начать»)."""
    draft = attempt.draft
    if draft is None:
        raise AnswerError("the intro has its own view")
    if draft.current.kind is StepKind.REVIEW:
        return review_view(definition, draft)
    screen = screen_of(definition, draft)
    key = (attempt.fingerprint, get_i18n().current_locale, screen)
    drawn = _drawn.get(key)
    if drawn is None:
        drawn = _draw(definition, screen)
    keep_recent(_drawn, key, drawn, _DRAWN_SIZE)
    return drawn
