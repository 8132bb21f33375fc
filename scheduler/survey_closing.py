"""Closes surveys whose last day has passed and tells their coordinators, once.

A plain async function like the reminder tick: APScheduler calls it every few minutes and tests
call it with a moved clock. Closing is idempotent (a conditional update), so the notice goes out
only from the run that actually closed the survey, even with several instances running.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from bot.i18n import CatalogI18n
from handlers import survey_notices
from scheduler.sender import Delivery, OutgoingMessage, Sender
from services.surveys import SurveyService
from storage.records import Survey

logger = logging.getLogger(__name__)


class SurveyClosingJob:
    def __init__(
        self, surveys: SurveyService, sender: Sender, i18n: CatalogI18n, admin_ids: Collection[int]
    ) -> None:
        self._surveys = surveys
        self._sender = sender
        self._i18n = i18n
        self._admin_ids = tuple(admin_ids)

    async def run(self) -> list[Survey]:
        closed = await self._surveys.close_due()
        if not closed:
            return closed
        messages: list[OutgoingMessage] = []
        for notice in await self._surveys.closing_notices(closed):
            # A survey of no organisation was made by an administrator: they hear of it.
            recipients = notice.recipients or tuple((chat, None) for chat in self._admin_ids)
            for chat_id, language in recipients:
                with self._i18n.speaking(language):
                    text, markup = survey_notices.closed_by_date(notice.survey, notice.responses)
                messages.append(
                    OutgoingMessage(
                        f"survey-closed:{notice.survey.id}:{chat_id}", chat_id, text, markup
                    )
                )
        for result in await self._sender.send_all(messages):
            if result.delivery is not Delivery.SENT:
                # A notice only: the survey is closed and its results wait in /results anyway.
                logger.warning("survey closing notice %s not sent: %s", result.key, result.error)
        return closed
