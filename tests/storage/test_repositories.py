from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from core.clock import ManualClock
from core.models import OrganisationKind, Role
from storage.database import Database
from storage.records import Organisation

TZ = "Asia/Vladivostok"


async def _tree(database: Database, now: datetime) -> dict[str, Organisation]:
    async with database.transaction() as repositories:
        add = repositories.organisations.add
        region = await add(
            name="Министерство образования ПК",
            kind=OrganisationKind.REGION,
            timezone=TZ,
            created_at=now,
        )
        district = await add(
            name="Управление образования ДГО",
            timezone=TZ,
            created_at=now,
            kind=OrganisationKind.MUNICIPALITY,
            parent_id=region.id,
        )
        other = await add(
            name="Управление образования ОМО",
            timezone=TZ,
            created_at=now,
            kind=OrganisationKind.MUNICIPALITY,
            parent_id=region.id,
        )
        school = await add(
            name="МБОУ «СОШ №2»",
            kind=OrganisationKind.SCHOOL,
            timezone=TZ,
            created_at=now,
            parent_id=district.id,
        )
        lyceum = await add(
            name="МБОУ «Лицей №2»",
            kind=OrganisationKind.SCHOOL,
            timezone=TZ,
            created_at=now,
            parent_id=district.id,
        )
    return {
        "region": region,
        "district": district,
        "other": other,
        "school": school,
        "lyceum": lyceum,
    }


async def test_organisation_round_trip_keeps_utc(database: Database, clock: ManualClock) -> None:
    tree = await _tree(database, clock.now())
    async with database.transaction() as repositories:
        school = await repositories.organisations.get(tree["school"].id)
        missing = await repositories.organisations.get(10_000)
    assert school == tree["school"]
    assert school is not None and school.created_at == clock.now()
    assert school.created_at.utcoffset() is not None
    assert missing is None


async def test_descendants_and_ancestors(database: Database, clock: ManualClock) -> None:
    tree = await _tree(database, clock.now())
    ids = {name: organisation.id for name, organisation in tree.items()}
    async with database.transaction() as repositories:
        below_region = await repositories.organisations.descendant_ids(ids["region"])
        below_district = await repositories.organisations.descendant_ids(ids["district"])
        below_school = await repositories.organisations.descendant_ids(ids["school"])
        above_school = await repositories.organisations.ancestor_ids(ids["school"])
    assert sorted(below_region) == sorted(ids.values())
    assert sorted(below_district) == sorted([ids["district"], ids["school"], ids["lyceum"]])
    assert below_school == [ids["school"]]
    assert above_school == [ids["school"], ids["district"], ids["region"]]


async def test_people_link_and_lookup(database: Database, clock: ManualClock) -> None:
    tree = await _tree(database, clock.now())
    async with database.transaction() as repositories:
        person = await repositories.people.add(
            full_name="Шабанова Н.С.",
            name_key="шабанова н с",
            role=Role.EXECUTOR,
            created_at=clock.now(),
            organisation_id=tree["school"].id,
            position="заместитель директора по УВР",
        )
    assert not person.is_linked
    async with database.transaction() as repositories:
        await repositories.people.link_account(person.id, 5_000_000_001, "ru")
        linked = await repositories.people.by_account(5_000_000_001)
        same_name = await repositories.people.find_by_name_key(tree["school"].id, "шабанова н с")
        at_district = await repositories.people.in_organisations(
            await repositories.organisations.descendant_ids(tree["district"].id)
        )
        at_other = await repositories.people.in_organisations([tree["other"].id])
    assert linked is not None and linked.id == person.id and linked.is_linked
    assert linked.telegram_user_id == 5_000_000_001  # beyond 32 bits: BIGINT
    assert [p.id for p in same_name] == [person.id]
    assert [p.id for p in at_district] == [person.id]
    assert at_other == []


async def test_a_telegram_account_links_to_one_person(
    database: Database, clock: ManualClock
) -> None:
    tree = await _tree(database, clock.now())
    with pytest.raises(IntegrityError):
        async with database.transaction() as repositories:
            for name in ("Шабанова Н.С.", "Шарик Н.Н."):
                await repositories.people.add(
                    full_name=name,
                    name_key=name.lower(),
                    role=Role.EXECUTOR,
                    created_at=clock.now(),
                    organisation_id=tree["school"].id,
                    telegram_user_id=42,
                )
    async with database.transaction() as repositories:
        assert await repositories.people.in_organisations([tree["school"].id]) == []


async def test_failed_transaction_stores_nothing(database: Database, clock: ManualClock) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as repositories:
            await repositories.organisations.add(
                name="Школа", kind=OrganisationKind.SCHOOL, timezone=TZ, created_at=clock.now()
            )
            raise RuntimeError("boom")
    async with database.transaction() as repositories:
        assert await repositories.organisations.list_all() == []


async def test_foreign_keys_are_enforced(database: Database, clock: ManualClock) -> None:
    with pytest.raises(IntegrityError):
        async with database.transaction() as repositories:
            await repositories.organisations.add(
                name="Сирота",
                kind=OrganisationKind.SCHOOL,
                timezone=TZ,
                created_at=clock.now(),
                parent_id=999,
            )
