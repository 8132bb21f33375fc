"""Roadmap readers on the five real roadmaps (text export and Word form) and on built files."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from roadmap.readers import read_roadmap, read_text
from roadmap.table import Column, RawActivity, RawRoadmap, RoadmapReadError
from tests.roadmap.builders import (
    MERGED,
    Row,
    Section,
    csv_bytes,
    docx_bytes,
    text_of,
    xlsx_bytes,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "roadmaps"
NAMES = (
    "school-tech-cluster-2022",
    "municipal-order-with-roadmap-2022",
    "municipal-clusters-plan-2022",
    "effective-school-district-2022",
    "lyceum-diaries-2023-2028",
)
FORMS = ("txt", "docx")


@cache
def roadmap(name: str, form: str) -> RawRoadmap:
    path = DATA / f"{name}.txt" if form == "txt" else DATA / "docx" / f"{name}.docx"
    return read_roadmap(path.read_bytes(), path.name)


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


def step_rows(activities: tuple[RawActivity, ...]) -> int:
    """Rows under a merged activity after its first one, as README.md counts "step rows"."""
    return sum(len(activity.steps) - 1 for activity in activities if activity.steps)


def section_parts(activities: tuple[RawActivity, ...]) -> set[str]:
    return {part for a in activities if a.section for part in a.section.split(" / ")}


# --------------------------------------------------------------------------------------------
# The five seed roadmaps, as README.md describes them

# activities, step rows, section rows (README.md's table)
COUNTS = {
    "school-tech-cluster-2022": (19, 8, 0),
    "municipal-order-with-roadmap-2022": (14, 0, 0),
    "municipal-clusters-plan-2022": (20, 13, 0),
    "effective-school-district-2022": (20, 0, 5),
    "lyceum-diaries-2023-2028": (21, 0, 13),
}

TITLES = {
    "school-tech-cluster-2022": "ДОРОЖНАЯ КАРТА по организации деятельности технологического "
    "кластера в МБОУ «СОШ №2» на 2022-2023 учебный год",
    "municipal-order-with-roadmap-2022": "Муниципальная дорожная карта по организации работы "
    "образовательных кластеров на 2022-2023 учебный год",
    "municipal-clusters-plan-2022": "План работы по организации деятельности "
    "общеобразовательных организаций - участников образовательных кластеров в Пограничном "
    "муниципальном округе в 2022-2023 учебном году.",
    "effective-school-district-2022": 'ДОРОЖНАЯ КАРТА краевого проекта "Эффективная школа" по '
    "повышению качества образования в общеобразовательных организациях с низкими "
    "образовательными результатами и в общеобразовательных организациях, функционирующих в "
    "неблагоприятных социальных условиях в 2022 году",
    "lyceum-diaries-2023-2028": "ДОРОЖНАЯ КАРТА реализации проекта «Дневники будущего» на "
    "2023 – 2028 г.г.",
}

EFFECTIVE_SECTIONS = [
    "1. Организационно-управленческие мероприятия",
    "2. Организационно-методическое обеспечение поддержки и сопровождения ШНОР и ШНСУ в "
    "реализации школьных программ повышения качества образования",
    "3.Трансляция опыта реализации Проекта",
    "4. Мониторинговая деятельность в рамках реализации Проекта",
    "5. Обеспечение информационного сопровождения реализации мероприятий дорожной карты "
    'краевого проекта "Эффективная школа"',
]

LYCEUM_ORGANISATION = (
    "Организационный этап / Цель: Подготовка к реализации проекта, создание необходимых "
    "условий и инфраструктуры"
)
LYCEUM_MAIN = (
    "Основной этап / Цель: Реализация запланированных мероприятий и активное развитие проекта."
)
LYCEUM_SECTIONS = [
    (("1.2", "1.3"), f"{LYCEUM_ORGANISATION} / 1. Анализ текущей сит"),
    (("2.1", "2.2"), f"{LYCEUM_ORGANISATION} / 2. Определение целей и задач проекта"),
    (("3.1", "3.2", "3.3"), f"{LYCEUM_ORGANISATION} / 3. Разработка плана коммуникаций"),
    (
        ("4.1", "4.2", "4.3", "4.4"),
        f"{LYCEUM_ORGANISATION} / 4. Поиск и привлечение новых спеціиалистов/партнеров",
    ),
    (
        ("5.1",),
        f"{LYCEUM_ORGANISATION} / 5. Обновление системны стимулирования и поощрения работниІКОВ",
    ),
    (("6.1", "6.2"), f"{LYCEUM_ORGANISATION} / 6. Приобретенние новой литературы и оборудования"),
    (("1.1", "1.2"), f"{LYCEUM_MAIN} / 1. Организация обучения педагогов"),
    (("2.1", "2.2"), f"{LYCEUM_MAIN} / 2. Metодические сессии для і педагогов"),
    (("3.1", "3.2", "3.3"), f"{LYCEUM_MAIN} / 3. Разработка материалов"),
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", NAMES)
def test_counts_match_readme(name: str, form: str) -> None:
    read = roadmap(name, form)
    activities, steps, sections = COUNTS[name]
    assert len(read.activities) == activities
    assert step_rows(read.activities) == steps
    assert len(section_parts(read.activities)) == sections


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", NAMES)
def test_title_and_columns(name: str, form: str) -> None:
    read = roadmap(name, form)
    assert read.title == TITLES[name]
    assert read.columns == tuple(Column)


@pytest.mark.parametrize("form", FORMS)
def test_effective_school_sections(form: str) -> None:
    activities = roadmap("effective-school-district-2022", form).activities
    sections = list(dict.fromkeys(a.section for a in activities))
    assert sections == EFFECTIVE_SECTIONS
    assert [a.number for a in activities if a.section == EFFECTIVE_SECTIONS[3]] == [
        "4.1",
        "4.2",
        "4.3",
        "4.4",
    ]


@pytest.mark.parametrize("form", FORMS)
def test_lyceum_sections_are_stage_goal_and_heading(form: str) -> None:
    activities = roadmap("lyceum-diaries-2023-2028", form).activities
    got: list[tuple[tuple[str | None, ...], str | None]] = []
    for activity in activities:
        if got and got[-1][1] == activity.section:
            got[-1] = (got[-1][0] + (activity.number,), activity.section)
        else:
            got.append(((activity.number,), activity.section))
    assert got == LYCEUM_SECTIONS


@pytest.mark.parametrize("name", [n for n in NAMES if COUNTS[n][2] == 0])
@pytest.mark.parametrize("form", FORMS)
def test_no_sections_where_there_are_none(name: str, form: str) -> None:
    assert all(a.section is None for a in roadmap(name, form).activities)


# (number, title start, deadline_text, responsible_text, number of steps), checked by hand
# against the text export, line by line.
SCHOOL_TECH = [
    (None, "Утверждение школьного координатора", "до 04.10.2022 г.",
     "Шабанова Н.С., заместитель директора по УВР", 0),
    (None, "Формирование перечней академических партнёров", "до 30.09.2022 г.",
     "Бредня М.В. ведущий специалист по учебной работе МКУ «Управление образования» ДГО", 0),
    (None, "Методические письма для организации деятельности", "до 20.10.2022г.",
     "Шабанова Н.С., заместитель директора по УВР Шарик Н.Н., заместитель директора по УВР "
     "Полякова В.А., заместитель директора по УВР", 0),
    (None, "Информационное сопровождение деятельности", "до 20.10.2022 г.",
     "Шабанова Н.С., заместитель директора по УВР", 0),
    (None, "Посещение уроков – в 10 «а» классе", "В течение учебного года",
     "Шабанова Н.С., заместитель директора по УВР Шарик Н.Н., заместитель директора по УВР "
     "Полякова В.А., заместитель директора по УВР", 0),
    (None, "Организация аккаунтов в соцсетях", "октябрь – декабрь 2022г.",
     "Шабанова Н.С., заместитель директора по УВР Бондаренко А.Е., заместитель директора "
     "по ВР", 0),
    (None, "Проведение опроса обучающихся, их родителей", "до 14.10.2022 г.",
     "Шарик Н.Н., заместитель директора по УВР", 3),
    (None, "Проведение входного мониторинга", "",
     "Шарик Н.Н., заместитель директора по УВР Шабанова Н.С., заместитель директора по УВР", 2),
    (None, "Проведение совещания с педагогами, работающими", "до 10.11.2022 г.",
     "Шабанова Н.С., заместитель директора по УВР", 0),
    (None, "Корректировка плана работы школы", "до 18.11.2022 г.",
     "Шабанова Н.С., заместитель директора по УВР", 0),
    (None, "Реализация плана мероприятий МБОУ", "В течение года (в соответствии с отдельными "
     "планами)", "Шабанова Н.С., заместитель директора по УВР Бондаренко А.Е., заместитель "
     "директора по ВР", 0),
    (None, "Проведение мониторинга достижения показателей по итогам I", "до 15.01.2023 г.",
     "Акимова Н.А., директор школы", 3),
    (None, "Проведение совещания с педагогами школы", "до 03.02.2023 г.",
     "Шабанова Н.С., заместитель директора по УВР", 0),
    (None, "Семинар-открытие «День знакомства", "февраль 2023 г.",
     "Шабанова Н.С., заместитель директора по УВР Шарик Н.Н., заместитель директора по УВР "
     "Полякова В.А., заместитель директора по УВР", 0),
    (None, "Организация методической помощи", "По отдельному графику",
     "Полякова В.А., заместитель директора по УВР", 0),
    (None, "Проведение опроса обучающихся, их родителей", "до 01.05.2023 г.",
     "Шабанова Н.С., заместитель директора по УВР Бондаренко А.Е., заместитель д", 3),
    (None, "Проведение мониторинга достижения показателей проекта", "15.06.2023 г. - "
     "20.06.2023 г.", "Шарик Н.Н., заместитель директора по УВР Шабанова Н.С., заместитель "
     "директора по УВР", 2),
    (None, "Проведение совещания с педагогами школы", "до 05.07.2023 г.",
     "Шабанова Н.С., заместитель директора по УВР", 0),
    (None, "Корректировка планов работы с учётом", "до 01.08.2023 г.",
     "Шабанова Н.С., заместитель директора по УВР", 0),
]  # fmt: skip

SCHOOL_TECH_STEPS = {
    6: [
        ("Участие родителей", "до 14.10.2022 г.", "Шарик Н.Н., заместитель директора по УВР"),
        ("Информирование целевой аудитории", "— 21.10.2022 г.",
         "Шарик Н.Н., заместитель директора по УВР"),
        ("Размещение на сайте МБОУ", "до 28.10.2022 г.",
         "Бондаренко А.Е., заместитель директора по ВР"),
    ],
    7: [
        ("Проведение самодиагностики МБОУ утверждённого", "",
         "Шарик Н.Н., заместитель директора по УВР Шабанова Н.С., заместитель директора по УВР"),
        ("Аналитическая справка", "до 25.10.2022 г.",
         "Шабанова Н.С., заместитель директора по УВР"),
    ],
    11: [
        ("Издан приказ", "до 15.01.2023 г.", "Акимова Н.А., директор школы"),
        ("Проведение самодиагностики", "5.01.2023 г. - 20.01.2023 г.",
         "Акимова Н.А., директор школы"),
        ("Аналитическая справка", "до 29.12.2023 г.",
         "Шабанова Н.С., заместитель директора по УВР"),
    ],
    16: [
        ("Проведение самодиагностики", "15.06.2023 г. - 20.06.2023 г.",
         "Шарик Н.Н., заместитель директора по УВР Шабанова Н.С., заместитель директора по УВР"),
        ("Аналитическая справка", "до 30.06.2023 г.",
         "Шабанова Н.С., заместитель директора по УВР"),
    ],
}  # fmt: skip

CLUSTERS = [
    ("1", "Утверждение списков общеобразовательных", "До 26.09.2022", "МО ПК", 0),
    ("2", "Формирование перечней академических", "До 30.09.2022", "МО ПК", 0),
    ("3", "Формирование перечня бизнес - партнеров", "До 30.10.2022", "МО ПК", 0),
    ("4", "Знакомство с планом мероприятий", "До 10.10.2022", "Третьякова Т.В.", 0),
    ("5", "Знакомство с методическими письмами", "До 14.10.2022", "Третьякова Т.В.", 0),
    ("6", "Информационное сопровождение", "До 17.10.2022",
     "Руководители ОО Третьякова Т. В. Петухов Е.А.", 2),
    ("7", "Создание банка типовых программ", "До 15.11.2022", "Мельникова Т. В. Гумбатов С.А.", 0),
    ("8", "Проведение опроса обучающихся", "До 10.10.2022", "Третьякова Т. В.", 3),
    ("9", "Проведение входного мониторинга", "До 10.10.2022", "Третьякова Т. В.", 3),
    ("10", "Проведение МО ПК (Шкуратская М.В.) совещания", "До 05.11.2022", "Третьякова Т. В.", 0),
    ("11", "Корректировка планов работы ПК ИРО", "До 10.11.2022",
     "Руководители ОО Третьякова Т. В.", 0),
    ("12", "Реализация плана мероприятий ОО", "В течение года (в соответствии с отдельными "
     "планами)", "МО ПК", 0),
    ("13", "Проведение мониторинга достижения показателей по итогам I", "До 15.01.2023",
     "Третьякова Т. В.", 3),
    ("14", "Проведение совещания МО ПК (Шкурятская", "До 05.02.2023", "Третьякова Т. В.", 0),
    ("15", "Организация выездной методической помощи", "По отдельному графику", "МО ПК", 0),
    ("16", "Проведение мониторинга информационного", "До 15.03.2023", "Третьякова Т. В.", 3),
    ("17", "Проведение опроса обучающихся", "До 01.05.2023", "Третьякова Т. В.", 3),
    ("18", "Проведение мониторинга достижения показателей проекта", "До 15.06.2023",
     "Третьякова Т. В.", 3),
    ("19", "Проведение МО ПК (Шкуратская М.В.) совещания", "До 05.07.2023", "Третьякова Т. В.", 0),
    ("20", "Корректировка планов работы с учетом", "До 01.08.2023",
     "Шкуратская М.В. Мельникова Т.В. Гумбатов С.А. Ланская Н.В. Третьякова Т.В. "
     "Руководители ОО", 0),
]  # fmt: skip

CLUSTERS_STEP_DEADLINES = {
    5: ["До 17.10.2022", "Постоянно в течение года"],
    7: ["До 10.10.2022", "10.10.2022- 14.10.2022", "До 21.10.2022"],
    8: ["До 10.10.2022", "10.10.2022- 15.10.2022", "До 30.10.2022"],
    12: ["До 15.01.2023", "15.01.2023- 20.01.2023", "До 31.01.2023"],
    15: ["До 15.03.2023", "15.03.2023 30.03.2023", "До 31.03.2023"],
    16: ["До 01.05.2023", "01.05.2023 05.05.2023", "До 15.05.2023"],
    17: ["До 15.06.2023", "15.06.2023- 20.06.2023", "До 30.06.2023"],
}


def _rows(activities: tuple[RawActivity, ...]) -> list[tuple[str | None, str, str, str, int]]:
    return [
        (a.number, a.title, norm(a.deadline_text), norm(a.responsible_text), len(a.steps))
        for a in activities
    ]


def _check_rows(
    activities: tuple[RawActivity, ...],
    expected: Sequence[tuple[str | None, str, str, str, int]],
) -> None:
    got = _rows(activities)
    assert len(got) == len(expected)
    for (number, title, deadline, people, steps), want in zip(got, expected, strict=True):
        assert (number, deadline, people, steps) == (want[0], want[2], want[3], want[4])
        assert title.startswith(want[1]), (title, want[1])


@pytest.mark.parametrize("form", FORMS)
def test_school_tech_cluster_every_row(form: str) -> None:
    activities = roadmap("school-tech-cluster-2022", form).activities
    _check_rows(activities, SCHOOL_TECH)
    for index, steps in SCHOOL_TECH_STEPS.items():
        parent = activities[index]
        got = [(s.result or "", s.deadline_text, norm(s.responsible_text)) for s in parent.steps]
        assert len(got) == len(steps)
        for (result, deadline, people), (start, want_deadline, want_people) in zip(
            got, steps, strict=True
        ):
            assert result.startswith(start)
            assert (deadline, people) == (want_deadline, want_people)
        assert all(step.title == parent.title for step in parent.steps)


@pytest.mark.parametrize("form", FORMS)
def test_municipal_clusters_every_row(form: str) -> None:
    activities = roadmap("municipal-clusters-plan-2022", form).activities
    _check_rows(activities, CLUSTERS)
    for index, deadlines in CLUSTERS_STEP_DEADLINES.items():
        assert [s.deadline_text for s in activities[index].steps] == deadlines
        assert [s.number for s in activities[index].steps] == [activities[index].number] * len(
            deadlines
        )
    # A step without its own responsible cell stays empty rather than borrowing one.
    assert activities[5].steps[1].responsible_text == ""


@pytest.mark.parametrize("name", NAMES)
def test_text_export_and_word_file_agree(name: str) -> None:
    text, word = roadmap(name, "txt"), roadmap(name, "docx")
    assert text.title == word.title
    assert len(text.activities) == len(word.activities)
    for a, b in zip(text.activities, word.activities, strict=True):
        assert (a.number, a.section) == (b.number, b.section)
        assert norm(a.title) == norm(b.title)
        assert norm(a.deadline_text) == norm(b.deadline_text)
        assert norm(a.responsible_text) == norm(b.responsible_text)
        assert [norm(s.deadline_text) for s in a.steps] == [norm(s.deadline_text) for s in b.steps]
        assert [norm(s.title) for s in a.steps] == [norm(s.title) for s in b.steps]
        if name != "lyceum-diaries-2023-2028":  # there Word merges the result of 2.1 and 2.2
            assert norm(a.result) == norm(b.result)


def test_parent_carries_its_first_row_and_steps_every_row() -> None:
    for form in FORMS:
        for name in NAMES:
            for activity in roadmap(name, form).activities:
                if not activity.steps:
                    continue
                first = activity.steps[0]
                assert (first.result, first.deadline_text, first.responsible_text) == (
                    activity.result,
                    activity.deadline_text,
                    activity.responsible_text,
                )
                assert first.source_ref == activity.source_ref
                assert len(activity.steps) >= 2
                assert all(not step.steps for step in activity.steps)


def test_wrapped_cells_are_rejoined() -> None:
    order = roadmap("municipal-order-with-roadmap-2022", "txt").activities[7]
    assert order.title == (
        "Организация методического сопровождения работы специализированных классов"
    )
    assert order.result == "Проведение методических дней. Подготовка аналитической справки."
    assert order.deadline_text == "ежемесячно В течение года"
    assert order.responsible_text == "Колокольцева М.П.\nРуководители ОО"
    school = roadmap("school-tech-cluster-2022", "txt").activities
    assert school[2].result is not None
    assert school[2].result.endswith("— «О порядке взаимодействия с партнёрами»")
    assert school[18].title.endswith("анализа работы за 2022 — 2023 учебный год.")


@pytest.mark.parametrize("form", FORMS)
def test_lists_are_one_item_a_line(form: str) -> None:
    clusters = roadmap("municipal-clusters-plan-2022", form).activities
    assert clusters[1].result == (
        "Закреплены за каждой ОО:\n— индустриальный(-ые) партнер(-ы);\n"
        "— академический(-ие) партнер(-ы)."
    )
    html_list = clusters[4].result or ""
    assert html_list.startswith("Направлены в ОО инструктивно-методические письма:\n1. «Об ")
    assert html_list.endswith("\n7. «О порядке взаимодействия с партнерами»")
    assert "<" not in html_list
    effective = roadmap("effective-school-district-2022", form).activities[7]
    lines = effective.title.split("\n")
    assert lines[0] == "Организационные совещания по вопросам:"
    assert len(lines) == 6
    assert all(line.startswith("— ") for line in lines[1:])


def test_cell_per_line_export_is_regrouped() -> None:
    activities = roadmap("effective-school-district-2022", "txt").activities
    numbers = [a.number for a in activities]
    assert numbers[:8] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "2.1"]
    first = activities[0]
    assert first.deadline_text == "До 20 января 2022"
    assert first.responsible_text.startswith("Комитет по образованию администрации")
    assert first.result == "Программное обеспечение реализации Проекта"
    assert activities[8].responsible_text == "РМК, Руководители ШНОР и ШНСУ"
    assert activities[14].result is None  # 4.2 has an empty result cell
    assert activities[14].deadline_text == "По окончании учебного полугодия"


def test_markup_is_cleaned_from_preamble_and_cells() -> None:
    order = roadmap("municipal-order-with-roadmap-2022", "txt")
    assert "**" not in order.preamble
    assert "Grischykta@mail.ru в срок до 20 ноября 2022 года" in order.preamble
    assert "mailto" not in order.preamble
    assert "ПРИКАЗЫВАЮ:" in order.preamble
    assert order.preamble.rstrip().endswith(TITLES["municipal-order-with-roadmap-2022"])


def test_preamble_holds_the_goal_before_the_table() -> None:
    effective = roadmap("effective-school-district-2022", "txt")
    assert "Цель Проекта: создание в каждом муниципальном образовании" in effective.preamble


def test_repairs_are_reported() -> None:
    school = roadmap("school-tech-cluster-2022", "txt")
    shifted = [
        w.param_dict()["source_ref"] for w in school.warnings if w.code == "table.cells_shifted"
    ]
    assert "строка 18" in shifted
    assert "строка 38" in shifted
    lyceum = roadmap("lyceum-diaries-2023-2028", "txt")
    dropped = {
        w.param_dict()["fragment"] for w in lyceum.warnings if w.code != "table.cells_shifted"
    }
    assert "THO HIDOUTTO" in dropped
    assert all(w.code == "table.section_fragment_dropped" for w in lyceum.warnings)


def test_source_refs_point_at_rows() -> None:
    assert roadmap("municipal-clusters-plan-2022", "txt").activities[0].source_ref == "строка 7"
    word = roadmap("municipal-clusters-plan-2022", "docx").activities
    assert word[0].source_ref == "таблица, строка 2"
    assert [s.source_ref for s in word[7].steps] == [
        "таблица, строка 10",
        "таблица, строка 11",
        "таблица, строка 12",
    ]


def test_warnings_carry_source_and_fragment() -> None:
    for name in NAMES:
        for warning in roadmap(name, "txt").warnings:
            assert set(warning.param_dict()) == {"source_ref", "fragment"}
            assert warning.param_dict()["source_ref"].startswith("строка ")


# --------------------------------------------------------------------------------------------
# One small roadmap in every format

HEADER = [
    "№ п/п",
    "Мероприятие",
    "Характеристика результата",
    "Сроки проведения",
    "Ответственные исполнители",
]
ROWS: list[Row] = [
    Section("1. Организационные мероприятия"),
    ["1.", "Утверждение плана работы", "Издан приказ", "до 01.09.2024", "Иванова А.А., директор"],
    ["2.", "Проведение опроса родителей", "Направлена анкета", "до 10.10.2024", "Петров П.П."],
    [MERGED, MERGED, "Информирование о сроках опроса", "10.10.2024 - 14.10.2024",
     "Классные руководители"],
    [MERGED, MERGED, "Размещён отчёт на сайте", "до 21.10.2024", "Петров П.П."],
    Section("2. Методическая работа"),
    ["3.", "Методические письма для педагогов", "Изучены письма:\n- об организации урока\n- о "
     "кейсах", "В течение года", "Сидорова С.С., заместитель директора по УВР"],
    ["4.", "Итоговый педсовет", "Протокол", "май 2025", "Иванова А.А., директор"],
]  # fmt: skip
TITLE = ["ДОРОЖНАЯ КАРТА", "по организации работы школы на 2024-2025 учебный год"]


def _without_refs(activity: RawActivity) -> RawActivity:
    steps = tuple(_without_refs(step) for step in activity.steps)
    return dataclasses.replace(activity, source_ref="", steps=steps)


def _all_formats() -> dict[str, RawRoadmap]:
    return {
        "docx": read_roadmap(docx_bytes(HEADER, ROWS, title=TITLE), "plan.docx"),
        "xlsx": read_roadmap(xlsx_bytes(HEADER, ROWS, title=TITLE), "plan.xlsx"),
        "csv": read_roadmap(csv_bytes(HEADER, ROWS, title=TITLE), "plan.csv"),
        "csv-comma-utf8": read_roadmap(
            csv_bytes(HEADER, ROWS, title=TITLE, delimiter=",", encoding="utf-8-sig"), "plan.csv"
        ),
        "txt": read_roadmap(text_of(HEADER, ROWS, title=TITLE).encode("cp1251"), "plan.txt"),
        "message": read_text(text_of(HEADER, ROWS, title=TITLE)),
    }


def test_same_roadmap_reads_the_same_in_every_format() -> None:
    formats = _all_formats()
    expected = [_without_refs(a) for a in formats["docx"].activities]
    assert [a.number for a in expected] == ["1", "2", "3", "4"]
    assert len(expected[1].steps) == 3
    assert expected[1].steps[1].deadline_text == "10.10.2024 - 14.10.2024"
    assert expected[2].result == "Изучены письма:\n— об организации урока\n— о кейсах"
    assert expected[3].section == "2. Методическая работа"
    for name, read in formats.items():
        assert [_without_refs(a) for a in read.activities] == expected, name
        assert read.title == " ".join(TITLE), name
        assert read.warnings == (), name


def test_source_refs_per_format() -> None:
    formats = _all_formats()
    assert formats["docx"].activities[0].source_ref == "таблица, строка 3"
    assert formats["xlsx"].activities[0].source_ref == "таблица, строка 6"
    assert formats["csv"].activities[0].source_ref == "таблица, строка 5"
    assert formats["txt"].activities[0].source_ref == "строка 6"


def test_xlsx_dates_numbers_and_header_below_a_title() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["План мероприятий на 2024 год"])
    sheet.append([])
    sheet.append(["N", "Наименование мероприятия", "Дата", "Ответственный"])
    sheet.append([1, "Совещание", dt.datetime(2024, 9, 1), "Иванов И.И."])
    sheet.append([2.0, "Отчёт", "до 01.10.2024", "Петров П.П."])
    out = io.BytesIO()
    workbook.save(out)
    read = read_roadmap(out.getvalue(), "plan.xlsx")
    assert read.title == "План мероприятий на 2024 год"
    assert [(a.number, a.deadline_text) for a in read.activities] == [
        ("1", "01.09.2024"),
        ("2", "до 01.10.2024"),
    ]
    assert read.columns == (Column.NUMBER, Column.ACTIVITY, Column.DEADLINE, Column.RESPONSIBLE)


def test_pasted_markdown_table() -> None:
    message = (
        "План на четверть\n\n"
        "| № | Мероприятие | Срок | Ответственный |\n"
        "|---|---|---|---|\n"
        "| 1 | **Родительское собрание** | до 15.10 | Классные руководители |\n"
        "| 2 | Олимпиада | ноябрь | Иванова А.А. |\n"
    )
    read = read_text(message)
    assert [(a.number, a.title, a.deadline_text) for a in read.activities] == [
        ("1", "Родительское собрание", "до 15.10"),
        ("2", "Олимпиада", "ноябрь"),
    ]


def test_docx_paragraph_tables_without_a_word_table_fall_back_to_text() -> None:
    document = docx.Document()
    document.add_paragraph("План работы")
    document.add_paragraph("№\tМероприятие\tСрок\tОтветственный")
    document.add_paragraph("1\tСовещание\tсентябрь\tИванов И.И.")
    out = io.BytesIO()
    document.save(out)
    read = read_roadmap(out.getvalue(), "plan.docx")
    assert [(a.number, a.title, a.deadline_text) for a in read.activities] == [
        ("1", "Совещание", "сентябрь")
    ]


def test_word_auto_numbering_in_the_number_column() -> None:
    header = ["№ п/п", "Мероприятие", "Срок", "Ответственный"]
    rows: list[Row] = [
        ["", "Совещание", "сентябрь", "Иванов И.И."],
        ["", "Отчёт", "май", "Петров П.П."],
    ]
    document = docx.Document(io.BytesIO(docx_bytes(header, rows)))
    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0">'
            '<w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
            "</w:lvl></w:abstractNum>"
        )
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    for row in document.tables[0].rows[1:]:
        properties = row.cells[0].paragraphs[0]._p.get_or_add_pPr()
        properties.append(
            parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'
            )
        )
    out = io.BytesIO()
    document.save(out)
    read = read_roadmap(out.getvalue(), "plan.docx")
    assert [(a.number, a.title) for a in read.activities] == [("1", "Совещание"), ("2", "Отчёт")]


def test_title_row_inside_the_word_table() -> None:
    header = ["№", "Мероприятие", "Срок", "Ответственный"]
    rows: list[Row] = [
        ["1", "Совещание", "сентябрь", "Иванов И.И."],
    ]
    document = docx.Document(io.BytesIO(docx_bytes(header, rows, title=["Приказ № 5"])))
    table = document.tables[0]
    first = table.rows[0]._tr
    title_row = copy.deepcopy(first)
    first.addprevious(title_row)
    merged = table.cell(0, 0).merge(table.cell(0, 3))
    merged.text = "ПЛАН мероприятий на 2024 год"
    out = io.BytesIO()
    document.save(out)
    read = read_roadmap(out.getvalue(), "plan.docx")
    assert read.title == "ПЛАН мероприятий на 2024 год"
    assert [(a.number, a.title, a.source_ref) for a in read.activities] == [
        ("1", "Совещание", "таблица, строка 3")
    ]


# --------------------------------------------------------------------------------------------
# Bad input


def _zip(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return out.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
NO_DEADLINE_HEADER = ["№", "Мероприятие", "Ответственный"]
NO_DEADLINE_ROWS: list[Row] = [["1", "Совещание", "Иванов И.И."]]


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "plan.docx", "empty"),
        (b" \n\t\r\n", "plan.txt", "empty"),
        (b"\xef\xbb\xbf\n", "plan.csv", "empty"),
        (bytes(range(256)) * 8, "plan.docx", "corrupt"),
        (bytes(range(256)) * 8, "plan.xlsx", "corrupt"),
        (b"PK\x03\x04" + b"\x01" * 300, "plan.docx", "corrupt"),
        (_zip(readme__txt="hello"), "plan.docx", "corrupt"),
        (_zip(readme__txt="hello"), "archive.zip", "unsupported_format"),
        (_zip(mimetype="application/vnd.oasis", content__xml="<x/>"), "plan.odt",
         "unsupported_format"),
        (OLE2 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64, "plan.docx", "encrypted"),
        (OLE2 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64, "plan.xlsx", "encrypted"),
        (OLE2 + "WordDocument".encode("utf-16-le"), "plan.doc", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "plan.docx", "unsupported_format"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "scan.jpg", "unsupported_format"),
        (b"%PDF-1.7\n" + b"\x00" * 64, "plan.pdf", "pdf_corrupt"),
        ("Просто сообщение без таблицы.\nВторая строка.".encode(), "message.txt", "not_a_table"),
        ("Дорожная карта;2024\nкакой-то текст".encode("cp1251"), "plan.csv", "not_a_table"),
        (text_of(NO_DEADLINE_HEADER, NO_DEADLINE_ROWS).encode(), "plan.txt",
         "no_deadline_column"),
        (docx_bytes(NO_DEADLINE_HEADER, NO_DEADLINE_ROWS), "plan.docx", "no_deadline_column"),
        (xlsx_bytes(NO_DEADLINE_HEADER, NO_DEADLINE_ROWS), "plan.xlsx", "no_deadline_column"),
        (csv_bytes(NO_DEADLINE_HEADER, NO_DEADLINE_ROWS), "plan.csv", "no_deadline_column"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_code(data: bytes, filename: str, code: str) -> None:
    with pytest.raises(RoadmapReadError) as raised:
        read_roadmap(data, filename)
    assert raised.value.code == code


def test_truncated_word_file_is_corrupt() -> None:
    data = (DATA / "docx" / "school-tech-cluster-2022.docx").read_bytes()
    with pytest.raises(RoadmapReadError) as raised:
        read_roadmap(data[: len(data) // 2], "plan.docx")
    assert raised.value.code == "corrupt"


def test_workbook_damaged_inside_is_corrupt() -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(HEADER, ROWS)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for name in source.namelist():
            content = source.read(name)
            damaged.writestr(name, b"<x><broken" if name.endswith("sheet1.xml") else content)
    with pytest.raises(RoadmapReadError) as raised:
        read_roadmap(out.getvalue(), "plan.xlsx")
    assert raised.value.code == "corrupt"


def test_no_deadline_column_names_the_columns_found() -> None:
    with pytest.raises(RoadmapReadError) as raised:
        read_text(text_of(NO_DEADLINE_HEADER, NO_DEADLINE_ROWS))
    assert raised.value.params == {"columns": "№, Мероприятие, Ответственный"}


def test_format_is_told_by_content_not_name() -> None:
    data = (DATA / "docx" / "municipal-order-with-roadmap-2022.docx").read_bytes()
    assert len(read_roadmap(data, "document").activities) == 14
    text = (DATA / "municipal-order-with-roadmap-2022.txt").read_bytes()
    assert len(read_roadmap(text.decode("utf-8").encode("cp1251"), "plan").activities) == 14


def test_text_with_stray_control_characters_is_read_as_text() -> None:
    text = (
        "ДОРОЖНАЯ КАРТА на 2022-2023 учебный год\n"
        "№\tМероприятие\tСрок проведения\tОтветственные\n"
        "1\tСовещ\x00ание\x07 с педагогами\tдо 10.10.2022\tИванова И.И.\x0c\n"
    )
    raw = read_roadmap(text.encode(), "plan.txt")
    (activity,) = raw.activities
    assert activity.title == "Совещание с педагогами"


def test_bytes_that_are_not_text_are_still_refused() -> None:
    blob = bytes(range(256)) * 20
    with pytest.raises(RoadmapReadError) as refused:
        read_roadmap(blob, "plan.txt")
    assert refused.value.code == "unsupported_format"
