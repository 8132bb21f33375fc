"""Answering a survey in a private chat: `/start s_<code>`, then one message edited in place.

The answers in progress live only in FSM state (a `surveys.answering.Draft`); the service
stores them in one anonymous transaction on «Отправить», and an abandoned attempt leaves
nothing behind. Nothing here logs an answer, or a user id next to a survey.

The attempt's state is small: the survey id, its definition's fingerprint, where the respondent
is and the answers so far. The definition itself comes from `SurveyDefinitions`, in memory (a
definition never changes once written), so a tap costs no database round trip, and Redis
carries a few hundred bytes per tap rather than the whole survey. Whether the survey still
takes answers is the service's call at «Начать» and «Отправить».
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from core.deeplinks import DeepLink, DeepLinkKind
from handlers.callbacks import AnswerAction, AnswerCallback
from handlers.filters import NOT_A_COMMAND, PRIVATE, TEXT, StartLink
from handlers.render import day, fit, quote, short
from handlers.states import SurveyAnswering
from services.access import Permission
from services.memo import keep_recent
from services.survey_definitions import SurveyDefinitions
from services.surveys import SubmitOutcome, SurveyService
from storage.records import Survey
from surveys import answering as flow
from surveys.answering import AnswerError, Draft, NothingChosen, ReviewItem, StepKind
from surveys.model import (
    OTHER,
    Answer,
    Audience,
    Question,
    QuestionKind,
    RespondentRole,
    Segment,
    SurveyDefinition,
    SurveyStatus,
)
from surveys.results import DEFAULT_K

logger = logging.getLogger(__name__)
T = TypeVar("T")

# The intro promises what the reports do: groups smaller than this are hidden.
SMALL_GROUP = DEFAULT_K
_ROLES = tuple(RespondentRole)
_CLASSES_PER_ROW = 3
_NUMBERS_PER_ROW = 5
_OTHER_BUTTON_TEXT = 20
_REVIEW_QUESTION = 70
_REVIEW_ANSWER = 120
_KEPT_TEXT = 200
_OUTCOME_KEYS = {
    SubmitOutcome.ACCEPTED: "survey.answer.thanks",
    SubmitOutcome.ALREADY_ANSWERED: "survey.answer.already",
    SubmitOutcome.CLOSED: "survey.answer.closed",
    SubmitOutcome.NOT_FOUND: "survey.answer.not_found",
}


@dataclass(frozen=True)
class _Attempt:
    """One go at one survey, as FSM state holds it."""

    survey_id: int
    code: str
    # The definition's fingerprint when the attempt began (services.survey_definitions); None
    # in a state written by the version that kept the whole definition there.
    fingerprint: str | None
    # The message edited in place; replaced when it can no longer be edited. Every
    # `/start s_<code>` sends a new one: buttons of an earlier attempt or survey are stale.
    message_id: int
    draft: Draft | None  # None: the intro, before «Начать»
    # Our refusals and the messages they answered, removed once an answer is accepted.
    litter: tuple[int, ...] = ()

    @property
    def step_number(self) -> int:
        return self.draft.step_number if self.draft is not None else 0

    def as_state(self) -> dict[str, Any]:
        return {
            "survey_id": self.survey_id,
            "code": self.code,
            "fingerprint": self.fingerprint,
            "message_id": self.message_id,
            "draft": None if self.draft is None else flow.draft_to_json(self.draft),
            "litter": list(self.litter),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> _Attempt | None:
        try:
            draft = data["draft"]
            fingerprint = data.get("fingerprint")
            return cls(
                survey_id=int(data["survey_id"]),
                code=str(data["code"]),
                fingerprint=None if fingerprint is None else str(fingerprint),
                message_id=int(data["message_id"]),
                draft=None if draft is None else flow.draft_from_json(draft),
                litter=tuple(int(value) for value in data.get("litter", ())),
            )
        except (KeyError, TypeError, ValueError):  # pydantic's ValidationError is a ValueError
            return None


# ---------------------------------------------------------------------------- texts and keyboards


@dataclass(frozen=True)
class _Screen:
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


def _screen(definition: SurveyDefinition, draft: Draft) -> _Screen:
    step = draft.current
    question_id = step.question_id if step.kind is StepKind.QUESTION else None
    return _Screen(
        step=draft.step_number,
        kind=step.kind,
        role=draft.segment.role,
        class_name=draft.segment.class_name,
        question_id=question_id,
        given=draft.answers.get(question_id) if question_id is not None else None,
        typing_other=draft.typing_other,
        progress=flow.progress(definition, draft),
    )


def _button(text: str, step: int, action: AnswerAction, value: int = 0) -> InlineKeyboardButton:
    data = AnswerCallback(step=step, action=action, value=value)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[start : start + width] for start in range(0, len(buttons), width)]


def _ticked(text: str, ticked: bool) -> str:
    return f"✓ {text}" if ticked else text


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
    start = _button(_("survey.answer.button.start"), 0, AnswerAction.START)
    return InlineKeyboardMarkup(inline_keyboard=[[start]])


def _navigation(
    step: int, *, skip: bool = False, keep: bool = False
) -> list[InlineKeyboardButton]:
    row = []
    if step > 1:
        row.append(_button(_("survey.answer.button.back"), step, AnswerAction.BACK))
    if skip:
        row.append(_button(_("survey.answer.button.skip"), step, AnswerAction.SKIP))
    if keep:
        row.append(_button(_("survey.answer.button.keep"), step, AnswerAction.KEEP))
    return row


def _markup(rows: Iterable[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def _role_view(screen: _Screen) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        _button(
            _ticked(_(f"survey.answer.role.{role.value}"), role is screen.role),
            screen.step,
            AnswerAction.ROLE,
            index,
        )
        for index, role in enumerate(_ROLES)
    ]
    return _("survey.answer.role.question"), _markup([buttons, _navigation(screen.step)])


def _class_view(definition: SurveyDefinition, screen: _Screen) -> tuple[str, InlineKeyboardMarkup]:
    audience = flow.class_question_audience(definition, Segment(role=screen.role))
    key = {
        Audience.PARENTS: "survey.answer.class.parents",
        Audience.STUDENTS: "survey.answer.class.students",
        Audience.BOTH: "survey.answer.class.both",
    }[audience]
    buttons = [
        _button(_ticked(name, name == screen.class_name), screen.step, AnswerAction.CLASS, index)
        for index, name in enumerate(definition.segments.classes)
    ]
    rows = [
        *_rows(buttons, _CLASSES_PER_ROW),
        [_button(_("survey.answer.class.none"), screen.step, AnswerAction.NO_CLASS)],
        _navigation(screen.step),
    ]
    text = "\n\n".join([_(key), _("survey.answer.class.hint").format(k=SMALL_GROUP)])
    return text, _markup(rows)


def _option_buttons(
    step: int, question: Question, chosen: tuple[str, ...], action: AnswerAction
) -> list[list[InlineKeyboardButton]]:
    numbered = flow.numbered_options(question)
    buttons = [
        _button(
            _ticked(str(index + 1) if numbered else option.label, option.key in chosen),
            step,
            action,
            index,
        )
        for index, option in enumerate(question.options)
    ]
    return _rows(buttons, _NUMBERS_PER_ROW) if numbered else _rows(buttons, 1)


def _other_button(
    step: int, question: Question, chosen: tuple[str, ...], text: str | None
) -> list[InlineKeyboardButton]:
    if not question.other:
        return []
    if question.kind is QuestionKind.MULTIPLE and OTHER in chosen:
        label = _("survey.answer.button.other_chosen").format(
            text=short(text or "", _OTHER_BUTTON_TEXT)
        )
        return [_button(label, step, AnswerAction.TOGGLE, -1)]
    return [_button(_("survey.answer.button.other"), step, AnswerAction.OTHER)]


def _scale_rows(
    step: int, question: Question, chosen: int | None
) -> list[list[InlineKeyboardButton]]:
    scale = question.scale
    if scale is None:
        return []
    buttons = [
        _button(_ticked(str(number), number == chosen), step, AnswerAction.RATE, number)
        for number in range(scale.low, scale.high + 1)
    ]
    return _rows(buttons, _NUMBERS_PER_ROW)


def _question_hints(question: Question, screen: _Screen) -> list[str]:
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


def _question_view(
    definition: SurveyDefinition, screen: _Screen
) -> tuple[str, InlineKeyboardMarkup]:
    question = definition.question(screen.question_id or "")
    if question is None:
        raise AnswerError(f"no question {screen.question_id}")
    given, step = screen.given, screen.step
    chosen = given.choices if given is not None else ()
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
            _ticked(f"{index}. {quote(option.label)}", option.key in chosen)
            for index, option in enumerate(question.options, start=1)
        )
    lines.append("")
    lines.extend(f"<i>{hint}</i>" for hint in _question_hints(question, screen))
    if screen.typing_other:
        back = _button(_("survey.answer.button.to_options"), step, AnswerAction.BACK)
        return fit(lines), _markup([[back]])

    rows: list[list[InlineKeyboardButton]] = []
    keep = False
    if question.kind is QuestionKind.SINGLE:
        rows += _option_buttons(step, question, chosen, AnswerAction.CHOOSE)
        rows.append(_other_button(step, question, chosen, None))
        keep = OTHER in chosen and flow.is_complete(question, given)
    elif question.kind is QuestionKind.MULTIPLE:
        rows += _option_buttons(step, question, chosen, AnswerAction.TOGGLE)
        rows.append(_other_button(step, question, chosen, given.text if given else None))
        rows.append([_button(_("survey.answer.button.done"), step, AnswerAction.DONE)])
    elif question.kind is QuestionKind.SCALE:
        rows += _scale_rows(step, question, given.number if given is not None else None)
    else:
        keep = flow.is_complete(question, given)
    rows.append(_navigation(step, skip=not question.required, keep=keep))
    return fit(lines), _markup(rows)


def _answer_words(item: ReviewItem) -> str:
    answer, question = item.answer, item.question
    if answer is None:
        return _("survey.answer.review.skipped")
    if question.kind is QuestionKind.SCALE and question.scale is not None:
        return _("survey.answer.review.scale").format(
            number=answer.number, high=question.scale.high
        )
    if question.kind is QuestionKind.TEXT:
        return f"«{quote(short(answer.text or '', _REVIEW_ANSWER))}»"
    parts = list(item.labels())
    if OTHER in answer.choices:
        parts.append(_("survey.answer.review.other").format(text=answer.text or ""))
    return quote(short("; ".join(parts), _REVIEW_ANSWER))


def _review_view(definition: SurveyDefinition, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("survey.answer.review.title")]
    steps = flow.segment_steps(definition)
    segment = draft.segment
    if flow.ROLE in steps and segment.role is not None:
        lines.append(_(f"survey.answer.review.{segment.role.value}"))
    if flow.CLASS in steps:
        lines.append(
            _("survey.answer.review.class").format(name=quote(segment.class_name))
            if segment.class_name is not None
            else _("survey.answer.review.no_class")
        )
    for item in flow.review(definition, draft):
        lines.append("")
        lines.append(
            _("survey.answer.review.item").format(
                number=item.position,
                question=quote(short(item.question.text, _REVIEW_QUESTION)),
                answer=_answer_words(item),
            )
        )
    lines += ["", _("survey.answer.review.hint")]
    step = draft.step_number
    rows = [
        [_button(_("survey.answer.button.submit"), step, AnswerAction.SUBMIT)],
        [
            _button(_("survey.answer.button.back"), step, AnswerAction.BACK),
            _button(_("survey.answer.button.cancel"), step, AnswerAction.CANCEL),
        ],
    ]
    return fit(lines), _markup(rows)


# Screens drawn lately, per (survey fingerprint, language, screen): a few hundred parents of
# one class answering the same survey see the same few dozen screens.
_DRAWN_SIZE = 2048
_drawn: dict[tuple[str | None, str, _Screen], tuple[str, InlineKeyboardMarkup]] = {}


def _draw(definition: SurveyDefinition, screen: _Screen) -> tuple[str, InlineKeyboardMarkup]:
    if screen.kind is StepKind.ROLE:
        return _role_view(screen)
    if screen.kind is StepKind.CLASS:
        return _class_view(definition, screen)
    return _question_view(definition, screen)


def step_view(attempt: _Attempt, definition: SurveyDefinition) -> tuple[str, InlineKeyboardMarkup]:
    """The text and keyboard of the attempt's current step (the intro before «Начать»)."""
    draft = attempt.draft
    if draft is None:
        raise AnswerError("the intro has its own view")
    if draft.current.kind is StepKind.REVIEW:
        return _review_view(definition, draft)
    screen = _screen(definition, draft)
    key = (attempt.fingerprint, get_i18n().current_locale, screen)
    drawn = _drawn.get(key)
    if drawn is None:
        drawn = _draw(definition, screen)
    keep_recent(_drawn, key, drawn, _DRAWN_SIZE)
    return drawn


# ---------------------------------------------------------------------------- talking to the chat


async def _show(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> int:
    """Edits the survey message; when it is gone (or too old to edit), sends a fresh one.
    Returns the id of the message that now shows the step."""
    try:
        await bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        if "message is not modified" in error.message:
            return message_id
        logger.info("survey message could not be edited (%s); sending a fresh one", error)
        sent = await bot.send_message(chat_id, text, reply_markup=markup)
        return sent.message_id
    return message_id


async def _delete(bot: Bot, chat_id: int, message_ids: Iterable[int]) -> None:
    """Best effort: a message already deleted (or too old) is no reason to stop."""
    for message_id in message_ids:
        with contextlib.suppress(TelegramAPIError):
            await bot.delete_message(chat_id, message_id)


async def _refusal(surveys: SurveyService, survey: Survey | None, user_id: int) -> str | None:
    """Why this survey cannot be answered by this person now, as a catalog key."""
    if survey is None or survey.status is SurveyStatus.DRAFT:
        return "survey.answer.not_found"
    if not await surveys.accepts_answers(survey):
        return "survey.answer.closed"
    if await surveys.has_answered(survey.id, user_id):
        return "survey.answer.already"
    return None


async def open_survey(
    message: Message,
    link: DeepLink,
    state: FSMContext,
    surveys: SurveyService,
    survey_definitions: SurveyDefinitions,
) -> None:
    """A survey link: the intro with an honest word on anonymity, or why it cannot be answered."""
    user = message.from_user
    assert user is not None
    survey = await surveys.by_code(link.code)
    refusal = await _refusal(surveys, survey, user.id)
    if refusal is not None or survey is None:
        await message.answer(_(refusal or "survey.answer.not_found"))
        return
    attempt = _Attempt(
        survey_id=survey.id,
        code=survey.code,
        fingerprint=survey_definitions.remember(survey).fingerprint,
        message_id=0,
        draft=None,
    )
    sent = await message.answer(intro_text(survey), reply_markup=intro_keyboard())
    await state.set_state(SurveyAnswering.answering)
    await state.set_data(replace(attempt, message_id=sent.message_id).as_state())


async def _attempt_for(
    callback: CallbackQuery, data: AnswerCallback, state: FSMContext, raw_state: str | None
) -> _Attempt | None:
    """The attempt this button belongs to, or None for a button of another message, attempt,
    survey or step (an old message, a restarted survey, a double tap).

    `raw_state` is what aiogram's FSM middleware read for this update: not asked again."""
    if raw_state != SurveyAnswering.answering.state:
        return None
    attempt = _Attempt.from_state(await state.get_data())
    message = callback.message
    if (
        attempt is None
        or message is None
        or attempt.message_id != message.message_id
        or attempt.step_number != data.step
    ):
        return None
    return attempt


async def _definition(
    attempt: _Attempt, survey_definitions: SurveyDefinitions
) -> tuple[_Attempt, SurveyDefinition] | None:
    """The survey this attempt answers, as it was when the attempt began (and the attempt with
    its fingerprint, which an older state lacks); None when the survey is gone or is no longer
    that survey: the respondent is asked to start again."""
    known = await survey_definitions.get(attempt.survey_id)
    if known is None or attempt.fingerprint not in (None, known.fingerprint):
        return None
    return replace(attempt, fingerprint=known.fingerprint), known.definition


def _nth(items: Sequence[T], index: int) -> T:
    """The button's item; a forged index (negative, past the end) is refused, not wrapped."""
    if not 0 <= index < len(items):
        raise AnswerError("no such button")
    return items[index]


def _apply(definition: SurveyDefinition, draft: Draft, data: AnswerCallback) -> Draft:
    """One button press on the current step; AnswerError when it does not fit."""
    action, value = data.action, data.value
    if action is AnswerAction.ROLE:
        return flow.choose_role(definition, draft, _nth(_ROLES, value))
    if action is AnswerAction.CLASS:
        return flow.choose_class(definition, draft, _nth(definition.segments.classes, value))
    if action is AnswerAction.NO_CLASS:
        return flow.choose_class(definition, draft, None)
    if action is AnswerAction.BACK:
        return flow.back(draft)
    question = flow.current_question(definition, draft)
    if action is AnswerAction.CHOOSE:
        return flow.choose(definition, draft, _nth(question.options, value).key)
    if action is AnswerAction.TOGGLE:
        key = OTHER if value == -1 else _nth(question.options, value).key
        return flow.toggle(definition, draft, key)
    if action is AnswerAction.RATE:
        return flow.rate(definition, draft, value)
    operations = {
        AnswerAction.OTHER: flow.ask_other,
        AnswerAction.DONE: flow.finish_multiple,
        AnswerAction.SKIP: flow.skip,
        AnswerAction.KEEP: flow.keep,
    }
    if action in operations:
        return operations[action](definition, draft)
    raise AnswerError(f"{action} is not a step action")


async def _stale(callback: CallbackQuery) -> None:
    await callback.answer(_("survey.answer.stale"))


async def _end(callback: CallbackQuery, state: FSMContext, key: str) -> None:
    """A terminal message in place of the survey message; the attempt is forgotten."""
    await state.clear()
    await callback.answer()
    if isinstance(callback.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_text(_(key))


async def on_button(
    callback: CallbackQuery,
    callback_data: AnswerCallback,
    state: FSMContext,
    raw_state: str | None,
    surveys: SurveyService,
    survey_definitions: SurveyDefinitions,
    bot: Bot,
) -> None:
    """«Начать», a choice, «Готово», «Пропустить», «Назад»: the message moves to the next step."""
    attempt = await _attempt_for(callback, callback_data, state, raw_state)
    if attempt is None:
        await _stale(callback)
        return
    found = await _definition(attempt, survey_definitions)
    if found is None:
        await _end(callback, state, "survey.answer.restart")
        return
    attempt, definition = found
    if attempt.draft is None:
        if callback_data.action is not AnswerAction.START:
            await _stale(callback)
            return
        # The survey may have closed since the link was opened: better said before ten
        # questions than after. (Answered meanwhile it cannot be: that takes this attempt.)
        survey = await surveys.by_code(attempt.code)
        if survey is None or survey.status is SurveyStatus.DRAFT:
            await _end(callback, state, "survey.answer.not_found")
            return
        if not await surveys.accepts_answers(survey):
            await _end(callback, state, "survey.answer.closed")
            return
        draft = flow.start(definition)
    else:
        try:
            draft = _apply(definition, attempt.draft, callback_data)
        except NothingChosen:
            await callback.answer(_("survey.answer.pick_one"))
            return
        except AnswerError:
            await _stale(callback)
            return
    litter = attempt.litter
    attempt = replace(attempt, draft=draft, litter=())
    await state.set_data(attempt.as_state())
    await callback.answer()
    chat_id = callback.from_user.id
    text, markup = step_view(attempt, definition)
    message_id = await _show(bot, chat_id, attempt.message_id, text, markup)
    if message_id != attempt.message_id:
        await state.set_data(replace(attempt, message_id=message_id).as_state())
    if litter:
        await _delete(bot, chat_id, litter)


async def on_submit(
    callback: CallbackQuery,
    callback_data: AnswerCallback,
    state: FSMContext,
    raw_state: str | None,
    surveys: SurveyService,
    survey_definitions: SurveyDefinitions,
) -> None:
    """«Отправить»: one anonymous transaction; whatever the outcome, the attempt ends."""
    attempt = await _attempt_for(callback, callback_data, state, raw_state)
    if attempt is None or attempt.draft is None:
        await _stale(callback)
        return
    found = await _definition(attempt, survey_definitions)
    if found is None:
        await _end(callback, state, "survey.answer.restart")
        return
    try:
        answers = flow.final_answers(found[1], attempt.draft)
    except AnswerError:
        await _stale(callback)
        return
    saved = await state.get_data()
    # Cleared before anything slow, so a second tap finds nothing and cannot submit twice.
    await state.clear()
    try:
        outcome = await surveys.submit(
            attempt.survey_id, callback.from_user.id, attempt.draft.segment, answers
        )
    except Exception:
        # A failed transaction stored nothing: the answers stay, so «Отправить» can be retried.
        await state.set_state(SurveyAnswering.answering)
        await state.set_data(saved)
        raise
    await _end(callback, state, _OUTCOME_KEYS[outcome])


async def on_cancel(
    callback: CallbackQuery,
    callback_data: AnswerCallback,
    state: FSMContext,
    raw_state: str | None,
) -> None:
    """«Отменить» on the review: nothing is stored."""
    attempt = await _attempt_for(callback, callback_data, state, raw_state)
    if attempt is None:
        await _stale(callback)
        return
    await _end(callback, state, "survey.answer.cancelled")


async def on_text(
    message: Message, state: FSMContext, survey_definitions: SurveyDefinitions, bot: Bot
) -> None:
    """A typed answer (free text or «Другое»), checked against the limit; else a hint."""
    read = _Attempt.from_state(await state.get_data())
    found = None if read is None else await _definition(read, survey_definitions)
    if found is None:
        # State this version cannot read, or a survey that is gone: start again from the link.
        await state.clear()
        await message.answer(_("survey.answer.restart"))
        return
    attempt, definition = found
    draft = attempt.draft
    text = message.text or ""
    if draft is None or not flow.expects_text(definition, draft):
        await _refuse(message, state, attempt, _("survey.answer.use_buttons"))
        return
    question = flow.current_question(definition, draft)
    problem = flow.text_problem(question, text)
    if problem is flow.TextProblem.TOO_LONG:
        refusal = _("survey.answer.too_long").format(
            length=len(flow.clean_text(text)), limit=question.max_length
        )
        await _refuse(message, state, attempt, refusal)
        return
    if problem is flow.TextProblem.EMPTY:
        await _refuse(message, state, attempt, _("survey.answer.text_empty"))
        return
    litter = attempt.litter
    attempt = replace(attempt, draft=flow.give_text(definition, draft, text), litter=())
    await state.set_data(attempt.as_state())
    chat_id = message.chat.id
    await _delete(bot, chat_id, [message.message_id, *litter])
    view_text, markup = step_view(attempt, definition)
    message_id = await _show(bot, chat_id, attempt.message_id, view_text, markup)
    if message_id != attempt.message_id:
        await state.set_data(replace(attempt, message_id=message_id).as_state())


async def _refuse(message: Message, state: FSMContext, attempt: _Attempt, text: str) -> None:
    """A refusal as a reply, the respondent's message kept (they may want to copy it); both go
    away once the survey moves on."""
    reply = await message.reply(text)
    litter = (*attempt.litter, message.message_id, reply.message_id)
    await state.set_data(replace(attempt, litter=litter).as_state())


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PRIVATE)
    respondent = {"permission": Permission.RESPONDENT}
    router.message.register(
        open_survey, CommandStart(deep_link=True), StartLink(DeepLinkKind.SURVEY), flags=respondent
    )
    router.message.register(
        on_text,
        StateFilter(SurveyAnswering.answering),
        TEXT,
        NOT_A_COMMAND,
        flags=respondent,
    )
    # The buttons pressed most go first: a tap's data is read once, not once per handler.
    endings = (AnswerAction.SUBMIT, AnswerAction.CANCEL)
    router.callback_query.register(
        on_button, AnswerCallback.filter(~F.action.in_(endings)), flags=respondent
    )
    router.callback_query.register(
        on_submit, AnswerCallback.filter(F.action == AnswerAction.SUBMIT), flags=respondent
    )
    router.callback_query.register(
        on_cancel, AnswerCallback.filter(F.action == AnswerAction.CANCEL), flags=respondent
    )
    return router
