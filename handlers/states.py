"""FSM states, one group per conversation flow."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class ImportFlow(StatesGroup):
    waiting_period = State()
    preview = State()


class DeadlineFlow(StatesGroup):
    waiting_date = State()
