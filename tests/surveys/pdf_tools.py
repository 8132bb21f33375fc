"""What a test reads from a PDF or a DOCX it cannot read by itself: text and pages, through
poppler's pdftotext/pdfinfo and LibreOffice when the machine has them (skipped otherwise)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(data: bytes) -> int:
    """Page objects in the file: fpdf2 writes each uncompressed. Checked against pdfinfo
    where poppler is installed."""
    found = len(_PAGE.findall(data))
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", "-"], input=data, capture_output=True, check=True, timeout=60
        ).stdout.decode()
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
        assert pages == found
    return found


def pdf_text(data: bytes) -> str:
    """The PDF's text as poppler extracts it (fpdf2 writes glyph ids, not letters)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not read")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def docx_as_pdf(data: bytes) -> bytes:
    """The DOCX laid out by LibreOffice, as Word would print it (about)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the DOCX's pages are not counted")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.docx"
        source.write_bytes(data)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{folder}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            capture_output=True,
            check=True,
            timeout=180,
        )
        return (Path(folder) / "report.pdf").read_bytes()
