"""Presses no person meant: a double tap is done quietly, forged data is a stale button."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.conftest import RunningBot
from tests.e2e.test_tasks import SHABANOVA, _open, _setup


async def test_a_double_tap_changes_nothing_and_alarms_nobody(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = running_bot
    await _setup(bot)
    card = await _open(bot, SHABANOVA, "Утверждение школьного")
    history = card.button("История")
    await bot.press(SHABANOVA, card, history)
    await bot.api.wait_edit(card)
    with caplog.at_level(logging.INFO):
        # The same button again: Telegram answers "message is not modified".
        answer = await bot.press(SHABANOVA, card, history)
    assert not answer.get("text") and not answer.get("show_alert")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    "data",
    [
        "tsk1:o:99999999999999999999:0",  # past any database id
        "tsk1:l:0:-1",  # a negative page
        "cal1:m:2022:13:0",  # no such month
        "ppd1:-5:1",
    ],
)
async def test_forged_data_out_of_range_is_answered_as_a_stale_button(
    running_bot: RunningBot, data: str
) -> None:
    bot = running_bot
    await _setup(bot)
    listing = await bot.ask(SHABANOVA, "/tasks")
    answer = await bot.press(SHABANOVA, listing, data)
    assert answer["show_alert"] and "устарела" in answer["text"]
