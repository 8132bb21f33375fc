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
