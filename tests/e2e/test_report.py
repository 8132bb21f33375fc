"""/report end to end: the school roadmap with work done, late, postponed, overdue and «не могу»;
the DOCX and XLSX hold every activity's status and evidence, and their totals are /status's."""

from __future__ import annotations

import argparse
import asyncio
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.catalogs import load_catalogs
from bot.cli_report import run_report
from services.access import Actor
from services.tasks import TaskService
from tests.e2e.conftest import BOTH_MESSENGERS, COORDINATOR, RunningBot, import_school_roadmap
from tests.fakebot import FakeUser, SentMessage
from tests.harness import CONSENTED, ZONE

pytestmark = BOTH_MESSENGERS

SHABANOVA = FakeUser(6006, "Наталья", language_code="ru", last_name="Шабанова")
LINK = "https://school2.example/prikaz-koordinator"
DUE = 7  # the tasks sheet's due-date column (after the roadmap's six and the executors)


async def _work(bot: RunningBot) -> dict[str, int]:
    """Шабанова linked; of her tasks by date: one done on time with a link and a comment,
    one postponed (approved), one «не могу», one done late; the next dates left to pass."""
    async with bot.app.database.transaction() as repositories:
        (org,) = await repositories.organisations.list_all()
        people = await repositories.people.in_organisations([org.id])
        shabanova = next(p for p in people if p.full_name.startswith("Шабанова"))
        coordinator = next(p for p in people if p.has_account(bot.account(COORDINATOR)))
        await repositories.people.link_account(
            shabanova.id, bot.account(SHABANOVA), "ru", CONSENTED
        )
        shabanova = (await repositories.people.by_ids([shabanova.id]))[shabanova.id]
    tasks = TaskService(bot.app.database, bot.clock)
    executor = Actor(bot.account(SHABANOVA), shabanova, False)
    boss = Actor(bot.account(COORDINATOR), coordinator, False)
    mine = sorted(await tasks.my_open_tasks(executor), key=lambda c: (c.task.due_on, c.task.id))
    on_time, postponed, late = (card.task.id for card in mine[:3])
    cannot = mine[-1].task.id  # due after the report date: still «не могу» then
    await tasks.add_evidence(executor, on_time, "link", LINK, comment="Приказ издан")
    await tasks.mark_done(executor, on_time)
    asked = await tasks.request_postponement(
        executor, postponed, mine[1].task.due_on + timedelta(days=10), "Ждём приказ УО"
    )
    assert asked.postponement is not None
    await tasks.decide_postponement(boss, asked.postponement.id, approve=True)
    await tasks.cannot_do(executor, cannot, "Нет доступа к сайту")
    bot.clock.set(
        bot.clock.now() + (mine[3].task.due_on - bot.clock.now().date()) + timedelta(days=3)
    )
    await tasks.add_evidence(executor, late, "document", "file-1", file_name="spravka.docx")
    await tasks.mark_done(executor, late)
    # The coordinator has been told of each: read, so the next answers are the bot's replies.
    await bot.app.notices.settled()
    bot.api.skip_unread(COORDINATOR.id)
    return {"on_time": on_time, "postponed": postponed, "cannot": cannot, "late": late}


async def _next_with(bot: RunningBot, words: str) -> SentMessage:
    """The coordinator's next message saying this, past the notices of others' work (done,
    postponed) that reach them at their own pace."""
    while True:
        found = await bot.api.next_message(COORDINATOR.id)
        if words in found.plain_text:
            return found


async def _status(bot: RunningBot) -> SentMessage:
    await bot.send(COORDINATOR, "/status")
    return await _next_with(bot, "✅ выполнено · ⏳ в работе")


async def _report(bot: RunningBot) -> tuple[SentMessage, SentMessage]:
    await bot.send(COORDINATOR, "/report")
    question = await _next_with(bot, "за какой период?")
    await bot.press_label(COORDINATOR, question, "На сегодня")
    return await _next_file(bot, ".docx"), await _next_file(bot, ".xlsx")


async def _next_file(bot: RunningBot, extension: str) -> SentMessage:
    while True:
        found = await bot.api.next_message(COORDINATOR.id, timeout=15)
        if (found.file_name or "").endswith(extension):
            return found


def _status_counts(text: str) -> list[int]:
    """The counts line of the only roadmap in /status: done, in progress, overdue, …"""
    line = next(line for line in text.splitlines() if re.match(r"✅ \d+ ·", line))
    return [int(n) for n in re.findall(r"\d+", line)]


async def test_report_holds_every_activity_and_agrees_with_status(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    await _work(bot)
    docx, xlsx = await _report(bot)
    assert docx.kind == "document" and docx.file_name and docx.file_name.endswith(".docx")
    assert xlsx.file_name and xlsx.file_name.endswith(".xlsx")
    assert docx.content and xlsx.content

    document = Document(io.BytesIO(docx.content))
    text = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ) + "\n".join(p.text for p in document.paragraphs)
    assert "МБОУ «СОШ №2»" in text
    assert LINK in text and "Приказ издан" in text and "spravka.docx" in text
    assert "Нет доступа к сайту" in text
    assert re.search(r"Срок перенесён с \d\d\.\d\d\.2022 на \d\d\.\d\d\.2022", text)
    assert re.search(r"Выполнено \d\d\.\d\d\.2022, с опозданием на \d+ (день|дня|дней)", text)
    (table,) = [t for t in document.tables if len(t.rows) > 10]
    titles = {row.cells[1].text for row in table.rows[1:]}
    assert "Формирование перечней академических партнёров ОО." in titles

    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    assert sheet.auto_filter.ref and sheet.freeze_panes
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[DUE] is not None]

    status = await _status(bot)
    done, in_progress, overdue, upcoming, cannot = _status_counts(status.plain_text)
    assert len(rows) == done + in_progress + overdue + upcoming + cannot
    caption = docx.plain_text
    assert f"Задач: {len(rows)}." in caption
    assert f"Выполнено: {done} (в срок 1, с опозданием 1)" in caption
    assert f"Просрочено: {overdue}." in caption and overdue > 0
    assert f"Не может быть выполнено: {cannot}." in caption and cannot == 1
    assert "📄 Отчёт о выполнении" in str(status.buttons())


async def test_report_for_a_period_and_from_status(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    status = await bot.ask(COORDINATOR, "/status")
    await bot.press_label(COORDINATOR, status, "Отчёт о выполнении")
    question = await bot.api.next_message(COORDINATOR.id)
    await bot.press_label(COORDINATOR, question, "Свой период")
    ask = await bot.api.next_message(COORDINATOR.id)
    assert "с 01.09.2022 по 31.12.2022" in ask.plain_text
    wrong = await bot.ask(COORDINATOR, "когда-нибудь")
    assert "Не понял период" in wrong.plain_text
    docx = await bot.ask(COORDINATOR, "с 01.10.2022 по 31.10.2022")
    assert "Задачи со сроком с 01.10.2022 по 31.10.2022" in docx.plain_text
    xlsx = await bot.api.next_message(COORDINATOR.id)
    assert xlsx.content
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    dues = [row[DUE] for row in sheet.iter_rows(min_row=2, values_only=True) if row[DUE]]
    assert dues and all(
        date(2022, 10, 1) <= (d.date() if hasattr(d, "date") else d) <= date(2022, 10, 31)
        for d in dues
    )


async def test_the_command_line_writes_the_same_report(
    running_bot: RunningBot, tmp_path: Path
) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    await _work(bot)
    _docx, chat_xlsx = await _report(bot)
    assert chat_xlsx.content
    listed: list[str] = []
    catalogs = load_catalogs()
    code = await asyncio.to_thread(
        run_report,
        argparse.Namespace(command="roadmap"),
        bot.app.settings,
        catalogs,
        "ru",
        listed.append,
    )
    assert code == 0 and len(listed) == 1
    roadmap_id, organisation, title, _period = listed[0].split("\t")
    assert organisation == "МБОУ «СОШ №2»" and title.startswith("ДОРОЖНАЯ КАРТА")
    today = bot.clock.now().astimezone(ZoneInfo(ZONE)).date().isoformat()  # the school's
    for kind in ("docx", "xlsx"):
        out = tmp_path / f"r.{kind}"
        arguments = argparse.Namespace(
            command="report",
            roadmap_id=int(roadmap_id),
            at=today,
            period=None,
            format=kind,
            out=str(out),
        )
        said: list[str] = []
        code = await asyncio.to_thread(
            run_report, arguments, bot.app.settings, catalogs, "ru", said.append
        )
        assert code == 0 and said == [f"Отчёт записан: {out}"]
    Document(str(tmp_path / "r.docx"))  # opens
    ours = load_workbook(tmp_path / "r.xlsx")
    chat = load_workbook(io.BytesIO(chat_xlsx.content))
    assert list(ours.worksheets[0].values) == list(chat.worksheets[0].values)  # every task
    # The totals; the terminal has no name for «Исполнитель», the chat's coordinator has.
    totals = [
        [row for row in book.worksheets[1].values if isinstance(row[-1], int)]
        for book in (ours, chat)
    ]
    assert totals[0] == totals[1] and len(totals[0]) >= 5


def _morning(day: date, hour: int = 9, minute: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE))


def _reports_to(bot: RunningBot, user: FakeUser) -> list[SentMessage]:
    return [
        m for m in bot.api.chats.get(user.id, []) if m.file_name and m.file_name.endswith(".docx")
    ]


@pytest.mark.parametrize("settings_overrides", [{"coordinator_summary": "off"}])
async def test_the_quarter_report_comes_once_on_the_first_working_morning(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    # Saturday 1 and Sunday 2 October 2022 are days off: Monday the 3rd is the morning.
    for moment in (_morning(date(2022, 10, 1)), _morning(date(2022, 10, 3), 7)):
        bot.clock.set(moment)
        await bot.app.tick.run()
        assert _reports_to(bot, COORDINATOR) == []
    bot.clock.set(_morning(date(2022, 10, 3)))
    await bot.app.tick.run()
    (sent,) = _reports_to(bot, COORDINATOR)
    assert "Задачи со сроком с 01.07.2022 по 30.09.2022" in sent.plain_text
    assert "Excel и другие периоды" in str(sent.buttons())
    document = Document(io.BytesIO(sent.content or b""))
    assert any("III квартал 2022" in p.text for p in document.paragraphs)
    # The same morning again, and a restarted bot the next day: not again.
    await bot.app.tick.run()
    bot.clock.set(_morning(date(2022, 10, 4)))
    await bot.app.tick.run()
    assert len(_reports_to(bot, COORDINATOR)) == 1


async def test_the_coordinator_turns_the_quarter_report_off(running_bot: RunningBot) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    tree = await bot.ask(COORDINATOR, "/orgs")
    await bot.press_label(COORDINATOR, tree, "Отчёт о выполнении по расписанию")
    question = await bot.api.next_message(COORDINATOR.id)
    assert "каждый квартал" in question.plain_text
    wrong = await bot.ask(COORDINATOR, "иногда")
    assert "Не понял" in wrong.plain_text
    saved = await bot.ask(COORDINATOR, "не присылать")
    assert "не приходит" in saved.plain_text
    bot.clock.set(_morning(date(2022, 10, 3)))
    await bot.app.tick.run()
    assert _reports_to(bot, COORDINATOR) == []


async def test_status_lists_requests_and_cannot_with_their_buttons(
    running_bot: RunningBot,
) -> None:
    bot = running_bot
    await import_school_roadmap(bot)
    await _work(bot)  # the postponement there is approved already; ask for another
    async with bot.app.database.transaction() as repositories:
        (org,) = await repositories.organisations.list_all()
        people = await repositories.people.in_organisations([org.id])
    shabanova = next(p for p in people if p.has_account(bot.account(SHABANOVA)))
    tasks = TaskService(bot.app.database, bot.clock)
    executor = Actor(bot.account(SHABANOVA), shabanova, False)
    mine = sorted(await tasks.my_open_tasks(executor), key=lambda c: (c.task.due_on, c.task.id))
    waiting = next(
        c for c in mine if c.task.due_on > bot.clock.now().date() and c.status != "cannot_do"
    )
    await tasks.request_postponement(
        executor, waiting.task.id, waiting.task.due_on + timedelta(days=7), "Каникулы"
    )
    status = await _status(bot)
    text = status.plain_text
    assert "Просят перенести срок (1)" in text and "«Каникулы»" in text
    assert "Не могут выполнить (1)" in text and "«Нет доступа к сайту»" in text
    buttons = str(status.buttons())
    assert "Одобрить ⏸1" in buttons and "Отклонить ⏸1" in buttons
    assert "Срок ✖1" in buttons and "Кто ✖1" in buttons
    await bot.press_label(COORDINATOR, status, "Одобрить ⏸1")
    decided = await bot.api.wait_edit(status)
    assert "Перенос одобрен" in decided.plain_text
    again = await _status(bot)
    assert "Просят перенести срок" not in again.plain_text
    await bot.press_label(COORDINATOR, again, "Кто ✖1")
    picker = await _next_with(bot, "Кто отвечает за")
    assert "Отметьте людей" in picker.plain_text
