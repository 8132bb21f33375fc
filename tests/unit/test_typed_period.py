from __future__ import annotations

from datetime import date

import pytest

from handlers.roadmap_import.flow import typed_period as _typed_period
from roadmap.period import Period

TODAY = date(2022, 11, 1)


@pytest.mark.parametrize(
    "text",
    ["01.09.2022-31.08.2023", "01.09.2022 — 31.08.2023", "2022-09-01:2023-08-31"],
)
def test_ranges_people_type(text: str) -> None:
    assert _typed_period(text, TODAY) == Period(date(2022, 9, 1), date(2023, 8, 31))


@pytest.mark.parametrize("text", ["когда-нибудь", "31.08.2023-01.09.2022", "01.09.2022", ""])
def test_anything_else_is_not_a_period(text: str) -> None:
    assert _typed_period(text, TODAY) is None
