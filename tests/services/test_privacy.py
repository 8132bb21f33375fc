"""/mydata, erasing a person and /forgetme on real databases (SQLite; PostgreSQL in CI)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.clock import ManualClock
from core.i18n import Catalogs
from core.models import Role
from roadmap.importer import parse_roadmap
from roadmap.readers import read_text
from roadmap.responsible import person_key
from services.access import AccessDenied, Actor
from services.notices import NoticeKind
from services.people import PeopleService
from services.personal_data import ERASED_NAME_KEY, PrivacyService
from services.roadmaps import RoadmapService
from services.tasks import TaskService
from storage.database import Database
from storage.schema import metadata

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "roadmaps"
TZ = "Asia/Vladivostok"
ADMIN = Actor(1, None, is_admin=True)
SHABANOVA_TG = 770_001
COORDINATOR_TG = 770_002
ERASED = Catalogs(ROOT / "bot" / "locales", "messages").gettext(ERASED_NAME_KEY, "ru")


async def dump(database: Database) -> str:
    """Every row of every table, as text."""
    parts: list[str] = []
    async with database.transaction() as repositories:
        connection = repositories.people._connection
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                parts.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(parts)


async def _world(database: Database, clock: ManualClock) -> tuple[Actor, Actor, int]:
    """A school with an imported roadmap; Шабанова (executor, linked) has done a task with
    a file, a link and a comment and asked to move another; a coordinator is linked."""
    roadmaps = RoadmapService(database, clock)
    org = await roadmaps.organisation_named("МБОУ «СОШ №2»", TZ)
    parsed = parse_roadmap(
        read_text((DATA / "school-tech-cluster-2022.txt").read_text(encoding="utf-8"))
    )
    result = await roadmaps.apply(org.id, parsed, source_name="plan.txt", actor_telegram_id=1)
    people = PeopleService(database, clock, timedelta(days=14))
    coordinator = await people.add_person(
        full_name="Координатор К.К.",
        name_key="к к.к.",
        organisation_id=org.id,
        role=Role.COORDINATOR,
    )
    async with database.transaction() as repositories:
        (shabanova,) = await repositories.people.find_by_name_key(
            org.id, person_key("Шабанова Н.С.")
        )
        await repositories.people.link_account(shabanova.id, SHABANOVA_TG, "ru")
        await repositories.people.link_account(coordinator.id, COORDINATOR_TG, "ru")
        shabanova = await repositories.people.get(shabanova.id)
        coordinator = await repositories.people.get(coordinator.id)
    assert shabanova is not None and coordinator is not None
    # An invite for her, made by the coordinator, still open.
    await people.issue_invite(Actor(COORDINATOR_TG, coordinator, False), shabanova.id)
    actor = Actor(SHABANOVA_TG, shabanova, is_admin=False)
    tasks = TaskService(database, clock)
    mine = await tasks.my_open_tasks(actor)
    first, second = mine[0], mine[1]
    await tasks.add_evidence(
        actor, first.task.id, "document", "FILEID-secret", "отчёт.pdf", comment="мой отчёт"
    )
    await tasks.add_evidence(actor, first.task.id, "link", "https://example.org/x")
    await tasks.mark_done(actor, first.task.id)
    await tasks.request_postponement(
        actor, second.task.id, second.task.due_on + timedelta(days=10), "болею"
    )
    return actor, Actor(COORDINATOR_TG, coordinator, False), result.roadmap.id


@pytest.fixture
def privacy(database: Database, clock: ManualClock) -> PrivacyService:
    return PrivacyService(database, clock, ERASED)


async def test_mydata_returns_what_is_kept_about_them(
    database: Database, clock: ManualClock, privacy: PrivacyService
) -> None:
    actor, _coordinator, _roadmap = await _world(database, clock)
    data = await privacy.export(actor)
    assert data["person"]["full_name"] == "Шабанова Н.С."
    assert data["person"]["telegram_user_id"] == SHABANOVA_TG
    assert data["person"]["organisation"] == "МБОУ «СОШ №2»"
    assert data["person"]["language_code"] == "ru"
    assert any(task["status"] == "done" for task in data["tasks"])
    kinds = {item["kind"]: item for item in data["evidence"]}
    assert kinds["document"]["file_name"] == "отчёт.pdf"
    assert kinds["link"]["value"] == "https://example.org/x"
    assert kinds["comment"]["value"] == "мой отчёт"
    assert data["postponements"][0]["reason"] == "болею"
    assert {event["event"] for event in data["task_events"]} >= {"done", "evidence"}


async def test_erasing_leaves_the_name_and_telegram_id_in_no_table(
    database: Database, clock: ManualClock, privacy: PrivacyService
) -> None:
    actor, coordinator, roadmap_id = await _world(database, clock)
    assert actor.person is not None
    before = await dump(database)
    assert "Шабанова Н.С." in before and str(SHABANOVA_TG) in before
    await privacy.erase(coordinator, actor.person.id)
    after = await dump(database)
    assert "Шабанова Н.С." not in after
    assert str(SHABANOVA_TG) not in after
    assert "FILEID-secret" not in after and "мой отчёт" not in after
    async with database.transaction() as repositories:
        person = await repositories.people.get(actor.person.id)
        executors = await repositories.tasks.executors_of(
            [t.id for t in await repositories.tasks.in_roadmap(roadmap_id)]
        )
    assert person is not None and person.full_name == ERASED and not person.is_active
    assert person.telegram_user_id is None and person.position is None
    # The activity stays: the erased person is still an executor, by id.
    assert any(actor.person.id in ids for ids in executors.values())
    # Erasing again changes nothing and fails nothing.
    await privacy.erase(coordinator, actor.person.id)


async def test_erasing_is_refused_for_oneself_and_outside_ones_organisations(
    database: Database, clock: ManualClock, privacy: PrivacyService
) -> None:
    actor, coordinator, _roadmap = await _world(database, clock)
    assert coordinator.person is not None and actor.person is not None
    with pytest.raises(AccessDenied):
        await privacy.erase(coordinator, coordinator.person.id)
    with pytest.raises(AccessDenied):
        await privacy.erase(actor, coordinator.person.id)  # an executor
    people = PeopleService(database, clock, timedelta(days=14))
    from core.models import OrganisationKind

    other = await people.add_organisation(
        ADMIN, name="СОШ №9", kind=OrganisationKind.SCHOOL, timezone=TZ, parent_id=None
    )
    stranger = await people.add_person(
        full_name="Чужой Ч.Ч.", name_key="ч ч.ч.", organisation_id=other.id, role=Role.EXECUTOR
    )
    with pytest.raises(AccessDenied):
        await privacy.erase(coordinator, stranger.id)


async def test_forgetme_reaches_the_coordinators(
    database: Database, clock: ManualClock, privacy: PrivacyService
) -> None:
    actor, _coordinator, _roadmap = await _world(database, clock)
    request = await privacy.request_forget(actor)
    assert request.told == (COORDINATOR_TG,)
    async with database.transaction() as repositories:
        due = await repositories.outbox.claim_due(clock.now(), 100)
    (row,) = [r for r in due if r.kind == NoticeKind.FORGET_ASKED]
    assert row.chat_id == COORDINATOR_TG
    assert row.payload == {"person_id": request.person_id, "name": "Шабанова Н.С."}


async def test_retention_erases_what_is_due_writes_the_act_and_sends_it(
    database: Database, clock: ManualClock, privacy: PrivacyService, tmp_path: Path
) -> None:
    from docx import Document

    from scheduler.retention import RetentionJob
    from services.personal_data import ACT_KIND

    actor, _coordinator, _roadmap = await _world(database, clock)
    assert actor.person is not None
    translate = Catalogs(ROOT / "bot" / "locales", "messages").translator("ru")
    job = RetentionJob(privacy, 12, tmp_path / "data", translate)
    assert await job.run() == []  # the roadmap's period has not ended: nothing is due
    assert not job.acts_dir.exists()

    clock.advance(timedelta(days=3 * 365))
    (act,) = await job.run()
    assert act.parent.stat().st_mode & 0o777 == 0o700
    assert act.stat().st_mode & 0o777 == 0o600
    text = "\n".join(p.text for p in Document(str(act)).paragraphs)
    assert "Акт об уничтожении персональных данных" in text
    after = await dump(database)
    assert "FILEID-secret" not in after and "мой отчёт" not in after
    # She still has open tasks and is active: her name stays.
    assert "Шабанова Н.С." in after
    async with database.transaction() as repositories:
        due = await repositories.outbox.claim_due(clock.now(), 100)
    assert [(r.kind, r.chat_id) for r in due if r.kind == ACT_KIND] == [(ACT_KIND, COORDINATOR_TG)]
    # Idempotent: nothing more to erase, no empty act.
    assert await job.run() == []
    assert list(job.acts_dir.iterdir()) == [act]
