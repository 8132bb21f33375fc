"""Benchmark: a municipality of 50 schools, end to end: the figures issue 12 is accepted on.

    .venv/bin/python -m bench.municipal [--activities 2000] [--schools 50]
        [--engine sqlite|postgresql|both] [--stage-timeout 300] [--seed 2022]
        [--schools-format xlsx|csv] [--morning YYYY-MM-DD]

Generated (deterministic for a seed, not timed): a schools list (.xlsx or .csv: school, head's
full name, head's position, under a title row as real lists have) and a municipal roadmap .docx
shaped like tests/data/roadmaps/municipal-clusters-plan-2022 (bench.import_docx's generator:
sections, merged step rows, the real deadline kinds), where about one activity row in five
names «Руководители ОО» (fanned out to every school's head) and the others name municipal
specialists or bodies. Then, on a fresh database (SQLite file, or a fresh PostgreSQL database
on TEST_DATABASE_URL's server) and the app's own assembly (bot.app.Application with the fake
Bot API of tests/fakebot as its Telegram), each stage is timed on its own, under
--stage-timeout:

    org import      the schools list read and stored under the municipality (load_schools)
    roadmap import  read + parse + RoadmapService(...).apply(...): what «Импортировать» does,
                    tasks and reminders planned (the heads and specialists are linked first)
    re-import       one activity's deadline changed in the file, applied again; the tasks and
                    outbox rows it wrote and changed are counted
    /status         the coordinator's /status through the real dispatcher: latency, statements
    /tasks          a school head's /tasks the same way
    tick            the real ReminderTick (Application's) on a busy reminder morning, against
                    the fake server enforcing 30 sendMessage/s and 1/s per chat: delivered
                    msg/s as a share of 30, and the 429s

A fixed calibration workload (read + parse of bench.import_docx's 500-row .docx) is timed in
the same run, before and after; each time is also printed as a multiple of it, and a goal in
seconds counts as met when either the time or its multiple (against the quiet machine's
calibration) meets it: on a shared machine ratios decide. A failed or timed-out stage is
printed as such and the stages that need it are skipped; the table is always printed.
Exit code: 0 when every goal is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import gc
import io
import logging
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as day_time
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from aiogram.types import Update
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import bench.tick as tick_bench
from bench.import_docx import FILE_NAME as CALIBRATION_FILE
from bench.import_docx import (
    RESULTS,
    SECTION_EVERY,
    SECTION_TITLES,
    STEP_RESULTS,
    ActivitySpec,
    GeneratedRoadmap,
    RowSpec,
    _Deadlines,
    _docx,
    _layout,
    _title,
    check_parse,
)
from bench.import_docx import generate as generate_calibration
from bot.app import Application, create_planning
from bot.settings import Settings
from core.clock import ManualClock
from core.models import OrganisationKind, Role
from roadmap.importer import ParsedRoadmap, parse_roadmap
from roadmap.readers import read_roadmap
from roadmap.responsible import person_key
from schools import read_schools
from services.org_import import OrgImportService
from services.people import DEFAULT_INVITE_TTL, PeopleService
from services.roadmaps import RoadmapService
from storage.database import Database
from storage.schema import outbox, tasks
from tests.fakebot import DEFAULT_TOKEN, FakeBotAPI
from tests.sql_statements import count_statements

TIMEZONE = "Asia/Vladivostok"
ZONE = ZoneInfo(TIMEZONE)
MUNICIPALITY = "Пограничный муниципальный округ"
ROADMAP_FILE = "plan-municipal.docx"
TITLE_LINES = (
    "ПЛАН РАБОТЫ",
    "по организации деятельности общеобразовательных организаций - участников "
    "образовательных кластеров",
    "в Пограничном муниципальном округе",
    "на 2022-2023 учебный год",
)
HEADS_GROUP = "Руководители ОО"
# Municipal specialists the roadmap names (as in municipal-clusters-plan-2022), with their
# positions; the first is the coordinator who runs /status and imports the roadmap.
SPECIALISTS = (
    ("Шкуратская М.В.", "начальник отдела образования", Role.COORDINATOR),
    ("Третьякова Т.В.", "главный специалист", Role.EXECUTOR),
    ("Мельникова Т.В.", "ведущий специалист", Role.EXECUTOR),
    ("Гумбатов С.А.", "методист МКУ «ЦОД»", Role.EXECUTOR),
    ("Ланская Н.В.", "методист МКУ «ЦОД»", Role.EXECUTOR),
    ("Петухов Е.А.", "ведущий специалист МКУ «ЦОД»", Role.EXECUTOR),
)
# Responsible cells: (text, the people the parser finds in it).
HEADS_CELLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (HEADS_GROUP, ()),
    (HEADS_GROUP, ()),
    (HEADS_GROUP, ()),
    (f"{HEADS_GROUP}\nТретьякова Т. В.", ("Третьякова Т.В.",)),
)
BODY_CELLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("МО ПК", ()),
    ("Комитет по образованию", ()),
    ("РМК", ()),
)
SPECIALIST_CELLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Третьякова Т. В.", ("Третьякова Т.В.",)),
    ("Третьякова Т. В.", ("Третьякова Т.В.",)),
    ("Мельникова Т. В. Гумбатов С.А.", ("Мельникова Т.В.", "Гумбатов С.А.")),
    (
        "Шкуратская М.В. Мельникова Т.В. Гумбатов С.А. Ланская Н.В. Третьякова Т.В.",
        ("Шкуратская М.В.", "Мельникова Т.В.", "Гумбатов С.А.", "Ланская Н.В.", "Третьякова Т.В."),
    ),
    ("Петухов Е.А., ведущий специалист МКУ «ЦОД»", ("Петухов Е.А.",)),
    ("Ланская Н.В.", ("Ланская Н.В.",)),
)
# Every fifth activity row names the heads (its deadline a single date, as the heads' rows of
# the real municipal files); half of the others a municipal body (no task), half specialists
# (every deadline kind). 2000 activity rows x 50 schools then give about the 21,600 tasks the
# issue measured.
HEADS_EVERY = 5
BODY_SHARE = 0.5
SCHOOLS_TITLE = "Список общеобразовательных организаций Пограничного муниципального округа"
SCHOOLS_HEADER = ("№", "Наименование образовательной организации", "ФИО руководителя", "Должность")

TELEGRAM_IDS_FROM = 7_000_000  # heads, then specialists
GLOBAL_LIMIT = 30
PER_CHAT_LIMIT = 1
STATEMENT_BOUND = 30  # "a constant number of statements": generous, the old code sends 7/task
CALIBRATION_ROWS = 500
# read + parse of the 500-row .docx on this machine when quiet: the median of 5 at load 1.3 on
# 2026-12-06 (re-measure after changing the readers or the parsers).
QUIET_CALIBRATION_S = 0.184
MORNINGS = (date(2022, 9, 6), date(2022, 10, 31))  # where the tick's morning is looked for
POSTGRES_URL_VARIABLE = "TEST_DATABASE_URL"

logger = logging.getLogger("bench.municipal")


# ---------------------------------------------------------------------------------------------
# The schools list


@dataclass(frozen=True)
class School:
    name: str
    head: str  # full name, as such lists write it
    position: str


_SURNAMES = (
    ("Иванов", "Иванова"), ("Петров", "Петрова"), ("Сидоренко", "Сидоренко"),
    ("Кузнецов", "Кузнецова"), ("Ким", "Ким"), ("Шевченко", "Шевченко"),
    ("Лебедев", "Лебедева"), ("Новиков", "Новикова"), ("Морозов", "Морозова"),
    ("Волков", "Волкова"), ("Соловьёв", "Соловьёва"), ("Васильев", "Васильева"),
    ("Зайцев", "Зайцева"), ("Павлов", "Павлова"), ("Семёнов", "Семёнова"),
    ("Голубев", "Голубева"), ("Виноградов", "Виноградова"), ("Богданов", "Богданова"),
    ("Воробьёв", "Воробьёва"), ("Фёдоров", "Фёдорова"), ("Михайлов", "Михайлова"),
    ("Беляев", "Беляева"), ("Тарасов", "Тарасова"), ("Белов", "Белова"),
)  # fmt: skip
_FIRST = (
    ("Александр", "Мария"), ("Сергей", "Елена"), ("Андрей", "Ольга"), ("Дмитрий", "Наталья"),
    ("Алексей", "Татьяна"), ("Игорь", "Ирина"), ("Виктор", "Светлана"), ("Олег", "Галина"),
)  # fmt: skip
_PATRONYMICS = (
    ("Петрович", "Петровна"), ("Иванович", "Ивановна"), ("Сергеевич", "Сергеевна"),
    ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"), ("Юрьевич", "Юрьевна"),
)  # fmt: skip
_PLACES = (
    "п. Пограничный", "с. Жариково", "с. Барабаш-Левада", "с. Сергеевка", "с. Богуславка",
    "с. Нестеровка", "с. Бойкое", "с. Байкал", "с. Софье-Алексеевское", "с. Таловый",
)  # fmt: skip


def generate_schools(count: int, seed: int) -> list[School]:
    """Unique school names in the forms real lists use; a head for each."""
    rng = random.Random(seed)
    schools = []
    for index in range(1, count + 1):
        form = rng.choice(("МБОУ", "МБОУ", "МБОУ", "МКОУ"))
        if index % 10 == 1 and index > 1:
            kind = rng.choice(("Гимназия", "Лицей"))
            name = f"{form} «{kind} № {index}»"
        elif index % 4 == 0:
            name = f"{form} «ООШ № {index} {rng.choice(_PLACES)}»"
        else:
            name = f"{form} «СОШ № {index}»"
        female = rng.random() < 0.7
        surname = rng.choice(_SURNAMES)[female]
        first = rng.choice(_FIRST)[female]
        patronymic = rng.choice(_PATRONYMICS)[female]
        position = "директор" if rng.random() < 0.9 else "и.о. директора"
        schools.append(School(name, f"{surname} {first} {patronymic}", position))
    return schools


def schools_file(schools: Sequence[School], kind: str) -> tuple[bytes, str]:
    """The list as a coordinator would send it: a title row, a header, one school a row."""
    rows = [[str(index), s.name, s.head, s.position] for index, s in enumerate(schools, 1)]
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow([SCHOOLS_TITLE])
        writer.writerow(SCHOOLS_HEADER)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig"), "schools.csv"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ОО"
    sheet.append([SCHOOLS_TITLE])
    sheet.append(list(SCHOOLS_HEADER))
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue(), "schools.xlsx"


# ---------------------------------------------------------------------------------------------
# The roadmap (bench.import_docx's generator, municipal cells)


def _municipal_row(
    rng: random.Random, deadlines: _Deadlines, dates: _Deadlines, *, step: bool, heads: bool
) -> RowSpec:
    result = rng.choice(STEP_RESULTS) if step else rng.choice(RESULTS)
    if heads:
        deadline, kind = dates.next()
        responsible, people = rng.choice(HEADS_CELLS)
    else:
        deadline, kind = deadlines.next()
        cells = BODY_CELLS if rng.random() < BODY_SHARE else SPECIALIST_CELLS
        responsible, people = rng.choice(cells)
    return RowSpec(result, deadline, kind, responsible, people)


def _table_rows_for(activities: int, seed: int) -> int:
    """Table rows (sections included) whose layout holds exactly ``activities`` activity rows."""
    rows = activities + activities // (SECTION_EVERY - 1) + 1
    for _attempt in range(50):
        layout = _layout(random.Random(seed), rows)
        got = sum(layout)
        if got == activities:
            return rows
        rows += activities - got
    return rows


def generate_roadmap(activities: int, seed: int) -> GeneratedRoadmap:
    """A municipal roadmap of ``activities`` activity rows (activities and their steps)."""
    rows = _table_rows_for(activities, seed)
    rng = random.Random(seed)
    layout = _layout(rng, rows)
    deadlines = _Deadlines(rng)
    dates = _Deadlines(rng)
    dates._makers = dates._makers[:4]  # the single-date kinds: heads' rows in the real files
    roadmap = GeneratedRoadmap(table_rows=rows)
    section = ""
    number_in_section = 0
    row_index = 0
    for span in layout:
        if span == 0:
            index = len(roadmap.sections)
            section = f"{index + 1}. {SECTION_TITLES[index % len(SECTION_TITLES)]}"
            roadmap.sections.append(section)
            number_in_section = 0
            continue
        number_in_section += 1
        number = f"{len(roadmap.sections)}.{number_in_section}."
        steps = []
        for _ in range(span):
            heads = row_index % HEADS_EVERY == 0
            steps.append(_municipal_row(rng, deadlines, dates, step=span > 1, heads=heads))
            row_index += 1
        roadmap.activities.append(ActivitySpec(number, _title(rng), section, tuple(steps)))
    started = time.perf_counter()
    roadmap.data = _docx(roadmap, TITLE_LINES)
    roadmap.build_seconds = time.perf_counter() - started
    return roadmap


def with_one_deadline_moved(roadmap: GeneratedRoadmap) -> tuple[GeneratedRoadmap, str]:
    """The same roadmap with one heads' activity's deadline a week later (a corrected file)."""
    heads = [
        (index, activity)
        for index, activity in enumerate(roadmap.activities)
        if len(activity.rows) == 1 and activity.rows[0].responsible.startswith(HEADS_GROUP)
    ]
    index, activity = heads[len(heads) // 2]
    row = activity.rows[0]
    moved = dataclasses.replace(row, deadline=_later(row.deadline), deadline_kind="date")
    changed = dataclasses.replace(roadmap, activities=list(roadmap.activities))
    changed.activities[index] = dataclasses.replace(activity, rows=(moved,))
    changed.data = _docx(changed, TITLE_LINES)
    return changed, f"{activity.number} «{row.deadline}» -> «{moved.deadline}»"


def _later(deadline: str) -> str:
    """A date a week after the one in the cell ("до 04.10.2022 г." -> "до 11.10.2022 г.")."""
    for token in deadline.replace("-", " ").split():
        try:
            day = datetime.strptime(token.rstrip(".г"), "%d.%m.%Y").date()
        except ValueError:
            continue
        return f"до {day + timedelta(days=7):%d.%m.%Y} г."
    return "до 30.05.2023 г."


def expected_tasks(parsed: ParsedRoadmap, schools: int) -> int:
    """What the fan-out should give: per due date, one task per head plus one for the named."""
    total = 0
    for activity in parsed.activities:
        for leaf in activity.steps or (activity,):
            groups = (schools if any(i.kind.value == "group" for i in leaf.responsible) else 0) + (
                1 if any(i.kind.value == "person" for i in leaf.responsible) else 0
            )
            total += groups * len(leaf.deadline.due)
    return total


def busy_morning(parsed: ParsedRoadmap, offsets: Sequence[int]) -> date:
    """A Tuesday-Friday in the autumn when most heads' reminders fall (countdowns, due days).

    Mondays are left out: their digests are a workload of their own.
    """
    due_days: Counter[date] = Counter()
    for activity in parsed.activities:
        for leaf in activity.steps or (activity,):
            if any(i.kind.value == "group" for i in leaf.responsible):
                due_days.update(leaf.deadline.due)
    best, best_count = MORNINGS[0], -1
    day = MORNINGS[0]
    while day <= MORNINGS[1]:
        if 1 <= day.weekday() <= 4:
            count = sum(due_days[day + timedelta(days=offset)] for offset in offsets)
            if count > best_count:
                best, best_count = day, count
        day += timedelta(days=1)
    return best


# ---------------------------------------------------------------------------------------------
# The two places the lead adapts on merge


async def load_schools(
    database: Database, clock: ManualClock, data: bytes, filename: str, parent_id: int
) -> tuple[int, int]:
    """The schools list into the database under the municipality, as `python -m bot org
    import FILE --parent NAME` and the chat's «Загрузить» do; (schools, heads) stored."""
    table = await asyncio.to_thread(read_schools, data, filename)
    service = OrgImportService(database, clock)
    result = await service.apply(parent_id, table)
    if table.problems:
        raise StageFailed(f"{len(table.problems)} rows of the generated list were refused")
    return len(result.school_ids), result.plan.heads_new + result.plan.heads_changed


def build_app(settings: Settings, clock: ManualClock) -> Awaitable[Application]:
    """The bot as `python -m bot` assembles it: database, dispatcher, Sender(bot, Pacer()),
    ReminderTick. LEAD: if the tick's construction moves out of Application.create, build it
    here the way bot/app.py does; the bench uses ``app.tick.run()``, ``app.dispatcher``,
    ``app.bot`` and ``app.database``."""
    return Application.create(settings, clock)


# ---------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Outcome:
    """One stage: seconds of its timed part, or why there is none; details to print."""

    seconds: float | None = None
    error: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and self.seconds is not None


class StageFailed(Exception):
    pass


async def run_stage(
    name: str, body: Callable[[Outcome], Awaitable[None]], limit: float
) -> Outcome:
    """Runs a stage under the timeout; a failure or timeout becomes its outcome, not a crash."""
    outcome = Outcome()
    print(f"  {name} ...", end="", flush=True, file=sys.stderr)
    started = time.perf_counter()
    try:
        await asyncio.wait_for(body(outcome), limit)
    except TimeoutError:
        outcome.error = f"timed out after {time.perf_counter() - started:.0f} s"
    except Exception as error:  # any failure is a figure of this benchmark
        text_ = " ".join(str(error).split("[SQL:")[0].split())
        kind = "" if isinstance(error, StageFailed) else f"{type(error).__name__}: "
        after = time.perf_counter() - started
        outcome.error = f"failed after {after:.1f} s: {kind}{text_[:300]}"
    print(f" {outcome.error or f'{outcome.seconds:.2f} s'}", file=sys.stderr, flush=True)
    return outcome


def skipped(reason: str) -> Outcome:
    return Outcome(error=f"skipped: {reason}")


def _one_line(record: logging.LogRecord) -> str:
    line = f"{record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        line += f" ({type(error).__name__}: {' '.join(str(error).split())})"
    return line


class OneLine(logging.Formatter):
    """Log lines without tracebacks: the bench's output stays a table."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname} {_one_line(record)}"


@contextmanager
def logged_errors() -> Iterator[list[str]]:
    """ERROR records logged meanwhile (the bot's error handler logs what it apologised for)."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(_one_line(record)[:300])

    handler = Collect(logging.ERROR)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield found
    finally:
        root.removeHandler(handler)


@contextmanager
def counting_writes(engine: AsyncEngine) -> Iterator[Counter[str]]:
    """Rows written per table, as the driver reports them (approximate where it does not)."""
    written: Counter[str] = Counter()

    def after(
        _connection: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        words = statement.split(None, 3)
        verb = words[0].upper() if words else ""
        if verb not in ("INSERT", "UPDATE", "DELETE") or len(words) < 2:
            return
        table = words[2] if verb in ("INSERT", "DELETE") and len(words) > 2 else words[1]
        count = cursor.rowcount
        if count is None or count < 0:
            count = len(parameters) if executemany else 1
        written[table.strip('"').split(".")[-1]] += count

    event.listen(engine.sync_engine, "after_cursor_execute", after)
    try:
        yield written
    finally:
        event.remove(engine.sync_engine, "after_cursor_execute", after)


async def snapshot(database: Database) -> dict[str, dict[int, int]]:
    """A fingerprint of every task and outbox row by id, streamed: the bench's own memory stays
    small next to what it measures (hundreds of thousands of outbox rows at full size)."""
    result: dict[str, dict[int, int]] = {}
    async with database.engine.connect() as connection:
        for table in (tasks, outbox):
            rows = await connection.stream(select(table).execution_options(yield_per=5000))
            result[table.name] = {row.id: hash(repr(tuple(row))) async for row in rows}
    return result


def diff(before: dict[int, int], after: dict[int, int]) -> str:
    added = len(after.keys() - before.keys())
    removed = len(before.keys() - after.keys())
    changed = sum(1 for key in after.keys() & before.keys() if after[key] != before[key])
    return f"+{added} -{removed} ~{changed}"


def calibrate(runs: int) -> list[float]:
    data = generate_calibration(CALIBRATION_ROWS, 2022).data
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        parse_roadmap(read_roadmap(data, CALIBRATION_FILE))
        times.append(time.perf_counter() - started)
    return times


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------
# The run on one engine


@dataclass
class World:
    """What the stages share."""

    app: Application
    api: FakeBotAPI
    clock: ManualClock
    municipality_id: int
    schools_data: bytes
    schools_name: str
    roadmap: GeneratedRoadmap
    schools: int
    morning: date
    coordinator_chat: int = 0
    head_chat: int = 0
    roadmap_id: int | None = None


def _update(world: World, chat_id: int, command: str, update_id: int) -> Update:
    message = {
        "message_id": update_id,
        "date": int(world.clock.now().timestamp()),
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Bench", "language_code": "ru"},
        "text": command,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
    }
    return Update.model_validate(
        {"update_id": update_id, "message": message}, context={"bot": world.app.bot}
    )


async def stage_org_import(world: World, out: Outcome) -> None:
    database = world.app.database
    started = time.perf_counter()
    schools, heads = await load_schools(
        database, world.clock, world.schools_data, world.schools_name, world.municipality_id
    )
    out.seconds = time.perf_counter() - started
    out.info["text"] = f"{schools} schools, {heads} heads"
    if schools != world.schools or heads != world.schools:
        raise StageFailed(f"stored {schools} schools and {heads} heads of {world.schools}")


async def link_people(world: World) -> None:
    """Not timed: every head and the municipal specialists linked to Telegram ids."""
    next_id = TELEGRAM_IDS_FROM
    async with world.app.database.transaction() as repositories:
        below = await repositories.organisations.descendant_ids(world.municipality_id)
        heads = await repositories.people.heads_in(
            [i for i in below if i != world.municipality_id]
        )
        for head in heads:
            await repositories.people.link_account(head.id, next_id, "ru")
            next_id += 1
        world.head_chat = TELEGRAM_IDS_FROM
        for name, position, role in SPECIALISTS:
            await repositories.people.add(
                full_name=name,
                name_key=person_key(name),
                role=role,
                created_at=world.clock.now(),
                organisation_id=world.municipality_id,
                position=position,
                telegram_user_id=next_id,
            )
            if role is Role.COORDINATOR:
                world.coordinator_chat = next_id
            next_id += 1


async def _import(world: World, data: bytes) -> tuple[float, Any]:
    planning = create_planning(world.app.settings)
    service = RoadmapService(world.app.database, world.clock, planning)
    started = time.perf_counter()
    parsed = parse_roadmap(read_roadmap(data, ROADMAP_FILE))
    result = await service.apply(
        world.municipality_id,
        parsed,
        source_name=ROADMAP_FILE,
        actor_telegram_id=world.coordinator_chat,
    )
    return time.perf_counter() - started, result


async def _counts(world: World) -> tuple[int, int]:
    async with world.app.database.engine.connect() as connection:
        task_count = await connection.scalar(select(func.count()).select_from(tasks))
        outbox_count = await connection.scalar(select(func.count()).select_from(outbox))
    return int(task_count or 0), int(outbox_count or 0)


async def stage_roadmap_import(world: World, out: Outcome) -> None:
    seconds, result = await _import(world, world.roadmap.data)
    out.seconds = seconds
    world.roadmap_id = result.roadmap.id
    task_count, outbox_count = await _counts(world)
    out.info["tasks"] = task_count
    out.info["text"] = f"{task_count} tasks, {outbox_count} outbox rows planned"


async def stage_reimport(world: World, out: Outcome) -> None:
    changed, what = with_one_deadline_moved(world.roadmap)
    database = world.app.database
    started = time.perf_counter()
    parsed = parse_roadmap(read_roadmap(changed.data, ROADMAP_FILE))
    read_parse = time.perf_counter() - started
    before = await snapshot(database)
    service = RoadmapService(database, world.clock, create_planning(world.app.settings))
    with counting_writes(database.engine) as written, count_statements(database.engine) as sent:
        started = time.perf_counter()
        result = await service.apply(
            world.municipality_id,
            parsed,
            source_name=ROADMAP_FILE,
            actor_telegram_id=world.coordinator_chat,
        )
        out.seconds = time.perf_counter() - started
    after = await snapshot(database)
    plan = result.plan
    if len(plan.changed) != 1 or plan.added or plan.removed:
        raise StageFailed(
            f"expected one changed row, got +{len(plan.added)} ~{len(plan.changed)} "
            f"-{len(plan.removed)}"
        )
    out.info["text"] = (
        f"{what}; written: tasks {written['tasks']}, outbox {written['outbox']}, "
        f"task_executors {written['task_executors']}; changed: tasks "
        f"{diff(before['tasks'], after['tasks'])}, "
        f"outbox {diff(before['outbox'], after['outbox'])}"
        f"; {len(sent)} statements; read+parse {read_parse:.2f} s (not in the figure)"
    )


async def stage_view(world: World, out: Outcome, chat_id: int, command: str) -> None:
    """A command through the real dispatcher (middlewares, handler, service, reply over HTTP)."""
    app = world.app
    times: list[float] = []
    statements = 0
    for attempt in range(3):
        update = _update(world, chat_id, command, 1_000 + attempt)
        sent_before = len(world.api.chats.get(chat_id, []))
        with logged_errors() as errors, count_statements(app.database.engine) as sent:
            started = time.perf_counter()
            await app.dispatcher.feed_update(app.bot, update)
            times.append(time.perf_counter() - started)
        if errors:
            raise StageFailed(f"{errors[0]} ({len(sent)} statements)")
        replies = world.api.chats.get(chat_id, [])[sent_before:]
        if not replies:
            raise StageFailed("no reply")
        if attempt == 0:
            statements = len(sent)
            reply = replies[0].plain_text or ""
            out.info["reply"] = f"{len(replies)} message(s), first {len(reply)} chars"
        if times[-1] > 5:
            break  # slow enough: one run says it
    out.seconds = statistics.median(times)
    out.info["statements"] = statements
    out.info["runs"] = len(times)


async def stage_tick(world: World, out: Outcome) -> None:
    app, api = world.app, world.api
    morning = datetime.combine(world.morning, app.settings.reminder_time, tzinfo=ZONE)
    moment = morning + timedelta(seconds=30)
    async with app.database.engine.connect() as connection:
        due = (
            await connection.execute(
                select(outbox.c.chat_id, outbox.c.kind).where(
                    outbox.c.status == "planned", outbox.c.planned_at <= moment
                )
            )
        ).all()
    per_chat = Counter(row.chat_id for row in due)
    kinds = Counter(row.kind for row in due)
    out.info["due"] = (
        f"{world.morning:%a %d.%m.%Y} 09:00 {TIMEZONE}: {len(due)} due rows over {len(per_chat)} "
        f"chats (at most {max(per_chat.values(), default=0)} to one chat; "
        + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())
        + ")"
    )
    api.rate_limit(GLOBAL_LIMIT, per_chat_per_second=PER_CHAT_LIMIT)
    mark = len(api.calls)
    rejected = api.rejected_429, api.rejected_429_chat
    world.clock.set(moment)
    started = time.perf_counter()

    def progress() -> None:
        calls = api.calls[mark:]
        out.info["delivered"] = sum(1 for c in calls if c.method == "sendMessage" and c.ok)
        out.info["429"] = api.rejected_429 - rejected[0]
        out.info["429_chat"] = api.rejected_429_chat - rejected[1]
        out.info["elapsed"] = time.perf_counter() - started

    try:
        await app.tick.run()
    finally:
        progress()
    out.seconds = out.info["elapsed"]
    async with app.database.engine.connect() as connection:
        left = await connection.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.status.in_(("planned", "claimed")), outbox.c.planned_at <= moment)
        )
    out.info["left"] = int(left or 0)


PIPE_ROWS, PIPE_CHATS = 400, 59  # the measure of the tick filling the pipe


async def stage_pipe(world: World, out: Outcome, url: str | None) -> None:
    """The issue's pipe figure: 400 due rows over 59 chats through the real tick with grouping
    off (rows = messages), on a fresh database of this engine (bench.tick's world)."""
    with tempfile.TemporaryDirectory(prefix="municipal-pipe-") as directory:
        pipe_world = await tick_bench.World.create(Path(directory), url)
        try:
            run = await tick_bench.real_tick_pipe(
                pipe_world,
                PIPE_ROWS,
                PIPE_CHATS,
                limit=GLOBAL_LIMIT,
                rate=world.app.settings.send_rate,
                per_chat_limit=PER_CHAT_LIMIT,
            )
        finally:
            await pipe_world.database.close()
    out.seconds = run.seconds
    out.info["sent"] = run.sent
    out.info["429"] = run.rejected_429


# ---------------------------------------------------------------------------------------------
# Databases


async def create_postgres_database(base_url: str) -> str:
    """A fresh database on that server, so the app's own engine settings are what runs."""
    name = f"bench_municipal_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(base_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


# ---------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class Goal:
    text: str
    seconds: float | None = None  # a time goal: met by the time or by its calibrated ratio


def time_verdict(outcome: Outcome, goal: Goal, calibration: float) -> str:
    if not outcome.ok or outcome.seconds is None:
        return "NOT met"
    if goal.seconds is None:
        return "met"
    if outcome.seconds <= goal.seconds:
        return "met"
    if outcome.seconds / calibration <= goal.seconds / QUIET_CALIBRATION_S:
        return "met (ratio)"
    return "NOT met"


def _value(outcome: Outcome) -> str:
    if outcome.error is not None:
        error = outcome.error
        return error if len(error) <= 40 else error[:39] + "…"  # in full below the table
    return f"{outcome.seconds:.2f} s"


def _times(outcome: Outcome, calibration: float) -> str:
    return f"{outcome.seconds / calibration:.1f}x" if outcome.ok and outcome.seconds else ""


def report(
    engine: str,
    args: argparse.Namespace,
    stages: dict[str, Outcome],
    calibration: list[float],
    world_text: list[str],
    rss: tuple[float, float],
) -> bool:
    calib = statistics.median(calibration)
    rows: list[tuple[str, str, str, str, str]] = []
    met = True

    def add(name: str, outcome: Outcome, goal: Goal) -> None:
        nonlocal met
        verdict = time_verdict(outcome, goal, calib)
        met = met and verdict != "NOT met"
        ratio_goal = (
            f" ({goal.seconds / QUIET_CALIBRATION_S:.0f}x)" if goal.seconds is not None else ""
        )
        rows.append(
            (name, _value(outcome), _times(outcome, calib), goal.text + ratio_goal, verdict)
        )

    def add_plain(name: str, value: str, goal: str, ok: bool | None) -> None:
        nonlocal met
        verdict = "" if ok is None else ("met" if ok else "NOT met")
        met = met and ok is not False
        rows.append((name, value, "", goal, verdict))

    org, road, re_, status, tasks_, tick, pipe = (
        stages.get(key, skipped("not run"))
        for key in ("org", "import", "reimport", "status", "tasks", "tick", "pipe")
    )
    add(f"org import ({args.schools} schools + heads)", org, Goal("succeeds"))
    add("roadmap import: read+parse+apply", road, Goal("<= 30 s", 30.0))
    add("one-row re-import: apply", re_, Goal("<= 2 s", 2.0))
    add("/status latency (coordinator)", status, Goal("<= 1 s", 1.0))
    add_plain(
        "/status SQL statements",
        str(status.info.get("statements", "-")),
        f"constant (<= {STATEMENT_BOUND})",
        status.ok and status.info.get("statements", 10**9) <= STATEMENT_BOUND,
    )
    add("/tasks latency (a head)", tasks_, Goal("<= 1 s", 1.0))
    add_plain(
        "/tasks SQL statements",
        str(tasks_.info.get("statements", "-")),
        f"constant (<= {STATEMENT_BOUND})",
        tasks_.ok and tasks_.info.get("statements", 10**9) <= STATEMENT_BOUND,
    )
    if pipe.ok:
        rate = pipe.info["sent"] / (pipe.seconds or 1)
        add_plain(
            f"tick pipe: {PIPE_ROWS} rows/{PIPE_CHATS} chats",
            f"{rate:.1f} msg/s = {rate / GLOBAL_LIMIT:.3f} of {GLOBAL_LIMIT}, "
            f"429s: {pipe.info['429']}",
            ">= 0.93 of 30/s, 0 x 429",
            rate / GLOBAL_LIMIT >= 0.93 and pipe.info["429"] == 0,
        )
    else:
        add_plain("tick pipe", pipe.error or "-", ">= 0.93 of 30/s, 0 x 429", False)
    if "delivered" in tick.info and tick.info.get("elapsed"):
        # Grouped, a head's crowded morning is one message: few messages, so this is no
        # measure of the pipe (the row above is); it shows the morning goes out whole.
        value = (
            f"{tick.info['delivered']} msgs in {tick.info['elapsed']:.1f} s, "
            f"429s: {tick.info['429']} ({tick.info['429_chat']} per chat)"
        )
        if tick.error:
            value += f" ({tick.error})"
        ok = tick.ok and tick.info["429"] == 0 and tick.info.get("left", 1) == 0
        add_plain("tick: the municipal morning", value, "all sent, 0 x 429", ok)
    else:
        add_plain("tick: the municipal morning", tick.error or "-", "all sent, 0 x 429", False)
    add_plain(
        "peak RSS",
        f"{rss[1]:.0f} MiB (after start-up {rss[0]:.0f} MiB)",
        "(no goal for a whole run)",
        None,
    )

    print(f"\n=== {engine} ===")
    for line in world_text:
        print(line)
    print(
        f"calibration: read+parse of bench.import_docx's {CALIBRATION_ROWS}-row .docx, median "
        f"{calib:.3f} s of {len(calibration)} (before and after the stages: "
        + " ".join(f"{value:.3f}" for value in calibration)
        + f"); quiet machine {QUIET_CALIBRATION_S} s -> this run's load factor "
        f"{calib / QUIET_CALIBRATION_S:.2f}"
    )
    print(
        "a goal in seconds is met by the time, or by its multiple of the calibration against "
        "the goal's (in brackets): on a shared machine ratios decide\n"
    )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    header = ("figure", "value", "x calib", "goal", "verdict")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    notes = [
        ("org import", org.info.get("text")),
        ("roadmap import", road.info.get("text")),
        ("re-import", re_.info.get("text")),
        ("/status", status.info.get("reply")),
        ("/tasks", tasks_.info.get("reply")),
        ("tick", tick.info.get("due")),
    ]
    if "delivered" in tick.info:
        notes.append(
            (
                "tick",
                f"{tick.info['delivered']} messages delivered in {tick.info['elapsed']:.2f} s; "
                f"due rows left after the tick: {tick.info.get('left', '?')}",
            )
        )
    for key, outcome in stages.items():
        if outcome.error is not None and len(outcome.error) > 40:
            notes.append((key, outcome.error))
    print()
    for name, note in notes:
        if note:
            print(f"{name}: {note}")
    print(f"\n{engine}: {'every goal met' if met else 'NOT every goal met'}")
    return met


# ---------------------------------------------------------------------------------------------
# Main


async def run_engine(engine: str, args: argparse.Namespace) -> bool:
    base_url = os.environ.get(POSTGRES_URL_VARIABLE, "")
    calibration = calibrate(3)
    schools = generate_schools(args.schools, args.seed)
    schools_data, schools_name = schools_file(schools, args.schools_format)
    roadmap = generate_roadmap(args.activities, args.seed)
    raw = read_roadmap(roadmap.data, ROADMAP_FILE)
    parsed = parse_roadmap(raw)
    check = check_parse(roadmap, raw, parsed)
    if check.errors:
        print("bench: the generated roadmap was not parsed as built:", *check.errors[:10])
        return False
    settings_offsets = Settings(_env_file=None).reminder_offsets
    morning = args.morning or busy_morning(parsed, settings_offsets)
    # The roadmap is imported late the evening before that morning, more than STALE_AFTER
    # (12 h) after the previous morning: earlier reminders are past and not planned, so the
    # tick's morning holds that morning's reminders only (no "what you missed" summaries).
    start = datetime.combine(morning - timedelta(days=1), day_time(22, 0), tzinfo=ZONE)
    clock = ManualClock(start)
    world_text = [
        f"{engine}, {args.activities} activity rows x {args.schools} schools, seed {args.seed}; "
        f"python {platform.python_version()}, SQLAlchemy {version('sqlalchemy')}, "
        + (
            f"SQLite {sqlite3.sqlite_version}"
            if engine == "sqlite"
            else f"asyncpg {version('asyncpg')}"
        )
        + f"; {os.cpu_count()} CPUs, load average "
        + " ".join(f"{value:.2f}" for value in os.getloadavg()),
        f"schools list: {schools_name}, {len(schools_data) / 1024:.1f} KiB; roadmap: "
        f"{len(roadmap.data) / 1024:.1f} KiB .docx, {len(roadmap.activities)} activities over "
        f"{args.activities} rows, {len(roadmap.sections)} sections; tasks the fan-out gives: "
        f"{expected_tasks(parsed, args.schools)}",
        f"clock: roadmap imported {start:%d.%m.%Y %H:%M} local, the tick's morning "
        f"{morning:%d.%m.%Y}; fake Bot API: {GLOBAL_LIMIT} sendMessage/s, {PER_CHAT_LIMIT}/s "
        "per chat, 429 retry_after 1 beyond",
    ]
    stages: dict[str, Outcome] = {}
    rss_start = 0.0
    with tempfile.TemporaryDirectory(prefix="municipal-bench-") as directory:
        pipe_url: str | None = None  # None: a SQLite file of its own
        if engine == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        else:
            url = await create_postgres_database(base_url)
            pipe_url = await create_postgres_database(base_url)
        try:
            async with FakeBotAPI() as api:
                settings = Settings(
                    _env_file=None,
                    bot_token=DEFAULT_TOKEN,
                    database_url=url,
                    data_dir=Path(directory),
                    telegram_api_base=api.base_url,
                    timezone=TIMEZONE,
                )
                app = await build_app(settings, clock)
                try:
                    people = PeopleService(app.database, clock, DEFAULT_INVITE_TTL)
                    municipality = await people.add_organisation(
                        None,
                        name=MUNICIPALITY,
                        kind=OrganisationKind.MUNICIPALITY,
                        timezone=TIMEZONE,
                        parent_id=None,
                    )
                    world = World(
                        app=app,
                        api=api,
                        clock=clock,
                        municipality_id=municipality.id,
                        schools_data=schools_data,
                        schools_name=schools_name,
                        roadmap=roadmap,
                        schools=args.schools,
                        morning=morning,
                    )
                    gc.collect()
                    rss_start = rss_mib()
                    await run_stages(world, stages, args.stage_timeout, pipe_url)
                finally:
                    await app.aclose()
        finally:
            if engine == "postgresql":
                await drop_postgres_database(base_url, url)
                if pipe_url is not None:
                    await drop_postgres_database(base_url, pipe_url)
    calibration += calibrate(2)
    return report(engine, args, stages, calibration, world_text, (rss_start, rss_mib()))


async def run_stages(
    world: World, stages: dict[str, Outcome], limit: float, pipe_url: str | None
) -> None:
    async def stage(key: str, name: str, body: Callable[[Outcome], Awaitable[None]]) -> bool:
        gc.collect()
        stages[key] = await run_stage(name, body, limit)
        return stages[key].ok

    def fill(reason: str, *keys: str) -> None:
        for key in keys:
            stages.setdefault(key, skipped(reason))

    if not await stage("org", "org import", lambda out: stage_org_import(world, out)):
        fill("no schools", "import", "reimport", "status", "tasks", "tick", "pipe")
        return
    await link_people(world)
    if not await stage("import", "roadmap import", lambda out: stage_roadmap_import(world, out)):
        fill("the import failed", "reimport", "status", "tasks", "tick", "pipe")
        return
    await stage("reimport", "one-row re-import", lambda out: stage_reimport(world, out))
    await stage(
        "status",
        "/status",
        lambda out: stage_view(world, out, world.coordinator_chat, "/status"),
    )
    await stage("tasks", "/tasks", lambda out: stage_view(world, out, world.head_chat, "/tasks"))
    await stage("tick", "tick", lambda out: stage_tick(world, out))
    await stage("pipe", "tick pipe", lambda out: stage_pipe(world, out, pipe_url))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.municipal",
        description="A 50-school municipality end to end; prints issue 12's figures.",
    )
    parser.add_argument("--activities", type=int, default=2000, help="activity rows")
    parser.add_argument("--schools", type=int, default=50, help="schools, each with a head")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument(
        "--stage-timeout", type=float, default=300.0, help="seconds per stage (default 300)"
    )
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--schools-format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument(
        "--morning",
        type=date.fromisoformat,
        help="the tick's morning (default: the autumn Tuesday-Friday with most heads' reminders)",
    )
    args = parser.parse_args(argv)
    if args.activities < 2 * SECTION_EVERY or args.schools < 1:
        parser.error(f"--activities must be at least {2 * SECTION_EVERY}, --schools at least 1")
    if args.engine in ("postgresql", "both") and not os.environ.get(POSTGRES_URL_VARIABLE):
        parser.error(f"PostgreSQL needs {POSTGRES_URL_VARIABLE}")
    handler = logging.StreamHandler()
    handler.setFormatter(OneLine())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    if args.engine == "both":
        # One process per engine: peak RSS and caches are each engine's own.
        codes = []
        for engine in ("sqlite", "postgresql"):
            command = [
                sys.executable,
                "-m",
                "bench.municipal",
                *_without_engine(argv),
                "--engine",
                engine,
            ]
            codes.append(subprocess.call(command))
        return max(codes)
    return 0 if asyncio.run(run_engine(args.engine, args)) else 1


def _without_engine(argv: Sequence[str] | None) -> list[str]:
    given = list(sys.argv[1:] if argv is None else argv)
    out: list[str] = []
    skip = False
    for item in given:
        if skip:
            skip = False
            continue
        if item == "--engine":
            skip = True
            continue
        if item.startswith("--engine="):
            continue
        out.append(item)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
