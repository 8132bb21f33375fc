"""The key of survey participation tokens: from SURVEY_SECRET, or generated once into a file.

Tokens are HMAC(secret, survey id + user id), so whoever holds the database but not this key
cannot tell whether a given person took part. It is kept apart from the database, readable by
the bot's user only, and never logged. It must never change while surveys are open: a new key
would let everyone answer again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

from bot.settings import Settings, SettingsError
from storage.private_files import make_private_dir

logger = logging.getLogger(__name__)

FILE_NAME = "survey_secret"
_PRIVATE = 0o600


def secret_path(settings: Settings) -> Path:
    """SURVEY_SECRET_FILE, or DATA_DIR/survey_secret: away from the data folder, a copy of it
    alone does not link survey answers to people."""
    return settings.survey_secret_file or settings.data_dir / FILE_NAME


def load_survey_secret(settings: Settings) -> bytes:
    """SURVEY_SECRET if set; else the file (``secret_path``), created on first use."""
    if settings.survey_secret is not None:
        return settings.survey_secret.get_secret_value().encode()
    path = secret_path(settings)
    if not path.exists():
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    """Writes a new secret so that no reader ever sees a half-written file.

    The value goes to a private temporary file first and is then linked into place: the link
    fails if another instance got there first, and then its secret is the one used.
    """
    make_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _PRIVATE)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return
        logger.info("generated the survey secret in %s (keep it with the database backups)", path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _read(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & ~_PRIVATE:
        logger.warning(
            "%s was readable by others (mode %03o); it is now readable by this user only",
            path,
            mode,
        )
        path.chmod(_PRIVATE)
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        # A fresh key would let everyone answer open surveys again: better to stop.
        raise SettingsError("SURVEY_SECRET", "settings.invalid.survey_secret")
    return value.encode()
