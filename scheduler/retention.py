"""Retention: once a day, personal data past its keeping time is erased and an act of
destruction («Акт об уничтожении персональных данных») is written and sent.

The act is a DOCX under DATA_DIR/acts (folder 0700, file 0600) and goes to the organisation's
coordinators through the outbox, as a file. A run with nothing due writes nothing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from docx import Document

from core.i18n import Translate
from services.personal_data import Destruction, PrivacyService
from storage.private_files import PRIVATE_FILE, make_private_dir, tighten_dir

ACTS_FOLDER = "acts"


def act_docx(destruction: Destruction, translate: Translate) -> bytes:
    document = Document()
    document.add_heading(translate("retention.act.title"), level=1)
    document.add_paragraph(
        translate("retention.act.organisation").format(name=destruction.organisation_name)
    )
    document.add_paragraph(
        translate("retention.act.when").format(at=destruction.at.strftime("%d.%m.%Y %H:%M"))
    )
    document.add_paragraph(
        translate("retention.act.rule").format(
            months=destruction.months, ended_by=destruction.ended_by.strftime("%d.%m.%Y")
        )
    )
    table = document.add_table(rows=0, cols=2)
    for key, count in (
        ("retention.act.tasks", destruction.tasks),
        ("retention.act.evidence", destruction.evidence),
        ("retention.act.events", destruction.events),
        ("retention.act.people", destruction.people),
    ):
        cells = table.add_row().cells
        cells[0].text = translate(key)
        cells[1].text = str(count)
    document.add_paragraph(translate("retention.act.footer"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    path.chmod(PRIVATE_FILE)


class RetentionJob:
    def __init__(
        self, privacy: PrivacyService, months: int, data_dir: Path, translate: Translate
    ) -> None:
        self._privacy = privacy
        self._months = months
        self.acts_dir = data_dir / ACTS_FOLDER
        self._translate = translate

    async def run(self) -> list[Path]:
        """The acts written this run (none when nothing was due)."""
        written: list[Path] = []
        for destruction in await self._privacy.apply_retention(self._months):
            make_private_dir(self.acts_dir)
            tighten_dir(self.acts_dir)
            name = (
                f"act-{destruction.organisation_id}-"
                f"{destruction.at.strftime('%Y%m%d-%H%M%S')}.docx"
            )
            path = self.acts_dir / name
            write_private(path, act_docx(destruction, self._translate))
            await self._privacy.send_act(destruction, name)
            written.append(path)
        return written
