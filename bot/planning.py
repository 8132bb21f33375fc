"""Reminder planning from the settings: the same for the bot and the terminal, no messenger."""

from __future__ import annotations

from bot.settings import Settings
from reminders.planner import ReminderSettings, WorkingCalendar
from services.reminders import Planning


def create_planning(settings: Settings) -> Planning:
    return Planning(
        ReminderSettings(
            offsets_days=settings.reminder_offsets,
            morning=settings.reminder_time,
            escalate_after_working_days=settings.escalate_after_days,
        ),
        WorkingCalendar(),
    )
