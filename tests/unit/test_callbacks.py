"""Every number a button carries is bounded, so forged data never reaches a query."""

from __future__ import annotations

import annotated_types
import pytest
from aiogram.filters.callback_data import CallbackData

import handlers.calendar
import handlers.callbacks


def _callbacks() -> list[type[CallbackData]]:
    modules = (handlers.callbacks, handlers.calendar)
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, CallbackData)
        and value is not CallbackData
    ]


@pytest.mark.parametrize("callback", _callbacks(), ids=lambda c: c.__name__)
def test_every_number_in_a_button_has_bounds(callback: type[CallbackData]) -> None:
    for name, field in callback.model_fields.items():
        if field.annotation not in (int, int | None):
            continue
        bounds = {type(item) for item in field.metadata}
        assert annotated_types.Ge in bounds and annotated_types.Le in bounds, name
