"""/surveys: create, open, distribute, extend, close, and post in a group."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

import surveys
from core.models import Role
from core.qr import qr_png
from handlers.callbacks import (
    SurveyAction,
    SurveyCallback,
    SurveyClosingCallback,
    SurveyPostCallback,
    SurveyTemplateCallback,
)
from services.access import Actor, resolve_actor
from services.surveys import SurveyService
from storage.records import Survey
from storage.schema import surveys as surveys_table
from surveys.loading import Template, builtin_template
from surveys.model import Answer, Segment, SurveyStatus
from tests.chat.conftest import ChatBot
from tests.fakebot import FakeUser, SentMessage
from tests.harness import ADMIN, COORDINATOR, EXECUTOR, STRANGER, add_person

SAMPLES = Path(surveys.__file__).resolve().parent / "samples"
OTHER_SCHOOL = "МБОУ «СОШ №5»"
SIBLING = FakeUser(4005, "Ольга", language_code="ru")
# Second coordinator of the same school: may manage the survey, but not pick from another's picker.
COLLEAGUE = FakeUser(4006, "Светлана", language_code="ru")
GROUP = -100200300
BOT_LINK = "https://t.me/roadmap_test_bot?start=s_"
REFUSAL = "недоступно"

BAD_YAML = """\
title: Опрос о кружках
intro: Расскажите, пожалуйста, о кружках.
audience: parents
questions:
  - text: Ходит ли ваш ребёнок в кружок?
    kind: single
    options: [Да, Нет]
  - text: Что нравится?
    kind: text
    requried: true
"""


def _service(bot: ChatBot) -> SurveyService:
    service = bot.app.dispatcher["surveys"]
    assert isinstance(service, SurveyService)
    return service


def _template() -> Template:
    template = builtin_template("awareness")
    assert template is not None
    return template


def _labels(message: SentMessage) -> list[str]:
    return [text for row in message.buttons() for text, _ in row]


async def _survey_count(bot: ChatBot) -> int:
    async with bot.app.database.engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(surveys_table))
    return int(count or 0)


async def _press_label(
    bot: ChatBot, user: FakeUser, message: SentMessage, label: str
) -> SentMessage:
    """Press a button whose answer edits the same message; return the edited message."""
    await bot.press_label(user, message, label)
    return await bot.api.wait_edit(message)


async def _actor(bot: ChatBot, user: FakeUser) -> Actor:
    return await resolve_actor(bot.app.database, bot.app.settings.admin_ids, user.id)


async def _open_survey(bot: ChatBot, user: FakeUser, closes_on: date) -> Survey:
    """A survey from the awareness template, opened through the service (not under test here)."""
    actor = await _actor(bot, user)
    survey = await _service(bot).create(actor, _template().definition)
    return await _service(bot).open(actor, survey.id, closes_on)


async def _answer(bot: ChatBot, survey: Survey, user_id: int) -> None:
    """One response through the service: the answering flow has its own tests."""
    first = survey.definition.questions[0]
    answer = (
        Answer(choices=(first.options[0].key,))
        if first.options
        else Answer(number=3)
        if first.scale
        else Answer(text="Хорошо")
    )
    outcome = await _service(bot).submit(survey.id, user_id, Segment(), {first.id: answer})
    assert outcome.value == "accepted"


async def _chooser(bot: ChatBot) -> SentMessage:
    """COORDINATOR: /surveys → «Новый опрос»."""
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    listing = await bot.ask(COORDINATOR, "/surveys")
    return await _press_label(bot, COORDINATOR, listing, "Новый опрос")


async def _draft(bot: ChatBot) -> SentMessage:
    """The awareness template for 5 «а», 5 «б» and 10 «а», made in the chat: its card."""
    chooser = await _chooser(bot)
    await _press_label(bot, COORDINATOR, chooser, _template().title[:20])
    return await bot.ask(COORDINATOR, "5а, 5 б, 10 «а»")


async def _opened(bot: ChatBot) -> tuple[SentMessage, Survey]:
    """The draft opened until 30.09.2022 by a typed date: the card, and the survey."""
    card = await _draft(bot)
    await _press_label(bot, COORDINATOR, card, "Открыть")
    opened = await bot.ask(COORDINATOR, "30.09.2022")
    survey = (await _service(bot).list_for(await _actor(bot, COORDINATOR)))[0].survey
    return opened, survey


async def test_surveys_says_when_there_are_none(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    listing = await bot.ask(COORDINATOR, "/surveys")
    assert "Опросов пока нет" in (listing.plain_text or "")


async def test_a_new_survey_comes_from_a_template_or_a_file(bot: ChatBot) -> None:
    chooser = await _chooser(bot)
    assert _template().title in (chooser.plain_text or "")
    assert any("Из файла" in label for label in _labels(chooser))


async def test_a_template_asks_for_the_classes_before_storing_anything(bot: ChatBot) -> None:
    chooser = await _chooser(bot)
    question = await _press_label(bot, COORDINATOR, chooser, _template().title[:20])
    assert "Перечислите классы" in (question.plain_text or "")
    assert await _survey_count(bot) == 0
    refused = await bot.ask(COORDINATOR, "абв, 25 я")
    text = refused.plain_text or ""
    assert "абв" in text or "25" in text
    assert "ещё раз" in text
    assert await _survey_count(bot) == 0


async def test_the_class_list_makes_a_draft_card(bot: ChatBot) -> None:
    card = await _draft(bot)
    text = card.plain_text or ""
    assert "черновик" in text
    assert "Классы: 5 «а», 5 «б», 10 «а»" in text
    assert f"Вопросов: {len(_template().definition.questions)}" in text
    assert "Ответов: 0" in text
    labels = _labels(card)
    assert any("Открыть" in label for label in labels)
    assert not any("Результаты" in label or "Ссылка" in label for label in labels)
    assert await _survey_count(bot) == 1


async def test_opening_asks_until_when_with_quick_dates(bot: ChatBot) -> None:
    card = await _draft(bot)
    date_question = await _press_label(bot, COORDINATOR, card, "Открыть")
    assert "До какого дня" in (date_question.plain_text or "")
    # Counted from 20.09.2022, the test clock.
    quick = _labels(date_question)
    assert any("27.09.2022" in text for text in quick)
    assert any("04.10.2022" in text for text in quick)
    assert any("20.10.2022" in text for text in quick)
    past = await bot.ask(COORDINATOR, "01.09.2022")
    assert "20.09.2022" in (past.plain_text or "")  # the service's refusal names today
    nowhere = await bot.ask(COORDINATOR, "в никуда")
    assert (nowhere.plain_text or "").startswith("Не понял дату")


async def test_a_typed_date_opens_the_survey(bot: ChatBot) -> None:
    card = await _draft(bot)
    date_question = await _press_label(bot, COORDINATOR, card, "Открыть")
    opened = await bot.ask(COORDINATOR, "30.09.2022")
    assert "идёт сбор ответов" in (opened.plain_text or "")
    assert "до 30.09.2022 включительно" in (opened.plain_text or "")
    assert date_question.buttons() == []  # the question's quick dates are gone
    survey = (await _service(bot).list_for(await _actor(bot, COORDINATOR)))[0].survey
    assert survey.status is SurveyStatus.OPEN
    assert survey.closes_on == date(2022, 9, 30)


async def test_link_and_qr_carry_the_same_link(bot: ChatBot) -> None:
    opened, survey = await _opened(bot)
    link = BOT_LINK + survey.code
    await bot.press_label(COORDINATOR, opened, "Ссылка и QR")
    text, photo = await bot.api.wait_for_messages(COORDINATOR.id, 2)
    assert link in (text.plain_text or "")
    assert photo.kind == "photo"
    assert photo.content == qr_png(link)
    assert link in (photo.plain_text or "")
    assert _template().title in (photo.plain_text or "")


async def test_the_ready_post_has_a_button_and_a_hint_about_groups(bot: ChatBot) -> None:
    opened, survey = await _opened(bot)
    await bot.press_label(COORDINATOR, opened, "Готовый пост")
    post, hint = await bot.api.wait_for_messages(COORDINATOR.id, 2)
    text = post.plain_text or ""
    assert text.startswith("Уважаемые родители и ребята!")
    assert "анонимно" in text
    assert "мин." in text
    assert "до 30.09.2022" in text
    assert post.button("Пройти опрос") == BOT_LINK + survey.code
    assert "/survey" in (hint.plain_text or "")


async def test_refresh_shows_the_live_count_in_the_same_card(bot: ChatBot) -> None:
    opened, survey = await _opened(bot)
    await _answer(bot, survey, 777001)
    refreshed = await _press_label(bot, COORDINATOR, opened, "Обновить")
    assert "Ответов: 1" in (refreshed.plain_text or "")
    edits = opened.edits
    answer = await bot.press_label(COORDINATOR, opened, "Обновить")
    assert "обновлено" in answer.get("text", "")  # nothing changed: no edit, still answered
    assert opened.edits == edits


async def test_extend_counts_from_the_current_closing_date(bot: ChatBot) -> None:
    opened, _ = await _opened(bot)
    extend = await _press_label(bot, COORDINATOR, opened, "Продлить")
    assert "30.09.2022" in (extend.plain_text or "")
    extended = await _press_label(bot, COORDINATOR, extend, "Ещё неделя")
    assert "Срок продлён" in (extended.plain_text or "")
    assert "до 07.10.2022 включительно" in (extended.plain_text or "")


async def test_close_asks_first_and_no_keeps_it_open(bot: ChatBot) -> None:
    opened, survey = await _opened(bot)
    confirm = await _press_label(bot, COORDINATOR, opened, "Закрыть")
    assert "Закрыть опрос" in (confirm.plain_text or "")
    kept = await _press_label(bot, COORDINATOR, confirm, "Нет")
    assert "идёт сбор ответов" in (kept.plain_text or "")
    current = await _service(bot).get_for_manager(await _actor(bot, COORDINATOR), survey.id)
    assert current.survey.status is SurveyStatus.OPEN


async def _closed(bot: ChatBot) -> SentMessage:
    """Opened, answered once, and closed with «Закрыть» → «Да, закрыть»: the card."""
    opened, survey = await _opened(bot)
    await _answer(bot, survey, 777001)
    confirm = await _press_label(bot, COORDINATOR, opened, "Закрыть")
    return await _press_label(bot, COORDINATOR, confirm, "Да, закрыть")


async def test_a_closed_card_offers_the_results_only(bot: ChatBot) -> None:
    closed = await _closed(bot)
    assert "завершён" in (closed.plain_text or "")
    assert "Закрыт: 20.09.2022" in (closed.plain_text or "")
    labels = _labels(closed)
    assert any("Результаты" in label for label in labels)
    assert not any(word in label for label in labels for word in ("Ссылка", "Закрыть", "Открыть"))


async def test_the_list_shows_the_status_the_responses_and_the_closing_day(bot: ChatBot) -> None:
    await _closed(bot)
    listing = await bot.ask(COORDINATOR, "/surveys")
    assert _template().title in (listing.plain_text or "")
    assert "завершён · ответов: 1 · закрыт 20.09.2022" in (listing.plain_text or "")


async def test_from_a_file_sends_the_howto_and_both_samples(bot: ChatBot) -> None:
    chooser = await _chooser(bot)
    await bot.press_label(COORDINATOR, chooser, "Из файла")
    howto, *samples = await bot.api.wait_for_messages(COORDINATOR.id, 3)
    assert "образц" in (howto.plain_text or "")
    assert all(sample.kind == "document" for sample in samples)
    sent = {Path(sample.file_name or "").suffix: sample.content for sample in samples}
    assert sent == {
        ".yaml": (SAMPLES / "survey.yaml").read_bytes(),
        ".xlsx": (SAMPLES / "survey.xlsx").read_bytes(),
    }


async def _waiting_for_a_file(bot: ChatBot) -> None:
    chooser = await _chooser(bot)
    await bot.press_label(COORDINATOR, chooser, "Из файла")
    await bot.api.wait_for_messages(COORDINATOR.id, 3)


async def test_waiting_for_the_file_text_and_other_files_get_a_hint(bot: ChatBot) -> None:
    await _waiting_for_a_file(bot)
    hint = await bot.ask(COORDINATOR, "а можно без файла?")
    assert "Жду файл" in (hint.plain_text or "")
    other = await bot.upload(COORDINATOR, "plan.docx", b"PK\x03\x04 not a survey")
    assert ".xlsx, .yaml или .yml" in (other.plain_text or "")


async def test_a_bad_yaml_names_its_line_and_stores_nothing(bot: ChatBot) -> None:
    await _waiting_for_a_file(bot)
    bad = await bot.upload(COORDINATOR, "opros.yaml", BAD_YAML.encode())
    assert "10" in (bad.plain_text or "")  # the line of the typo «requried»
    assert "Опрос не создан" in (bad.plain_text or "")
    assert await _survey_count(bot) == 0


async def test_the_xlsx_sample_becomes_a_draft(bot: ChatBot) -> None:
    await _waiting_for_a_file(bot)
    # The sample lists its classes itself: nothing more to ask.
    card = await bot.upload(COORDINATOR, "survey.xlsx", (SAMPLES / "survey.xlsx").read_bytes())
    assert "черновик" in (card.plain_text or "")
    assert await _survey_count(bot) == 1


def _xlsx_without_classes() -> bytes:
    workbook = openpyxl.load_workbook(SAMPLES / "survey.xlsx")
    sheet = workbook["Опрос"]
    (row,) = [row for row in sheet.iter_rows() if row[0].value == "Классы"]
    row[1].value = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_a_file_without_classes_asks_for_them_and_can_do_without(bot: ChatBot) -> None:
    await _waiting_for_a_file(bot)
    read = await bot.upload(COORDINATOR, "survey.xlsx", _xlsx_without_classes())
    assert "Перечислите классы" in (read.plain_text or "")
    no_classes = read.button("Не спрашивать класс")
    await bot.press(COORDINATOR, read, no_classes)
    card = await bot.api.next_message(COORDINATOR.id)
    assert "Класс не спрашивается" in (card.plain_text or "")
    assert "черновик" in (card.plain_text or "")
    assert (await bot.api.wait_edit(read)).buttons() == []
    # Pressed again (the survey is created already): refused, nothing more stored.
    answer = await bot.press(COORDINATOR, read, no_classes)
    assert answer["show_alert"] is True
    assert await _survey_count(bot) == 1


async def test_a_yaml_file_sent_any_time_is_a_survey(bot: ChatBot) -> None:
    # The sample lists its classes: the draft comes at once.
    card = await bot.upload(ADMIN, "my-survey.yml", (SAMPLES / "survey.yaml").read_bytes())
    assert "черновик" in (card.plain_text or "")
    assert await _survey_count(bot) == 1


async def test_a_strangers_yaml_is_not_read_at_all(bot: ChatBot) -> None:
    reply = await bot.upload(STRANGER, "survey.yaml", (SAMPLES / "survey.yaml").read_bytes())
    assert REFUSAL in (reply.plain_text or "")
    assert not bot.api.calls_to("getFile")
    assert await _survey_count(bot) == 0


async def test_another_schools_coordinator_is_refused_every_button(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, SIBLING, Role.COORDINATOR, organisation=OTHER_SCHOOL)
    survey = await _open_survey(bot, COORDINATOR, date(2022, 9, 30))

    listing = await bot.ask(SIBLING, "/surveys")
    assert survey.title not in (listing.plain_text or "")
    forged = [
        SurveyCallback(action=action, survey_id=survey.id).pack()
        for action in (
            SurveyAction.CARD,
            SurveyAction.LINK,
            SurveyAction.POST,
            SurveyAction.CLOSE_CONFIRM,
            SurveyAction.EXTEND,
        )
    ]
    forged.append(SurveyClosingCallback(survey_id=survey.id, closes_on="2022-12-31").pack())
    for data in forged:
        answer = await bot.press(SIBLING, listing, data)
        assert answer["show_alert"] is True
        assert REFUSAL in answer["text"], data
    assert listing.edits == 0
    current = await _service(bot).get_for_manager(await _actor(bot, COORDINATOR), survey.id)
    assert current.survey.status is SurveyStatus.OPEN
    assert current.survey.closes_on == date(2022, 9, 30)


async def test_an_executor_is_refused_the_list_and_the_cards(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    survey = await _open_survey(bot, COORDINATOR, date(2022, 9, 30))
    refused = await bot.ask(EXECUTOR, "/surveys")
    assert REFUSAL in (refused.plain_text or "")
    answer = await bot.press(
        EXECUTOR, refused, SurveyCallback(action=SurveyAction.CARD, survey_id=survey.id).pack()
    )
    assert REFUSAL in answer["text"]


async def test_stale_and_forged_buttons_get_a_polite_answer(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    listing = await bot.ask(COORDINATOR, "/surveys")
    gone = await bot.press(
        COORDINATOR, listing, SurveyCallback(action=SurveyAction.CARD, survey_id=999).pack()
    )
    assert gone["show_alert"] is True and gone["text"]
    template = await bot.press(COORDINATOR, listing, SurveyTemplateCallback(key="winter").pack())
    assert "шаблона больше нет" in template["text"]
    no_classes = await bot.press(
        COORDINATOR, listing, SurveyCallback(action=SurveyAction.NO_CLASSES).pack()
    )
    assert "устарела" in no_classes["text"]
    bad_day = await bot.press(
        COORDINATOR, listing, SurveyClosingCallback(survey_id=1, closes_on="31.02").pack()
    )
    assert "устарела" in bad_day["text"]
    assert await _survey_count(bot) == 0


async def test_close_on_a_card_closed_meanwhile_is_refused_and_the_card_redrawn(
    bot: ChatBot,
) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    survey = await _open_survey(bot, COORDINATOR, date(2022, 9, 30))
    listing = await bot.ask(COORDINATOR, "/surveys")
    card = await _press_label(bot, COORDINATOR, listing, survey.title[:20])
    await _service(bot).close(await _actor(bot, COORDINATOR), survey.id)
    answer = await bot.press_label(COORDINATOR, card, "Закрыть")
    assert "уже изменился" in answer["text"]
    redrawn = await bot.api.wait_edit(card)
    assert "завершён" in (redrawn.plain_text or "")


async def test_a_date_typed_after_the_survey_closed_applies_nowhere(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    survey = await _open_survey(bot, COORDINATOR, date(2022, 9, 30))
    listing = await bot.ask(COORDINATOR, "/surveys")
    card = await _press_label(bot, COORDINATOR, listing, "🟢")
    question = await _press_label(bot, COORDINATOR, card, "Продлить")
    await _service(bot).close(await _actor(bot, COORDINATOR), survey.id)
    reply = await bot.ask(COORDINATOR, "30.10.2022")
    assert "уже изменился" in (reply.plain_text or "")
    assert "завершён" in (reply.plain_text or "")
    assert question.buttons() == []
    assert ((await bot.ask(COORDINATOR, "31.10.2022")).plain_text or "").startswith("Я не понял")


async def _group_picker(bot: ChatBot) -> tuple[SentMessage, Survey]:
    """COORDINATOR, COLLEAGUE and EXECUTOR of one school; one open survey; COORDINATOR asks
    for it with /survey@bot in the group: the picker."""
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, COLLEAGUE, Role.COORDINATOR)
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    survey = await _open_survey(bot, COORDINATOR, date(2022, 10, 5))
    await bot.send(COORDINATOR, "/survey@roadmap_test_bot", chat_id=GROUP)
    return await bot.api.next_message(GROUP), survey


async def test_survey_in_a_group_without_open_surveys_says_so(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await bot.send(COORDINATOR, "/survey", chat_id=GROUP)
    none = await bot.api.next_message(GROUP)
    assert "Открытых опросов нет" in (none.plain_text or "")


async def test_only_coordinators_may_ask_for_a_post_in_a_group(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    await _open_survey(bot, COORDINATOR, date(2022, 10, 5))
    await bot.send(EXECUTOR, "/survey", chat_id=GROUP)
    assert "только координаторы" in ((await bot.api.next_message(GROUP)).plain_text or "")


async def test_only_the_coordinator_who_asked_may_pick(bot: ChatBot) -> None:
    picker, survey = await _group_picker(bot)
    assert "Какой опрос" in (picker.plain_text or "")
    data = picker.button(survey.title[:20])
    answer = await bot.press(COLLEAGUE, picker, data)
    assert "только тот, кто отправил" in answer["text"]
    answer = await bot.press(EXECUTOR, picker, data)
    assert answer["show_alert"] is True
    forged = SurveyPostCallback(survey_id=survey.id, user_id=EXECUTOR.id).pack()
    answer = await bot.press(EXECUTOR, picker, forged)
    assert "только координаторы" in answer["text"]
    assert picker.edits == 0


async def test_the_picked_survey_is_posted_in_the_group_only(bot: ChatBot) -> None:
    picker, survey = await _group_picker(bot)
    await bot.press(COORDINATOR, picker, picker.button(survey.title[:20]))
    post = await bot.api.wait_edit(picker)
    assert (post.plain_text or "").startswith("Уважаемые родители и ребята!")
    assert "до 05.10.2022" in (post.plain_text or "")
    assert post.button("Пройти опрос") == BOT_LINK + survey.code
    # Nothing reached the private chats: the post lives in the group only.
    assert not bot.api.chats[COORDINATOR.id]


async def test_group_chatter_that_is_not_survey_gets_no_answer(bot: ChatBot) -> None:
    picker, survey = await _group_picker(bot)
    await bot.press(COORDINATOR, picker, picker.button(survey.title[:20]))
    await bot.send(EXECUTOR, "Спасибо!", chat_id=GROUP)
    await bot.send(COORDINATOR, "/survey", chat_id=GROUP)
    again = await bot.api.next_message(GROUP)
    assert "Какой опрос" in (again.plain_text or "")
    assert bot.api.chats[GROUP] == [picker, again]
