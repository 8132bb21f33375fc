"""Loading a municipality's schools and heads from a list, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import ManualClock
from core.models import OrganisationKind, Role
from schools import SchoolsTable, read_schools
from services.access import AccessDenied, Actor
from services.org_import import HeadOutcome, OrgImportService, SchoolOutcome
from services.people import PeopleService
from storage.database import Database
from storage.records import Organisation, Person
from tests.sql_statements import count_statements

TZ = "Asia/Vladivostok"
ADMIN = Actor(1, None, is_admin=True)


_LETTERS = "бвгдклмнпрстфхцчшщжз"


def surname(number: int) -> str:
    """A distinct surname for each number (a name with digits is not a person's name)."""
    letters = ""
    while True:
        letters = _LETTERS[number % len(_LETTERS)] + letters
        number //= len(_LETTERS)
        if not number:
            return f"Д{letters}ова"


def schools_csv(rows: list[tuple[str, str, str]]) -> SchoolsTable:
    lines = ["Наименование ОО;ФИО руководителя;Должность"]
    lines.extend(";".join(row) for row in rows)
    return read_schools("\n".join(lines).encode(), "schools.csv")


def _list(count: int, heads: dict[int, str] | None = None) -> SchoolsTable:
    return schools_csv(
        [
            (f"МБОУ «СОШ №{n}»", (heads or {}).get(n, f"{surname(n)} А.Б."), "директор")
            for n in range(1, count + 1)
        ]
    )


async def _municipality(database: Database, clock: ManualClock) -> dict[str, Organisation]:
    people = PeopleService(database, clock, timedelta(days=14))
    region = await people.add_organisation(
        None, name="Приморский край", kind=OrganisationKind.REGION, timezone=TZ, parent_id=None
    )
    artem = await people.add_organisation(
        None,
        name="Артёмовский ГО",
        kind=OrganisationKind.MUNICIPALITY,
        timezone="Asia/Yakutsk",
        parent_id=region.id,
    )
    other = await people.add_organisation(
        None,
        name="Находкинский ГО",
        kind=OrganisationKind.MUNICIPALITY,
        timezone=TZ,
        parent_id=region.id,
    )
    return {"region": region, "artem": artem, "other": other}


async def _schools(database: Database, parent_id: int) -> list[Organisation]:
    async with database.transaction() as repositories:
        return await repositories.organisations.children_of(parent_id)


async def _staff(database: Database, organisation_ids: list[int]) -> list[Person]:
    async with database.transaction() as repositories:
        return await repositories.people.in_organisations(organisation_ids)


async def test_fifty_schools_with_heads_load_under_a_municipality(
    database: Database, clock: ManualClock
) -> None:
    orgs = await _municipality(database, clock)
    service = OrgImportService(database, clock)
    table = _list(50)

    plan = await service.preview(orgs["artem"].id, table)
    assert (plan.added, plan.updated, plan.unchanged) == (50, 0, 0)
    assert (plan.heads_new, plan.heads_changed, plan.people_new) == (50, 0, 50)
    assert await _schools(database, orgs["artem"].id) == []  # a preview writes nothing

    result = await service.apply(orgs["artem"].id, table)
    schools = await _schools(database, orgs["artem"].id)
    assert [school.name for school in schools] == [f"МБОУ «СОШ №{n}»" for n in range(1, 51)]
    assert list(result.school_ids) == [school.id for school in schools]
    assert {school.kind for school in schools} == {OrganisationKind.SCHOOL}
    assert {school.timezone for school in schools} == {"Asia/Yakutsk"}  # the parent's
    staff = await _staff(database, list(result.school_ids))
    assert len(staff) == 50
    assert all(p.is_head and p.role is Role.EXECUTOR and p.position == "директор" for p in staff)
    by_school = {p.organisation_id: p for p in staff}
    first = by_school[schools[0].id]
    assert (first.full_name, first.name_key) == ("Двова А.Б.", "двова а.б.")
    # "руководители ОО" now fan out to these heads.
    heads = await PeopleService(database, clock, timedelta(days=14)).heads_for_group(
        "Руководители ОО", orgs["artem"].id
    )
    assert len(heads) == 50


async def test_reloading_the_same_list_writes_nothing(
    database: Database, clock: ManualClock
) -> None:
    orgs = await _municipality(database, clock)
    service = OrgImportService(database, clock)
    await service.apply(orgs["artem"].id, _list(5))

    again = _list(5)
    plan = await service.preview(orgs["artem"].id, again)
    assert (plan.added, plan.updated, plan.unchanged, plan.heads_new) == (0, 0, 5, 0)
    assert plan.writes_nothing
    with count_statements(database.engine) as statements:
        await service.apply(orgs["artem"].id, again)
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes == []
    assert len(await _schools(database, orgs["artem"].id)) == 5
    assert (
        len(await _staff(database, [s.id for s in await _schools(database, orgs["artem"].id)]))
        == 5
    )


async def test_another_spelling_renames_in_place(database: Database, clock: ManualClock) -> None:
    orgs = await _municipality(database, clock)
    service = OrgImportService(database, clock)
    await service.apply(orgs["artem"].id, _list(2))
    table = read_schools(
        "Школа;Директор\nМАОУ СОШ № 1;Двова А.Б.\nМБОУ «СОШ №12»;Новикова Н.Н.".encode(),
        "x.csv",
    )
    plan = await service.preview(orgs["artem"].id, table)
    assert [(p.row.name, p.school, p.head) for p in plan.schools] == [
        ("МАОУ СОШ № 1", SchoolOutcome.RENAMED, HeadOutcome.SAME),
        ("МБОУ «СОШ №12»", SchoolOutcome.NEW, HeadOutcome.NEW),
    ]
    await service.apply(orgs["artem"].id, table)
    names = [school.name for school in await _schools(database, orgs["artem"].id)]
    assert names == ["МАОУ СОШ № 1", "МБОУ «СОШ №2»", "МБОУ «СОШ №12»"]


async def test_a_changed_head_takes_over_and_the_old_one_stays(
    database: Database, clock: ManualClock
) -> None:
    orgs = await _municipality(database, clock)
    service = OrgImportService(database, clock)
    first = await service.apply(orgs["artem"].id, _list(4))
    one, two, three, four = first.school_ids
    # A teacher already in school 3 (from a roadmap) is named head by the new list.
    async with database.transaction() as repositories:
        teacher = await repositories.people.add(
            full_name="Шарик Н.Н.",
            name_key="шарик н.н.",
            role=Role.EXECUTOR,
            created_at=clock.now(),
            organisation_id=three,
            position="учитель",
        )
    table = schools_csv(
        [
            ("МБОУ «СОШ №1»", "Новикова Нина Николаевна", "директор"),
            # The same head written out in full, no position: the name is updated, not the post.
            ("МБОУ «СОШ №2»", "Дгова Анна Борисовна", ""),
            ("МБОУ «СОШ №3»", "Н.Н. Шарик", "и.о. директора"),
            ("МБОУ «СОШ №4»", "Дкова А.Б.", "директор"),
        ]
    )
    plan = await service.preview(orgs["artem"].id, table)
    assert [p.head for p in plan.schools] == [
        HeadOutcome.REPLACED,
        HeadOutcome.UPDATED,
        HeadOutcome.REPLACED,
        HeadOutcome.SAME,
    ]
    assert (plan.updated, plan.unchanged, plan.heads_changed, plan.people_new) == (3, 1, 3, 1)
    await service.apply(orgs["artem"].id, table)

    staff = {p.full_name: p for p in await _staff(database, [one, two, three, four])}
    assert len(staff) == 6
    new_head = staff["Новикова Нина Николаевна"]
    assert (new_head.is_head, new_head.organisation_id, new_head.name_key) == (
        True,
        one,
        "новикова н.н.",
    )
    assert not staff["Двова А.Б."].is_head  # stays in the school, not head any more
    assert staff["Двова А.Б."].organisation_id == one
    assert staff["Дгова Анна Борисовна"].is_head
    assert staff["Дгова Анна Борисовна"].position == "директор"
    promoted = staff["Шарик Н.Н."]
    assert (promoted.id, promoted.is_head, promoted.position) == (
        teacher.id,
        True,
        "и.о. директора",
    )
    assert not staff["Ддова А.Б."].is_head
    assert staff["Дкова А.Б."].is_head
    assert sorted(p.organisation_id or 0 for p in staff.values() if p.is_head) == [
        one,
        two,
        three,
        four,
    ]

    # And loading it once more changes nothing.
    again = await service.preview(orgs["artem"].id, table)
    assert again.writes_nothing


async def test_statements_do_not_grow_with_the_list(
    database: Database, clock: ManualClock
) -> None:
    orgs = await _municipality(database, clock)
    service = OrgImportService(database, clock)
    counts = []
    for parent, size in ((orgs["artem"], 5), (orgs["other"], 50)):
        with count_statements(database.engine) as first:
            await service.apply(parent.id, _list(size))
        changed = _list(size, heads={n: f"{surname(n + 400)} В.Г." for n in range(1, size + 1)})
        with count_statements(database.engine) as second:
            result = await service.apply(parent.id, changed)
        assert result.plan.heads_changed == size
        with count_statements(database.engine) as preview:
            await service.preview(parent.id, changed)
        counts.append((len(first), len(second), len(preview)))
    assert counts[0] == counts[1]
    assert counts[0][2] <= 5


async def test_who_may_load_where(database: Database, clock: ManualClock) -> None:
    orgs = await _municipality(database, clock)
    service = OrgImportService(database, clock)
    people = PeopleService(database, clock, timedelta(days=14))
    school = await people.add_organisation(
        None,
        name="СОШ №1",
        kind=OrganisationKind.SCHOOL,
        timezone=TZ,
        parent_id=orgs["artem"].id,
    )
    persons = {}
    for key, organisation, role in (
        ("coordinator", orgs["artem"], Role.COORDINATOR),
        ("executor", orgs["artem"], Role.EXECUTOR),
        ("school_coordinator", school, Role.COORDINATOR),
    ):
        persons[key] = await people.add_person(
            full_name="Иванова А.А.",
            name_key="иванова а.а.",
            organisation_id=organisation.id,
            role=role,
        )
    coordinator = Actor(10, persons["coordinator"], is_admin=False)
    executor = Actor(11, persons["executor"], is_admin=False)
    at_school = Actor(12, persons["school_coordinator"], is_admin=False)

    assert [o.name for o in await service.parents(coordinator)] == ["Артёмовский ГО"]
    assert await service.parents(executor) == []
    assert await service.parents(at_school) == []
    assert {o.name for o in await service.parents(ADMIN)} == {
        "Приморский край",
        "Артёмовский ГО",
        "Находкинский ГО",
    }
    table = _list(2)
    await service.preview(orgs["artem"].id, table, coordinator)
    for actor, parent in (
        (coordinator, orgs["other"]),
        (coordinator, orgs["region"]),
        (executor, orgs["artem"]),
    ):
        with pytest.raises(AccessDenied):
            await service.apply(parent.id, table, actor)
    with pytest.raises(AccessDenied) as refused:
        await service.preview(school.id, table, ADMIN)
    assert refused.value.key == "orgs.import.wrong_parent"
    assert len(await _schools(database, orgs["other"].id)) == 0
