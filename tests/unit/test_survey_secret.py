"""The survey secret: from SURVEY_SECRET, or made once, kept private, never logged."""

from __future__ import annotations

import logging
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings
from bot.survey_secret import load_survey_secret, secret_path

GIVEN = "a-long-enough-survey-secret-1234"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SURVEY_SECRET", raising=False)
    monkeypatch.delenv("DATA_DIR", raising=False)
    monkeypatch.delenv("SURVEY_SECRET_FILE", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return load_settings(data_dir=tmp_path / "data", **overrides)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_environment_wins_and_no_file_is_made(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SURVEY_SECRET", f"  {GIVEN} ")
    settings = _settings(tmp_path)
    assert load_survey_secret(settings) == GIVEN.encode()
    assert not secret_path(settings).exists()
    assert GIVEN not in repr(settings)


@pytest.mark.parametrize("value", ["short", "x" * 15])
def test_a_short_secret_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SURVEY_SECRET", value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert raised.value.variable == "SURVEY_SECRET"
    assert value not in str(raised.value)


def test_an_empty_variable_means_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURVEY_SECRET", "")
    assert load_settings().survey_secret is None


def test_made_once_private_and_kept(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(tmp_path)
    with caplog.at_level(logging.DEBUG):
        first = load_survey_secret(settings)
    path = secret_path(settings)
    assert path == tmp_path / "data" / "survey_secret"
    assert _mode(path) == 0o600
    assert len(first) >= 43  # 32 random bytes, base64
    assert load_survey_secret(settings) == first
    assert os.listdir(path.parent) == ["survey_secret"]  # no temporary file left behind
    assert caplog.records, "the bot says where the secret was made"
    assert all(first.decode() not in record.getMessage() for record in caplog.records)


def test_other_instances_starting_together_share_one_secret(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = set(pool.map(lambda _: load_survey_secret(settings), range(16)))
    assert len(found) == 1
    assert os.listdir(secret_path(settings).parent) == ["survey_secret"]


def test_a_readable_file_is_fixed_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path)
    path = secret_path(settings)
    path.parent.mkdir()
    path.write_text("kept-from-last-year-0123456789\n", encoding="utf-8")
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        assert load_survey_secret(settings) == b"kept-from-last-year-0123456789"
    assert _mode(path) == 0o600
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "644" in warnings[0]
    assert "kept-from-last-year" not in warnings[0]
    caplog.clear()
    load_survey_secret(settings)
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_an_empty_file_is_not_silently_replaced(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    path = secret_path(settings)
    path.parent.mkdir()
    path.touch(mode=0o600)
    with pytest.raises(SettingsError) as raised:
        load_survey_secret(settings)
    assert raised.value.key == "settings.invalid.survey_secret"
    assert path.read_text(encoding="utf-8") == ""


def test_the_secret_file_may_live_outside_the_data_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "keys" / "roadmap" / "secret"
    settings = _settings(tmp_path, survey_secret_file=elsewhere)
    assert secret_path(settings) == elsewhere
    secret = load_survey_secret(settings)
    assert elsewhere.read_text(encoding="ascii").strip().encode() == secret
    assert _mode(elsewhere) == 0o600
    assert _mode(elsewhere.parent) == 0o700
    assert not (tmp_path / "data").exists()
    assert load_survey_secret(settings) == secret


def test_the_secret_file_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SURVEY_SECRET_FILE", str(tmp_path / "secret"))
    assert secret_path(_settings(tmp_path)) == tmp_path / "secret"
    monkeypatch.setenv("SURVEY_SECRET_FILE", "")
    assert secret_path(_settings(tmp_path)) == tmp_path / "data" / "survey_secret"


def test_an_existing_folder_of_the_secret_file_is_left_as_it_is(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    load_survey_secret(_settings(tmp_path, survey_secret_file=shared / "secret"))
    assert _mode(shared) == 0o755
    assert _mode(shared / "secret") == 0o600
