"""Reminder days and time as a coordinator types them."""

from __future__ import annotations

from datetime import time

import pytest

from reminders.schedule import Schedule, parse_offsets, parse_schedule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7, 3, 1, 0 в 08:30", Schedule((7, 3, 1, 0), time(8, 30))),
        ("за 5 и 2 дня", Schedule((5, 2), None)),
        ("9:00", Schedule(None, time(9, 0))),
        ("3,1,3", Schedule((3, 1), None)),
        ("1 0 в 7.45", Schedule((1, 0), time(7, 45))),
        ("По умолчанию", Schedule(None, None, reset=True)),
    ],
)
def test_what_is_understood(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize("text", ["когда-нибудь", "90, 3", "25:00 и 100", "", "-1, 3"])
def test_what_is_not(text: str) -> None:
    assert parse_schedule(text) is None


def test_what_was_not_said_stays() -> None:
    assert Schedule(None, time(9)).applied_to("5,2", "08:30") == ((5, 2), time(9))
    assert Schedule((3,), None).applied_to("5,2", "08:30") == ((3,), time(8, 30))
    assert Schedule(None, None, reset=True).applied_to("5,2", "08:30") == (None, None)
    assert parse_offsets("61") is None and parse_offsets("60,0") == (60, 0)
