"""The data folder (DATA_DIR) at each start: the bot's user only, whatever made it looser."""

from __future__ import annotations

from bot.settings import Settings
from storage.private_files import tighten_dir, tighten_file


def secure_data_dir(settings: Settings) -> None:
    """The folder 0700 and every file directly in it 0600, each fix logged as a warning.

    A missing folder is left to whoever first needs it (the SQLite engine, the survey secret):
    they create it 0700. Files in it hold the database, its companions, the secret, and often
    the administrator's copies of them: all personal data.
    """
    folder = settings.data_dir
    if not folder.is_dir():
        return
    tighten_dir(folder)
    for entry in folder.iterdir():
        if entry.is_file() and not entry.is_symlink():
            tighten_file(entry)
