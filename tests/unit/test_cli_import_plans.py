"""`python -m bot import` does what the chat import does: tasks derived, reminders planned."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from core.models import OrganisationKind, Role
from roadmap.responsible import person_key
from storage.database import Database
from storage.migrate import upgrade_to_head
from storage.schema import outbox, tasks
from tests.cli import run_cli

SCHOOL = "МБОУ «Школа будущего»"
# Far enough ahead of the real clock the CLI runs with that every reminder is still to come.
ROADMAP = (
    "ДОРОЖНАЯ КАРТА\nпо развитию школы\nна 2030-2031 учебный год\n\n"
    "№\tМероприятие\tСрок проведения\tОтветственные исполнители\n"
    "1.\tСовещание с педагогами\tдо 20.05.2031 г.\tИванова А.А., заместитель директора\n"
    "2.\tОтчёт о работе\tдо 25.05.2031 г.\tИванова А.А., заместитель директора\n"
)


async def _seed(url: str) -> int:
    database = Database.from_url(url)
    try:
        await upgrade_to_head(database.engine)
        now = datetime.now(UTC)
        async with database.transaction() as repositories:
            school = await repositories.organisations.add(
                name=SCHOOL,
                kind=OrganisationKind.SCHOOL,
                timezone="Asia/Vladivostok",
                created_at=now,
            )
            person = await repositories.people.add(
                full_name="Иванова А.А.",
                name_key=person_key("Иванова А.А."),
                role=Role.EXECUTOR,
                created_at=now,
                organisation_id=school.id,
                telegram_user_id=43,
            )
        return person.id
    finally:
        await database.close()


async def _counts(url: str, person_id: int) -> tuple[int, int]:
    database = Database.from_url(url)
    try:
        async with database.engine.connect() as connection:
            found = (await connection.execute(select(func.count()).select_from(tasks))).scalar()
            planned = (
                await connection.execute(
                    select(func.count())
                    .select_from(outbox)
                    .where(outbox.c.person_id == person_id, outbox.c.status == "planned")
                )
            ).scalar()
        return int(found or 0), int(planned or 0)
    finally:
        await database.close()


def test_cli_import_derives_tasks_and_plans_reminders(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    person_id = asyncio.run(_seed(url))
    source = tmp_path / "plan.txt"
    source.write_text(ROADMAP, encoding="utf-8")
    result = run_cli(
        tmp_path,
        "import",
        str(source),
        "--org",
        SCHOOL,
        env={"LANG": "ru_RU.UTF-8", "DATABASE_URL": url},
    )
    assert result.returncode == 0, result.stderr
    assert "новых людей 0" in result.stderr  # she was matched, not created again
    found, planned = asyncio.run(_counts(url, person_id))
    assert found == 2
    assert planned >= 2 * 4  # countdowns to each of the two dates, at least
