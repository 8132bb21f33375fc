"""A parent nobody introduced opens a survey link and answers it in one message edited in place."""

from __future__ import annotations

import json
from datetime import date

import pytest
from aiogram.fsm.storage.base import StorageKey

from core.deeplinks import DeepLink, DeepLinkKind
from services.access import Actor
from storage.records import Survey
from surveys.loading import builtin_template, with_classes
from surveys.model import (
    END,
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
    definition_to_json,
)
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser, SentMessage
from tests.harness import ADMIN, STRANGER

PARENT = FakeUser(7007, "Ольга", language_code="ru")
LATE = FakeUser(7008, "Игорь", language_code="ru")
STUDENT = FakeUser(7009, "Маша", language_code="ru")
ADMIN_ACTOR = Actor(ADMIN.id, None, is_admin=True)
CLOSES_ON = date(2022, 9, 30)
STALE = "Кнопка устарела"

DEFINITION = SurveyDefinition(
    title="Что вы знаете о проекте «Школа Минпросвещения России»",
    intro="Ответьте, пожалуйста, на несколько вопросов: это поможет школе.",
    audience=Audience.BOTH,
    segments=Segments(ask_role=True, classes=("5 «а»", "10 «б»")),
    questions=(
        Question(
            "heard",
            "Вы слышали о проекте?",
            QuestionKind.SINGLE,
            options=(Option("yes", "Да"), Option("no", "Нет, не слышал(а)", goto="rate")),
        ),
        Question(
            "sources",
            "Откуда вы о нём узнали?",
            QuestionKind.MULTIPLE,
            options=(
                Option("site", "Сайт школы"),
                Option("chat", "Чат класса"),
                Option("meeting", "На родительском собрании от классного руководителя"),
            ),
            other=True,
            max_length=40,
        ),
        Question(
            "rate",
            "Насколько вам интересно участвовать?",
            QuestionKind.SCALE,
            scale=Scale(1, 5, "совсем не интересно", "очень интересно"),
        ),
        Question(
            "more",
            "Ответите ещё на два вопроса?",
            QuestionKind.SINGLE,
            options=(Option("1", "Да"), Option("2", "Нет, хватит", goto=END)),
            other=True,
        ),
        Question(
            "score",
            "Оцените, как школа рассказывает о проекте",
            QuestionKind.SCALE,
            required=False,
            scale=Scale(1, 10, "плохо", "отлично"),
        ),
        Question(
            "wish",
            "Что бы вы хотели узнать о проекте?",
            QuestionKind.TEXT,
            required=False,
            max_length=30,
        ),
    ),
)
ONE_SCALE = SurveyDefinition(
    title="Короткий опрос",
    intro="",
    audience=Audience.STUDENTS,
    questions=(DEFINITION.questions[2],),
)
TEXT_ONLY = SurveyDefinition(
    title="Кружки",
    intro="",
    audience=Audience.PARENTS,
    questions=(Question("1", "Какой кружок?", QuestionKind.TEXT, max_length=100),),
)


async def _open_survey(bot: ChatBot, definition: SurveyDefinition = DEFINITION) -> Survey:
    survey = await bot.app.surveys.create(ADMIN_ACTOR, definition)
    return await bot.app.surveys.open(ADMIN_ACTOR, survey.id, CLOSES_ON)


def _link(survey: Survey) -> str:
    return "/start " + DeepLink(DeepLinkKind.SURVEY, survey.code).payload()


async def _step(bot: ChatBot, user: FakeUser, message: SentMessage, label: str) -> str:
    """Presses a button and returns the edited message's text."""
    answered = await bot.press_label(user, message, label)
    assert "text" not in answered, answered
    await bot.api.wait_edit(message)
    return message.plain_text or ""


async def _type(bot: ChatBot, user: FakeUser, message: SentMessage, text: str) -> int:
    """Types an answer the question message takes in place; the typed message's id."""
    update = await bot.send(user, text)
    await bot.api.wait_edit(message)
    return int(update["message"]["message_id"])


def _labels(message: SentMessage) -> list[list[str]]:
    return [[text for text, _ in row] for row in message.buttons()]


def _deleted(bot: ChatBot) -> set[int]:
    return {int(call.params["message_id"]) for call in bot.api.calls_to("deleteMessage")}


async def _responses(bot: ChatBot, survey: Survey) -> list[Response]:
    _, responses = await bot.app.surveys.responses_for(ADMIN_ACTOR, survey.id)
    return responses


async def _at_first_question(bot: ChatBot) -> tuple[Survey, SentMessage]:
    """PARENT opens the survey, says they are a parent of 10 «б»: question 1 of 6 is shown."""
    survey = await _open_survey(bot)
    message = await bot.ask(PARENT, _link(survey))
    await _step(bot, PARENT, message, "Начать")
    await _step(bot, PARENT, message, "Родитель")
    await _step(bot, PARENT, message, "10 «б»")
    return survey, message


async def _at_review(bot: ChatBot) -> tuple[Survey, SentMessage]:
    """Every kind of answer given (the question message deleted before the last one): the
    review, which then arrives as a fresh message."""
    survey, message = await _at_first_question(bot)
    await _step(bot, PARENT, message, "Да")
    await _step(bot, PARENT, message, "1")
    await _step(bot, PARENT, message, "Другое")
    await _type(bot, PARENT, message, "Из газеты")
    await _step(bot, PARENT, message, "Готово")
    await _step(bot, PARENT, message, "4")
    await _step(bot, PARENT, message, "Другое")
    await _type(bot, PARENT, message, "  Пожалуй, да  ")
    await _step(bot, PARENT, message, "Пропустить")
    message.deleted = True  # by the user
    await bot.send(PARENT, "Расписание мероприятий")
    return survey, await bot.api.next_message(PARENT.id)


async def test_the_intro_tells_honestly_what_the_school_can_see(bot: ChatBot) -> None:
    survey = await _open_survey(bot)
    intro = await bot.ask(PARENT, _link(survey))
    text = intro.plain_text or ""
    assert text.startswith("Что вы знаете о проекте «Школа Минпросвещения России»")
    assert "Опрос анонимный" in text and "меньше 5 человек скрыты" in text
    assert "кто что ответил, нельзя" in text
    assert "пока вы не нажмёте «Отправить»" in text
    assert "Вопросов: 6, это займёт около 2 мин." in text
    assert "до 30.09.2022 включительно" in text


async def test_a_restart_makes_the_first_intros_button_stale(bot: ChatBot) -> None:
    survey = await _open_survey(bot)
    first = await bot.ask(PARENT, _link(survey))
    await bot.ask(PARENT, _link(survey))
    assert (await bot.press_label(PARENT, first, "Начать")).get("text") == STALE


async def test_the_respondent_says_who_they_are_first(bot: ChatBot) -> None:
    survey = await _open_survey(bot)
    message = await bot.ask(PARENT, _link(survey))
    assert await _step(bot, PARENT, message, "Начать") == "Вы родитель или обучающийся?"
    assert _labels(message) == [["Родитель", "Обучающийся"]]  # the first step: no «Назад»
    text = await _step(bot, PARENT, message, "Родитель")
    assert text.startswith("В каком классе учится ваш ребёнок?")
    assert _labels(message) == [["5 «а»", "10 «б»"], ["Не хочу указывать"], ["◀ Назад"]]


async def test_text_where_a_button_is_expected_gets_a_hint_swept_away_later(
    bot: ChatBot,
) -> None:
    survey = await _open_survey(bot)
    message = await bot.ask(PARENT, _link(survey))
    await _step(bot, PARENT, message, "Начать")
    await _step(bot, PARENT, message, "Родитель")
    update = await bot.send(PARENT, "10б")
    hint = await bot.api.next_message(PARENT.id)
    assert "ответьте кнопками" in (hint.plain_text or "")
    assert hint.reply_to_message_id == update["message"]["message_id"]
    assert not hint.deleted  # nothing moves yet

    text = await _step(bot, PARENT, message, "10 «б»")
    assert text.startswith("1 / 6\nВы слышали о проекте?")
    # Once the survey moves on, the hint and the text it answered are swept away.
    assert hint.deleted
    assert _deleted(bot) == {hint.message_id, update["message"]["message_id"]}


async def test_skip_logic_counts_what_is_left_and_back_returns_with_the_choice(
    bot: ChatBot,
) -> None:
    _, message = await _at_first_question(bot)
    # "Нет" jumps over "sources"; progress counts what is left.
    text = await _step(bot, PARENT, message, "Нет, не слышал(а)")
    assert text.startswith("2 / 5\nНасколько вам интересно участвовать?")
    # Back goes to the question actually answered before, with the choice ticked.
    back = message.button("Назад")
    text = await _step(bot, PARENT, message, "Назад")
    assert text.startswith("1 / 6")
    # A double tap on «Назад» does not go back twice: the second tap belongs to the last step.
    assert (await bot.press(PARENT, message, back)).get("text") == STALE
    assert _labels(message)[:2] == [["Да"], ["✓ Нет, не слышал(а)"]]


async def test_long_options_are_numbered_and_done_needs_a_tick(bot: ChatBot) -> None:
    _, message = await _at_first_question(bot)
    text = await _step(bot, PARENT, message, "Да")
    assert text.startswith("2 / 6\nОткуда вы о нём узнали?")
    assert "можно выбрать несколько" in text.lower()
    # A label too long for a button is numbered in the text, and the buttons carry numbers.
    assert "3. На родительском собрании от классного руководителя" in text
    assert _labels(message)[0] == ["1", "2", "3"]
    # «Готово» with nothing ticked is refused with a short note.
    answered = await bot.press_label(PARENT, message, "Готово")
    assert answered["text"] == "Отметьте хотя бы один вариант"
    await _step(bot, PARENT, message, "1")
    assert _labels(message)[0] == ["✓ 1", "2", "3"]


async def test_other_takes_typed_text_within_its_limit(bot: ChatBot) -> None:
    _, message = await _at_first_question(bot)
    await _step(bot, PARENT, message, "Да")
    text = await _step(bot, PARENT, message, "Другое")
    assert "Напишите свой вариант сообщением. Максимум символов: 40." in text
    assert _labels(message) == [["◀ К вариантам"]]

    # Over the limit: refused politely with both numbers, the text kept to copy.
    too_long = "Из газеты «Вечерний Владивосток» и от соседей"
    typed = await bot.send(PARENT, too_long)
    refusal = await bot.api.next_message(PARENT.id)
    assert f"Символов в нём: {len(too_long)}, а можно не больше 40" in (refusal.plain_text or "")
    assert refusal.reply_to_message_id == typed["message"]["message_id"]
    assert message.plain_text == text  # still on the same question
    assert not refusal.deleted

    accepted = await _type(bot, PARENT, message, "Из газеты")
    assert _labels(message)[1] == ["✓ Другое: Из газеты"]
    # The accepted answer, the long text and the refusal are swept away.
    assert refusal.deleted
    assert _deleted(bot) == {accepted, typed["message"]["message_id"], refusal.message_id}


async def test_a_scale_shows_its_ends_and_its_numbers(bot: ChatBot) -> None:
    _, message = await _at_first_question(bot)
    await _step(bot, PARENT, message, "Нет, не слышал(а)")
    text = message.plain_text or ""
    assert "1 — совсем не интересно" in text and "5 — очень интересно" in text
    assert _labels(message) == [["1", "2", "3", "4", "5"], ["◀ Назад"]]
    text = await _step(bot, PARENT, message, "4")
    assert text.startswith("3 / 5\nОтветите ещё на два вопроса?")


async def test_other_on_a_single_choice_moves_on_with_the_typed_text(bot: ChatBot) -> None:
    _, message = await _at_first_question(bot)
    await _step(bot, PARENT, message, "Нет, не слышал(а)")
    await _step(bot, PARENT, message, "4")
    await _step(bot, PARENT, message, "Другое")
    await _type(bot, PARENT, message, "  Пожалуй, да  ")
    text = message.plain_text or ""
    assert text.startswith("4 / 5\nОцените, как школа рассказывает о проекте")
    assert _labels(message) == [
        ["1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
        ["◀ Назад", "Пропустить"],
    ]


async def test_an_optional_question_can_be_skipped(bot: ChatBot) -> None:
    _, message = await _at_first_question(bot)
    await _step(bot, PARENT, message, "Нет, не слышал(а)")
    await _step(bot, PARENT, message, "4")
    await _step(bot, PARENT, message, "Да")
    text = await _step(bot, PARENT, message, "Пропустить")
    assert text.startswith("5 / 5\nЧто бы вы хотели узнать о проекте?")
    assert "Максимум символов: 30" in text


def _heading(message: SentMessage) -> str:
    """The progress and the question: "3 / 6\nНасколько ...?"."""
    return "\n".join((message.plain_text or "").split("\n")[:2])


async def test_the_way_through_every_kind_of_question_is_counted(bot: ChatBot) -> None:
    _, message = await _at_first_question(bot)
    shown = [_heading(message)]
    for label in ("Да", "1"):
        await _step(bot, PARENT, message, label)
    await _step(bot, PARENT, message, "Другое")
    await _type(bot, PARENT, message, "Из газеты")
    for label in ("Готово", "4"):
        await _step(bot, PARENT, message, label)
        shown.append(_heading(message))
    await _step(bot, PARENT, message, "Другое")
    await _type(bot, PARENT, message, "  Пожалуй, да  ")
    shown.append(_heading(message))
    await _step(bot, PARENT, message, "Пропустить")
    shown.append(_heading(message))
    assert shown == [
        "1 / 6\nВы слышали о проекте?",
        "3 / 6\nНасколько вам интересно участвовать?",
        "4 / 6\nОтветите ещё на два вопроса?",
        "5 / 6\nОцените, как школа рассказывает о проекте",
        "6 / 6\nЧто бы вы хотели узнать о проекте?",
    ]


async def test_a_deleted_question_message_gives_way_to_a_fresh_one(bot: ChatBot) -> None:
    _, review = await _at_review(bot)
    assert (review.plain_text or "").startswith("Проверьте, пожалуйста, ответы")
    assert not review.deleted and review.edits == 0


async def test_the_review_shows_every_answer(bot: ChatBot) -> None:
    _, review = await _at_review(bot)
    text = review.plain_text or ""
    assert "Вы: родитель\nКласс: 10 «б»" in text
    assert "1. Вы слышали о проекте?\nДа" in text
    assert "2. Откуда вы о нём узнали?\nСайт школы; Другое: Из газеты" in text
    assert "3. Насколько вам интересно участвовать?\n4 из 5" in text
    assert "4. Ответите ещё на два вопроса?\nДругое: Пожалуй, да" in text
    assert "5. Оцените, как школа рассказывает о проекте\n— пропущено" in text
    assert "6. Что бы вы хотели узнать о проекте?\n«Расписание мероприятий»" in text
    assert _labels(review) == [["✅ Отправить"], ["◀ Назад", "Отменить"]]


async def test_back_from_the_review_keeps_the_typed_answer(bot: ChatBot) -> None:
    survey, review = await _at_review(bot)
    text = await _step(bot, PARENT, review, "Назад")
    assert "Ваш ответ: «Расписание мероприятий»" in text
    assert _labels(review) == [["◀ Назад", "Пропустить", "Дальше ▶"]]
    text = await _step(bot, PARENT, review, "Дальше")
    assert text.startswith("Проверьте, пожалуйста, ответы")
    assert "«Расписание мероприятий»" in text
    assert await _responses(bot, survey) == []  # nothing stored before «Отправить»


async def test_send_stores_one_response_with_the_segment_and_no_time(bot: ChatBot) -> None:
    survey, review = await _at_review(bot)
    assert await _responses(bot, survey) == []
    text = await _step(bot, PARENT, review, "Отправить")
    assert text.startswith("Спасибо! Ваши ответы отправлены.")
    assert review.buttons() == []
    (response,) = await _responses(bot, survey)
    assert response.segment == Segment(RespondentRole.PARENT, "10 «б»")
    assert dict(response.answers) == {
        "heard": Answer(("yes",)),
        "sources": Answer(("site", OTHER), text="Из газеты"),
        "rate": Answer(number=4),
        "more": Answer((OTHER,), text="Пожалуй, да"),
        "wish": Answer(text="Расписание мероприятий"),
    }


async def test_after_sending_old_buttons_are_stale_and_the_link_says_thanks(
    bot: ChatBot,
) -> None:
    survey, review = await _at_review(bot)
    send = review.button("Отправить")
    buttons = [data for row in review.buttons() for _, data in row if data and data != send]
    await _step(bot, PARENT, review, "Отправить")
    # The attempt is over: every button it showed is stale; «Отправить» again says that the
    # answers went, unless no «Спасибо!» was seen.
    for data in buttons:
        assert (await bot.press(PARENT, review, data)).get("text") == STALE
    assert "«Спасибо!»" in (await bot.press(PARENT, review, send))["text"]
    again = await bot.ask(PARENT, _link(survey))
    assert again.plain_text == "Вы уже ответили на этот опрос — спасибо!"
    assert len(await _responses(bot, survey)) == 1


async def test_an_unknown_survey_is_not_found_and_says_whom_to_ask(bot: ChatBot) -> None:
    missing = await bot.ask(STRANGER, "/start s_AAAAAAAAAA")
    assert "Опрос не найден" in (missing.plain_text or "")
    assert "попросите, пожалуйста, новую" in (missing.plain_text or "")


async def test_a_draft_survey_is_not_found(bot: ChatBot) -> None:
    draft = await bot.app.surveys.create(ADMIN_ACTOR, DEFINITION)
    assert "Опрос не найден" in ((await bot.ask(STRANGER, _link(draft))).plain_text or "")


async def test_without_segments_start_leads_to_the_only_question(bot: ChatBot) -> None:
    plain = await _open_survey(bot, ONE_SCALE)
    message = await bot.ask(STUDENT, _link(plain))
    assert "около 1 мин." in (message.plain_text or "")
    assert (await _step(bot, STUDENT, message, "Начать")).startswith("1 / 1\n")
    assert "Назад" not in str(message.buttons())


async def test_a_double_tap_changes_nothing(bot: ChatBot) -> None:
    plain = await _open_survey(bot, ONE_SCALE)
    message = await bot.ask(STUDENT, _link(plain))
    await _step(bot, STUDENT, message, "Начать")
    first_step = message.button("3")
    await _step(bot, STUDENT, message, "3")
    # The same button again, one step later.
    assert (await bot.press(STUDENT, message, first_step)).get("text") == STALE
    assert message.edits == message.seen_edits


async def test_cancel_stores_nothing_and_ends_the_answering(bot: ChatBot) -> None:
    plain = await _open_survey(bot, ONE_SCALE)
    message = await bot.ask(STUDENT, _link(plain))
    await _step(bot, STUDENT, message, "Начать")
    await _step(bot, STUDENT, message, "3")
    text = await _step(bot, STUDENT, message, "Отменить")
    assert text.startswith("Ответы не сохранены")
    assert await _responses(bot, plain) == []
    # After cancelling, typing is not taken as an answer any more.
    after = await bot.ask(STUDENT, "ещё что-то")
    assert "Ответы не сохранены" not in (after.plain_text or "")


async def test_a_button_of_another_surveys_message_is_stale(bot: ChatBot) -> None:
    survey = await _open_survey(bot)
    plain = await _open_survey(bot, ONE_SCALE)
    first = await bot.ask(STRANGER, _link(survey))
    await bot.ask(STRANGER, _link(plain))
    assert (await bot.press_label(STRANGER, first, "Начать")).get("text") == STALE


async def test_a_survey_closed_while_answering_takes_no_answer(bot: ChatBot) -> None:
    plain = await _open_survey(bot, ONE_SCALE)
    message = await bot.ask(STRANGER, _link(plain))
    await _step(bot, STRANGER, message, "Начать")
    await _step(bot, STRANGER, message, "5")
    await bot.app.surveys.close(ADMIN_ACTOR, plain.id)
    text = await _step(bot, STRANGER, message, "Отправить")
    assert text.startswith("Этот опрос уже завершён")
    assert await _responses(bot, plain) == []
    closed = await bot.ask(LATE, _link(plain))
    assert (closed.plain_text or "").startswith("Этот опрос уже завершён")


async def test_a_survey_past_its_closing_date_is_closed(bot: ChatBot) -> None:
    survey = await _open_survey(bot)
    intro = await bot.ask(PARENT, _link(survey))
    bot.clock.set(bot.clock.now().replace(year=2022, month=10, day=2))
    text = await _step(bot, PARENT, intro, "Начать")
    assert text.startswith("Этот опрос уже завершён")
    assert (await bot.ask(LATE, _link(survey))).plain_text == (
        "Этот опрос уже завершён, ответы больше не принимаются. Спасибо, что хотели поучаствовать!"
    )


async def test_a_student_answers_the_builtin_awareness_template(bot: ChatBot) -> None:
    template = builtin_template("awareness")
    assert template is not None
    survey = await _open_survey(bot, with_classes(template.definition, ("9 «а»", "9 «б»")))
    message = await bot.ask(STUDENT, _link(survey))
    await _step(bot, STUDENT, message, "Начать")
    await _step(bot, STUDENT, message, "Обучающийся")
    assert (await _step(bot, STUDENT, message, "9 «б»")).startswith("1 / 10\n")
    text = await _step(bot, STUDENT, message, "Нет, не слышал")
    assert text.startswith("2 / 8\n")  # the two questions about the project skipped
    shown = ["2 / 8"]
    while "Отправить" not in str(message.buttons()):
        text = message.plain_text or ""
        if "Максимум символов" in text:
            await _type(bot, STUDENT, message, "Больше встреч с вузами")
            continue
        first = message.buttons()[0][0][0]
        if "Готово" in str(message.buttons()):
            await _step(bot, STUDENT, message, first)
            first = "Готово"
        text = await _step(bot, STUDENT, message, first)
        shown.append(text.split("\n", 1)[0])
    assert shown == [f"{number} / 8" for number in range(2, 9)]
    assert "Вы: обучающийся\nКласс: 9 «б»" in (message.plain_text or "")
    assert (await _step(bot, STUDENT, message, "Отправить")).startswith("Спасибо!")
    (response,) = await _responses(bot, survey)
    assert response.segment == Segment(RespondentRole.STUDENT, "9 «б»")
    assert sorted(response.answers, key=int) == ["1", "4", "5", "6", "7", "8", "9", "10"]
    assert response.answers["10"] == Answer(text="Больше встреч с вузами")


def _key(bot: ChatBot, user: FakeUser) -> StorageKey:
    return StorageKey(bot_id=bot.app.bot.id, chat_id=user.id, user_id=user.id)


async def _at_class_question(bot: ChatBot) -> tuple[Survey, SentMessage]:
    survey = await _open_survey(bot)
    message = await bot.ask(PARENT, _link(survey))
    await _step(bot, PARENT, message, "Начать")
    await _step(bot, PARENT, message, "Родитель")
    return survey, message


async def test_the_state_holds_answers_not_the_survey(bot: ChatBot) -> None:
    survey, _ = await _at_class_question(bot)
    state = await bot.app.dispatcher.storage.get_data(_key(bot, PARENT))
    assert "definition" not in state and state["survey_id"] == survey.id
    assert len(json.dumps(state)) < 400


async def test_a_state_of_the_version_that_kept_the_definition_goes_on(bot: ChatBot) -> None:
    _, message = await _at_class_question(bot)
    storage = bot.app.dispatcher.storage
    state = await storage.get_data(_key(bot, PARENT))
    # A half-answered survey written by the version that kept the whole definition in state
    # (the shape Redis may still hold during an upgrade) goes on where it was.
    old = {key: value for key, value in state.items() if key != "fingerprint"}
    old["definition"] = definition_to_json(DEFINITION)
    await storage.set_data(_key(bot, PARENT), old)
    text = await _step(bot, PARENT, message, "5 «а»")
    assert text.startswith("1 / 6\nВы слышали о проекте?")
    upgraded = await storage.get_data(_key(bot, PARENT))
    assert "definition" not in upgraded and upgraded["fingerprint"] == state["fingerprint"]


async def test_a_state_begun_with_another_version_of_the_survey_starts_again(
    bot: ChatBot,
) -> None:
    survey, message = await _at_class_question(bot)
    await _step(bot, PARENT, message, "5 «а»")
    storage = bot.app.dispatcher.storage
    await storage.update_data(_key(bot, PARENT), {"fingerprint": "0" * 16})
    answered = await bot.press_label(PARENT, message, "Да")
    assert "text" not in answered
    await bot.api.wait_edit(message)
    assert "нужно начать заново" in (message.plain_text or "")
    assert await storage.get_state(_key(bot, PARENT)) is None
    assert await _responses(bot, survey) == []


async def test_a_typed_answer_to_an_unreadable_state_asks_to_start_again(bot: ChatBot) -> None:
    survey = await _open_survey(bot, TEXT_ONLY)
    message = await bot.ask(PARENT, _link(survey))
    await _step(bot, PARENT, message, "Начать")
    await bot.app.dispatcher.storage.set_data(_key(bot, PARENT), {"survey_id": "?"})
    reply = await bot.ask(PARENT, "Робототехника")
    assert "нужно начать заново" in (reply.plain_text or "")
    assert await bot.app.dispatcher.storage.get_state(_key(bot, PARENT)) is None


async def test_a_failed_submit_keeps_the_answers_for_another_press(
    bot: ChatBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = await _open_survey(bot, ONE_SCALE)
    message = await bot.ask(STRANGER, _link(survey))
    await _step(bot, STRANGER, message, "Начать")
    await _step(bot, STRANGER, message, "4")
    submit = bot.app.surveys.submit
    calls = 0

    async def fails_once(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the database went away")
        return await submit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.app.surveys, "submit", fails_once)
    apology = await bot.press_label(STRANGER, message, "Отправить")
    assert apology["show_alert"] is True and "Ничего не потеряно" in apology["text"]
    assert await _responses(bot, survey) == []
    # The review is still there, and the same button now stores the answer once.
    assert (await _step(bot, STRANGER, message, "Отправить")).startswith("Спасибо")
    responses = await _responses(bot, survey)
    assert [response.answers["rate"].number for response in responses] == [4]


async def test_a_send_after_a_restart_says_the_answers_did_not_arrive(bot: ChatBot) -> None:
    survey, review = await _at_review(bot)
    # The bot restarted with its memory: the answers in hand are gone.
    storage = bot.app.dispatcher.storage
    await storage.set_state(_key(bot, PARENT), None)
    await storage.set_data(_key(bot, PARENT), {})
    answer = await bot.press_label(PARENT, review, "Отправить")
    assert answer["show_alert"] and "не дошли" in answer["text"]
    assert "откройте ссылку на опрос ещё раз" in answer["text"]
    assert await _responses(bot, survey) == []


async def test_an_exclusive_option_of_the_template_clears_the_other_ticks(bot: ChatBot) -> None:
    """«Пока почти ничего» (question 3 of the autumn template) rules the others out."""
    template = builtin_template("awareness")
    assert template is not None
    survey = await _open_survey(bot, template.definition)
    message = await bot.ask(PARENT, _link(survey))
    await _step(bot, PARENT, message, "Начать")
    await _step(bot, PARENT, message, "Родитель")
    await _step(bot, PARENT, message, "Да, хорошо знаю")
    await _step(bot, PARENT, message, "1")
    assert (await _step(bot, PARENT, message, "Готово")).startswith("3 / 10\n")
    # Long labels: the buttons carry numbers; 5 is «Пока почти ничего».
    await _step(bot, PARENT, message, "1")
    await _step(bot, PARENT, message, "3")
    assert _labels(message)[0][:3] == ["✓ 1", "2", "✓ 3"]
    await _step(bot, PARENT, message, "5")
    assert _labels(message)[0][:3] == ["1", "2", "3"] and "✓ 5" in str(_labels(message))
    await _step(bot, PARENT, message, "2")
    assert "✓ 2" in str(_labels(message)) and "✓ 5" not in str(_labels(message))
    await _step(bot, PARENT, message, "5")
    assert (await _step(bot, PARENT, message, "Готово")).startswith("4 / 10\n")
    await bot.press_label(PARENT, message, "Назад")
    assert "✓ 5" in str(_labels(message)) and "✓ 2" not in str(_labels(message))
