"""The consent text in docs/ is the one whose version the bot records."""

from __future__ import annotations

from pathlib import Path

from services.privacy import CONSENT_VERSION

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_documents_name_the_consent_version_the_bot_keeps() -> None:
    assert f"**Версия текста: {CONSENT_VERSION}**" in (DOCS / "consent.md").read_text()
    assert f"**{CONSENT_VERSION}**" in (DOCS / "privacy-notice.md").read_text()
