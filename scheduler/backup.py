"""The nightly SQLite backup: a checked copy into BACKUP_DIR, the newest BACKUP_KEEP kept.

Registered only when the database is a SQLite file and BACKUP_KEEP is above 0 (PostgreSQL is
backed up with pg_dump, outside the bot). A failed night is logged and the next one tries
again; nothing of the database's content goes into the log, only paths and SQLite's reason.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from core.clock import Clock
from storage.backup import BackupError, backup_sqlite, prune_backups

logger = logging.getLogger(__name__)

BACKUP_HOUR = 2
BACKUP_MINUTE = 30


class BackupJob:
    def __init__(
        self, database_file: Path, folder: Path, keep: int, clock: Clock, zone: ZoneInfo
    ) -> None:
        self._database_file = database_file
        self.folder = folder
        self._keep = keep
        self._clock = clock
        self._zone = zone

    async def run(self) -> Path | None:
        """The copy written tonight (None: it failed, and the log says why)."""
        now = self._clock.now().astimezone(self._zone)
        try:
            path = await asyncio.to_thread(backup_sqlite, self._database_file, self.folder, now)
            removed = await asyncio.to_thread(prune_backups, self.folder, self._keep)
        except BackupError as error:
            logger.error("nightly backup failed: %s %s", error.key, error.params)
            return None
        logger.info("nightly backup written to %s; %d older removed", path, len(removed))
        return path
