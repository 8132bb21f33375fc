"""Where roadmap-bot's catalogs live, and the bot's default language (no messenger needed)."""

from __future__ import annotations

from pathlib import Path

from core.i18n import Catalogs

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LOCALE = "ru"
DOMAIN = "messages"


def load_catalogs() -> Catalogs:
    return Catalogs(LOCALES_DIR, DOMAIN)
