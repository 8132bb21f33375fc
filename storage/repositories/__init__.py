"""Repositories grouped in one holder, bound to one connection (and its transaction)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.repositories.invites import InviteRepository
from storage.repositories.leases import LeaseRepository
from storage.repositories.max_messages import MaxMessageRepository
from storage.repositories.organisations import OrganisationRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.people import PersonRepository
from storage.repositories.privacy import PrivacyRepository
from storage.repositories.responsibles import ResponsibleRepository
from storage.repositories.roadmaps import ActivityRepository, RoadmapRepository
from storage.repositories.surveys import SurveyRepository
from storage.repositories.task_views import TaskViewRepository
from storage.repositories.tasks import TaskRepository


class Repositories:
    def __init__(self, connection: AsyncConnection) -> None:
        self.organisations = OrganisationRepository(connection)
        self.people = PersonRepository(connection)
        self.roadmaps = RoadmapRepository(connection)
        self.activities = ActivityRepository(connection)
        self.invites = InviteRepository(connection)
        self.tasks = TaskRepository(connection)
        self.task_views = TaskViewRepository(connection)
        self.outbox = OutboxRepository(connection)
        self.surveys = SurveyRepository(connection)
        self.responsibles = ResponsibleRepository(connection)
        self.privacy = PrivacyRepository(connection)
        self.leases = LeaseRepository(connection)
        self.max_messages = MaxMessageRepository(connection)


__all__ = [
    "ActivityRepository",
    "InviteRepository",
    "LeaseRepository",
    "MaxMessageRepository",
    "OrganisationRepository",
    "OutboxRepository",
    "PersonRepository",
    "PrivacyRepository",
    "Repositories",
    "ResponsibleRepository",
    "RoadmapRepository",
    "SurveyRepository",
    "TaskRepository",
    "TaskViewRepository",
]
