"""Messages cut to Telegram's limit as Telegram measures it."""

from __future__ import annotations

from bot.i18n import create_i18n
from handlers.render import TELEGRAM_TEXT_LIMIT, fit, telegram_length


def test_telegram_counts_an_emoji_outside_the_basic_plane_as_two() -> None:
    assert telegram_length("🔴 3") == 4
    assert telegram_length("Шабанова") == 8


def test_fit_keeps_lines_of_emoji_within_the_limit_in_utf16_units() -> None:
    lines = ["🔴" * 30 + " просрочено" for _ in range(200)]  # 41 characters, 71 units
    assert len("\n".join(lines)) > TELEGRAM_TEXT_LIMIT
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        text = fit(lines)
    assert telegram_length(text) <= TELEGRAM_TEXT_LIMIT
    kept = text.count("просрочено")
    assert 50 < kept <= 57  # counted in characters, 96 lines would have been kept


def test_fit_leaves_a_short_text_whole() -> None:
    assert fit(["а", "б"]) == "а\nб"
