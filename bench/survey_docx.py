"""Benchmark: the survey report as DOCX (and PDF) for a big survey, in seconds of CPU.

    .venv/bin/python -m bench.survey_docx [--responses 2000] [--repeat 5] [--pdf]

Both built-in templates back to back (20 questions: single and multiple choice with «Другое»,
scales, free text) asked of parents and students of eight classes, answered by
``--responses`` random respondents (seeded): about a third write free text, some «Другое».
``surveys.results.summarise`` and the charts (``charts_for``, matplotlib) are built once,
untimed; then ``build_docx`` is timed ``--repeat`` times (``time.process_time``: CPU of the
process, the figure the issue gave: 4.5 s before this bench's change).

The baseline, in the same run: python-docx's own floor for a document of the same size, the
same number of paragraphs and table cells written with its plainest calls (``add_paragraph``
with no style, ``add_table`` and ``cell.text`` through a row's cells once), the same pictures,
saved. The ratio report / baseline tells how far the report is from writing that much with
python-docx at all, whatever the machine's speed. ``--pdf`` also times ``build_pdf`` (fpdf2).
Goal: the DOCX in at most 1 s at 2,000 responses × 20 questions.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from importlib.metadata import version
from pathlib import Path

import docx

from surveys.loading import builtin_templates
from surveys.model import (
    OTHER,
    Answer,
    Question,
    QuestionKind,
    RespondentRole,
    Response,
    Segment,
    Segments,
    SurveyDefinition,
)
from surveys.report import PAGE, ReportMeta, build_docx, build_pdf, charts_for
from surveys.results import SurveyResults, summarise

CLASSES = ("5 «а»", "5 «б»", "6 «а»", "7 «в»", "8 «а»", "9 «б»", "10 «а»", "11 «а»")
GOAL_S = 1.0
_WORDS = (
    "хотелось бы больше экскурсий на предприятия и встреч с партнёрами",
    "мало сведений о том, как поступить в профильный класс",
    "всё понравилось, спасибо учителям",
    "расписание занятий неудобное, поздно заканчиваются",
    "нужны консультации для родителей",
)


def _definition() -> SurveyDefinition:
    """Both templates as one survey of 20 questions, ids made unique."""
    questions: list[Question] = []
    for template in builtin_templates():
        for question in template.definition.questions:
            number = str(len(questions) + 1)
            options = tuple(replace(option, goto=None) for option in question.options)
            questions.append(replace(question, id=number, options=options))
    first = builtin_templates()[0].definition
    return replace(
        first, questions=tuple(questions), segments=Segments(ask_role=True, classes=CLASSES)
    )


def _answer(question: Question, rng: random.Random) -> Answer | None:
    if question.kind is QuestionKind.TEXT:
        return Answer(text=rng.choice(_WORDS)) if rng.random() < 0.35 else None
    if question.kind is QuestionKind.SCALE:
        scale = question.scale
        assert scale is not None
        return Answer(number=rng.randint(scale.low, scale.high))
    keys = [option.key for option in question.options]
    if question.other and rng.random() < 0.05:
        return Answer(choices=(OTHER,), text=rng.choice(_WORDS))
    if question.kind is QuestionKind.SINGLE:
        return Answer(choices=(rng.choice(keys),))
    chosen = sorted(rng.sample(keys, rng.randint(1, min(3, len(keys)))), key=keys.index)
    return Answer(choices=tuple(chosen))


def responses(definition: SurveyDefinition, count: int, seed: int) -> list[Response]:
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        role = rng.choice(list(RespondentRole))
        segment = Segment(role, rng.choice(CLASSES))
        answers = {
            q.id: given for q in definition.questions if (given := _answer(q, rng)) is not None
        }
        found.append(Response(segment, answers))
    return found


def _catalog() -> Callable[[str], str]:
    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[1] / "bot" / "locales" / "ru" / "LC_MESSAGES"
    with (path / "messages.po").open("rb") as po_file:
        catalog = {str(m.id): str(m.string) for m in read_po(po_file) if m.id}
    return lambda key: catalog.get(key, key)


def _cpu(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return times


def _shape(data: bytes) -> tuple[int, list[list[int]], int]:
    """Paragraphs, each table's rows × columns, and pictures of a built report."""
    document = docx.Document(io.BytesIO(data))
    tables = [[len(t.rows), len(t.columns)] for t in document.tables]
    return len(document.paragraphs), tables, len(document.inline_shapes)


def baseline(paragraphs: int, tables: Sequence[Sequence[int]], charts: Sequence[bytes]) -> bytes:
    """python-docx's plainest calls for a document of the same size."""
    document = docx.Document()
    for index in range(paragraphs):
        document.add_paragraph(f"Абзац {index}: ответ своими словами, как в отчёте")
    for rows, columns in tables:
        table = document.add_table(rows=rows, cols=columns)
        for row in table.rows:
            for cell in row.cells:
                cell.text = "12"
    for png in charts:
        document.add_picture(io.BytesIO(png))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _line(name: str, times: list[float], base: float | None = None) -> str:
    median = statistics.median(times)
    ratio = f"{median / base:6.2f}x" if base else "       "
    return f"{name:<34} {median:8.3f} {min(times):8.3f} {ratio}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--pdf", action="store_true", help="time build_pdf too")
    args = parser.parse_args(argv)
    translate = _catalog()
    definition = _definition()
    found = responses(definition, args.responses, args.seed)
    results: SurveyResults = summarise(definition, found, rng=random.Random(args.seed))
    meta = ReportMeta(
        title=definition.title,
        generated_on=date(2022, 10, 21),
        opened_on=date(2022, 10, 1),
        closed_on=date(2022, 10, 20),
        organisation="МБОУ «СОШ № 2»",
    )
    start = time.process_time()
    charts = charts_for(results, translate, PAGE)
    chart_s = time.process_time() - start
    print(
        f"Python {platform.python_version()}, python-docx {version('python-docx')}, "
        f"lxml {version('lxml')}, matplotlib {version('matplotlib')}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    texts = sum(len(q.texts) for q in results.questions)
    print(
        f"{args.responses} responses × {len(definition.questions)} questions, "
        f"{len(CLASSES)} classes; {len(charts)} charts drawn in {chart_s:.2f} s CPU (not timed); "
        f"{texts} free-text answers"
    )
    report = build_docx(results, meta, charts, translate)
    paragraphs, tables, pictures = _shape(report)
    cells = sum(rows * columns for rows, columns in tables)
    print(
        f"report: {len(report) / 1024:.0f} KiB, {paragraphs} paragraphs, {len(tables)} tables "
        f"({cells} cells), {pictures} pictures"
    )
    print(f"CPU seconds over {args.repeat} runs (time.process_time)\n")
    print(f"{'':<34} {'median':>8} {'best':>8} {'/ base':>7}")
    base = _cpu(lambda: baseline(paragraphs, tables, list(charts.values())), args.repeat)
    base_median = statistics.median(base)
    print(_line("baseline: python-docx, same size", base))
    built = _cpu(lambda: build_docx(results, meta, charts, translate), args.repeat)
    print(_line("build_docx", built, base_median))
    if args.pdf:
        pdf = _cpu(lambda: build_pdf(results, meta, charts, translate), args.repeat)
        print(_line("build_pdf (fpdf2)", pdf, base_median))
    median = statistics.median(built)
    verdict = "met" if median <= GOAL_S else "NOT met"
    print(f"\nbuild_docx: {median:.3f} s CPU (goal ≤ {GOAL_S:.0f} s): {verdict}")


if __name__ == "__main__":
    main()
