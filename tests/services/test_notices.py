"""Notices: planned once per reader in the caller's transaction, worded in either language."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import create_i18n
from core.clock import ManualClock
from core.models import Role
from handlers import notices
from reminders.planner import ReminderKind
from services.notices import NOTICE_KINDS, NoticeKind, plan_notices
from services.reminders import DIGEST_KIND, MISSED_KIND, SUMMARY_KIND, UNREACHABLE_KIND
from storage.database import Database
from storage.schema import outbox
from tests.services.test_grouped_messages import _cards

PAYLOADS: dict[NoticeKind, dict[str, Any]] = {
    NoticeKind.TASK_DONE: {"who": "Шабанова Н.С.", "evidence_kind": "link", "evidence": "x.ru"},
    NoticeKind.TASK_UNDONE: {"who": "Шабанова Н.С."},
    NoticeKind.TASK_CANNOT: {"who": "Шабанова Н.С.", "reason": "Нет доступа"},
    NoticeKind.POSTPONE_ASKED: {
        "who": "Шабанова Н.С.",
        "old": "2022-10-04",
        "new": "2022-10-14",
        "reason": "Болезнь",
        "postponement_id": 7,
    },
    NoticeKind.POSTPONE_APPROVED: {"new": "2022-10-14", "reason": ""},
    NoticeKind.POSTPONE_REJECTED: {"new": "2022-10-14", "reason": "Приказ"},
    NoticeKind.TASK_NUDGE: {},
    NoticeKind.INVITE_LINKED: {"name": "Полякова В.А."},
    NoticeKind.INVITE_DECLINED: {"name": "Полякова В.А.", "who": "Ольга"},
    NoticeKind.SURVEY_CLOSED: {
        "survey_id": 3,
        "title": "Питание",
        "closes_on": "2022-10-01",
        "responses": 12,
    },
    NoticeKind.FORGET_ASKED: {"person_id": 7, "name": "Полякова В.А."},
}


def test_notice_kinds_fit_the_outbox_and_are_not_reminders() -> None:
    length = outbox.c.kind.type.length  # type: ignore[attr-defined]
    assert all(len(kind) <= length for kind in NOTICE_KINDS)
    others = {kind.value for kind in ReminderKind}
    others |= {DIGEST_KIND, SUMMARY_KIND, MISSED_KIND, UNREACHABLE_KIND}
    assert not NOTICE_KINDS & others
    assert set(PAYLOADS) == set(NoticeKind)


@pytest.mark.parametrize("kind", list(NoticeKind))
async def test_every_notice_has_its_own_words_in_russian_and_english(
    database: Database, clock: ManualClock, kind: NoticeKind
) -> None:
    card = (await _cards(database, clock))[0]
    i18n = create_i18n()
    worded: dict[str, tuple[str, Any]] = {}
    for language in ("ru", "en"):
        with i18n.context(), i18n.use_locale(language):
            found = notices.render(kind, PAYLOADS[kind], card, None)
        assert found is not None
        worded[language] = found
    (ru, ru_markup), (en, en_markup) = worded["ru"], worded["en"]
    assert ru and en and ru != en
    assert "{" not in ru + en  # every placeholder filled
    assert (ru_markup is None) == (en_markup is None)
    if kind in (
        NoticeKind.TASK_DONE,
        NoticeKind.TASK_UNDONE,
        NoticeKind.TASK_CANNOT,
        NoticeKind.POSTPONE_ASKED,
    ):
        assert "Шабанова Н.С." in ru and "Шабанова Н.С." in en


async def test_a_notice_about_a_task_says_nothing_once_the_task_is_gone(
    database: Database, clock: ManualClock
) -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        assert notices.render(NoticeKind.TASK_NUDGE, {}, None, None) is None
        assert (
            notices.render(NoticeKind.TASK_DONE, PAYLOADS[NoticeKind.TASK_DONE], None, None)
            is None
        )


async def test_planned_once_per_reader_with_the_readers_person(
    database: Database, clock: ManualClock
) -> None:
    now = clock.now()
    async with database.transaction() as repositories:
        linked = await repositories.people.add(
            full_name="Наталья",
            name_key="наталья",
            role=Role.COORDINATOR,
            created_at=now,
            telegram_user_id=4004,
        )
        told = await plan_notices(
            repositories,
            NoticeKind.INVITE_LINKED,
            [4004, 9009, 4004],
            now,
            payload={"name": "Полякова В.А."},
            event="invite1",
        )
        # The same event planned again (a retried job) is not told twice.
        await plan_notices(
            repositories,
            NoticeKind.INVITE_LINKED,
            [4004],
            now,
            payload={"name": "Полякова В.А."},
            event="invite1",
        )
        rows = await repositories.outbox.all_rows()
    assert told == (4004, 9009)
    assert sorted((row.chat_id, row.person_id) for row in rows) == [
        (4004, linked.id),
        (9009, None),
    ]
    assert all(row.planned_at == now and row.status == "planned" for row in rows)
