"""Mixing survey responses, so that a copy of the server's files cannot pair a respondent with
what they answered.

A submit writes the participation token (which, with the survey secret, names the person) and
the response in one transaction: nothing the respondent was told was received can be lost. But
that transaction is visible in a copy of the files: SQLite's WAL holds its pages in commit
order, PostgreSQL stamps both rows with its transaction id (xmin) and stores them in writing
order (ctid). So the response waits in a pending pool (`pending_since` set), and is rewritten
soon after, under a new key, in a shuffled batch of at least k responses of the same survey,
in one transaction; then the old row versions are made unreadable (SQLite: the WAL is
checkpointed and truncated, deleted rows zeroed; PostgreSQL: VACUUM). From then on a copy ties
the respondent's token at most to that batch: k or more responses.

When a batch runs: as soon as k responses are pending, or when the oldest pending one would
wait longer than the mixing window (SURVEY_MIX_SECONDS). A small batch is padded with
responses mixed before, picked at random; a survey with fewer than k responses in all keeps
them pending until more come or it closes (closing rewrites the whole survey as one batch, and
results of fewer than k responses are never shown).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from core.clock import Clock
from storage.database import Database
from storage.records import PendingPool
from storage.repositories.surveys import SURVEY_TABLES
from surveys.results import DEFAULT_K

logger = logging.getLogger(__name__)

DEFAULT_MIX_WINDOW = timedelta(minutes=10)
# The job looks at the pool this often (a fifth of the window, within these bounds), and mixes a
# pool whose window would run out before its next look.
_LONGEST_PERIOD = timedelta(minutes=1)
_SHORTEST_PERIOD = timedelta(seconds=1)


@dataclass(frozen=True)
class MixingPolicy:
    window: timedelta = DEFAULT_MIX_WINDOW
    k: int = DEFAULT_K

    @property
    def period(self) -> timedelta:
        """How often the pool is looked at."""
        return max(_SHORTEST_PERIOD, min(_LONGEST_PERIOD, self.window / 5))

    def due(self, pool: PendingPool, waited: timedelta) -> bool:
        """Mix this pool now: k are waiting, or the oldest (which has `waited` so long) would
        pass the window before the next look."""
        return pool.pending >= self.k or waited + self.period >= self.window


class SurveyMixing:
    """Runs the batches (`run`, from the scheduler) and clears old row versions."""

    def __init__(self, database: Database, clock: Clock, policy: MixingPolicy) -> None:
        self._database = database
        self._clock = clock
        self.policy = policy
        # The last clearing could not finish (a long reader on SQLite): the next run retries.
        self._owed = False

    async def run(self) -> int:
        """Mixes every pool that is due; how many pending responses it mixed."""
        async with self._database.transaction() as repositories:
            pools = await repositories.surveys.pending_pools()
        now = self._clock.now()
        mixed = 0
        for pool in pools:
            if not self.policy.due(pool, now - pool.oldest):
                continue
            # Immediate: on SQLite the batch reads and rewrites under the write lock.
            async with self._database.transaction(immediate=True) as repositories:
                mixed += await repositories.surveys.mix(pool.survey_id, self.policy.k)
        if mixed or self._owed:
            await self.forget_old_versions()
        return mixed

    async def forget_old_versions(self) -> None:
        """After a batch or a survey's sealing: what was rewritten leaves no readable trace."""
        self._owed = not await self._database.forget_old_versions(SURVEY_TABLES)
        if self._owed:
            logger.info("old survey row versions are still readable; retrying at the next run")
