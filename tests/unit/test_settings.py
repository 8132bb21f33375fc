from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.i18n import create_i18n
from bot.settings import Settings, SettingsError, load_settings, require_a_messenger
from core.messengers import max_user_account
from storage.migrate import head_revision
from tests.cli import CliResult, run_cli

PROJECT = Path(__file__).resolve().parents[2]
SECRET = "987654321:AAHsecretPART_should-never-show"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name in {
            "BOT_TOKEN",
            "MAX_TOKEN",
            "MAX_ADMIN_IDS",
            "MAX_WEBHOOK_URL",
            "DATABASE_URL",
            "DATA_DIR",
            "TELEGRAM_API_BASE",
            "ADMIN_IDS",
            "TIMEZONE",
            "LOG_LEVEL",
        }:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout


def test_defaults() -> None:
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.timezone == "Asia/Vladivostok"
    assert settings.admin_ids == frozenset()
    assert settings.resolved_database_url == "sqlite+aiosqlite:///data/roadmap.sqlite3"


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"BOT_TOKEN={SECRET}\nADMIN_IDS=111, 222;333\nTIMEZONE=Asia/Vladivostok\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("TIMEZONE", "Asia/Magadan")
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:8081/")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    require_a_messenger(settings)
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == SECRET
    assert settings.admin_ids == {111, 222, 333}
    assert settings.timezone == "Asia/Magadan"  # the environment wins over .env
    assert settings.telegram_api_base == "http://127.0.0.1:8081"
    assert settings.log_level == "DEBUG"
    assert SECRET not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("BOT_TOKEN", "123456"),
        ("ADMIN_IDS", "12,abc"),
        ("TIMEZONE", "Asia/Atlantis"),
        ("TELEGRAM_API_BASE", "ftp://x"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert raised.value.variable == variable


def test_missing_token_is_reported_only_when_running() -> None:
    with pytest.raises(SettingsError) as raised:
        require_a_messenger(load_settings())
    assert raised.value.variable == "BOT_TOKEN"
    i18n = create_i18n()
    words = i18n.gettext(raised.value.key, locale="ru")
    assert "BOT_TOKEN" in words and "MAX_TOKEN" in words  # either messenger, or both


def test_max_alone_is_enough_and_its_admins_are_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_TOKEN", " max-token ")
    monkeypatch.setenv("MAX_ADMIN_IDS", "12, 34")
    settings = load_settings()
    require_a_messenger(settings)
    assert settings.max_token is not None and settings.max_token.get_secret_value() == "max-token"
    assert settings.administrators == {max_user_account(12), max_user_account(34)}


def test_a_max_webhook_needs_its_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_WEBHOOK_URL", "https://bot.school.ru/max")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert raised.value.variable == "MAX_WEBHOOK_SECRET"


def test_every_setting_error_has_words_in_both_languages() -> None:
    i18n = create_i18n()
    keys = {f"settings.invalid.{name}" for name in Settings.model_fields}
    keys |= {"settings.missing.bot_token", "settings.rejected.bot_token"}
    keys |= {"settings.rejected.max_token"}
    for key in keys:
        for locale in ("ru", "en"):
            assert i18n.gettext(key, locale=locale) != key, (key, locale)


def _run_process(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BOT_TOKEN", "ADMIN_IDS", "TIMEZONE", "TELEGRAM_API_BASE", "DATABASE_URL"}
    }
    base["PYTHONPATH"] = str(PROJECT)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_cli_without_token_exits_2_with_one_line(tmp_path: Path) -> None:
    # Subprocess on purpose: real exit code and streams (nothing else reaches stderr).
    result = _run_process(tmp_path, {"LANG": "ru_RU.UTF-8"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("BOT_TOKEN: ")
    assert "@BotFather" in lines[0] and ".env" in lines[0]
    assert "Traceback" not in result.stderr


def _run_cli(tmp_path: Path, env: dict[str, str], *args: str) -> CliResult:
    return run_cli(tmp_path, *args, env=env)


def test_cli_never_echoes_a_malformed_token(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, {"BOT_TOKEN": "AAHsecret-typo", "LANG": "en_US.UTF-8"})
    assert result.returncode == 2
    assert "AAHsecret" not in result.stderr + result.stdout
    assert result.stderr.startswith("BOT_TOKEN: the bot token is malformed")


def test_cli_help_lists_subcommands(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, {}, "--help")
    assert result.returncode == 0
    assert "run" in result.stdout and "migrate" in result.stdout


def test_cli_migrate_creates_the_database(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, {"LANG": "ru_RU.UTF-8"}, "migrate")
    assert result.returncode == 0, result.stderr
    assert head_revision() in result.stdout
    assert (tmp_path / "data" / "roadmap.sqlite3").is_file()
