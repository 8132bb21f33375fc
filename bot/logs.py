"""Logging set-up that keeps the bot token out of every line, whoever logs it."""

from __future__ import annotations

import logging

from bot.settings import Settings

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
