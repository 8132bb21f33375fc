"""Closes surveys whose last day has passed; their coordinators are told, once.

A plain async function like the reminder tick: APScheduler calls it every few minutes and tests
call it with a moved clock. Closing is idempotent (a conditional update) and plans its notice
in the same transaction, so the notice goes out once, even with several instances running.
"""

from __future__ import annotations

from collections.abc import Collection

from services.surveys import SurveyService
from storage.records import Survey


class SurveyClosingJob:
    def __init__(self, surveys: SurveyService, admin_ids: Collection[int]) -> None:
        self._surveys = surveys
        self._admin_ids = tuple(admin_ids)

    async def run(self) -> list[Survey]:
        return await self._surveys.close_due(self._admin_ids)
