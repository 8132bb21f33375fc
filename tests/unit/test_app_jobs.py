from __future__ import annotations

from pathlib import Path

from bot.app import Application
from bot.settings import Settings
from core.clock import ManualClock
from scheduler.setup import MISFIRE_GRACE_SECONDS


async def test_the_reminder_tick_runs_every_minute_and_surveys_close_every_five(
    tmp_path: Path, clock: ManualClock
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="123456:TEST",
        telegram_api_base="http://127.0.0.1:9",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        data_dir=tmp_path,
    )
    app = await Application.create(settings, clock)
    try:
        app.scheduler.start(paused=True)
        job = app.scheduler.get_job("reminder-tick")
        assert job is not None
        assert job.func == app.tick.run
        assert job.trigger.interval.total_seconds() == 60
        assert job.coalesce is True
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
        assert job.max_instances == 1
        closing = app.scheduler.get_job("survey-closing")
        assert closing is not None
        assert closing.func == app.survey_closing.run
        assert closing.trigger.interval.total_seconds() == 5 * 60
        assert closing.max_instances == 1
    finally:
        await app.aclose()


async def test_sqlite_gets_a_nightly_backup_job_at_half_past_two_unless_turned_off(
    tmp_path: Path, clock: ManualClock
) -> None:
    def settings(**overrides: object) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token="123456:TEST",
            telegram_api_base="http://127.0.0.1:9",
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            data_dir=tmp_path,
            **overrides,
        )

    app = await Application.create(settings(), clock)
    try:
        app.scheduler.start(paused=True)
        job = app.scheduler.get_job("backup")
        assert job is not None
        fields = {field.name: str(field) for field in job.trigger.fields}
        assert (fields["hour"], fields["minute"]) == ("2", "30")
        assert job.trigger.timezone == app.settings.zone
        written = await job.func()
        assert written is not None and written.parent == tmp_path / "backups"
    finally:
        await app.aclose()
    app = await Application.create(settings(backup_keep=0), clock)
    try:
        assert app.scheduler.get_job("backup") is None
    finally:
        await app.aclose()
