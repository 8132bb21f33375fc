"""People, heads, role groups and invites on real databases (SQLite; PostgreSQL in CI)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import ManualClock
from core.models import OrganisationKind, Role
from services.access import AccessDenied, Actor
from services.people import (
    AcceptOutcome,
    InviteState,
    LinkStatus,
    PeopleService,
    hash_code,
    is_heads_of_schools,
)
from services.privacy import CONSENT_VERSION
from storage.database import Database
from storage.records import Organisation, Person

TZ = "Asia/Vladivostok"
ADMIN = Actor(1, None, is_admin=True)


async def _world(
    service: PeopleService,
) -> tuple[dict[str, Organisation], dict[str, Person]]:
    add = service.add_organisation
    region = await add(
        ADMIN, name="Минобр ПК", kind=OrganisationKind.REGION, timezone=TZ, parent_id=None
    )
    district = await add(
        ADMIN, name="УО ДГО", kind=OrganisationKind.MUNICIPALITY, timezone=TZ, parent_id=region.id
    )
    other = await add(
        ADMIN, name="УО ОМО", kind=OrganisationKind.MUNICIPALITY, timezone=TZ, parent_id=region.id
    )
    orgs = {"region": region, "district": district, "other": other}
    for key, name, parent in (
        ("s2", "СОШ №2", district),
        ("l2", "Лицей №2", district),
        ("far", "СОШ №9", other),
    ):
        orgs[key] = await add(
            ADMIN, name=name, kind=OrganisationKind.SCHOOL, timezone=TZ, parent_id=parent.id
        )
    people = {}
    for key, name, org, role in (
        ("coordinator", "Бредня М.В.", "district", Role.COORDINATOR),
        ("head_s2", "Акимова Н.А.", "s2", Role.EXECUTOR),
        ("head_l2", "Колокольцева М.П.", "l2", Role.EXECUTOR),
        ("head_far", "Гришук Т.А.", "far", Role.EXECUTOR),
        ("teacher", "Шарик Н.Н.", "s2", Role.EXECUTOR),
    ):
        people[key] = await service.add_person(
            full_name=name, name_key=name.lower(), organisation_id=orgs[org].id, role=role
        )
    return orgs, people


def _coordinator(person: Person) -> Actor:
    return Actor(500, person, is_admin=False)


async def test_role_group_resolves_to_heads_of_schools_below(
    database: Database, clock: ManualClock
) -> None:
    service = PeopleService(database, clock, timedelta(days=14))
    orgs, people = await _world(service)
    for key in ("head_s2", "head_l2", "head_far"):
        await service.make_head(ADMIN, people[key].id)
    heads = await service.heads_for_group("Руководители ОО", orgs["district"].id)
    assert [p.full_name for p in heads] == ["Акимова Н.А.", "Колокольцева М.П."]
    everywhere = await service.heads_for_group("руководители  ОО", orgs["region"].id)
    assert len(everywhere) == 3
    assert await service.heads_for_group("Педагоги", orgs["district"].id) == []
    # A new head replaces the old one.
    await service.make_head(ADMIN, people["teacher"].id)
    heads = await service.heads_for_group("Руководители ОО", orgs["district"].id)
    assert [p.full_name for p in heads] == ["Шарик Н.Н.", "Колокольцева М.П."]


def test_heads_of_schools_phrases() -> None:
    for phrase in (
        "Руководители ОО",
        "руководители образовательных организаций",
        "Директора школ",
        "Руководители ОУ",
        # Heads of schools and of other kinds of institution: the schools' heads are among them.
        "Руководители ОО, ДОУ",
        "руководители ОУ и ДОУ",
        "Руководители ОО, ДОО, УДО",
        "Директора школ и детских садов",
    ):
        assert is_heads_of_schools(phrase), phrase
    for phrase in (
        "Руководители ШНОР и ШНСУ",
        "Педагоги",
        "Классные руководители",
        "Руководители ДОУ",
        "Руководители ОО, РМК",
        "Руководители ОО и партнеров",
    ):
        assert not is_heads_of_schools(phrase), phrase


async def test_coordinator_sees_and_touches_only_their_subtree(
    database: Database, clock: ManualClock
) -> None:
    service = PeopleService(database, clock, timedelta(days=14))
    orgs, people = await _world(service)
    actor = _coordinator(people["coordinator"])
    seen = {entry.person.full_name for entry in await service.people(actor)}
    assert seen == {"Бредня М.В.", "Акимова Н.А.", "Колокольцева М.П.", "Шарик Н.Н."}
    with pytest.raises(AccessDenied):
        await service.issue_invite(actor, people["head_far"].id)
    with pytest.raises(AccessDenied):
        await service.add_organisation(
            actor,
            name="Школа",
            kind=OrganisationKind.SCHOOL,
            timezone=TZ,
            parent_id=orgs["other"].id,
        )
    created = await service.add_organisation(
        actor,
        name="Школа №5",
        timezone=TZ,
        kind=OrganisationKind.SCHOOL,
        parent_id=orgs["district"].id,
    )
    assert created.parent_id == orgs["district"].id
    with pytest.raises(AccessDenied):
        await service.set_role(actor, people["teacher"].id, Role.COORDINATOR)  # admins only


async def test_invite_lifecycle(database: Database, clock: ManualClock) -> None:
    service = PeopleService(database, clock, timedelta(days=14))
    _orgs, people = await _world(service)
    actor = _coordinator(people["coordinator"])
    teacher = people["teacher"]
    first = await service.issue_invite(actor, teacher.id)
    second = await service.issue_invite(actor, teacher.id)
    assert len(first.code) >= 20 and first.code != second.code
    assert first.invite.code_hash == hash_code(first.code) != first.code
    assert (await service.check_invite(first.code)).state is InviteState.REVOKED
    assert (await service.check_invite("nonsense")).state is InviteState.UNKNOWN
    check = await service.check_invite(second.code)
    assert check.state is InviteState.VALID and check.person == teacher
    statuses = {e.person.id: e.status for e in await service.people(actor)}
    assert statuses[teacher.id] is LinkStatus.INVITED

    accepted = await service.accept_invite(second.invite.id, 9001, "ru", CONSENT_VERSION)
    assert accepted.outcome is AcceptOutcome.LINKED
    assert accepted.inviter_telegram_id == 500
    assert accepted.person is not None
    assert accepted.person.consent_version == CONSENT_VERSION
    assert accepted.person.consent_at == clock.now()
    again = await service.accept_invite(second.invite.id, 9002, "ru", CONSENT_VERSION)
    assert again.outcome is AcceptOutcome.INVALID
    assert (await service.check_invite(second.code)).state is InviteState.USED
    statuses = {e.person.id: e.status for e in await service.people(actor)}
    assert statuses[teacher.id] is LinkStatus.LINKED

    # The same Telegram account cannot take a second person.
    other = await service.issue_invite(actor, people["head_s2"].id)
    taken = await service.accept_invite(other.invite.id, 9001, "ru", CONSENT_VERSION)
    assert taken.outcome is AcceptOutcome.ACCOUNT_TAKEN

    clock.advance(timedelta(days=15))
    assert (await service.check_invite(other.code)).state is InviteState.EXPIRED
    expired = await service.accept_invite(other.invite.id, 9003, "ru", CONSENT_VERSION)
    assert expired.outcome is AcceptOutcome.INVALID


async def test_unlink_switch_off_and_merge(database: Database, clock: ManualClock) -> None:
    service = PeopleService(database, clock, timedelta(days=14))
    _orgs, people = await _world(service)
    actor = _coordinator(people["coordinator"])
    teacher = people["teacher"]
    issued = await service.issue_invite(actor, teacher.id)
    await service.accept_invite(issued.invite.id, 9001, "ru", CONSENT_VERSION)
    unlinked = await service.unlink(actor, teacher.id)
    assert unlinked.telegram_user_id is None
    # Not oneself: a coordinator unlinking their own account would lock themselves out.
    me = people["coordinator"]
    async with database.transaction() as repositories:
        await repositories.people.link_account(me.id, actor.telegram_user_id, "ru")
    with pytest.raises(AccessDenied) as refused:
        await service.unlink(actor, me.id)
    assert refused.value.key == "people.not_yourself_unlink"
    off = await service.set_active(actor, teacher.id, False)
    assert not off.is_active
    with pytest.raises(AccessDenied):
        await service.issue_invite(actor, teacher.id)
    await service.set_active(actor, teacher.id, True)

    duplicate = await service.add_person(
        full_name="Шарик Н. Н.",
        name_key="dup",
        organisation_id=teacher.organisation_id or 0,
        role=Role.EXECUTOR,
    )
    merged = await service.merge(actor, teacher.id, duplicate.id)
    assert merged.id == teacher.id
    names = [e.person.full_name for e in await service.people(actor)]
    assert names.count("Шарик Н. Н.") == 0
    with pytest.raises(AccessDenied):
        await service.merge(actor, teacher.id, people["head_far"].id)
