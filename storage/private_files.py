"""Files holding personal data (the SQLite database, the survey secret): the bot's user only.

Modes are set explicitly (created with them, then chmod), so a permissive umask of the service
manager or the shell does not decide who may read staff names and survey answers. SQLite
creates its -wal, -shm and -journal files itself, with the mode of the database file they
belong to (its unix VFS copies it and fchmods them), so a database file made 0600 before SQLite
first opens it keeps its companions 0600 too, whenever they are recreated. A process-wide
``os.umask(0o077)`` would also work, but it changes every file the process writes (the reports
an administrator asks for), must run before anything else creates a file, and tests would not
see it: the explicit modes hold wherever this code runs.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def make_private_dir(path: Path) -> None:
    """Creates a missing folder as 0700 (its missing parents as usual). An existing folder is
    left alone: it may be a shared one the database file was merely put in."""
    if path.is_dir():
        return
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)


def tighten_dir(path: Path) -> None:
    """An existing folder open to others becomes 0700, with a warning saying so."""
    _tighten(path, PRIVATE_DIR, "folder")


def tighten_file(path: Path) -> None:
    """An existing file open to others becomes 0600, with a warning saying so."""
    _tighten(path, PRIVATE_FILE, "file")


def create_private_file(path: Path) -> bool:
    """Creates an empty file as 0600; False if it was already there."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)
    return True


def private_sqlite(path: Path) -> None:
    """Before SQLite opens it: the database file (an empty file is an empty database) created
    0600 in a 0700 folder, or, if it exists, it and its companions tightened."""
    make_private_dir(path.parent)
    if create_private_file(path):
        return
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        tighten_file(file)


def _tighten(path: Path, private: int, what: str) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & ~private & 0o777 == 0:
        return
    # The path and the modes only: nothing of what the file holds.
    logger.warning(
        "%s %s was open to other users (mode %03o); set to %03o", what, path, mode, private
    )
    path.chmod(private)
