"""Executors close their work from the phone; the coordinator sees it and decides."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from roadmap.responsible import person_key
from services.roadmaps import RoadmapService
from storage.schema import tasks
from tests.e2e.conftest import (
    BOTH_MESSENGERS,
    COORDINATOR,
    DATA,
    STRANGER,
    RunningBot,
    alerted,
    import_school_roadmap,
)
from tests.fakebot import FakeUser, SentMessage
from tests.harness import CONSENTED

pytestmark = BOTH_MESSENGERS

SHABANOVA = FakeUser(6006, "Наталья", last_name="Шабанова")
SHARIK = FakeUser(6007, "Нина", last_name="Шарик")


async def _setup(bot: RunningBot) -> None:
    """school-tech-cluster-2022 imported by its coordinator; Шабанова and Шарик linked."""
    await import_school_roadmap(bot)
    org = await RoadmapService(bot.app.database, bot.clock).organisation_named(
        "МБОУ «СОШ №2»", "Asia/Vladivostok"
    )
    async with bot.app.database.transaction() as repositories:
        for user, name in ((SHABANOVA, "Шабанова Н.С."), (SHARIK, "Шарик Н.Н.")):
            (person,) = await repositories.people.find_by_name_key(org.id, person_key(name))
            await repositories.people.link_account(person.id, bot.account(user), "ru", CONSENTED)


async def _open(bot: RunningBot, user: FakeUser, title_start: str) -> SentMessage:
    listing = await bot.ask(user, "/tasks")
    await bot.press_label(user, listing, title_start)
    return await bot.api.wait_edit(listing)


async def _due_of(bot: RunningBot, task_id_filter: str) -> list[str]:
    async with bot.app.database.engine.connect() as connection:
        rows = await connection.execute(select(tasks.c.due_on, tasks.c.executor_key))
    return [str(due) for due, key in rows if key == task_id_filter]


async def test_executor_day(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)

    helped = await bot.ask(SHABANOVA, "/help")  # exactly what an executor may use
    assert "/tasks — мои задачи" in helped.plain_text and "/people" not in helped.plain_text
    listing = await bot.ask(SHABANOVA, "/tasks")
    assert "Мои задачи" in listing.plain_text
    assert "На этой неделе" not in listing.plain_text or "Позже" in listing.plain_text
    card = await _open(bot, SHABANOVA, "Утверждение школьного")
    assert "до 4 октября, вт — через 14 дней" in card.plain_text
    assert "Ожидаемый результат" in card.plain_text

    # Done with a link: the result is an order (приказ), so the bot asks for it first.
    await bot.press_label(SHABANOVA, card, "Выполнено")
    asked = await bot.api.wait_edit(card)
    assert "Без отчёта" in str(asked.buttons())
    done = await bot.ask(SHABANOVA, "https://school2.ru/docs/prikaz-123.pdf")
    assert "выполнено" in done.plain_text
    assert "school2.ru/docs/prikaz-123.pdf" in done.plain_text
    told = await bot.api.next_message(COORDINATOR.id)
    assert "Шабанова Н.С. — выполнено: «Утверждение школьного координатора" in told.plain_text
    assert "school2.ru/docs/prikaz-123.pdf" in told.plain_text
    status = await bot.ask(COORDINATOR, "/status")
    assert "✅ 1 ·" in status.plain_text

    # Undo within ten minutes works; after ten minutes it is refused.
    await bot.press_label(SHABANOVA, done, "Отменить")
    undone = await bot.api.wait_edit(done)
    assert "не начато" in undone.plain_text
    taken_back = await bot.api.next_message(COORDINATOR.id)
    assert "Шабанова Н.С. отменил(а) отметку «выполнено»" in taken_back.plain_text
    await bot.press_label(SHABANOVA, undone, "Выполнено")  # the report is there: no question
    done_again = await bot.api.wait_edit(undone)
    assert "выполнено" in done_again.plain_text
    await bot.api.next_message(COORDINATOR.id)
    bot.clock.advance(timedelta(minutes=11))
    late = await bot.press_label(SHABANOVA, done_again, "Отменить")
    assert alerted(bot, late) and "10 минут" in late["text"]

    # Another executor replaying her buttons is refused.
    stolen = await bot.press_label(SHARIK, done_again, "Отменить")
    assert alerted(bot, stolen)
    assert "другого сотрудника" in stolen["text"]

    # A move approved: the due date changes.
    info = await _open(bot, SHABANOVA, "Информационное сопр")
    await bot.press_label(SHABANOVA, info, "Перенести")
    await bot.api.wait_edit(info)
    wrong = await bot.ask(SHABANOVA, "когда-нибудь")
    assert "Не понял дату" in wrong.plain_text
    earlier = await bot.ask(SHABANOVA, "через неделю")  # 27.09, before its deadline
    assert "раньше нынешнего срока (20.10.2022)" in earlier.plain_text
    reason_question = await bot.ask(SHABANOVA, "25.10")
    assert "25.10.2022" in reason_question.plain_text
    sent = await bot.ask(SHABANOVA, "Ждём материалы от партнёров")
    assert "отправлен координатору" in sent.plain_text
    request = await bot.api.next_message(COORDINATOR.id)
    assert "с 20.10.2022 на 25.10.2022" in request.plain_text
    assert "Ждём материалы" in request.plain_text
    await bot.press_label(COORDINATOR, request, "Одобрить")
    decided = await bot.api.wait_edit(request)
    assert "одобрен" in decided.plain_text
    news = await bot.api.next_message(SHABANOVA.id)
    assert "новый срок — 25.10.2022" in news.plain_text
    info_again = await _open(bot, SHABANOVA, "Информационное сопр")
    assert "до 25 октября" in info_again.plain_text
    assert "по плану было 20.10.2022" in info_again.plain_text

    # A second move rejected, with the reason told to her.
    letters = await _open(bot, SHABANOVA, "Методические письма")
    await bot.press_label(SHABANOVA, letters, "Перенести")
    # Or pick the day on the calendar: it opens at the first month a move may go to (the
    # deadline's), with the deadline in brackets and earlier days not offered.
    october = await bot.api.wait_edit(letters)
    buttons = str(october.buttons())
    assert "Октябрь 2022" in buttons and "[20]" in buttons
    await bot.press_label(SHABANOVA, october, "31")
    picked = await bot.api.next_message(SHABANOVA.id)
    assert "Новая дата — 31.10.2022" in picked.plain_text
    await bot.ask(SHABANOVA, "Не успеваем")
    request = await bot.api.next_message(COORDINATOR.id)
    await bot.press_label(COORDINATOR, request, "Отклонить")
    ask_why = await bot.api.next_message(COORDINATOR.id)
    assert "почему" in ask_why.plain_text
    confirm = await bot.ask(COORDINATOR, "Срок установлен приказом управления")
    assert "отклонён" in confirm.plain_text
    news = await bot.api.next_message(SHABANOVA.id)
    assert "не одобрен" in news.plain_text
    assert "Срок установлен приказом управления" in news.plain_text

    # Her co-executor may close the shared task, and she is told who did.
    assert "не одобрен" in (await bot.api.next_message(SHARIK.id)).plain_text  # he shares it
    shared = await _open(bot, SHARIK, "Методические письма")
    await bot.press_label(SHARIK, shared, "Выполнено")
    asked = await bot.api.wait_edit(shared)  # its result mentions the school website
    await bot.press_label(SHARIK, asked, "Без отчёта")
    await bot.api.wait_edit(asked)
    heard = await bot.api.next_message(SHABANOVA.id)
    assert "Шарик Н.Н. — выполнено" in heard.plain_text


async def test_history_and_cannot_do_reach_the_coordinator(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    card = await _open(bot, SHABANOVA, "Информационное сопр")
    await bot.press_label(SHABANOVA, card, "Не могу")
    await bot.api.wait_edit(card)
    sent = await bot.ask(SHABANOVA, "Нет доступа к сайту школы")
    assert "Координатор получил" in sent.plain_text
    told = await bot.api.next_message(COORDINATOR.id)
    assert "не может выполнить" in told.plain_text and "Нет доступа к сайту" in told.plain_text
    await bot.press_label(SHABANOVA, sent, "История")
    history = await bot.api.wait_edit(sent)
    assert "не может быть выполнено (Нет доступа к сайту школы)" in history.plain_text


async def test_coordinator_reminds_an_overdue_executor(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    bot.clock.advance(timedelta(days=20))  # 10 October: two tasks are overdue
    status = await bot.ask(COORDINATOR, "/status")
    assert "Просрочено" in status.plain_text
    line = next(row for row in status.plain_text.splitlines() if "Шабанова Н.С., срок" in row)
    await bot.press_label(COORDINATOR, status, f"Напомнить ({line.split('.', 1)[0]})")
    nudge = await bot.api.next_message(SHABANOVA.id)
    assert "Напоминание от координатора" in nudge.plain_text
    assert "Выполнено" in str(nudge.buttons())


async def test_coordinator_opens_the_report_from_status(running_bot: RunningBot) -> None:
    bot = running_bot
    await _setup(bot)
    card = await _open(bot, SHABANOVA, "Утверждение школьного")
    await bot.press_label(SHABANOVA, card, "Выполнено")
    await bot.api.wait_edit(card)
    bot.api.push_document(
        SHABANOVA,
        "prikaz-123.pdf",
        b"%PDF-1.4 order",
        "application/pdf",
        caption="Подписан директором 03.10",
    )
    done = await bot.api.next_message(SHABANOVA.id)
    assert "prikaz-123.pdf" in done.plain_text
    told = await bot.api.next_message(COORDINATOR.id)
    assert "файл" in told.plain_text and "prikaz-123.pdf" in told.plain_text
    assert "Отчёт (комментарий): Подписан директором 03.10" in told.plain_text

    status = await bot.ask(COORDINATOR, "/status")
    assert "Недавно выполнено" in status.plain_text
    await bot.press_label(COORDINATOR, status, "✅1")
    opened = await bot.api.wait_edit(status)
    assert "prikaz-123.pdf" in opened.plain_text
    assert "Подписан директором 03.10" in opened.plain_text  # the caption kept as a comment
    assert "Выполнено" not in str(opened.buttons())  # not her task: no executor buttons
    await bot.press_label(COORDINATOR, opened, "Показать файлы")
    file = await bot.api.next_message(COORDINATOR.id)
    assert file.kind == "document" and file.content == b"%PDF-1.4 order"


async def test_a_file_sent_unasked_is_attached_to_the_task_the_executor_picks(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await _setup(bot)
    bot.api.push_photo(SHABANOVA, b"\xff\xd8 stand photo", caption="Стенд в холле")
    which = await bot.api.next_message(SHABANOVA.id)
    assert "Это отчёт к какой задаче?" in which.plain_text
    pick = which.button("Информационное")
    await bot.press(SHABANOVA, which, pick)
    card = await bot.api.wait_edit(which)
    assert "Отчёт приложен" in card.plain_text
    assert "фото" in card.plain_text and "Стенд в холле" in card.plain_text
    # The question is answered once: the same button again is outdated.
    again = await bot.press(SHABANOVA, which, pick)
    assert "устарел" in again["text"]
    # A coordinator's file is still a roadmap, and a stranger's still refused as before.
    bot.api.push_document(
        COORDINATOR, "plan.txt", (DATA / "school-tech-cluster-2022.txt").read_bytes()
    )
    preview = await bot.api.next_message(COORDINATOR.id, timeout=15)
    assert "Импортировать" in str(preview.buttons())
    bot.api.push_document(STRANGER, "plan.txt", b"x")
    refused = await bot.api.next_message(STRANGER.id)
    assert "Загружать дорожные карты могут только координаторы" in refused.plain_text
