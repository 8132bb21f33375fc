"""Paged reads for views that are not about one person's tasks (/roadmap)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database
from storage.repositories.task_views import ActivityRow as ActivityRow


@dataclass(frozen=True)
class RoadmapPage:
    rows: tuple[ActivityRow, ...]
    page: int  # 0-based, clamped into range
    pages: int


async def roadmap_page(database: Database, roadmap_id: int, page: int, size: int) -> RoadmapPage:
    """The rows of one page of a roadmap: two statements, whatever its length."""
    async with database.transaction() as repositories:
        total = await repositories.task_views.activity_count(roadmap_id)
        pages = max(1, -(-total // size))
        page = min(max(page, 0), pages - 1)
        rows = await repositories.task_views.activity_page(roadmap_id, page * size, size)
    return RoadmapPage(tuple(rows), page, pages)
