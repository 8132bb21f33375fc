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

import json
import logging
from datetime import UTC, datetime

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
        # The longest first: the whole token before its secret part leaves no half behind.
        self._secrets = sorted((secret for secret in secrets if secret), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(RedactingFormatter):
    """One JSON object per record, on one line whatever the message or traceback holds (JSON
    escapes their newlines): `time` (ISO 8601, UTC), `level`, `logger`, `message`, and `exc`
    with the traceback when there is one. Secrets are replaced in each value before encoding."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        trace: list[str] = []
        if record.exc_info and not record.exc_text:
            # Cached on the record as logging.Formatter does, for the other handlers.
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            trace.append(record.exc_text)
        if record.stack_info:
            trace.append(self.formatStack(record.stack_info))
        if trace:
            entry["exc"] = self.redact("\n".join(trace))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    secrets: list[str] = []
    if settings.bot_token is not None:
        token = settings.bot_token.get_secret_value()
        # The part after the colon is the secret; the numeric id alone is public.
        secrets = [token, token.partition(":")[2]]
    handler = logging.StreamHandler()
    formatter = JsonFormatter if settings.log_format == "json" else RedactingFormatter
    handler.setFormatter(formatter(secrets))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    quiet_libraries(logging.getLevelName(settings.log_level))


def quiet_libraries(level: int) -> None:
    """The libraries of QUIET_LOGGERS at WARNING whatever `level` the bot logs at; quieter
    than `level`, never louder: LOG_LEVEL=ERROR keeps them at ERROR."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, QUIET_LEVEL))
