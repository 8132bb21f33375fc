"""What a survey file says, before it is understood: values as written, each with its place.

The YAML reader and the .xlsx template reader both produce a ``RawSurvey``; one builder
(``surveys.building``) turns it into a ``SurveyDefinition``. Every value keeps the line or
cell it came from, so any mistake found later is reported where the person can fix it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from core.errors import UserFacingError

# Quoted fragments of a file stay short in a chat message.
_SHOWN_LIMIT = 60


class DefinitionError(UserFacingError):
    """A survey file or definition that cannot be used, and where the problem is.

    Keys: ``survey.file.line.<code>`` carry ``line`` (YAML, 1-based),
    ``survey.file.cell.<code>`` carry ``sheet`` and ``cell`` (.xlsx, e.g. "Вопросы", "D7");
    the few problems of a file as a whole (``survey.file.empty``, ``…unsupported``) have none.
    """


def shown(value: str) -> str:
    """A fragment of the person's file, safe inside an HTML message and short enough to read."""
    value = " ".join(value.split())
    if len(value) > _SHOWN_LIMIT:
        value = value[: _SHOWN_LIMIT - 1] + "…"
    return html.escape(value, quote=False)


@dataclass(frozen=True)
class Place:
    """A line of a YAML file, or a cell of a workbook."""

    line: int | None = None
    sheet: str | None = None
    cell: str | None = None

    def error(self, code: str, **params: object) -> DefinitionError:
        if self.line is not None:
            return DefinitionError(f"survey.file.line.{code}", line=self.line, **params)
        return DefinitionError(
            f"survey.file.cell.{code}", sheet=shown(self.sheet or ""), cell=self.cell, **params
        )


@dataclass(frozen=True)
class Scalar:
    """One value as the file wrote it (always text: "5", "да", "Нет, не слышал(а)")."""

    text: str
    place: Place


@dataclass(frozen=True)
class RawOption:
    label: Scalar
    goto: Scalar | None = None
    exclusive: Scalar | None = None


@dataclass
class RawQuestion:
    """Fields: id, text, kind, required, other, max_length, scale_low, scale_high,
    low_label, high_label; absent when the file does not give them."""

    place: Place
    fields: dict[str, Scalar] = field(default_factory=dict)
    options: list[RawOption] | None = None
    options_place: Place | None = None


@dataclass
class RawSurvey:
    """Fields: title, intro, audience, ask_role; classes as one or more written lists."""

    place: Place
    fields: dict[str, Scalar] = field(default_factory=dict)
    classes: list[Scalar] = field(default_factory=list)
    questions: list[RawQuestion] = field(default_factory=list)
    questions_place: Place | None = None
