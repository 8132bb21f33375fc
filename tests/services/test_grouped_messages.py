"""A crowded morning's single message: the reminders of one person, the escalations of a day."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import create_i18n
from core.clock import ManualClock
from handlers.reminder_messages import GROUP_SHOWN, grouped_escalations, grouped_reminders
from roadmap.importer import parse_roadmap
from roadmap.readers import read_text
from services.roadmaps import RoadmapService
from services.tasks import TaskCard, TaskService
from storage.database import Database

ROADMAP = Path(__file__).resolve().parents[1] / "data/roadmaps/school-tech-cluster-2022.txt"


async def _cards(database: Database, clock: ManualClock) -> list[TaskCard]:
    roadmaps = RoadmapService(database, clock)
    school = await roadmaps.organisation_named("МБОУ «СОШ №2»", "Asia/Vladivostok")
    parsed = parse_roadmap(read_text(ROADMAP.read_text(encoding="utf-8")))
    result = await roadmaps.apply(school.id, parsed, source_name="plan.txt", actor_telegram_id=1)
    async with database.transaction() as repositories:
        tasks = await repositories.tasks.in_roadmap(result.roadmap.id)
    cards = await TaskService(database, clock).cards_for_job([task.id for task in tasks])
    return list(cards.values())


async def test_many_escalations_are_one_list_with_a_button_each(
    database: Database, clock: ManualClock
) -> None:
    cards = await _cards(database, clock)
    assert len(cards) > GROUP_SHOWN
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        text, markup = grouped_escalations(cards)
        reminders_text, reminders_markup = grouped_reminders(cards)
    buttons = [button for row in markup.inline_keyboard for button in row]
    assert len(buttons) == GROUP_SHOWN
    first = min(cards, key=lambda card: (card.task.due_on, card.task.id))
    assert buttons[0].callback_data is not None
    assert str(first.task.id) in buttons[0].callback_data
    assert f"ещё {len(cards) - GROUP_SHOWN}" in text
    names = ", ".join(person.full_name for person in first.executors)
    assert names and names.split(",")[0] in text
    assert [b.callback_data for row in reminders_markup.inline_keyboard for b in row] == [
        b.callback_data for b in buttons
    ]
    assert f"ещё {len(cards) - GROUP_SHOWN}" in reminders_text
