"""Uploading a roadmap in the chat: preview, import, /roadmap, and every kind of bad file."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from core.models import Role
from storage.schema import activities, roadmaps
from tests.chat.conftest import ChatBot
from tests.fakebot import SentMessage
from tests.harness import ADMIN, COORDINATOR, DATA, EXECUTOR, STRANGER, add_person
from tests.roadmap.pdfs import encrypted_pdf

SCHOOL_DOCX = DATA / "docx" / "school-tech-cluster-2022.docx"
SCHOOL_PDF = DATA / "pdf" / "school-tech-cluster-2022.pdf"
SCANNED_PDF = DATA / "pdf" / "school-tech-cluster-2022-scanned.pdf"
SCHOOL_TXT = DATA / "school-tech-cluster-2022.txt"
PASTED = (
    "№\tМероприятие\tСрок проведения\tОтветственные исполнители\n"
    "1.\tСовещание с педагогами\tдо 10.11.2022 г.\tШабанова Н.С., зам. директора по УВР\n"
    "2.\tОпрос родителей\tПо отдельному графику\tШарик Н.Н.\n"
)


async def _stored_counts(bot: ChatBot) -> tuple[int, int]:
    async with bot.app.database.engine.connect() as connection:
        maps = (await connection.execute(select(func.count()).select_from(roadmaps))).scalar()
        rows = (await connection.execute(select(func.count()).select_from(activities))).scalar()
    return int(maps or 0), int(rows or 0)


async def _import(bot: ChatBot, content: bytes) -> SentMessage:
    """ADMIN uploads a text roadmap and presses «Импортировать»; the edited preview."""
    preview = await bot.upload(ADMIN, "plan.txt", content)
    await bot.press_label(ADMIN, preview, "Импортировать")
    return await bot.api.wait_edit(preview)


async def _docx_preview(bot: ChatBot) -> SentMessage:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    return await bot.upload(COORDINATOR, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())


async def test_a_docx_is_previewed_and_nothing_stored(bot: ChatBot) -> None:
    preview = await _docx_preview(bot)
    text = preview.plain_text or ""
    assert "Предпросмотр импорта" in text
    assert "Период: 01.09.2022 – 31.08.2023" in text
    assert "Организация: МБОУ «СОШ №2»" in text
    assert "Мероприятий: 19, шагов: 13" in text
    assert "Шабанова Н.С." in text
    assert "до 29.12.2023" not in text  # shown as a doubt with its reason instead:
    assert "вне периода" in text
    assert await _stored_counts(bot) == (0, 0)


async def test_import_stores_the_roadmap_with_its_rows_and_steps(bot: ChatBot) -> None:
    preview = await _docx_preview(bot)
    await bot.press_label(COORDINATOR, preview, "Импортировать")
    done = await bot.api.wait_edit(preview)
    assert "Импортировано" in (done.plain_text or "")
    assert done.buttons() == []
    assert await _stored_counts(bot) == (1, 19 + 13)


async def test_a_pdf_is_previewed_and_imported_as_its_word_file(bot: ChatBot) -> None:
    await add_person(bot, COORDINATOR, Role.COORDINATOR)
    preview = await bot.upload(COORDINATOR, SCHOOL_PDF.name, SCHOOL_PDF.read_bytes())
    assert bot.api.calls_to("getFile")
    text = preview.plain_text or ""
    assert "Предпросмотр импорта" in text
    assert "Период: 01.09.2022 – 31.08.2023" in text
    assert "Организация: МБОУ «СОШ №2»" in text
    assert "Мероприятий: 19, шагов: 13" in text
    assert "вне периода" in text
    assert await _stored_counts(bot) == (0, 0)
    await bot.press_label(COORDINATOR, preview, "Импортировать")
    done = await bot.api.wait_edit(preview)
    assert "Импортировано" in (done.plain_text or "")
    assert await _stored_counts(bot) == (1, 19 + 13)


async def test_roadmap_lists_the_imported_rows_a_page_at_a_time(bot: ChatBot) -> None:
    preview = await _docx_preview(bot)
    await bot.press_label(COORDINATOR, preview, "Импортировать")
    listing = await bot.ask(COORDINATOR, "/roadmap")
    text = listing.plain_text or ""
    assert "ДОРОЖНАЯ КАРТА" in text
    assert "Утверждение школьного координатора" in text
    assert "до 04.10.2022" in text
    assert "страница 1 из" in text
    await bot.press_label(COORDINATOR, listing, "Дальше")
    second = await bot.api.wait_edit(listing)
    assert "страница 2 из" in (second.plain_text or "")


async def test_a_newer_upload_makes_the_older_preview_stale(bot: ChatBot) -> None:
    first = await bot.upload(ADMIN, "plan.txt", SCHOOL_TXT.read_bytes())
    await bot.upload(ADMIN, "plan.txt", SCHOOL_TXT.read_bytes())
    answer = await bot.press_label(ADMIN, first, "Импортировать")
    assert answer["show_alert"] is True
    assert "устарел" in answer["text"]
    assert await _stored_counts(bot) == (0, 0)


async def test_cancel_stores_nothing(bot: ChatBot) -> None:
    preview = await bot.upload(ADMIN, "plan.txt", SCHOOL_TXT.read_bytes())
    await bot.press_label(ADMIN, preview, "Отмена")
    cancelled = await bot.api.wait_edit(preview)
    assert "ничего не сохранено" in (cancelled.plain_text or "")
    assert await _stored_counts(bot) == (0, 0)


async def test_strangers_and_executors_may_not_upload(bot: ChatBot) -> None:
    await add_person(bot, EXECUTOR, Role.EXECUTOR)
    for user in (STRANGER, EXECUTOR):
        reply = await bot.upload(user, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
        assert "только координаторы" in (reply.plain_text or "")
    assert not bot.api.calls_to("getFile")
    assert await _stored_counts(bot) == (0, 0)


async def test_strangers_button_press_on_a_preview_is_refused(bot: ChatBot) -> None:
    preview = await bot.upload(ADMIN, SCHOOL_DOCX.name, SCHOOL_DOCX.read_bytes())
    answer = await bot.press_label(STRANGER, preview, "Импортировать")
    assert answer["show_alert"] is True
    assert await _stored_counts(bot) == (0, 0)


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


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.docx", _corrupt_docx(), "повреждён"),
        ("plan.docx", _zip_without_word(), "повреждён"),
        ("plan.xlsx", _encrypted_xlsx(), "паролем"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "формат я не читаю"),
        ("scan.pdf", SCANNED_PDF.read_bytes(), "скан"),
        ("plan.pdf", SCHOOL_PDF.read_bytes()[:5000], "повреждён"),
        (
            "plan.pdf",
            encrypted_pdf([("1.", "Совещание", "до 10.10.2024", "Петрова А.В.")]),
            "паролем",
        ),
        ("empty.txt", b"", "пустой"),
        ("letter.txt", "Уважаемые коллеги! Просим принять участие.".encode(), "не нашёл"),
        (
            "plan.txt",
            "№\tМероприятие\tОтветственные\n1\tСовещание\tШабанова Н.С.\n".encode(),
            "нет столбца со сроками",
        ),
    ],
    ids=[
        "cut-docx",
        "zip-without-word",
        "encrypted-xlsx",
        "png",
        "scanned-pdf",
        "cut-pdf",
        "encrypted-pdf",
        "empty",
        "letter",
        "no-dates",
    ],
)
async def test_a_bad_file_gets_one_clear_message(
    bot: ChatBot, name: str, content: bytes, expected: str
) -> None:
    reply = await bot.upload(ADMIN, name, content)
    text = reply.plain_text or ""
    assert expected in text.lower(), (name, text)
    assert "ничего не сохранено" in text.lower() or expected == "не нашёл"
    assert "Traceback" not in text
    assert await _stored_counts(bot) == (0, 0)
    assert bot.api.chats[ADMIN.id] == [reply]  # one message, not one per complaint


async def test_file_over_20_mb_is_refused_before_download(bot: ChatBot) -> None:
    reply = await bot.upload(ADMIN, "huge.docx", b"PK\x03\x04" + b"0" * (21 * 2**20))
    assert "20 МБ" in (reply.plain_text or "")
    assert not bot.api.calls_to("getFile")


async def test_photo_of_a_table_is_explained(bot: ChatBot) -> None:
    bot.api.push_photo(ADMIN, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    await bot.deliver()
    reply = await bot.api.next_message(ADMIN.id)
    assert "документом" in (reply.plain_text or "")


async def test_a_pasted_table_without_a_period_asks_for_it(bot: ChatBot) -> None:
    question = await bot.ask(ADMIN, PASTED)
    assert "период" in (question.plain_text or "")
    wrong = await bot.ask(ADMIN, "когда-нибудь")
    assert "Не понял период" in (wrong.plain_text or "")
    preview = await bot.ask(ADMIN, "2022-2023")
    assert "Период: 01.09.2022 – 31.08.2023" in (preview.plain_text or "")
    assert "Мероприятий: 2, шагов: 0" in (preview.plain_text or "")


async def _pasted_and_imported(bot: ChatBot) -> SentMessage:
    await bot.ask(ADMIN, PASTED)
    preview = await bot.ask(ADMIN, "2022-2023")
    await bot.press_label(ADMIN, preview, "Импортировать")
    return await bot.api.wait_edit(preview)


async def test_an_import_counts_the_rows_without_a_date(bot: ChatBot) -> None:
    done = await _pasted_and_imported(bot)
    assert "Строк без даты: 1" in (done.plain_text or "")


async def test_a_missing_date_is_set_from_roadmap(bot: ChatBot) -> None:
    await _pasted_and_imported(bot)
    listing = await bot.ask(ADMIN, "/roadmap")
    await bot.press_label(ADMIN, listing, "Указать срок")
    ask = await bot.api.next_message(ADMIN.id)
    assert "Опрос родителей" in (ask.plain_text or "")
    again = await bot.ask(ADMIN, "не знаю")
    assert "Не понял дату" in (again.plain_text or "")
    saved = await bot.ask(ADMIN, "до 20 декабря")
    assert "до 20.12.2022" in (saved.plain_text or "")
    listing = await bot.ask(ADMIN, "/roadmap")
    assert "до 20.12.2022" in (listing.plain_text or "")
    assert all("Указать срок" not in text for row in listing.buttons() for text, _ in row)


async def test_reimport_of_a_corrected_file_updates_in_place(bot: ChatBot) -> None:
    original = SCHOOL_TXT.read_text(encoding="utf-8")
    await _import(bot, original.encode())
    corrected = original.replace("до 04.10.2022 г.", "до 07.10.2022 г.")
    preview = await bot.upload(ADMIN, "plan.txt", corrected.encode())
    text = preview.plain_text or ""
    assert "исправленная версия" in text
    assert "изменится: 1" in text
    assert "Добавится: 0" in text
    await bot.press_label(ADMIN, preview, "Импортировать")
    await bot.api.wait_edit(preview)
    assert await _stored_counts(bot) == (1, 32)
    listing = await bot.ask(ADMIN, "/roadmap")
    assert "до 07.10.2022" in (listing.plain_text or "")
    assert "👤 Шабанова Н.С." in (listing.plain_text or "")  # each row with who answers for it


async def test_other_organisations_roadmap_pages_are_refused(bot: ChatBot) -> None:
    await _import(bot, SCHOOL_TXT.read_bytes())
    await add_person(bot, COORDINATOR, Role.COORDINATOR, organisation="МБОУ «Лицей №2»")
    none = await bot.ask(COORDINATOR, "/roadmap")
    assert "пока нет" in (none.plain_text or "")
    admin_view = await bot.ask(ADMIN, "/roadmap")
    answer = await bot.press_label(COORDINATOR, admin_view, "Дальше")
    assert answer["show_alert"] is True
    assert "недоступно" in answer["text"]


async def test_any_rows_deadline_is_changed_from_roadmap_and_a_reimport_keeps_it(
    bot: ChatBot,
) -> None:
    original = SCHOOL_TXT.read_text(encoding="utf-8")
    await _import(bot, original.encode())
    listing = await bot.ask(ADMIN, "/roadmap")
    await bot.press_label(ADMIN, listing, "Изменить срок")
    await bot.api.next_message(ADMIN.id)
    saved = await bot.ask(ADMIN, "до 25 октября")
    assert "до 25.10.2022" in (saved.plain_text or "")
    # The file moves the same row: the preview says the date set here stays.
    corrected = original.replace("до 04.10.2022 г.", "до 07.10.2022 г.")
    preview = await bot.upload(ADMIN, "plan.txt", corrected.encode())
    assert "срок, изменённый вручную (25.10.2022), оставлен" in (preview.plain_text or "")
    await bot.press_label(ADMIN, preview, "Импортировать")
    await bot.api.wait_edit(preview)
    listing = await bot.ask(ADMIN, "/roadmap")
    assert "до 25.10.2022" in (listing.plain_text or "")
    assert "до 07.10.2022" not in (listing.plain_text or "")
