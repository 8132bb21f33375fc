"""How long the tick's claim of due outbox rows takes with 10⁵ and 10⁶ rows in the table.

    .venv/bin/python -m bench.due_rows [--rows 100000 1000000] [--due 1000] [--repeat 20]

Builds a SQLite database per size (most rows already sent or planned for later, as in a
season of reminders), then times `OutboxRepository.claim_due(now, 8)` — the query every tick
runs — inside a transaction that is rolled back, so each run sees the same table. Set
BENCH_DATABASE_URL=postgresql+asyncpg://… to measure PostgreSQL instead (a fresh schema is used).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from storage.database import Database
from storage.migrate import upgrade_to_head
from storage.repositories.outbox import OutboxRepository
from storage.schema import outbox

NOW = datetime(2022, 10, 3, 23, 0, tzinfo=UTC)
CHUNK = 20_000


def _rows(start: int, count: int, due: int, total: int) -> list[dict[str, object]]:
    rows = []
    for number in range(start, start + count):
        if number < due:
            status, planned = "planned", NOW - timedelta(minutes=number % 50)
        elif number % 3 == 0:
            status, planned = "sent", NOW - timedelta(days=number % 60 + 1)
        else:
            status, planned = "planned", NOW + timedelta(hours=number % 5000 + 1)
        rows.append(
            {
                "key": f"{number}:p{number % 9000}:countdown:{number}",
                "kind": "countdown",
                "task_id": None,
                "person_id": None,
                "chat_id": 10_000 + number % 9000,
                "local_day": date(2022, 10, 4),
                "planned_at": planned,
                "status": status,
                "attempts": 0,
                "created_at": NOW,
            }
        )
    return rows


async def _measure(url: str, total: int, due: int, repeat: int) -> tuple[float, float, float]:
    database = Database.from_url(url)
    await upgrade_to_head(database.engine)
    started = time.perf_counter()
    async with database.engine.begin() as connection:
        for start in range(0, total, CHUNK):
            await connection.execute(
                insert(outbox), _rows(start, min(CHUNK, total - start), due, total)
            )
        if database.engine.dialect.name == "sqlite":
            await connection.execute(text("ANALYZE"))
    fill = time.perf_counter() - started
    timings = []
    for _ in range(repeat):
        async with database.engine.connect() as connection:
            transaction = await connection.begin()
            began = time.perf_counter()
            rows = await OutboxRepository(connection).claim_due(NOW, 8)
            timings.append((time.perf_counter() - began) * 1000)
            await transaction.rollback()
            assert len(rows) == 8
    await database.close()
    return fill, statistics.median(timings), max(timings)


async def main_async(sizes: list[int], due: int, repeat: int) -> None:
    print(f"claim_due(now, 8) on the outbox; {due} rows due, the rest sent or planned later")
    print(f"{'rows':>10} {'fill s':>8} {'median ms':>10} {'max ms':>8}")
    for size in sizes:
        url = os.environ.get("BENCH_DATABASE_URL")
        with tempfile.TemporaryDirectory() as folder:
            if url is None:
                url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            fill, median, worst = await _measure(url, size, due, repeat)
        print(f"{size:>10} {fill:>8.1f} {median:>10.2f} {worst:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(main_async(arguments.rows, arguments.due, arguments.repeat))


if __name__ == "__main__":
    main()
