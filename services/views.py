"""Paged reads for views that are not about one person's tasks (/roadmap)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from storage.database import Database
from storage.repositories.task_views import ActivityRow as ActivityRow
from storage.repositories.task_views import RowFilter as RowFilter


class RowView(StrEnum):
    """How /roadmap lists a roadmap's rows (values are short: they travel in buttons)."""

    TABLE = "t"  # every row as the file has them, by section
    DEADLINE = "d"  # rows carrying tasks, the nearest open deadline first
    OVERDUE = "o"  # rows with an overdue task
    UNASSIGNED = "u"  # rows with a date that reach nobody
    MINE = "m"  # rows with a task of the person looking


def row_filter(view: RowView, today: date, person_id: int | None) -> RowFilter:
    """The rows a view keeps: today is the organisation's, in its zone."""
    if view is RowView.MINE:
        # Someone with no person record shares no task: an id no row has.
        return RowFilter(by_deadline=True, person_id=person_id or 0)
    return {
        RowView.TABLE: RowFilter(),
        RowView.DEADLINE: RowFilter(by_deadline=True),
        RowView.OVERDUE: RowFilter(overdue_before=today),
        RowView.UNASSIGNED: RowFilter(unreached=True),
    }[view]


@dataclass(frozen=True)
class RoadmapPage:
    rows: tuple[ActivityRow, ...]
    page: int  # 0-based, clamped into range
    pages: int
    total: int  # rows the filter keeps, over all pages
    # The people chosen in the chat for the page's rows that have them, lead first.
    chosen: dict[int, tuple[str, ...]] = field(default_factory=dict)


async def roadmap_page(
    database: Database,
    roadmap_id: int,
    page: int,
    size: int,
    rows: RowFilter | None = None,
) -> RoadmapPage:
    """The rows of one page of a roadmap: three statements, whatever its length."""
    async with database.transaction() as repositories:
        total = await repositories.task_views.activity_count(roadmap_id, rows)
        pages = max(1, -(-total // size))
        page = min(max(page, 0), pages - 1)
        found = await repositories.task_views.activity_page(roadmap_id, page * size, size, rows)
        manual = [row.activity.id for row in found if row.activity.responsible_manual]
        people = await repositories.activities.assignees_of(manual) if manual else {}
    chosen = {
        activity_id: tuple(a.fields.name for a in assignees)
        for activity_id, assignees in people.items()
    }
    return RoadmapPage(tuple(found), page, pages, total, chosen)
