"""The data folder and its files: 0700 and 0600 when made, and again at each start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.data_dir import secure_data_dir
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _migrate(cwd: Path, data: Path) -> subprocess.CompletedProcess[str]:
    # A real process, with the permissive umask a shell or a service manager may give it.
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "LANG": "en_US.UTF-8",
        "DATA_DIR": str(data),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        preexec_fn=lambda: os.umask(0o022),
    )


def test_migrate_leaves_a_private_folder_and_tightens_a_looser_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _migrate(tmp_path, data)
    files = sorted(data.iterdir())
    assert "roadmap.sqlite3" in {file.name for file in files}
    assert _mode(data) == 0o700
    assert {file.name: _mode(file) for file in files} == {file.name: 0o600 for file in files}

    data.chmod(0o755)
    (data / "roadmap.sqlite3").chmod(0o644)
    (data / "roadmap.sqlite3-journal").write_bytes(b"")
    (data / "roadmap.sqlite3-journal").chmod(0o666)
    (data / "survey_secret").write_text("a-long-enough-survey-secret-1234\n", encoding="ascii")
    (data / "survey_secret").chmod(0o640)
    result = _migrate(tmp_path, data)
    assert _mode(data) == 0o700
    files = sorted(data.iterdir())
    assert {file.name: _mode(file) for file in files} == {file.name: 0o600 for file in files}
    warnings = [line for line in result.stderr.splitlines() if " WARNING " in line]
    assert len(warnings) == 4
    assert any(f"folder {data} was open" in line and "mode 755" in line for line in warnings)
    assert any("roadmap.sqlite3 was open" in line and "mode 644" in line for line in warnings)
    assert all("survey-secret-1234" not in line for line in result.stderr.splitlines())


def test_a_missing_folder_is_not_made_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    secure_data_dir(load_settings(data_dir=tmp_path / "data"))
    assert not (tmp_path / "data").exists()
