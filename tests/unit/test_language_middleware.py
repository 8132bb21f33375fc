"""The language chosen per update: the user's, when the bot speaks it; remembered per code."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import Message, User

from bot.i18n import LanguageMiddleware, create_i18n


def _data(language_code: str | None) -> dict[str, Any]:
    user = User(id=1, is_bot=False, first_name="A", language_code=language_code)
    return {"event_from_user": user}


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "en"), ("en-GB", "en"), ("ru", "ru"), ("de", "ru"), ("xx-yy", "ru"), (None, "ru")],
)
async def test_each_code_gets_the_language_aiogram_would_choose(
    code: str | None, expected: str
) -> None:
    middleware = LanguageMiddleware(create_i18n())
    event = Message.model_construct()
    assert await middleware.get_locale(event, _data(code)) == expected
    # Asked again (now from memory): the same answer.
    assert await middleware.get_locale(event, _data(code)) == expected
