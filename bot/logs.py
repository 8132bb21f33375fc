"""Logging set-up that keeps the bot token, people and survey answers out of every line.

Who said what in a survey must never reach a log, at any level (152-ФЗ): the bot's own lines
carry ids of rows, never answer text, names or participation tokens, and the libraries below
stay at WARNING whatever LOG_LEVEL says, because at DEBUG or INFO they print what the bot
sends and receives. aiosqlite at DEBUG prints every statement with its bound values (the
Telegram id of the actor lookup, then the survey's token and answers 40 ms later);
SQLAlchemy's engine at INFO prints the statements (`hide_parameters` hides the values there,
but a statement with literals would still show them); aiogram's scenes print FSM data; aiohttp's
access log prints URLs, which may carry tokens.
"""

from __future__ import annotations

import logging

from bot.settings import Settings

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Loggers that print statements, bound values, conversation data or URLs below WARNING.
QUIET_LOGGERS = (
    "aiosqlite",
    "asyncpg",
    "sqlalchemy",
    "aiogram.scene",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.server",
)
QUIET_LEVEL = logging.WARNING


class RedactingFormatter(logging.Formatter):
    """Replaces secrets in the finished line, tracebacks included (URLs carry the token)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__(_FORMAT)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, "***")
        return line


def configure_logging(settings: Settings) -> None:
    secrets: list[str] = []
    if settings.bot_token is not None:
        token = settings.bot_token.get_secret_value()
        # The part after the colon is the secret; the numeric id alone is public.
        secrets = [token, token.partition(":")[2]]
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(secrets))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    quiet_libraries(logging.getLevelName(settings.log_level))


def quiet_libraries(level: int) -> None:
    """The libraries of QUIET_LOGGERS at WARNING whatever `level` the bot logs at; quieter
    than `level`, never louder: LOG_LEVEL=ERROR keeps them at ERROR."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, QUIET_LEVEL))
