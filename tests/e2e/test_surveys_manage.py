"""/surveys over the fake Bot API: create, open, distribute, extend, close, and post in a group."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
from surveys.loading import builtin_template
from surveys.model import Answer, Segment, SurveyStatus
from tests.e2e.conftest import (
    ADMIN,
    COORDINATOR,
    EXECUTOR,
    STRANGER,
    RunningBot,
    add_person,
)
from tests.fakebot import FakeUser, SentMessage

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


def _service(bot: RunningBot) -> SurveyService:
    service = bot.app.dispatcher["surveys"]
    assert isinstance(service, SurveyService)
    return service


async def _survey_count(bot: RunningBot) -> int:
    async with bot.app.database.engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(surveys_table))
    return int(count or 0)


async def _press_label(
    bot: RunningBot, user: FakeUser, message: SentMessage, label: str
) -> SentMessage:
    """Press a button whose answer edits the same message; return the edited message."""
    await bot.press(user, message, message.button(label))
    return await bot.api.wait_edit(message)


async def _open_survey(bot: RunningBot, user: FakeUser, closes_on: date) -> Survey:
    """A survey from the awareness template, opened through the service (not under test here)."""
    service = _service(bot)
    actor = await resolve_actor(bot.app.database, bot.app.settings.admin_ids, user.id)
    template = builtin_template("awareness")
    assert template is not None
    survey = await service.create(actor, template.definition)
    return await service.open(actor, survey.id, closes_on)


async def _answer(bot: RunningBot, survey: Survey, user_id: int) -> None:
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


async def test_coordinator_creates_from_template_opens_distributes_extends_closes(
    running_bot: RunningBot,
) -> None:
    bot, api = running_bot, running_bot.api
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    template = builtin_template("awareness")
    assert template is not None

    listing = await bot.ask(COORDINATOR, "/surveys")
    assert "Опросов пока нет" in listing.plain_text
    chooser = await _press_label(bot, COORDINATOR, listing, "Новый опрос")
    assert template.title in chooser.plain_text
    assert any("Из файла" in text for row in chooser.buttons() for text, _ in row)
    question = await _press_label(bot, COORDINATOR, chooser, template.title[:20])
    assert "Перечислите классы" in question.plain_text
    assert await _survey_count(bot) == 0  # nothing is stored before the class list

    refused = await bot.ask(COORDINATOR, "абв, 25 я")
    assert "абв" in refused.plain_text or "25" in refused.plain_text
    assert "ещё раз" in refused.plain_text
    assert await _survey_count(bot) == 0

    card = await bot.ask(COORDINATOR, "5а, 5 б, 10 «а»")
    assert "черновик" in card.plain_text
    assert "Классы: 5 «а», 5 «б», 10 «а»" in card.plain_text
    assert f"Вопросов: {len(template.definition.questions)}" in card.plain_text
    assert "Ответов: 0" in card.plain_text
    labels = [text for row in card.buttons() for text, _ in row]
    assert any("Открыть" in label for label in labels)
    assert not any("Результаты" in label or "Ссылка" in label for label in labels)
    assert await _survey_count(bot) == 1

    # Opening: quick dates from 20.09.2022 (the test clock) are shown on the buttons.
    date_question = await _press_label(bot, COORDINATOR, card, "Открыть")
    assert "До какого дня" in date_question.plain_text
    quick = [text for row in date_question.buttons() for text, _ in row]
    assert any("27.09.2022" in text for text in quick)
    assert any("04.10.2022" in text for text in quick)
    assert any("20.10.2022" in text for text in quick)
    past = await bot.ask(COORDINATOR, "01.09.2022")
    assert "20.09.2022" in past.plain_text  # the service's refusal names today
    assert (await bot.ask(COORDINATOR, "в никуда")).plain_text.startswith("Не понял дату")
    opened = await bot.ask(COORDINATOR, "30.09.2022")
    assert "идёт сбор ответов" in opened.plain_text
    assert "до 30.09.2022 включительно" in opened.plain_text
    assert date_question.buttons() == []  # the question's quick dates are gone
    survey = (await _service(bot).list_for(await _actor(bot, COORDINATOR)))[0].survey
    assert survey.status is SurveyStatus.OPEN
    assert survey.closes_on == date(2022, 9, 30)
    link = BOT_LINK + survey.code

    # Link and QR: the link as text, the QR code as a PNG photo that encodes the same link.
    await bot.press(COORDINATOR, opened, opened.button("Ссылка и QR"))
    text, photo = await api.wait_for_messages(COORDINATOR.id, 2)
    assert link in text.plain_text
    assert photo.kind == "photo"
    assert photo.content == qr_png(link)
    assert link in (photo.plain_text or "")
    assert template.title in (photo.plain_text or "")

    # The ready post, with a URL button, and the hint about groups.
    await bot.press(COORDINATOR, opened, opened.button("Готовый пост"))
    post, hint = await api.wait_for_messages(COORDINATOR.id, 2)
    assert post.plain_text.startswith("Уважаемые родители и ребята!")
    assert "анонимно" in post.plain_text
    assert "мин." in post.plain_text
    assert "до 30.09.2022" in post.plain_text
    assert post.button("Пройти опрос") == link
    assert "/survey" in hint.plain_text

    # A response arrives; «Обновить» shows the live count in the same card.
    await _answer(bot, survey, 777001)
    refreshed = await _press_label(bot, COORDINATOR, opened, "Обновить")
    assert "Ответов: 1" in refreshed.plain_text
    answer = await bot.press(COORDINATOR, opened, opened.button("Обновить"))
    assert "обновлено" in answer.get("text", "")  # nothing changed: no edit, still answered

    # Продлить: counted from the current closing date.
    extend = await _press_label(bot, COORDINATOR, opened, "Продлить")
    assert "30.09.2022" in extend.plain_text
    extended = await _press_label(bot, COORDINATOR, extend, "Ещё неделя")
    assert "Срок продлён" in extended.plain_text
    assert "до 07.10.2022 включительно" in extended.plain_text

    # Закрыть asks first; «Нет» keeps it open, «Да» closes it.
    confirm = await _press_label(bot, COORDINATOR, extended, "Закрыть")
    assert "Закрыть опрос" in confirm.plain_text
    kept = await _press_label(bot, COORDINATOR, confirm, "Нет")
    assert "идёт сбор ответов" in kept.plain_text
    confirm = await _press_label(bot, COORDINATOR, kept, "Закрыть")
    closed = await _press_label(bot, COORDINATOR, confirm, "Да, закрыть")
    assert "завершён" in closed.plain_text
    assert "Закрыт: 20.09.2022" in closed.plain_text
    labels = [text for row in closed.buttons() for text, _ in row]
    assert any("Результаты" in label for label in labels)
    assert not any(word in label for label in labels for word in ("Ссылка", "Закрыть", "Открыть"))

    # The list: title, status in words, responses, closing date; newest first.
    listing = await bot.ask(COORDINATOR, "/surveys")
    assert template.title in listing.plain_text
    assert "завершён · ответов: 1 · закрыт 20.09.2022" in listing.plain_text


async def _actor(bot: RunningBot, user: FakeUser) -> Actor:
    return await resolve_actor(bot.app.database, bot.app.settings.admin_ids, user.id)


async def test_survey_from_a_file_with_a_bad_file_first(running_bot: RunningBot) -> None:
    bot, api = running_bot, running_bot.api
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    listing = await bot.ask(COORDINATOR, "/surveys")
    chooser = await _press_label(bot, COORDINATOR, listing, "Новый опрос")
    await bot.press(COORDINATOR, chooser, chooser.button("Из файла"))
    howto, *samples = await api.wait_for_messages(COORDINATOR.id, 3)
    assert "образц" in howto.plain_text
    sent = {Path(sample.file_name or "").suffix: sample.content for sample in samples}
    assert all(sample.kind == "document" for sample in samples)
    assert sent == {
        ".yaml": (SAMPLES / "survey.yaml").read_bytes(),
        ".xlsx": (SAMPLES / "survey.xlsx").read_bytes(),
    }

    hint = await bot.ask(COORDINATOR, "а можно без файла?")
    assert "Жду файл" in hint.plain_text
    api.push_document(COORDINATOR, "plan.docx", b"PK\x03\x04 not a survey")
    assert ".xlsx, .yaml или .yml" in (await api.next_message(COORDINATOR.id)).plain_text

    api.push_document(COORDINATOR, "opros.yaml", BAD_YAML.encode())
    bad = await api.next_message(COORDINATOR.id, timeout=10)
    assert "10" in bad.plain_text  # the line of the typo «requried»
    assert "Опрос не создан" in bad.plain_text
    assert await _survey_count(bot) == 0

    api.push_document(COORDINATOR, "survey.xlsx", (SAMPLES / "survey.xlsx").read_bytes())
    read = await api.next_message(COORDINATOR.id, timeout=15)
    if "Перечислите классы" in read.plain_text:
        no_classes = read.button("Не спрашивать класс")
        await bot.press(COORDINATOR, read, no_classes)
        card = await api.next_message(COORDINATOR.id)
        assert "Класс не спрашивается" in card.plain_text
        assert (await api.wait_edit(read)).buttons() == []
        # Pressed again (the survey is created already): refused, nothing more stored.
        answer = await bot.press(COORDINATOR, read, no_classes)
        assert answer["show_alert"] is True
    else:  # the sample lists its classes itself
        card = read
    assert "черновик" in card.plain_text
    assert await _survey_count(bot) == 1


async def test_a_yaml_file_sent_any_time_is_a_survey(running_bot: RunningBot) -> None:
    bot, api = running_bot, running_bot.api
    sample = (SAMPLES / "survey.yaml").read_bytes()
    api.push_document(ADMIN, "my-survey.yml", sample)
    first = await api.next_message(ADMIN.id, timeout=10)
    if "Перечислите классы" in first.plain_text:
        card = await bot.ask(ADMIN, "-")
    else:
        card = first
    assert "черновик" in card.plain_text
    assert await _survey_count(bot) == 1

    # A stranger's YAML is not read at all.
    api.push_document(STRANGER, "survey.yaml", sample)
    assert REFUSAL in (await api.next_message(STRANGER.id)).plain_text
    assert await _survey_count(bot) == 1


async def test_other_schools_coordinator_and_executors_are_refused(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, SIBLING, Role.COORDINATOR, organisation=OTHER_SCHOOL)
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    survey = await _open_survey(bot, COORDINATOR, date(2022, 9, 30))

    listing = await bot.ask(SIBLING, "/surveys")
    assert survey.title not in listing.plain_text
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

    assert REFUSAL in (await bot.ask(EXECUTOR, "/surveys")).plain_text
    answer = await bot.press(
        EXECUTOR,
        listing,
        SurveyCallback(action=SurveyAction.CARD, survey_id=survey.id).pack(),
    )
    assert REFUSAL in answer["text"]


async def test_stale_buttons_get_a_polite_answer(running_bot: RunningBot) -> None:
    bot = running_bot
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

    # A card whose survey closed meanwhile: «Закрыть» is refused and the card redrawn.
    survey = await _open_survey(bot, COORDINATOR, date(2022, 9, 30))
    listing = await bot.ask(COORDINATOR, "/surveys")
    card = await _press_label(bot, COORDINATOR, listing, survey.title[:20])
    await _service(bot).close(await _actor(bot, COORDINATOR), survey.id)
    answer = await bot.press(COORDINATOR, card, card.button("Закрыть"))
    assert "уже изменился" in answer["text"]
    redrawn = await bot.api.wait_edit(card)
    assert "завершён" in redrawn.plain_text

    # Closed while the coordinator was typing a new closing date: no date applies any more.
    second = await _open_survey(bot, COORDINATOR, date(2022, 9, 30))
    listing = await bot.ask(COORDINATOR, "/surveys")
    card = await _press_label(bot, COORDINATOR, listing, "🟢")
    question = await _press_label(bot, COORDINATOR, card, "Продлить")
    await _service(bot).close(await _actor(bot, COORDINATOR), second.id)
    reply = await bot.ask(COORDINATOR, "30.10.2022")
    assert "уже изменился" in reply.plain_text
    assert "завершён" in reply.plain_text
    assert question.buttons() == []
    assert (await bot.ask(COORDINATOR, "31.10.2022")).plain_text.startswith("Я не понял")


async def test_group_post_by_the_coordinator_who_asked(running_bot: RunningBot) -> None:
    bot, api = running_bot, running_bot.api
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    await add_person(bot, COLLEAGUE, Role.COORDINATOR)
    await add_person(bot, EXECUTOR, Role.EXECUTOR)

    api.push_text(COORDINATOR, "/survey", chat_id=GROUP)
    none = await api.next_message(GROUP)
    assert "Открытых опросов нет" in none.plain_text

    survey = await _open_survey(bot, COORDINATOR, date(2022, 10, 5))
    api.push_text(EXECUTOR, "/survey", chat_id=GROUP)
    assert "только координаторы" in (await api.next_message(GROUP)).plain_text

    api.push_text(COORDINATOR, "/survey@roadmap_test_bot", chat_id=GROUP)
    picker = await api.next_message(GROUP)
    assert "Какой опрос" in picker.plain_text
    data = picker.button(survey.title[:20])

    answer = await bot.press(COLLEAGUE, picker, data)
    assert "только тот, кто отправил" in answer["text"]
    answer = await bot.press(EXECUTOR, picker, data)
    assert answer["show_alert"] is True
    forged = SurveyPostCallback(survey_id=survey.id, user_id=EXECUTOR.id).pack()
    answer = await bot.press(EXECUTOR, picker, forged)
    assert "только координаторы" in answer["text"]
    assert picker.edits == 0

    await bot.press(COORDINATOR, picker, data)
    post = await api.wait_edit(picker)
    assert post.plain_text.startswith("Уважаемые родители и ребята!")
    assert "до 05.10.2022" in post.plain_text
    assert post.button("Пройти опрос") == BOT_LINK + survey.code
    # Nothing reached the private chats: the post lives in the group only.
    assert not api.chats[COORDINATOR.id]
    # Group chatter that is not /survey gets no answer at all.
    api.push_text(EXECUTOR, "Спасибо!", chat_id=GROUP)
    api.push_text(COORDINATOR, "/survey", chat_id=GROUP)
    again = await api.next_message(GROUP)
    assert "Какой опрос" in again.plain_text
