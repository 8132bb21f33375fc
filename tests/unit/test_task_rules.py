from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from roadmap.responsible import abbreviation_key, body_key
from tasks.derive import AssigneeRef, Resolution, executor_groups, plan_tasks
from tasks.rules import (
    Bucket,
    PostponementProblem,
    TaskStatus,
    bucket,
    earliest_postponement,
    evidence_expected,
    gets_reminders,
    is_open,
    may_undo,
    postponement_problem,
)

NOW = datetime(2022, 10, 3, 1, 0, tzinfo=UTC)


def test_undo_window_is_ten_minutes() -> None:
    done_at = NOW
    assert may_undo(TaskStatus.DONE, done_at, NOW + timedelta(minutes=10))
    assert not may_undo(TaskStatus.DONE, done_at, NOW + timedelta(minutes=10, seconds=1))
    assert not may_undo(TaskStatus.PENDING, done_at, NOW)
    assert not may_undo(TaskStatus.DONE, None, NOW)


def test_buckets_by_week() -> None:
    thursday = date(2022, 10, 6)
    assert bucket(date(2022, 10, 5), thursday) is Bucket.OVERDUE
    assert bucket(thursday, thursday) is Bucket.THIS_WEEK
    assert bucket(date(2022, 10, 9), thursday) is Bucket.THIS_WEEK  # Sunday
    assert bucket(date(2022, 10, 10), thursday) is Bucket.LATER


def test_postponement_rules() -> None:
    today = date(2022, 10, 3)
    due = date(2022, 10, 20)
    assert postponement_problem(due, date(2022, 10, 25), today, "Ждём материалы") is None
    assert postponement_problem(due, today, today) is PostponementProblem.NOT_FUTURE
    assert postponement_problem(due, due, today) is PostponementProblem.SAME_DAY
    assert postponement_problem(due, date(2022, 10, 10), today) is PostponementProblem.EARLIER
    # Overdue: any day after today is later than the deadline.
    assert postponement_problem(date(2022, 9, 20), date(2022, 10, 4), today, "Болезнь") is None
    assert earliest_postponement(due, today) == date(2022, 10, 21)
    assert earliest_postponement(date(2022, 9, 20), today) == date(2022, 10, 4)
    assert postponement_problem(due, date(2024, 1, 1), today) is PostponementProblem.TOO_FAR
    assert postponement_problem(due, date(2022, 11, 1), today, "  ") is (
        PostponementProblem.EMPTY_REASON
    )


def test_evidence_expected_for_published_results() -> None:
    assert evidence_expected("Издан приказ МБОУ «СОШ №2»")
    assert evidence_expected("Информация размещена на сайте школы")
    assert evidence_expected("Протокол совещания")
    assert not evidence_expected("Участие родителей в анкетировании")
    assert not evidence_expected(None)


def test_named_people_share_one_task_and_groups_fan_out() -> None:
    assignees = [
        AssigneeRef("person", "Шабанова Н.С.", 3, True),
        AssigneeRef("person", "Шарик Н.Н.", 7, False),
        AssigneeRef("organisation", "МО ПК", None, False),
        AssigneeRef("group", "Руководители ОО", None, False),
        AssigneeRef("group", "Педагоги", None, False),
    ]
    groups = executor_groups(assignees, lambda name: [11, 12] if name == "Руководители ОО" else [])
    assert [(g.key, g.person_ids, g.lead_id) for g in groups] == [
        ("people:3,7", (3, 7), 3),
        ("head:11", (11,), 11),
        ("head:12", (12,), 12),
    ]
    monthly = [date(2022, 9, 30), date(2022, 10, 31), date(2022, 11, 30)]
    planned = plan_tasks(5, monthly, groups)
    assert len(planned) == 9
    assert [(p.executor_key, p.occurrence, p.due_on) for p in planned[:3]] == [
        ("people:3,7", 0, date(2022, 9, 30)),
        ("people:3,7", 1, date(2022, 10, 31)),
        ("people:3,7", 2, date(2022, 11, 30)),
    ]


def test_nobody_named_gives_no_task() -> None:
    groups = executor_groups([AssigneeRef("organisation", "РМК", None, False)], lambda _: [])
    assert groups == []
    assert plan_tasks(1, [date(2022, 10, 1)], groups) == []


def test_open_tasks_and_the_ones_reminders_go_to() -> None:
    # "Cannot do" is still open (it waits for the coordinator), but nobody is nagged about it.
    assert {status for status in TaskStatus if is_open(status)} == {
        TaskStatus.PENDING,
        TaskStatus.IN_PROGRESS,
        TaskStatus.CANNOT_DO,
    }
    assert {status for status in TaskStatus if gets_reminders(status)} == {
        TaskStatus.PENDING,
        TaskStatus.IN_PROGRESS,
    }


def test_a_body_resolves_by_its_name_or_its_abbreviation() -> None:
    picked = Resolution(bodies={body_key("районный методический кабинет"): (7, 8)})
    assert picked.members("Районный  методический кабинет.") == (7, 8)
    assert picked.members("РМК") == (7, 8)
    assert picked.members("Комитет") == ()
    short = Resolution(bodies={body_key("РМК"): (9,)})
    assert short.members("районный методический кабинет") == (9,)
    assert abbreviation_key("Комитет по образованию администрации") == "коа"
    assert abbreviation_key("Комитет") is None


def test_a_picked_body_shares_one_task() -> None:
    refs = [
        AssigneeRef("organisation", "РМК", None, False),
        AssigneeRef("person", "Шабанова Н.С.", 5, True),
    ]
    groups = executor_groups(refs, lambda _: [], Resolution(bodies={"рмк": (7, 8)}).members)
    assert [(g.key, g.person_ids, g.lead_id) for g in groups] == [
        ("people:5", (5,), 5),
        ("body:рмк", (7, 8), 7),
    ]
