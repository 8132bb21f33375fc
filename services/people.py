"""People, organisations and invites: who is who, and linking a person to their Telegram."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum

from core.clock import Clock
from core.messengers import messenger_of
from core.models import OrganisationKind, Role
from core.organisation_names import clean_name, name_fits
from services.access import AccessDenied, Actor, organisation_scope
from services.notices import NoticeBell, NoticeKind, plan_notices
from services.organisations import sibling_named
from services.reminders import Planning, plan_reminders
from storage.database import Database
from storage.records import Invite, Organisation, Person
from storage.repositories import Repositories

DEFAULT_INVITE_TTL = timedelta(days=14)


class LinkStatus(StrEnum):
    LINKED = "linked"
    INVITED = "invited"
    NOT_INVITED = "not_invited"
    UNREACHABLE = "unreachable"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class PersonEntry:
    person: Person
    organisation: Organisation | None
    status: LinkStatus


class InviteState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InviteCheck:
    state: InviteState
    invite: Invite | None = None
    person: Person | None = None
    organisation: Organisation | None = None


class AcceptOutcome(StrEnum):
    LINKED = "linked"
    INVALID = "invalid"
    ACCOUNT_TAKEN = "account_taken"


@dataclass(frozen=True)
class AcceptResult:
    outcome: AcceptOutcome
    person: Person | None = None
    inviter_telegram_id: int | None = None


@dataclass(frozen=True)
class IssuedInvite:
    code: str
    invite: Invite
    person: Person
    organisation: Organisation | None


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


# "руководители ОО", "Руководители образовательных организаций", "директора школ"; also with
# other kinds of institution listed after the schools ("руководители ОО, ДОУ", "руководители ОУ
# и ДОУ"): the heads of the schools are among them.
_HEADS_OF = re.compile(
    r"^(?:руководител[иья]\w*|директор[аы]?\w*)\s+(?P<kinds>.+)$", re.IGNORECASE
)
_SCHOOL_KIND = re.compile(
    r"оо|оу|школ\w*|образовательных\s+(?:организаций|учреждений)|общеобразовательных\s+\w+",
    re.IGNORECASE,
)
_OTHER_KIND = re.compile(
    r"доу|доо|до|удо|одо|оудо|дод|удод|спо|поо|детских\s+садов|дошкольных(?:\s+\w+){1,2}"
    r"|организаций\s+дополнительного\s+образования",
    re.IGNORECASE,
)
_KINDS_APART = re.compile(r"\s*(?:,|/|\s+и\s+)\s*", re.IGNORECASE)


_LEVEL = {
    OrganisationKind.REGION: 0,
    OrganisationKind.MUNICIPALITY: 1,
    OrganisationKind.SCHOOL: 2,
}


def may_contain(parent: OrganisationKind, child: OrganisationKind) -> bool:
    """Whether an organisation of kind `child` may sit directly under one of kind `parent`."""
    return _LEVEL[parent] < _LEVEL[child]


def is_heads_of_schools(group_name: str) -> bool:
    heads = _HEADS_OF.match(" ".join(group_name.split()))
    if heads is None:
        return False
    kinds = _KINDS_APART.split(heads["kinds"])
    return any(_SCHOOL_KIND.fullmatch(kind) for kind in kinds) and all(
        _SCHOOL_KIND.fullmatch(kind) or _OTHER_KIND.fullmatch(kind) for kind in kinds
    )


class PeopleService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        invite_ttl: timedelta,
        planning: Planning | None = None,
        bell: NoticeBell | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._invite_ttl = invite_ttl
        self._planning = planning
        self._bell = bell or NoticeBell()

    async def _replan_person(self, repositories: Repositories, person_id: int) -> None:
        """A person linked, unlinked or switched: their reminders follow."""
        if self._planning is not None:
            tasks = await repositories.tasks.of_person(person_id)
            await plan_reminders(repositories, tasks, self._clock, self._planning)

    async def _scope(self, actor: Actor) -> list[int] | None:
        return await organisation_scope(self._database, actor)

    async def require_person(self, actor: Actor, person_id: int) -> Person:
        """The person, if this actor manages their organisation; AccessDenied otherwise."""
        if actor.role not in (Role.ADMIN, Role.COORDINATOR):
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            person = await repositories.people.get(person_id)
        scope = await self._scope(actor)
        if person is None or (scope is not None and person.organisation_id not in scope):
            raise AccessDenied("access.denied")
        return person

    async def people(self, actor: Actor) -> list[PersonEntry]:
        """Everyone this person may manage, by organisation (by name) and then by name."""
        scope = await self._scope(actor)
        async with self._database.transaction() as repositories:
            organisations = {o.id: o for o in await repositories.organisations.list_all()}
            ids = list(organisations) if scope is None else scope
            found = await repositories.people.in_organisations(ids)
            invited = await repositories.invites.open_for([p.id for p in found], self._clock.now())
        entries = [
            PersonEntry(
                person,
                organisations.get(person.organisation_id or 0),
                _status(person, person.id in invited),
            )
            for person in found
        ]
        return sorted(entries, key=lambda e: e.organisation.name if e.organisation else "")

    async def entry(self, actor: Actor, person_id: int) -> PersonEntry:
        person = await self.require_person(actor, person_id)
        async with self._database.transaction() as repositories:
            organisation = (
                await repositories.organisations.get(person.organisation_id)
                if person.organisation_id is not None
                else None
            )
            invited = await repositories.invites.open_for([person.id], self._clock.now())
        return PersonEntry(person, organisation, _status(person, person.id in invited))

    async def issue_invite(self, actor: Actor, person_id: int) -> IssuedInvite:
        """A fresh single-use code; any earlier invite of this person stops working."""
        person = await self.require_person(actor, person_id)
        if not person.is_active:
            raise AccessDenied("people.inactive")
        now = self._clock.now()
        code = secrets.token_urlsafe(16)
        async with self._database.transaction() as repositories:
            await repositories.invites.revoke_open(person.id, now)
            invite = await repositories.invites.add(
                code_hash=hash_code(code),
                person_id=person.id,
                created_by_telegram_id=actor.telegram_user_id,
                now=now,
                expires_at=now + self._invite_ttl,
            )
            organisation = (
                await repositories.organisations.get(person.organisation_id)
                if person.organisation_id is not None
                else None
            )
        return IssuedInvite(code, invite, person, organisation)

    async def check_invite(self, code: str) -> InviteCheck:
        async with self._database.transaction() as repositories:
            invite = await repositories.invites.by_hash(hash_code(code))
            if invite is None:
                return InviteCheck(InviteState.UNKNOWN)
            person = await repositories.people.get(invite.person_id)
            organisation = (
                await repositories.organisations.get(person.organisation_id)
                if person is not None and person.organisation_id is not None
                else None
            )
        state = _invite_state(invite, self._clock)
        if person is None or not person.is_active:
            state = InviteState.REVOKED
        return InviteCheck(state, invite, person, organisation)

    async def record_consent(self, actor: Actor, consent_version: str) -> None:
        """A linked person with no consent on record agrees now (services.privacy)."""
        if actor.person is None:
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            await repositories.people.record_consent(
                actor.person.id, consent_version, self._clock.now()
            )

    async def deliver_here(self, actor: Actor) -> Person:
        """Messages to this person go to the messenger they write from now (Telegram or MAX,
        when both are linked), reminders already planned included."""
        person = actor.person
        if person is None or not person.has_account(actor.telegram_user_id):
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            await repositories.people.choose_messenger(
                person.id, messenger_of(actor.telegram_user_id)
            )
            await self._replan_person(repositories, person.id)
            updated = await repositories.people.get(person.id)
        assert updated is not None
        return updated

    async def refuse_consent(self, actor: Actor) -> None:
        """...or refuses: unlinked, as refusing at an invite leaves one unlinked; the
        coordinator can invite them again."""
        if actor.person is None:
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            await repositories.people.unlink(actor.person.id)

    async def accept_invite(
        self,
        invite_id: int,
        telegram_user_id: int,
        language_code: str | None,
        consent_version: str,
    ) -> AcceptResult:
        """Links the account of someone who agreed to the consent text of this version (the
        version and the moment are kept with the person)."""
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            invite = await repositories.invites.get(invite_id)
            if invite is None:
                return AcceptResult(AcceptOutcome.INVALID)
            taken = await repositories.people.by_account(telegram_user_id)
            if taken is not None and taken.id != invite.person_id:
                return AcceptResult(AcceptOutcome.ACCOUNT_TAKEN, person=taken)
            if not await repositories.invites.claim(invite_id, telegram_user_id, now):
                return AcceptResult(AcceptOutcome.INVALID)
            await repositories.people.link_account(
                invite.person_id, telegram_user_id, language_code, (consent_version, now)
            )
            await self._replan_person(repositories, invite.person_id)
            person = await repositories.people.get(invite.person_id)
            assert person is not None
            told = await self._tell_inviter(
                repositories, invite, NoticeKind.INVITE_LINKED, {"name": person.full_name}
            )
        if told:
            self._bell.ring()
        return AcceptResult(AcceptOutcome.LINKED, person, invite.created_by_telegram_id)

    async def decline_invite(self, invite_id: int, by: str) -> AcceptResult:
        """ "Нет, это не я": the link reached the wrong person (``by``, as their messenger
        names them), so it stops working, and whoever made it is told."""
        async with self._database.transaction() as repositories:
            invite = await repositories.invites.get(invite_id)
            if invite is None or invite.used_at is not None:
                return AcceptResult(AcceptOutcome.INVALID)
            await repositories.invites.revoke(invite_id, self._clock.now())
            person = await repositories.people.get(invite.person_id)
            told = person is not None and await self._tell_inviter(
                repositories,
                invite,
                NoticeKind.INVITE_DECLINED,
                {"name": person.full_name, "who": by},
            )
        if told:
            self._bell.ring()
        return AcceptResult(AcceptOutcome.INVALID, person, invite.created_by_telegram_id)

    async def _tell_inviter(
        self, repositories: Repositories, invite: Invite, kind: NoticeKind, payload: dict[str, str]
    ) -> bool:
        """Plans the notice to whoever made the invite; whether there is anyone to tell."""
        inviter = invite.created_by_telegram_id
        told = await plan_notices(
            repositories,
            kind,
            () if inviter is None else (inviter,),
            self._clock.now(),
            payload=payload,
            event=f"invite{invite.id}",
        )
        return bool(told)

    async def unlink(self, actor: Actor, person_id: int) -> Person:
        """The person's messenger account is unlinked (they keep their tasks); not one's own:
        a coordinator would lock themselves out of the organisation they run."""
        person = await self.require_person(actor, person_id)
        if person.has_account(actor.telegram_user_id):
            raise AccessDenied("people.not_yourself_unlink")
        async with self._database.transaction() as repositories:
            await repositories.people.unlink(person.id)
            await repositories.invites.revoke_open(person.id, self._clock.now())
            await self._replan_person(repositories, person.id)
            updated = await repositories.people.get(person.id)
        assert updated is not None
        return updated

    async def set_active(self, actor: Actor, person_id: int, active: bool) -> Person:
        person = await self.require_person(actor, person_id)
        if person.has_account(actor.telegram_user_id):
            raise AccessDenied("people.not_yourself")
        async with self._database.transaction() as repositories:
            await repositories.people.set_active(person.id, active)
            if not active:
                await repositories.invites.revoke_open(person.id, self._clock.now())
            await self._replan_person(repositories, person.id)
            updated = await repositories.people.get(person.id)
        assert updated is not None
        return updated

    async def set_role(self, actor: Actor, person_id: int, role: Role) -> Person:
        """Appointing coordinators and observers is for administrators."""
        if not actor.is_admin or role is Role.ADMIN:
            raise AccessDenied("access.denied")
        person = await self.require_person(actor, person_id)
        async with self._database.transaction() as repositories:
            await repositories.people.set_role(person.id, role)
            updated = await repositories.people.get(person.id)
        assert updated is not None
        return updated

    async def make_head(self, actor: Actor, person_id: int) -> Person:
        person = await self.require_person(actor, person_id)
        if person.organisation_id is None:
            raise AccessDenied("people.no_organisation")
        async with self._database.transaction() as repositories:
            await repositories.people.set_head(person.id, person.organisation_id)
            updated = await repositories.people.get(person.id)
        assert updated is not None
        return updated

    async def duplicates_of(self, actor: Actor, person_id: int) -> list[Person]:
        """Others in the same organisation with the same surname: merge candidates."""
        person = await self.require_person(actor, person_id)
        if person.organisation_id is None:
            return []
        surname = person.name_key.split(" ", 1)[0]
        async with self._database.transaction() as repositories:
            colleagues = await repositories.people.in_organisations([person.organisation_id])
        return [
            other
            for other in colleagues
            if other.id != person.id and other.name_key.split(" ", 1)[0] == surname
        ]

    async def merge(self, actor: Actor, keep_id: int, drop_id: int) -> Person:
        """Two records of one person (e.g. from two imports) become one."""
        keep = await self.require_person(actor, keep_id)
        drop = await self.require_person(actor, drop_id)
        if keep.id == drop.id or keep.organisation_id != drop.organisation_id:
            raise AccessDenied("people.merge_refused")
        if keep.is_linked and drop.is_linked:
            raise AccessDenied("people.merge_refused")
        async with self._database.transaction() as repositories:
            await repositories.people.merge_into(keep.id, drop.id)
            consent = (
                (drop.consent_version, drop.consent_at)
                if drop.consent_version is not None and drop.consent_at is not None
                else None
            )
            # The chosen messenger's account last: linking makes it the one messages go to.
            for account in sorted(drop.accounts, key=lambda a: a == drop.account):
                await repositories.people.link_account(
                    keep.id, account, drop.language_code, consent
                )
            updated = await repositories.people.get(keep.id)
        assert updated is not None
        return updated

    async def heads_for_group(self, group_name: str, organisation_id: int) -> list[Person]:
        """A role group fanned out: "руководители ОО" → the head of every school below."""
        if not is_heads_of_schools(group_name):
            return []
        async with self._database.transaction() as repositories:
            below = await repositories.organisations.descendant_ids(organisation_id)
            schools = [
                organisation.id
                for organisation in await repositories.organisations.list_all()
                if organisation.id in below and organisation.kind is OrganisationKind.SCHOOL
            ]
            return await repositories.people.heads_in(schools)

    async def set_report_cadence(
        self, actor: Actor, organisation_id: int, cadence: str
    ) -> Organisation:
        """How often this organisation's coordinators get the execution report by
        themselves: "quarter", "half_year" or "off" (`services.reports.ReportCadence`)."""
        scope = await self._scope(actor)
        if actor.role not in (Role.ADMIN, Role.COORDINATOR) or (
            scope is not None and organisation_id not in scope
        ):
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            await repositories.organisations.set_report_cadence(organisation_id, cadence)
            organisation = await repositories.organisations.get(organisation_id)
        if organisation is None:
            raise AccessDenied("access.denied")
        return organisation

    async def set_reminders(
        self,
        actor: Actor,
        organisation_id: int,
        offsets: tuple[int, ...] | None,
        morning: time | None,
    ) -> Organisation:
        """This organisation's own reminder days and morning (None: the instance's)."""
        scope = await self._scope(actor)
        if actor.role not in (Role.ADMIN, Role.COORDINATOR) or (
            scope is not None and organisation_id not in scope
        ):
            raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            await repositories.organisations.set_reminders(
                organisation_id,
                ",".join(str(day) for day in sorted(set(offsets), reverse=True))
                if offsets
                else None,
                morning.strftime("%H:%M") if morning else None,
            )
            if self._planning is not None:
                roadmaps = await repositories.roadmaps.in_organisations([organisation_id])
                tasks = [t for r in roadmaps for t in await repositories.tasks.in_roadmap(r.id)]
                await plan_reminders(repositories, tasks, self._clock, self._planning)
            organisation = await repositories.organisations.get(organisation_id)
        assert organisation is not None
        return organisation

    async def organisations(self, actor: Actor) -> list[Organisation]:
        scope = await self._scope(actor)
        async with self._database.transaction() as repositories:
            found = await repositories.organisations.list_all()
        return [o for o in found if scope is None or o.id in scope]

    async def rename_organisation(
        self, actor: Actor, organisation_id: int, name: str
    ) -> Organisation:
        """A new name for an organisation this person looks after (one a guess misnamed)."""
        scope = await self._scope(actor)
        if actor.role not in (Role.ADMIN, Role.COORDINATOR) or (
            scope is not None and organisation_id not in scope
        ):
            raise AccessDenied("access.denied")
        name = clean_name(name)
        if not name_fits(name):
            raise AccessDenied("orgs.rename.bad_name")
        async with self._database.transaction() as repositories:
            everyone = await repositories.organisations.list_all()
            current = next((o for o in everyone if o.id == organisation_id), None)
            if current is None:
                raise AccessDenied("access.denied")
            taken = sibling_named(everyone, name, current.parent_id)
            if taken is not None and taken.id != organisation_id:
                raise AccessDenied("orgs.rename.taken")
            await repositories.organisations.rename_many({organisation_id: name})
            renamed = await repositories.organisations.get(organisation_id)
        assert renamed is not None
        return renamed

    async def add_organisation(
        self,
        actor: Actor | None,
        *,
        name: str,
        kind: OrganisationKind,
        timezone: str,
        parent_id: int | None,
    ) -> Organisation:
        """Admins (and the CLI, actor None) anywhere; coordinators only below their own."""
        if actor is not None:
            scope = await self._scope(actor)
            allowed = actor.is_admin or (
                actor.role is Role.COORDINATOR and scope is not None and parent_id in scope
            )
            if not allowed:
                raise AccessDenied("access.denied")
        async with self._database.transaction() as repositories:
            parent = (
                await repositories.organisations.get(parent_id) if parent_id is not None else None
            )
            if parent_id is not None and (parent is None or not may_contain(parent.kind, kind)):
                raise AccessDenied("orgs.add.wrong_parent")
            return await repositories.organisations.add(
                name=" ".join(name.split()),
                kind=kind,
                timezone=timezone,
                created_at=self._clock.now(),
                parent_id=parent_id,
            )

    async def add_person(
        self,
        *,
        full_name: str,
        name_key: str,
        organisation_id: int,
        role: Role,
        position: str | None = None,
    ) -> Person:
        async with self._database.transaction() as repositories:
            return await repositories.people.add(
                full_name=full_name,
                name_key=name_key,
                role=role,
                created_at=self._clock.now(),
                organisation_id=organisation_id,
                position=position,
            )


def _status(person: Person, invited: bool) -> LinkStatus:
    if not person.is_active:
        return LinkStatus.INACTIVE
    if person.is_linked:
        return LinkStatus.LINKED if person.is_reachable else LinkStatus.UNREACHABLE
    return LinkStatus.INVITED if invited else LinkStatus.NOT_INVITED


def _invite_state(invite: Invite, clock: Clock) -> InviteState:
    if invite.used_at is not None:
        return InviteState.USED
    if invite.revoked_at is not None:
        return InviteState.REVOKED
    if invite.expires_at <= clock.now():
        return InviteState.EXPIRED
    return InviteState.VALID
