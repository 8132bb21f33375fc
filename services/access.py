"""Who is acting: resolved once per update, checked again by every rule that needs it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from core.clock import Clock
from core.errors import UserFacingError
from core.models import Role
from services.memo import Memo
from storage.database import Database
from storage.records import Person, Roadmap


@dataclass(frozen=True)
class Actor:
    # The account the update came from: Telegram's user id, or a MAX user's account id
    # (core.messengers); the name is older than MAX.
    telegram_user_id: int
    person: Person | None
    is_admin: bool

    @property
    def accounts(self) -> tuple[int, ...]:
        """Every account of the acting person (the one acting included)."""
        own = self.person.accounts if self.person is not None else ()
        return own if self.telegram_user_id in own else (self.telegram_user_id, *own)

    @property
    def role(self) -> Role | None:
        if self.is_admin:
            return Role.ADMIN
        if self.person is None or not self.person.is_active:
            return None
        return self.person.role

    @property
    def is_known(self) -> bool:
        return self.role is not None


async def resolve_actor(
    database: Database, admin_ids: Collection[int], telegram_user_id: int
) -> Actor:
    async with database.transaction() as repositories:
        person = await repositories.people.by_account(telegram_user_id)
    is_admin = telegram_user_id in admin_ids or (
        person is not None and person.is_active and person.is_admin
    )
    return Actor(telegram_user_id=telegram_user_id, person=person, is_admin=is_admin)


# How long who-is-who is remembered per Telegram id. Within this process nothing is stale: any
# committed write to the people table (a link, an unlink, a role, a head, a switch-off, a merge,
# an import adding people) forgets everything at once, see services.memo. Another
# instance (PostgreSQL + Redis behind a webhook) learns of a change only when its entry expires:
# a switched-off person or a demoted coordinator may go on acting there for at most this long,
# as they could with a screen they had opened a minute before. Objects (this roadmap, this
# person, this task) are still looked up and checked in the services at press time.
ACTOR_TTL = timedelta(seconds=30)
# Telegram ids remembered at most: a survey posted to a big chat brings a few thousand strangers.
ACTOR_CACHE_SIZE = 20_000


class ActorDirectory:
    """`resolve_actor` without a database round trip per update: the answer per Telegram id is
    kept for `ttl`, strangers (survey respondents, mostly) included."""

    def __init__(
        self,
        database: Database,
        admin_ids: Collection[int],
        clock: Clock,
        *,
        ttl: timedelta = ACTOR_TTL,
        size: int = ACTOR_CACHE_SIZE,
    ) -> None:
        self._database = database
        self._admin_ids = admin_ids
        self._actors: Memo[int, Actor] = Memo(database, clock, ("people",), ttl=ttl, size=size)

    async def resolve(self, telegram_user_id: int) -> Actor:
        return await self._actors.get(
            telegram_user_id,
            lambda: resolve_actor(self._database, self._admin_ids, telegram_user_id),
        )


class Permission(StrEnum):
    """What a command or button needs; every handler declares one (a test checks)."""

    ANYONE = "anyone"  # greetings, help, invite links: object checks inside
    # Answering a survey: anyone, and nobody is looked up. The handler gets no actor, so no
    # staff lookup of a Telegram id ever sits next to an answer (nor costs a round trip).
    RESPONDENT = "respondent"
    STAFF = "staff"  # any active person of an organisation, or an admin
    VIEW = "view"  # follow roadmaps and progress: observers, coordinators, admins
    MANAGE = "manage"  # change roadmaps and people: coordinators, admins
    ADMIN = "admin"


_ALLOWED: dict[Permission, frozenset[Role]] = {
    Permission.STAFF: frozenset(Role),
    Permission.VIEW: frozenset({Role.ADMIN, Role.COORDINATOR, Role.OBSERVER}),
    Permission.MANAGE: frozenset({Role.ADMIN, Role.COORDINATOR}),
    Permission.ADMIN: frozenset({Role.ADMIN}),
}


def allows(permission: Permission, actor: Actor) -> bool:
    if permission in (Permission.ANYONE, Permission.RESPONDENT):
        return True
    return actor.role is not None and actor.role in _ALLOWED[permission]


class AccessDenied(UserFacingError):
    """This person may not do this; the key says why, politely."""


def may_import(actor: Actor) -> bool:
    return allows(Permission.MANAGE, actor)


def may_view_roadmaps(actor: Actor) -> bool:
    return allows(Permission.VIEW, actor)


async def organisation_scope(database: Database, actor: Actor) -> list[int] | None:
    """Organisations this person sees: their own and everything below it; None means all."""
    if actor.is_admin:
        return None
    person = actor.person
    if person is None or person.organisation_id is None or actor.role is None:
        return []
    async with database.transaction() as repositories:
        return await repositories.organisations.descendant_ids(person.organisation_id)


async def require_roadmap_access(database: Database, actor: Actor, roadmap_id: int) -> Roadmap:
    """The roadmap, if this person may see it; AccessDenied otherwise (also when it is gone)."""
    if not may_view_roadmaps(actor):
        raise AccessDenied("access.denied")
    async with database.transaction() as repositories:
        roadmap = await repositories.roadmaps.get(roadmap_id)
    scope = await organisation_scope(database, actor)
    if roadmap is None or (scope is not None and roadmap.organisation_id not in scope):
        raise AccessDenied("access.denied")
    return roadmap
