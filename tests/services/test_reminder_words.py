"""A reminder on a phone: the deadline first, the expected result in one line, «Подробнее»."""

from __future__ import annotations

from bot.i18n import create_i18n
from core.clock import ManualClock
from handlers.callbacks import TaskAction, TaskCallback
from handlers.reminder_messages import reminder
from handlers.task_cards import BRIEF_RESULT, card_text, task_label
from services.tasks import TaskCard
from storage.database import Database
from tests.services.test_grouped_messages import _cards


async def test_a_reminder_puts_the_deadline_first_and_the_result_in_one_line(
    database: Database, clock: ManualClock
) -> None:
    cards = await _cards(database, clock)
    card = max(cards, key=lambda c: len(c.activity.fields.result or ""))
    result = card.activity.fields.result or ""
    assert len(result) > BRIEF_RESULT  # a long expected result, as real roadmaps have
    with create_i18n().context() as i18n, i18n.use_locale("ru"):
        text, markup = reminder("countdown", card, card.executors[0])
        full = card_text(card)
    lines = text.splitlines()
    deadline = next(i for i, line in enumerate(lines) if line.startswith("🗓"))
    expected = next(i for i, line in enumerate(lines) if line.startswith("Ожидаемый результат"))
    assert deadline < expected
    assert len(lines[expected]) <= len("Ожидаемый результат: ") + BRIEF_RESULT
    assert len(text) < len(full)
    more = [b for row in markup.inline_keyboard for b in row if "Подробнее" in b.text]
    assert len(more) == 1 and more[0].callback_data is not None
    opened = TaskCallback.unpack(more[0].callback_data)
    assert (opened.action, opened.task_id) == (TaskAction.OPEN, card.task.id)


async def test_the_steps_of_one_activity_read_apart_in_the_task_list(
    database: Database, clock: ManualClock
) -> None:
    cards = await _cards(database, clock)
    steps = [card for card in cards if card.parent is not None]
    by_parent: dict[int, list[TaskCard]] = {}
    for card in steps:
        assert card.parent is not None
        by_parent.setdefault(card.parent.id, []).append(card)
    siblings = max(by_parent.values(), key=len)
    assert len(siblings) > 1
    for limit in (32, 90):
        labels = [task_label(card, limit) for card in siblings]
        assert len(set(labels)) == len(labels), labels
        assert all(len(label) <= limit for label in labels)
