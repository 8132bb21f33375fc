"""Survey definitions in memory, so a respondent's tap reads neither the database nor a copy of
the whole survey in their conversation state.

A definition is written once, when the survey is created, and never changed afterwards (opening
and closing touch only the status and the dates; whether answers are still taken is the
service's call at «Начать» and «Отправить»). So an entry never goes stale, and the cache is
keyed by survey id alone. Each entry carries a fingerprint of the definition: an attempt keeps
it in its state and is refused (politely, "start again from the link") if it ever meets
another one, say after a database restored from a backup.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from services.memo import keep_recent
from storage.database import Database
from storage.records import Survey
from surveys.model import SurveyDefinition, definition_to_json

# Surveys remembered at most; the least recently used one goes first. A school runs a few at a
# time, a municipality a few dozen: this is far more than are ever answered in the same hour.
SURVEY_CACHE_SIZE = 256


def fingerprint(definition: SurveyDefinition) -> str:
    """A short digest of the definition, the same in every process and every version."""
    canonical = json.dumps(
        definition_to_json(definition), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class KnownDefinition:
    survey_id: int
    definition: SurveyDefinition
    fingerprint: str


class SurveyDefinitions:
    """Loads each survey's definition once per process."""

    def __init__(self, database: Database, size: int = SURVEY_CACHE_SIZE) -> None:
        self._database = database
        self._size = size
        self._entries: dict[int, KnownDefinition] = {}

    def remember(self, survey: Survey) -> KnownDefinition:
        """A survey just read (at the link): kept, so the taps that follow find it."""
        known = self._entries.get(survey.id)
        if known is None:
            known = KnownDefinition(survey.id, survey.definition, fingerprint(survey.definition))
        self._keep(known)
        return known

    async def get(self, survey_id: int) -> KnownDefinition | None:
        """The definition, from memory or else from the database; None for no such survey."""
        known = self._entries.get(survey_id)
        if known is not None:
            self._keep(known)
            return known
        async with self._database.transaction() as repositories:
            survey = await repositories.surveys.get(survey_id)
        return None if survey is None else self.remember(survey)

    def _keep(self, known: KnownDefinition) -> None:
        keep_recent(self._entries, known.survey_id, known, self._size)
