"""Whom a roadmap's rows reach, and the rows that reach nobody, with the reason.

A row that names only a body («Комитет», «РМК»), a group nobody was picked for, «руководители
ОО» with no schools below, or nobody at all makes no task: nobody is reminded. The import
preview, /roadmap and /status say so instead of «всё понято».
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tasks.derive import AssigneeRef, Resolution


class Gap(StrEnum):
    EMPTY = "empty"  # the cell names nobody
    BODY = "body"  # a body or group nobody was picked for
    NO_SCHOOLS = "no_schools"  # «руководители ОО», and no school heads below


@dataclass(frozen=True)
class RowReach:
    """One row that carries tasks: how many executor groups it reaches, and what it misses."""

    ref: str  # where it is in the file («стр. 12», «2.1»)
    title: str
    groups: int
    gaps: tuple[tuple[Gap, str], ...]  # (why, the name as written; "" for an empty cell)
    fans_out: bool = False  # names «руководители ОО»: one task per school head

    @property
    def reaches_nobody(self) -> bool:
        return self.groups == 0


def row_reach(
    ref: str,
    title: str,
    assignees: Sequence[AssigneeRef],
    resolution: Resolution,
    is_heads_group: Callable[[str], bool],
) -> RowReach:
    """``is_heads_group``: whether a group's name means the heads of the schools below."""
    gaps: list[tuple[Gap, str]] = []
    groups = 1 if any(a.kind == "person" for a in assignees) else 0
    fans_out = False
    for assignee in assignees:
        if assignee.kind == "person":
            continue
        heads = assignee.kind == "group" and is_heads_group(assignee.name)
        fans_out = fans_out or heads
        reached = len(resolution.heads) if heads else 0
        reached += 1 if resolution.members(assignee.name) else 0
        groups += reached
        if not reached:
            gaps.append((Gap.NO_SCHOOLS if heads else Gap.BODY, assignee.name))
    if not assignees:
        gaps.append((Gap.EMPTY, ""))
    return RowReach(ref, title, groups, tuple(gaps), fans_out)


@dataclass(frozen=True)
class Reach:
    """A roadmap's rows as its tasks will reach people."""

    rows: tuple[RowReach, ...]
    # The schools below with no head, when a row fans out to heads: their share reaches nobody.
    schools_without_head: tuple[str, ...] = ()

    @property
    def headless(self) -> tuple[str, ...]:
        """The schools whose share of the «руководители ОО» rows reaches nobody."""
        return self.schools_without_head if any(row.fans_out for row in self.rows) else ()

    @property
    def unreached(self) -> tuple[RowReach, ...]:
        return tuple(row for row in self.rows if row.reaches_nobody)

    def missing(self) -> list[tuple[Gap, str, int]]:
        """Each body, group or empty cell that reaches nobody, with how many rows name it,
        the most named first."""
        counted = Counter(gap for row in self.rows for gap in dict.fromkeys(row.gaps))
        return [
            (gap, name, count)
            for (gap, name), count in sorted(counted.items(), key=lambda item: -item[1])
        ]

    @property
    def is_complete(self) -> bool:
        return not any(row.gaps for row in self.rows) and not self.headless


def reach(rows: Iterable[RowReach]) -> Reach:
    return Reach(tuple(rows))
