"""FSM states, one group per conversation flow."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class ImportFlow(StatesGroup):
    waiting_period = State()
    preview = State()


class ReportFlow(StatesGroup):
    waiting_period = State()  # «с 01.09.2022 по 31.12.2022»


class DeadlineFlow(StatesGroup):
    waiting_date = State()


class BodyFlow(StatesGroup):
    # Who answers for a body («РМК»): the people ticked so far wait in the state's data.
    picking = State()


class SurveyFlow(StatesGroup):
    definition_file = State()
    classes = State()
    closing_date = State()


class SurveyAnswering(StatesGroup):
    # The respondent's draft (surveys.answering.Draft) lives in the state's data, nowhere else.
    answering = State()
