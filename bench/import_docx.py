"""Benchmark: importing a large Word roadmap, stage by stage, in table rows per second.

    .venv/bin/python -m bench.import_docx [--rows 500] [--repeat 5] [--seed 2022]
                                          [--save PATH] [--profile]

A realistic roadmap .docx is built in memory (modelled on tests/data/roadmaps/docx/: title
paragraphs, one "Table Grid" table, full-width section rows, activities whose № and activity
cells are merged down over their step rows), then put through what the bot runs on an upload:

    read      roadmap.readers.read_roadmap(data, "bench.docx")     bytes -> RawRoadmap
    parse     roadmap.importer.parse_roadmap(raw)                  deadlines, people, period
    preview   RoadmapService.plan(...)                             the preview's added/changed
    store     RoadmapService.apply(...)                            a new roadmap, fresh SQLite
    re-import RoadmapService.apply(...) again, same database       the update path

Each run gets a fresh SQLite database in a temporary directory (migrated, organisation created:
not timed). The parse is checked against what was generated, and the benchmark fails if the
table was not read as built: figures for a wrong parse would be worthless.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import os
import platform
import pstats
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt

from core.clock import SystemClock
from roadmap.importer import ParsedActivity, ParsedRoadmap, parse_roadmap
from roadmap.readers import RawRoadmap, read_roadmap
from services.roadmaps import ImportResult, RoadmapService
from storage.database import Database
from storage.migrate import upgrade_to_head

FILE_NAME = "bench.docx"
ORGANISATION = "МБОУ «СОШ №2»"
TIMEZONE = "Asia/Vladivostok"
TITLE_LINES = (
    "ДОРОЖНАЯ КАРТА",
    "по организации деятельности технологического кластера",
    "в МБОУ «СОШ №2»",
    "на 2022-2023 учебный год",
)
TITLE = " ".join(TITLE_LINES)
PERIOD = (date(2022, 9, 1), date(2023, 8, 31))
HEADER = (
    "№ п/п",
    "Мероприятие",
    "Характеристика результата",
    "Сроки проведения",
    "Ответственные исполнители",
)
WIDTH = len(HEADER)
SECTION_EVERY = 25  # a section row about every 25 table rows
STEP_SHARE = 0.2  # about one activity in five spreads over 2-4 rows (its steps)
EMPTY_RESULT_SHARE = 0.08

# ---------------------------------------------------------------------------------------------
# What goes into the cells ("\n" separates paragraphs of one cell)

SECTION_TITLES = (
    "Организационно-управленческие мероприятия",
    "Нормативно-правовое обеспечение деятельности кластера",
    "Организационно-методическое обеспечение",
    "Информационное сопровождение реализации проекта",
    "Работа с педагогическими кадрами",
    "Работа с обучающимися",
    "Работа с родителями (законными представителями)",
    "Взаимодействие с социальными партнёрами",
    "Мониторинговая деятельность",
    "Профориентационная работа",
    "Развитие материально-технической базы",
    "Трансляция опыта реализации проекта",
    "Подведение итогов и корректировка планов",
)

ACTIVITY_TITLES = (
    "Утверждение школьного координатора, ответственного за организацию деятельности "
    "технологического кластера",
    "Формирование перечней академических и индустриальных партнёров ОО",
    "Изучение инструктивно-методических писем по организации деятельности "
    "специализированных классов",
    "Информационное сопровождение деятельности специализированных классов на официальном сайте ОО",
    "Посещение уроков в 10 «а» классе с целью изучения организации образовательного процесса",
    "Организация аккаунтов в социальных сетях ВКонтакте, Телеграм",
    "Проведение опроса обучающихся, их родителей (анонимное анкетирование) об "
    "удовлетворённости качеством образования",
    "Проведение входного мониторинга создания условий для реализации образовательных программ",
    "Проведение совещания с педагогами, работающими в 10-11 классах технологического профиля",
    "Корректировка плана работы школы с учётом результатов мониторинга",
    "Реализация плана мероприятий совместно с ПК ИРО, РМЦ, РЦОД",
    "Семинар-практикум «Проектная деятельность обучающихся в условиях технологического кластера»",
    "Организация методической помощи педагогам, работающим в специализированных классах",
    "Проведение мастер-классов для педагогов района",
    "Организация участия обучающихся в олимпиадах и конкурсах технологической направленности",
    "Заключение договоров о сетевом взаимодействии с предприятиями района",
    "Проведение экскурсий на предприятия Дальнереченского городского округа",
    "Организационные совещания по вопросам:\n- результатов мониторинга;\n"
    "- корректировки планов работы;\n- распределения нагрузки педагогов.",
    "Родительское собрание «Профильное обучение: возможности и перспективы»",
    "Мониторинг результативности ГИА в динамике 2020-2022 гг.",
    "Приобретение учебно-лабораторного оборудования для кабинета технологии",
    "Обновление страницы проекта на официальном сайте ОО",
    "Подготовка отчётов о выполнении мероприятий дорожной карты",
    "Проведение Дня открытых дверей для обучающихся 8-9 классов и их родителей",
    "Курсы повышения квалификации педагогов по программам дополнительного профессионального "
    "образования",
    "Разработка и утверждение рабочих программ курсов внеурочной деятельности\n"
    "технологической направленности",
    "Участие в региональном конкурсе «Лучшая практика профильного обучения»",
    "Формирование банка лучших практик реализации проекта",
    "Проведение недели технологии и предпринимательства",
    "Анализ выполнения дорожной карты.\nПодготовка аналитической справки.",
)
TITLE_QUALIFIERS = (
    " в 10-11 классах",
    " с привлечением бизнес-партнёров ОО",
    " в дистанционном формате",
    " на базе МБОУ «СОШ №2»",
)
TITLE_EXTRA_PARAGRAPHS = (
    "Формат проведения: очно-заочный.",
    "Ответственный за подготовку материалов - школьный координатор.",
    "Материалы размещаются на сайте ОО и в группе ВКонтакте.",
)

RESULTS = (
    "Издан приказ об утверждении школьного координатора",
    "Закреплены за ОО:\n- академический партнёр;\n- индустриальный партнёр;\n- бизнес-партнёр.",
    "Изучены в ОО инструктивно-методические письма:\n"
    "- «Об организации деятельности специализированных классов»;\n"
    "- «О сетевой форме реализации образовательных программ».",
    "На сайте школы создана и размещена фирменная ссылка, отражающая деятельность "
    "специализированных классов",
    "Корректировка и активизация работы педагогов, работающих в специализированных классах",
    "Отражение информации о деятельности специализированных классов в социальных сетях",
    "Участие родителей (законных представителей), обучающихся в анкетировании не менее 80 %",
    "Аналитическая справка по результатам мониторинга.",
    "Сформирован протокол совещания с выводами и рекомендациями.\nПротокол размещён на сайте ОО.",
    "Размещение на сайте МБОУ «СОШ №2» скорректированного плана работы",
    "Отчёты о проведении мероприятий размещены на сайте ОО",
    "Проведено не менее 7 методических дней",
    "Повышение профессиональных компетенций педагогов",
    "Заключены договоры о сетевом взаимодействии",
    "Обновлённая материально-техническая база кабинета технологии",
)
STEP_RESULTS = (
    "Издан приказ о проведении мониторинга.",
    "Проведение самодиагностики ОО на основании утверждённого чек-листа.",
    "Информирование целевой аудитории (обучающиеся, родители) о проведении опроса.",
    "Направлена аналитическая справка по результатам мониторинга.",
    "Размещён на сайте ОО отчёт по результатам опроса.",
    "Подготовлен проект плана.\nОбсуждение на педагогическом совете.",
)

# (cell text, the people the responsible parser should find in it)
RESPONSIBLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Шабанова Н.С., заместитель директора по УВР", ("Шабанова Н.С.",)),
    (
        "Шабанова Н.С., заместитель директора по УВР Шарик Н.Н., заместитель директора по УВР",
        ("Шабанова Н.С.", "Шарик Н.Н."),
    ),
    (
        "Шарик Н.Н., заместитель директора по УВР\nШабанова Н.С., заместитель директора по УВР",
        ("Шарик Н.Н.", "Шабанова Н.С."),
    ),
    ("Бондаренко А.Е., заместитель директора по ВР", ("Бондаренко А.Е.",)),
    ("Акимова Н.А., директор школы", ("Акимова Н.А.",)),
    (
        "Полякова В.А., заместитель директора по УВР\n"
        "Бондаренко А.Е., заместитель директора по ВР",
        ("Полякова В.А.", "Бондаренко А.Е."),
    ),
    ("Бредня М.В. ведущий специалист по учебной работе", ("Бредня М.В.",)),
    ("Руководители ОО", ()),
    ("МО ПК", ()),
    ("Руководители ОО\nТретьякова Т. В.", ("Третьякова Т.В.",)),
)

MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# The generated roadmap


@dataclass(frozen=True)
class RowSpec:
    """One table row of an activity: its own result, deadline and responsible cells."""

    result: str
    deadline: str
    deadline_kind: str  # what the deadline parser should call it
    responsible: str
    people: tuple[str, ...]


@dataclass(frozen=True)
class ActivitySpec:
    number: str  # as typed in the № cell ("3.4" or "3.4.")
    title: str
    section: str
    rows: tuple[RowSpec, ...]  # one, or 2-4 when № and activity are merged down (steps)

    @property
    def expected_number(self) -> str:
        return self.number.rstrip(".")


@dataclass
class GeneratedRoadmap:
    data: bytes = b""
    table_rows: int = 0
    sections: list[str] = field(default_factory=list)
    activities: list[ActivitySpec] = field(default_factory=list)
    build_seconds: float = 0.0

    @property
    def merged_activities(self) -> int:
        return sum(len(activity.rows) > 1 for activity in self.activities)

    @property
    def steps(self) -> int:
        """Steps as the parser counts them: every row of an activity spread over rows."""
        return sum(len(activity.rows) for activity in self.activities if len(activity.rows) > 1)


class _Deadlines:
    """Deadline cells cycling through the kinds real roadmaps use, dates inside the year."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._index = 0
        self._makers: tuple[Callable[[], tuple[str, str]], ...] = (
            lambda: (f"до {self._day():%d.%m.%Y} г.", "date"),
            self._range,
            lambda: (self._month_of_year(), "date"),
            self._month_range,
            lambda: ("ежемесячно", "series"),
            lambda: ("По окончании каждой учебной четверти", "series"),
            lambda: ("В течение учебного года", "continuous"),
            lambda: ("По отдельному графику", "on_request"),
        )

    def next(self) -> tuple[str, str]:
        maker = self._makers[self._index % len(self._makers)]
        self._index += 1
        return maker()

    def _day(self) -> date:
        return PERIOD[0] + timedelta(days=self._rng.randrange(0, 300))

    def _range(self) -> tuple[str, str]:
        start = self._day()
        end = start + timedelta(days=self._rng.randint(4, 6))
        return f"{start:%d.%m.%Y}- {end:%d.%m.%Y}", "date"

    def _month_of_year(self) -> str:
        month = self._rng.choice((9, 10, 11, 12, 1, 2, 3, 4, 5))
        year = 2022 if month >= 9 else 2023
        return f"{MONTHS[month - 1].capitalize()} {year}"

    def _month_range(self) -> tuple[str, str]:
        if self._rng.random() < 0.5:
            first, last = sorted(self._rng.sample(range(9, 13), 2))
            year = 2022
        else:
            first, last = sorted(self._rng.sample(range(1, 6), 2))
            year = 2023
        return f"{MONTHS[first - 1]} – {MONTHS[last - 1]} {year}г.", "date"


def _layout(rng: random.Random, total: int) -> list[int]:
    """Table rows in order: 0 is a section row, n > 0 an activity over n rows."""
    layout: list[int] = []
    remaining = total
    while remaining > 0:
        block = min(remaining, SECTION_EVERY + rng.randint(-3, 3))
        if remaining - block < SECTION_EVERY // 2:
            block = remaining  # no short section at the end: the last one takes the tail
        layout.append(0)
        body = block - 1
        while body > 0:
            span = rng.randint(2, 4) if rng.random() < STEP_SHARE else 1
            span = min(span, body)
            layout.append(span)
            body -= span
        remaining -= block
    return layout


def _title(rng: random.Random) -> str:
    title = rng.choice(ACTIVITY_TITLES)
    if "\n" not in title and rng.random() < 0.3:
        title += rng.choice(TITLE_QUALIFIERS)
    if rng.random() < 0.15:
        title += "\n" + rng.choice(TITLE_EXTRA_PARAGRAPHS)
    return title


def _row(rng: random.Random, deadlines: _Deadlines, *, step: bool) -> RowSpec:
    if step:
        result = rng.choice(STEP_RESULTS)
    else:
        result = "" if rng.random() < EMPTY_RESULT_SHARE else rng.choice(RESULTS)
    deadline, kind = deadlines.next()
    responsible, people = rng.choice(RESPONSIBLE)
    return RowSpec(result, deadline, kind, responsible, people)


def generate(rows: int, seed: int) -> GeneratedRoadmap:
    """A roadmap of exactly ``rows`` table rows below the header; the same for the same seed."""
    rng = random.Random(seed)
    deadlines = _Deadlines(rng)
    roadmap = GeneratedRoadmap(table_rows=rows)
    section = ""
    number_in_section = 0
    for span in _layout(rng, rows):
        if span == 0:
            index = len(roadmap.sections)
            section = f"{index + 1}. {SECTION_TITLES[index % len(SECTION_TITLES)]}"
            roadmap.sections.append(section)
            number_in_section = 0
            continue
        number_in_section += 1
        dot = "." if rng.random() < 0.5 else ""
        number = f"{len(roadmap.sections)}.{number_in_section}{dot}"
        steps = tuple(_row(rng, deadlines, step=span > 1) for _ in range(span))
        roadmap.activities.append(ActivitySpec(number, _title(rng), section, steps))
    started = time.perf_counter()
    roadmap.data = _docx(roadmap)
    roadmap.build_seconds = time.perf_counter() - started
    return roadmap


# ---------------------------------------------------------------------------------------------
# The .docx


def _fill(cell: docx.table._Cell, text: str, *, bold: bool = False) -> None:
    paragraphs = text.split("\n")
    cell.paragraphs[0].add_run(paragraphs[0]).bold = bold or None
    for paragraph in paragraphs[1:]:
        cell.add_paragraph().add_run(paragraph).bold = bold or None


def _docx(roadmap: GeneratedRoadmap, title_lines: Sequence[str] = TITLE_LINES) -> bytes:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    page = document.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = page.page_height, page.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(2))
    for line in title_lines:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line).bold = True
    document.add_paragraph("")

    table = document.add_table(rows=1 + roadmap.table_rows, cols=WIDTH)
    table.style = "Table Grid"
    rows = list(table.rows)
    header = rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeats on every page
    for cell, text in zip(header.cells, HEADER, strict=True):
        _fill(cell, text, bold=True)

    section_rows: list[tuple[int, str]] = []
    merges: list[tuple[int, int]] = []  # (top, bottom) rows of merged № and activity cells
    at = 1
    sections = iter(roadmap.sections)
    activities = iter(roadmap.activities)
    previous_section: str | None = None
    while at <= roadmap.table_rows:
        activity = next(activities, None)
        if activity is None or activity.section != previous_section:
            previous_section = next(sections)
            section_rows.append((at, previous_section))
            at += 1
            if activity is None:
                continue
        if activity.section != previous_section:
            raise RuntimeError(f"layout: {activity.number} is not under {previous_section!r}")
        cells = rows[at].cells
        _fill(cells[0], activity.number)
        _fill(cells[1], activity.title)
        for offset, spec in enumerate(activity.rows):
            cells = rows[at + offset].cells
            _fill(cells[2], spec.result)
            _fill(cells[3], spec.deadline)
            _fill(cells[4], spec.responsible)
        if len(activity.rows) > 1:
            merges.append((at, at + len(activity.rows) - 1))
        at += len(activity.rows)
    for index, text in section_rows:
        cells = rows[index].cells
        merged = cells[0].merge(cells[WIDTH - 1])
        _fill(merged, text, bold=True)
    for top, bottom in merges:
        for column in (0, 1):
            rows[top].cells[column].merge(rows[bottom].cells[column])
    document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Was it parsed as generated?


def _words(text: str | None) -> str:
    return " ".join(re.findall(r"\w+", (text or "").lower().replace("ё", "е")))


@dataclass
class Check:
    errors: list[str] = field(default_factory=list)  # the table was not read as built
    notes: Counter[str] = field(default_factory=Counter)  # cells parsed otherwise than meant
    examples: dict[str, str] = field(default_factory=dict)

    def note(self, kind: str, example: str) -> None:
        self.notes[kind] += 1
        self.examples.setdefault(kind, example)


def _check_row(check: Check, parsed: ParsedActivity, spec: RowSpec) -> None:
    where = f"{parsed.number} ({parsed.source_ref})"
    if _words(parsed.result) != _words(spec.result):
        check.note("result text", f"{where}: {parsed.result!r} for {spec.result!r}")
    if parsed.deadline.text != spec.deadline:
        check.note("deadline text", f"{where}: {parsed.deadline.text!r} for {spec.deadline!r}")
    if parsed.deadline.kind.value != spec.deadline_kind:
        check.note(
            f"deadline {spec.deadline_kind} read as {parsed.deadline.kind.value}",
            f"{where}: {spec.deadline!r}",
        )
    if parsed.deadline.warnings:
        codes = ", ".join(warning.code for warning in parsed.deadline.warnings)
        check.note("deadline warnings", f"{where}: {spec.deadline!r}: {codes}")
    people = tuple(person.name for person in parsed.people)
    if people != spec.people:
        check.note("people", f"{where}: {people} for {spec.responsible!r}")
    if parsed.responsible_warnings:
        codes = ", ".join(warning.code for warning in parsed.responsible_warnings)
        check.note("responsible warnings", f"{where}: {spec.responsible!r}: {codes}")


def check_parse(generated: GeneratedRoadmap, raw: RawRoadmap, parsed: ParsedRoadmap) -> Check:
    check = Check()
    expected, found = len(generated.activities), len(parsed.activities)
    if found != expected:
        check.errors.append(f"{found} activities parsed, {expected} generated")
    steps = sum(len(activity.steps) for activity in parsed.activities)
    if steps != generated.steps:
        check.errors.append(f"{steps} steps parsed, {generated.steps} generated")
    for spec, activity in zip(generated.activities, parsed.activities, strict=False):
        where = f"activity {spec.expected_number} ({activity.source_ref})"
        if activity.number != spec.expected_number:
            check.errors.append(f"{where}: number read as {activity.number!r}")
        if _words(activity.title) != _words(spec.title):
            check.errors.append(f"{where}: title read as {activity.title!r}")
        want_steps = len(spec.rows) if len(spec.rows) > 1 else 0
        if len(activity.steps) != want_steps:
            check.errors.append(f"{where}: {len(activity.steps)} steps, {want_steps} generated")
        if activity.section != spec.section:
            check.note("section", f"{where}: {activity.section!r} for {spec.section!r}")
        for step, row in zip(activity.steps or (activity,), spec.rows, strict=False):
            _check_row(check, step, row)
    if parsed.title != TITLE:
        check.note("roadmap title", f"{parsed.title!r}")
    if (parsed.period.start, parsed.period.end) != PERIOD:
        check.note("period", f"{parsed.period}")
    for warning in raw.warnings:
        params = warning.param_dict()
        check.note(
            f"reader warning {warning.code}",
            f"{params.get('source_ref', '')}: {params.get('fragment', '')}",
        )
    return check


# ---------------------------------------------------------------------------------------------
# Timing

STAGES = ("read", "parse", "preview", "store", "reimport")
LABELS = {
    "read": "read      .docx -> RawRoadmap",
    "parse": "parse     deadlines, people",
    "preview": "preview   RoadmapService.plan",
    "store": "store     apply, new roadmap",
    "reimport": "re-import apply, same roadmap",
    "total": "total     read + parse + store",
}


async def _fresh_service(directory: str) -> tuple[Database, RoadmapService, int]:
    database = Database.from_url(f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}")
    await upgrade_to_head(database.engine)
    service = RoadmapService(database, SystemClock())
    organisation = await service.organisation_named(ORGANISATION, TIMEZONE)
    return database, service, organisation.id


async def run_once(generated: GeneratedRoadmap, *, verify: bool) -> dict[str, float]:
    """Seconds per stage for one upload of the file, into a database of its own."""
    clock = time.perf_counter
    seconds: dict[str, float] = {}
    gc.collect()
    started = clock()
    raw = read_roadmap(generated.data, FILE_NAME)
    seconds["read"] = clock() - started
    started = clock()
    parsed = parse_roadmap(raw)
    seconds["parse"] = clock() - started
    with tempfile.TemporaryDirectory(prefix="roadmap-bench-") as directory:
        database, service, organisation_id = await _fresh_service(directory)
        try:
            gc.collect()
            started = clock()
            await service.plan(organisation_id, parsed)
            seconds["preview"] = clock() - started
            started = clock()
            first = await service.apply(
                organisation_id, parsed, source_name=FILE_NAME, actor_telegram_id=None
            )
            seconds["store"] = clock() - started
            started = clock()
            again = await service.apply(
                organisation_id, parsed, source_name=FILE_NAME, actor_telegram_id=None
            )
            seconds["reimport"] = clock() - started
            if verify:
                await _check_store(service, parsed, first.roadmap.id, again)
        finally:
            await database.close()
    seconds["total"] = seconds["read"] + seconds["parse"] + seconds["store"]
    return seconds


async def _check_store(
    service: RoadmapService, parsed: ParsedRoadmap, roadmap_id: int, again: ImportResult
) -> None:
    """Every parsed row stored once; the same file again changes nothing."""
    rows = sum(1 for _ in parsed.walk())
    stored = await service.activities_of(roadmap_id)
    plan = again.plan
    problems = []
    if len(stored) != rows:
        problems.append(f"{len(stored)} activities stored, {rows} parsed rows")
    if not plan.is_reimport or again.roadmap.id != roadmap_id:
        problems.append("the re-import did not update the first roadmap")
    elif plan.added or plan.changed or plan.removed:
        problems.append(
            f"re-import of the same file: {len(plan.added)} added, {len(plan.changed)} "
            f"changed, {len(plan.removed)} removed (expected none)"
        )
    if problems:
        raise SystemExit("bench: store check failed: " + "; ".join(problems))


def peak_read_parse_mib(data: bytes) -> float:
    """Peak Python heap while reading and parsing (tracemalloc: lxml's own C heap not seen)."""
    gc.collect()
    tracemalloc.start()
    try:
        parse_roadmap(read_roadmap(data, FILE_NAME))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def profile(generated: GeneratedRoadmap, top: int) -> None:
    """cProfile of one run of every stage, the top functions by own time and cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run_once(generated, verify=False))
    profiler.disable()
    for order in ("tottime", "cumulative"):
        print(f"\n--- cProfile, one run, top {top} by {order} ---")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats(order).print_stats(top)


# ---------------------------------------------------------------------------------------------
# Output


def _report(generated: GeneratedRoadmap, runs: Sequence[dict[str, float]], peak: float) -> None:
    rows = generated.table_rows
    print(
        f"roadmap .docx import benchmark: python {platform.python_version()}, "
        f"python-docx {version('python-docx')}, lxml {version('lxml')}, "
        f"SQLAlchemy {version('sqlalchemy')}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"file: {len(generated.data) / 1024:.1f} KiB, {rows} table rows "
        f"({len(generated.sections)} section rows, {len(generated.activities)} activities, "
        f"{generated.merged_activities} of them over 2-4 merged rows = {generated.steps} steps); "
        f"built in {generated.build_seconds:.2f} s (not timed)"
    )
    print(f"runs: {len(runs)}; rows/s = {rows} table rows / median time\n")
    print(f"{'stage':<32}{'median ms':>11}{'best ms':>10}{'rows/s':>10}")
    for stage in (*STAGES, "total"):
        values = [run[stage] for run in runs]
        median, best = statistics.median(values), min(values)
        rate = rows / median if median > 0 else float("inf")
        if stage == "total":
            print("-" * 63)
        print(f"{LABELS[stage]:<32}{median * 1000:>11.1f}{best * 1000:>10.1f}{rate:>10.0f}")
    print(f"\npeak memory, read + parse (tracemalloc, Python heap): {peak:.1f} MiB")


def _report_check(check: Check, generated: GeneratedRoadmap) -> None:
    counts = (
        f"{len(generated.activities)} activities, {generated.steps} steps, "
        f"{len(generated.sections)} sections"
    )
    if not check.notes:
        print(f"parse check: OK, as generated ({counts}; every cell as meant, no warnings)")
        return
    print(f"parse check: structure OK ({counts}); cells read otherwise than meant:")
    for kind, count in check.notes.most_common():
        print(f"  {count:>5} x {kind}: e.g. {check.examples[kind]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_docx",
        description="Import a generated roadmap .docx stage by stage; print rows per second.",
    )
    parser.add_argument("--rows", type=int, default=500, help="table rows below the header")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (median and best)")
    parser.add_argument("--seed", type=int, default=2022, help="seed of the generated content")
    parser.add_argument("--save", type=Path, help="also write the generated .docx here")
    parser.add_argument(
        "--profile", action="store_true", help="then cProfile one run and print the hotspots"
    )
    args = parser.parse_args(argv)
    if args.rows < 2 * SECTION_EVERY or args.repeat < 1:
        parser.error(f"--rows must be at least {2 * SECTION_EVERY}, --repeat at least 1")

    generated = generate(args.rows, args.seed)
    if args.save:
        args.save.write_bytes(generated.data)
    raw = read_roadmap(generated.data, FILE_NAME)
    check = check_parse(generated, raw, parse_roadmap(raw))
    if check.errors:
        print(f"bench: the generated table was NOT parsed as built ({len(check.errors)}):")
        for error in check.errors[:20]:
            print(f"  {error}")
        return 1

    runs = [asyncio.run(run_once(generated, verify=index == 0)) for index in range(args.repeat)]
    _report(generated, runs, peak_read_parse_mib(generated.data))
    _report_check(check, generated)
    if args.profile:
        profile(generated, top=25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
