"""Who is acting, remembered per Telegram id: seen at once after every change in this process,
after the TTL for a change made elsewhere (SQLite; PostgreSQL in CI)."""

from __future__ import annotations

from datetime import timedelta

from core.clock import ManualClock
from core.models import OrganisationKind, Role
from services.access import ACTOR_TTL, Actor, ActorDirectory
from services.memo import Memo
from services.people import PeopleService
from services.privacy import CONSENT_VERSION
from storage.database import Database
from storage.records import Person
from tests.sql_statements import count_statements

ADMIN = Actor(1, None, is_admin=True)
USER = 777
OTHER_USER = 778


async def _person(people: PeopleService, name: str = "Шарик Н.Н.") -> Person:
    school = await people.add_organisation(
        ADMIN,
        name=f"СОШ {name}",
        kind=OrganisationKind.SCHOOL,
        timezone="Asia/Vladivostok",
        parent_id=None,
    )
    return await people.add_person(
        full_name=name, name_key=name.lower(), organisation_id=school.id, role=Role.EXECUTOR
    )


async def _link(people: PeopleService, person: Person, telegram_user_id: int) -> None:
    invite = await people.issue_invite(ADMIN, person.id)
    accepted = await people.accept_invite(
        invite.invite.id, telegram_user_id, "ru", CONSENT_VERSION
    )
    assert accepted.person is not None and accepted.person.telegram_user_id == telegram_user_id


async def test_a_stranger_is_looked_up_once_then_remembered(
    database: Database, clock: ManualClock
) -> None:
    actors = ActorDirectory(database, frozenset(), clock)
    with count_statements(database.engine) as statements:
        first = await actors.resolve(USER)
        again = await actors.resolve(USER)
    assert first == again and first.person is None and not first.is_known
    assert len(statements) == 1


async def test_every_change_of_a_person_in_this_process_is_seen_at_once(
    database: Database, clock: ManualClock
) -> None:
    people = PeopleService(database, clock, timedelta(days=14))
    actors = ActorDirectory(database, frozenset(), clock)
    person = await _person(people)
    assert (await actors.resolve(USER)).person is None  # remembered as a stranger

    await _link(people, person, USER)
    linked = await actors.resolve(USER)
    assert linked.person is not None and linked.role is Role.EXECUTOR

    await people.set_role(ADMIN, person.id, Role.COORDINATOR)
    assert (await actors.resolve(USER)).role is Role.COORDINATOR

    await people.make_head(ADMIN, person.id)
    found = (await actors.resolve(USER)).person
    assert found is not None and found.is_head

    await people.set_active(ADMIN, person.id, False)
    assert (await actors.resolve(USER)).role is None
    await people.set_active(ADMIN, person.id, True)
    assert (await actors.resolve(USER)).role is Role.COORDINATOR

    await people.unlink(ADMIN, person.id)
    assert (await actors.resolve(USER)).person is None


async def test_a_merge_moves_the_telegram_id_to_the_kept_record(
    database: Database, clock: ManualClock
) -> None:
    people = PeopleService(database, clock, timedelta(days=14))
    actors = ActorDirectory(database, frozenset(), clock)
    drop = await _person(people)
    keep = await people.add_person(
        full_name="Шарик Наталья Николаевна",
        name_key="шарик наталья николаевна",
        organisation_id=drop.organisation_id or 0,
        role=Role.EXECUTOR,
    )
    await _link(people, drop, USER)
    assert (await actors.resolve(USER)).person == await _get(database, drop.id)

    await people.merge(ADMIN, keep.id, drop.id)
    merged = (await actors.resolve(USER)).person
    assert merged is not None and merged.id == keep.id


async def _get(database: Database, person_id: int) -> Person | None:
    async with database.transaction() as repositories:
        return await repositories.people.get(person_id)


async def test_a_write_straight_through_the_repositories_is_seen_too(
    database: Database, clock: ManualClock
) -> None:
    people = PeopleService(database, clock, timedelta(days=14))
    actors = ActorDirectory(database, frozenset(), clock)
    person = await _person(people)
    assert (await actors.resolve(OTHER_USER)).person is None
    async with database.transaction() as repositories:
        await repositories.people.link_account(person.id, OTHER_USER, "ru")
    assert (await actors.resolve(OTHER_USER)).role is Role.EXECUTOR


async def test_a_rolled_back_write_changes_nothing_and_forgets_nothing(
    database: Database, clock: ManualClock
) -> None:
    people = PeopleService(database, clock, timedelta(days=14))
    actors = ActorDirectory(database, frozenset(), clock)
    person = await _person(people)
    await actors.resolve(USER)
    generation = database.generation("people")
    try:
        async with database.transaction() as repositories:
            await repositories.people.link_account(person.id, USER, "ru")
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert database.generation("people") == generation
    with count_statements(database.engine) as statements:
        assert (await actors.resolve(USER)).person is None
    assert statements == []


async def test_another_instance_s_change_shows_after_the_ttl(
    database: Database, clock: ManualClock
) -> None:
    """A second Database over the same data stands for another instance: its writes are not
    seen here until the entry expires."""
    people = PeopleService(database, clock, timedelta(days=14))
    person = await _person(people)
    await _link(people, person, USER)
    elsewhere = Database(database.engine)  # same rows, its own generations: another process
    actors = ActorDirectory(elsewhere, frozenset(), clock)
    assert (await actors.resolve(USER)).is_known

    await people.set_active(ADMIN, person.id, False)
    clock.advance(ACTOR_TTL - timedelta(seconds=1))
    assert (await actors.resolve(USER)).is_known  # still remembered: at most the TTL stale
    clock.advance(timedelta(seconds=1))
    assert not (await actors.resolve(USER)).is_known


async def test_admins_from_the_settings_are_admins_without_a_person(
    database: Database, clock: ManualClock
) -> None:
    actors = ActorDirectory(database, frozenset({USER}), clock)
    actor = await actors.resolve(USER)
    assert actor.is_admin and actor.role is Role.ADMIN


async def test_memo_is_bounded_and_a_clock_set_back_does_not_keep_entries(
    database: Database, clock: ManualClock
) -> None:
    memo: Memo[int, int] = Memo(database, clock, ("people",), ttl=timedelta(seconds=30), size=2)
    loads: list[int] = []

    async def value(key: int) -> int:
        async def load() -> int:
            loads.append(key)
            return key * 10

        return await memo.get(key, load)

    assert [await value(1), await value(2), await value(1)] == [10, 20, 10]
    assert loads == [1, 2]
    await value(3)  # the longest remembered (2, since 1 was just used) goes
    await value(1)
    await value(2)
    assert loads == [1, 2, 3, 2]
    clock.advance(-timedelta(minutes=5))
    await value(2)
    assert loads == [1, 2, 3, 2, 2]


async def test_what_was_read_while_people_changed_is_not_kept(
    database: Database, clock: ManualClock
) -> None:
    people = PeopleService(database, clock, timedelta(days=14))
    memo: Memo[int, str] = Memo(database, clock, ("people",), ttl=timedelta(seconds=30), size=9)
    loads = 0

    async def load() -> str:
        nonlocal loads
        loads += 1
        if loads == 1:  # a link commits while this reader is still reading
            await _person(people)
        return "read"

    await memo.get(1, load)
    await memo.get(1, load)
    assert loads == 2
    await memo.get(1, load)
    assert loads == 2
