"""Uploading a roadmap in the chat: preview, import, /roadmap, and every kind of bad file."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select

from core.models import Role
from storage.schema import activities, roadmaps
from tests.e2e.conftest import ADMIN, COORDINATOR, DATA, EXECUTOR, STRANGER, RunningBot, add_person
from tests.fakebot import FakeUser, SentMessage

SCHOOL_DOCX = DATA / "docx" / "school-tech-cluster-2022.docx"
SCHOOL_TXT = DATA / "school-tech-cluster-2022.txt"


async def _upload(bot: RunningBot, user: FakeUser, name: str, content: bytes) -> SentMessage:
    bot.api.push_document(user, name, content)
    return await bot.api.next_message(user.id, timeout=15)


async def _stored_counts(bot: RunningBot) -> tuple[int, int]:
    async with bot.app.database.engine.connect() as connection:
        maps = (await connection.execute(select(func.count()).select_from(roadmaps))).scalar()
        rows = (await connection.execute(select(func.count()).select_from(activities))).scalar()
    return int(maps or 0), int(rows or 0)


async def test_coordinator_uploads_docx_previews_imports_and_lists(
    running_bot: RunningBot,
) -> None:
    await add_person(running_bot, COORDINATOR, Role.COORDINATOR)
    preview = await _upload(running_bot, COORDINATOR, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
    text = preview.plain_text
    assert "Предпросмотр импорта" in text
    assert "Период: 01.09.2022 – 31.08.2023" in text
    assert "Организация: МБОУ «СОШ №2»" in text
    assert "Мероприятий: 19, шагов: 13" in text
    assert "Шабанова Н.С." in text
    assert "до 29.12.2023" not in text  # shown as a doubt with its reason instead:
    assert "2023-12-29 вне периода" in text or "вне периода" in text
    assert await _stored_counts(running_bot) == (0, 0)  # a preview stores nothing

    _, query = running_bot.api.press(COORDINATOR, preview, preview.button("Импортировать"))
    await running_bot.api.wait_answered(query)
    done = await running_bot.api.wait_edit(preview, timeout=15)
    assert "Импортировано" in done.plain_text
    assert done.buttons() == []
    assert await _stored_counts(running_bot) == (1, 19 + 13)

    listing = await running_bot.ask(COORDINATOR, "/roadmap")
    assert "ДОРОЖНАЯ КАРТА" in listing.plain_text
    assert "Утверждение школьного координатора" in listing.plain_text
    assert "до 04.10.2022" in listing.plain_text
    assert "страница 1 из" in listing.plain_text
    _, query = running_bot.api.press(COORDINATOR, listing, listing.button("Дальше"))
    await running_bot.api.wait_answered(query)
    second = await running_bot.api.wait_edit(listing)
    assert "страница 2 из" in second.plain_text


async def test_cancel_stores_nothing_and_old_preview_is_refused(running_bot: RunningBot) -> None:
    first = await _upload(running_bot, ADMIN, "plan.txt", SCHOOL_TXT.read_bytes())
    second = await _upload(running_bot, ADMIN, "plan.txt", SCHOOL_TXT.read_bytes())
    _, query = running_bot.api.press(ADMIN, first, first.button("Импортировать"))
    answer = await running_bot.api.wait_answered(query)
    assert answer["show_alert"] is True
    assert "устарел" in answer["text"]
    _, query = running_bot.api.press(ADMIN, second, second.button("Отмена"))
    await running_bot.api.wait_answered(query)
    cancelled = await running_bot.api.wait_edit(second)
    assert "ничего не сохранено" in cancelled.plain_text
    assert await _stored_counts(running_bot) == (0, 0)


async def test_strangers_and_executors_may_not_upload(running_bot: RunningBot) -> None:
    await add_person(running_bot, EXECUTOR, Role.EXECUTOR)
    for user in (STRANGER, EXECUTOR):
        reply = await _upload(running_bot, user, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
        assert "только координаторы" in reply.plain_text
    assert not running_bot.api.calls_to("getFile")
    assert await _stored_counts(running_bot) == (0, 0)


async def test_strangers_button_press_on_a_preview_is_refused(running_bot: RunningBot) -> None:
    preview = await _upload(running_bot, ADMIN, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
    _, query = running_bot.api.press(STRANGER, preview, preview.button("Импортировать"))
    answer = await running_bot.api.wait_answered(query)
    assert answer["show_alert"] is True
    assert await _stored_counts(running_bot) == (0, 0)


def _corrupt_docx() -> bytes:
    return SCHOOL_DOCX.read_bytes()[:3000]


def _encrypted_xlsx() -> bytes:
    # Office keeps a password-protected workbook in an OLE2 container with this stream name.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1000


def _zip_without_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return buffer.getvalue()


async def test_bad_files_get_one_clear_message_each(running_bot: RunningBot) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    no_deadline = "№\tМероприятие\tОтветственные\n1\tСовещание\tШабанова Н.С.\n".encode()
    cases = [
        ("plan.docx", _corrupt_docx(), "повреждён"),
        ("plan.docx", _zip_without_word(), "повреждён"),
        ("plan.xlsx", _encrypted_xlsx(), "паролем"),
        ("scan.png", png, "формат я не читаю"),
        ("empty.txt", b"", "пустой"),
        ("letter.txt", "Уважаемые коллеги! Просим принять участие.".encode(), "не нашёл"),
        ("plan.txt", no_deadline, "нет столбца со сроками"),
    ]
    for name, content, expected in cases:
        reply = await _upload(running_bot, ADMIN, name, content)
        assert expected in reply.plain_text.lower(), (name, reply.plain_text)
        assert "ничего не сохранено" in reply.plain_text.lower() or expected == "не нашёл"
        assert "Traceback" not in reply.plain_text
    assert await _stored_counts(running_bot) == (0, 0)


async def test_file_over_20_mb_is_refused_before_download(running_bot: RunningBot) -> None:
    reply = await _upload(running_bot, ADMIN, "huge.docx", b"PK\x03\x04" + b"0" * (21 * 2**20))
    assert "20 МБ" in reply.plain_text
    assert not running_bot.api.calls_to("getFile")


async def test_photo_of_a_table_is_explained(running_bot: RunningBot) -> None:
    running_bot.api.push_photo(ADMIN, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    reply = await running_bot.api.next_message(ADMIN.id)
    assert "документом" in reply.plain_text


async def test_pasted_table_without_period_asks_for_it(running_bot: RunningBot) -> None:
    table = (
        "№\tМероприятие\tСрок проведения\tОтветственные исполнители\n"
        "1.\tСовещание с педагогами\tдо 10.11.2022 г.\tШабанова Н.С., зам. директора по УВР\n"
        "2.\tОпрос родителей\tПо отдельному графику\tШарик Н.Н.\n"
    )
    question = await running_bot.ask(ADMIN, table)
    assert "период" in question.plain_text
    wrong = await running_bot.ask(ADMIN, "когда-нибудь")
    assert "Не понял период" in wrong.plain_text
    preview = await running_bot.ask(ADMIN, "2022-2023")
    assert "Период: 01.09.2022 – 31.08.2023" in preview.plain_text
    assert "Мероприятий: 2, шагов: 0" in preview.plain_text
    _, query = running_bot.api.press(ADMIN, preview, preview.button("Импортировать"))
    await running_bot.api.wait_answered(query)
    done = await running_bot.api.wait_edit(preview)
    assert "Строк без даты: 1" in done.plain_text

    listing = await running_bot.ask(ADMIN, "/roadmap")
    set_date = listing.button("Указать срок")
    _, query = running_bot.api.press(ADMIN, listing, set_date)
    ask = await running_bot.api.next_message(ADMIN.id)
    assert "Опрос родителей" in ask.plain_text
    again = await running_bot.ask(ADMIN, "не знаю")
    assert "Не понял дату" in again.plain_text
    saved = await running_bot.ask(ADMIN, "до 20 декабря")
    assert "до 20.12.2022" in saved.plain_text
    listing = await running_bot.ask(ADMIN, "/roadmap")
    assert "до 20.12.2022" in listing.plain_text
    assert all("Указать срок" not in text for row in listing.buttons() for text, _ in row)


async def test_reimport_of_a_corrected_file_updates_in_place(running_bot: RunningBot) -> None:
    original = SCHOOL_TXT.read_text(encoding="utf-8")
    await _import(running_bot, original.encode())
    corrected = original.replace("до 04.10.2022 г.", "до 07.10.2022 г.")
    preview = await _upload(running_bot, ADMIN, "plan.txt", corrected.encode())
    assert "исправленная версия" in preview.plain_text
    assert "изменится: 1" in preview.plain_text
    assert "Добавится: 0" in preview.plain_text
    _, query = running_bot.api.press(ADMIN, preview, preview.button("Импортировать"))
    await running_bot.api.wait_answered(query)
    await running_bot.api.wait_edit(preview)
    assert await _stored_counts(running_bot) == (1, 32)
    listing = await running_bot.ask(ADMIN, "/roadmap")
    assert "до 07.10.2022" in listing.plain_text


async def _import(bot: RunningBot, content: bytes) -> None:
    preview = await _upload(bot, ADMIN, "plan.txt", content)
    _, query = bot.api.press(ADMIN, preview, preview.button("Импортировать"))
    await bot.api.wait_answered(query)
    await bot.api.wait_edit(preview)


async def test_other_organisations_roadmap_pages_are_refused(running_bot: RunningBot) -> None:
    await _import(running_bot, SCHOOL_TXT.read_bytes())
    await add_person(running_bot, COORDINATOR, Role.COORDINATOR, organisation="МБОУ «Лицей №2»")
    none = await running_bot.ask(COORDINATOR, "/roadmap")
    assert "пока нет" in none.plain_text
    admin_view = await running_bot.ask(ADMIN, "/roadmap")
    forged = admin_view.button("Дальше")
    _, query = running_bot.api.press(COORDINATOR, admin_view, forged)
    answer = await running_bot.api.wait_answered(query)
    assert answer["show_alert"] is True
    assert "недоступно" in answer["text"]
