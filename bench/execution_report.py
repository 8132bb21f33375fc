"""Benchmark: the execution report of a municipality's roadmap, DOCX, XLSX and the PNG matrix.

    .venv/bin/python -m bench.execution_report [--activities 500] [--schools 30]
        [--repeat 3] [--seed 2027] [--out DIR]

Builds (deterministic for a seed, not timed) an `ExecutionReport` as the service would fill
it: `--activities` roadmap rows in sections of 20, each fanned out to `--schools` schools
(«Руководители ОО»: 500 × 30 = 15,000 occurrences), due dates over the 2026/2027 school year,
the report drawn on 31.03.2027 for the school year so far. Rows due before the report date are
done (on time or late) or overdue; later ones upcoming, in progress, cannot, now and then done
early; done ones carry a link, a file or a comment and who confirmed. `--schools 0` gives a
school's report instead: one occurrence per row, every mark written out in full.

Then each renderer is timed on its own (`time.perf_counter`, the median of `--repeat` runs after
one warm-up that imports what it needs): `build_docx`, `build_xlsx` (its «Школы» sheet
included), `matrix_png` (the model included). The goal, 2 s, is for what /report sends a
person: the DOCX, the document itself; the XLSX and the PNG are printed against the same 2 s.
No exit code depends on the figures: on a shared machine they are read with the load printed
next to them.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

from core.i18n import Catalogs
from reports import (
    Evidence,
    EvidenceKind,
    ExecutionReport,
    Occurrence,
    Period,
    PeriodKind,
    Row,
    Status,
    build_docx,
    build_xlsx,
    matrix_png,
    period_of,
)

GOAL_S = 2.0
AT = date(2027, 3, 31)
LOCALES = Path(__file__).resolve().parents[1] / "bot" / "locales"

_VERBS = (
    "Организация и проведение",
    "Разработка и утверждение",
    "Мониторинг",
    "Проведение",
    "Участие в",
    "Обновление",
    "Анализ результатов",
    "Подготовка отчёта о",
)
_OBJECTS = (
    "муниципального этапа всероссийской олимпиады школьников",
    "плана мероприятий по повышению качества образования в общеобразовательных организациях",
    "курсовой подготовки педагогических работников по обновлённым ФГОС",
    "оценочных процедур (ВПР, РДР) и использования их результатов",
    "работы школьных методических объединений",
    "деятельности центров «Точка роста»",
    "профилактической работы с обучающимися группы риска",
    "родительских собраний по вопросам государственной итоговой аттестации",
)
_RESULTS = (
    "Приказ, план мероприятий",
    "Аналитическая справка, размещённая на сайте ОО",
    "Протокол заседания, список участников",
    "Отчёт в управление образования",
    "Повышение доли обучающихся, успешно выполнивших работы",
)
_SECTIONS = (
    "Организационно-управленческие мероприятия",
    "Работа с педагогическими кадрами",
    "Оценка качества образования",
    "Работа с обучающимися",
    "Работа с родителями",
)


def _school_names(count: int) -> list[str]:
    kinds = ("МБОУ «СОШ № {n}»", "МБОУ «ООШ № {n}» с. Жариково", "МБОУ «Гимназия № {n}»")
    return [kinds[n % 3].format(n=n + 1) for n in range(count)]


def _occurrence(rng: random.Random, due: date, school: str | None, executor: str) -> Occurrence:
    if due < AT:
        roll = rng.random()
        if roll < 0.65:
            done_on: date | None = due - timedelta(days=rng.randint(0, 10))
            status = Status.DONE
        elif roll < 0.8:
            done_on, status = due + timedelta(days=rng.randint(1, 25)), Status.DONE
        else:
            done_on, status = None, Status.OVERDUE
    else:
        roll = rng.random()
        status = (
            Status.UPCOMING
            if roll < 0.8
            else Status.IN_PROGRESS
            if roll < 0.95
            else Status.CANNOT
            if roll < 0.98
            else Status.DONE
        )
        done_on = AT - timedelta(days=rng.randint(1, 20)) if status is Status.DONE else None
    evidence: tuple[Evidence, ...] = ()
    if status is Status.DONE:
        kind = rng.choice(tuple(EvidenceKind))
        index = rng.randint(1, 9999)
        text = {
            EvidenceKind.LINK: f"https://school{rng.randint(1, 99)}.example.ru/{index}",
            EvidenceKind.FILE: f"Приказ № {rng.randint(1, 300)} от {due:%d.%m.%Y}.pdf",
            EvidenceKind.COMMENT: "Проведено, участвовали 5–11 классы",
        }[kind]
        evidence = (Evidence(kind, text),)
    postponed = due - timedelta(days=14) if rng.random() < 0.03 else None
    return Occurrence(
        due=due,
        status=status,
        done_on=done_on,
        executors=(executor,),
        school=school,
        evidence=evidence,
        confirmed_by="Третьякова Т.В." if status is Status.DONE else None,
        postponed_from=postponed,
        reason="Нет специалиста" if status is Status.CANNOT else None,
    )


def synthetic_report(activities: int, schools: int, seed: int) -> ExecutionReport:
    rng = random.Random(seed)
    year = period_of(PeriodKind.SCHOOL_YEAR, AT)
    names = _school_names(schools)
    rows = []
    for index in range(activities):
        section_number, number = divmod(index, 20)
        section = f"{section_number + 1}. {_SECTIONS[section_number % len(_SECTIONS)]}"
        due = year.start + timedelta(days=rng.randint(10, 360))
        title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
        if schools:
            occurrences = tuple(
                _occurrence(rng, due, school, f"Директор {school}") for school in names
            )
            responsible = "Руководители ОО"
        else:
            occurrences = (_occurrence(rng, due, None, "Шабанова Н.С."),)
            responsible = "Шабанова Н.С., заместитель директора по УВР"
        rows.append(
            Row(
                number=f"{section_number + 1}.{number + 1}",
                section=section,
                title=title,
                result=rng.choice(_RESULTS),
                deadline_text=f"до {due:%d.%m.%Y} г.",
                responsible=responsible,
                occurrences=occurrences,
            )
        )
    return ExecutionReport(
        organisation="Управление образования Пограничного муниципального округа",
        roadmap_title="План работы по повышению качества образования на 2026-2027 учебный год",
        at=AT,
        rows=tuple(rows),
        roadmap_period=year,
        period=Period(year.start, AT),
        executor="Третьякова Т.В.",
    )


def _timed(build: Callable[[], bytes], repeat: int) -> tuple[float, float, int]:
    """(median, best, size in bytes) after one warm-up run."""
    data = build()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        data = build()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=500)
    parser.add_argument("--schools", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path, help="also write the three files here")
    options = parser.parse_args(argv)
    translate = Catalogs(LOCALES, "messages").translator("ru")
    started = time.perf_counter()
    report = synthetic_report(options.activities, options.schools, options.seed)
    built = time.perf_counter() - started
    summary = report.summary
    print(
        f"{len(report.rows)} activities x {options.schools or 1} "
        f"{'schools' if options.schools else 'executor'}: {summary.total} occurrences "
        f"(done {summary.done}, of them late {summary.done_late}; overdue {summary.overdue}; "
        f"in progress {summary.in_progress}; upcoming {summary.upcoming}; cannot "
        f"{summary.cannot}); model built in {built:.2f} s (not timed below)"
    )
    print(
        f"Python {platform.python_version()}, python-docx {version('python-docx')}, "
        f"XlsxWriter {version('xlsxwriter')}, matplotlib {version('matplotlib')}, "
        f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    renderers: list[tuple[str, str, Callable[[], bytes]]] = [
        ("docx", "build_docx", lambda: build_docx(report, translate)),
        ("xlsx", "build_xlsx", lambda: build_xlsx(report, translate)),
    ]
    if report.municipal:
        renderers.append(("png", "matrix_png", lambda: matrix_png(report, translate)))
    print(f"{'renderer':<12} {'median s':>9} {'best s':>8} {'size':>10}  goal")
    for extension, name, build in renderers:
        median, best, size = _timed(build, options.repeat)
        verdict = "met" if median <= GOAL_S else "NOT met"
        figures = f"{median:>9.2f} {best:>8.2f} {size / 1024:>8.0f} K"
        print(f"{name:<12} {figures}  <= {GOAL_S:g} s {verdict}")
        if options.out is not None:
            options.out.mkdir(parents=True, exist_ok=True)
            (options.out / f"execution-report.{extension}").write_bytes(build())
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
