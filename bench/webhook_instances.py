"""Benchmark: updates a second through one webhook instance and through two, in the same run.

    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \\
    TEST_REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python -m bench.webhook_instances [--updates 2000] [--users 100] [--rounds 2]

Each round, for 1 and then 2 instances: a fresh PostgreSQL database, `python -m bot` processes in
webhook mode on it and on Redis, behind the round-robin proxy of tests/e2e/processes.py (one
upstream for one instance, so both sides pay the same hop); the fake Bot API (tests/fakebot)
posts `--updates` presses of stale buttons by `--users` people, as fast as the instances take
them (up to 40 at a time, one per person at a time, as Telegram does), and every press is
answered with an alert. Printed: seconds from the first update to the last answer, updates per
second, and the ratio of two instances to one; the machine's load and CPU count with them (two
processes on a 2-CPU machine that also runs the fake server and PostgreSQL cannot double).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.database import Database
from storage.migrate import upgrade_to_head
from tests.e2e.processes import RoundRobin, bot_env, spawn, wait_healthy
from tests.e2e.test_webhook import free_port
from tests.fakebot import FakeBotAPI, FakeUser, SentMessage


async def _fresh_database(base_url: str) -> tuple[str, str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    database = Database.from_url(url)
    await upgrade_to_head(database.engine)
    await database.close()
    return name, url


async def _drop_database(base_url: str, name: str) -> None:
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    await admin.dispose()


async def _round(instances: int, updates: int, users: int, base_url: str, redis: str) -> float:
    """Seconds for `updates` presses through `instances` processes."""
    name, url = await _fresh_database(base_url)
    people = [FakeUser(5_500_000 + n, f"Человек {n}") for n in range(users)]
    processes: list[asyncio.subprocess.Process] = []
    try:
        async with FakeBotAPI() as api:
            ports = [free_port() for _ in range(instances)]
            proxy = RoundRobin(ports)
            await proxy.start()
            try:
                with tempfile.TemporaryDirectory() as folder:
                    for number, port in enumerate(ports):
                        env = bot_env(
                            api,
                            BOT_TOKEN=f"{1_900_000_000 + number}:BENCHsecret",
                            DATABASE_URL=url,
                            REDIS_URL=redis,
                            WEBHOOK_URL=f"http://127.0.0.1:{proxy.port}/tg/hook",
                            WEBHOOK_SECRET="bench",
                            WEBHOOK_PORT=str(port),
                            SURVEY_SECRET="bench-survey-secret",
                            THROTTLE_BURST="1000",
                            LOG_LEVEL="WARNING",
                            DATA_DIR=str(Path(folder) / f"data{number}"),
                        )
                        processes.append(await spawn(env, Path(folder)))
                    for port in ports:
                        await asyncio.wait_for(wait_healthy(port), 300)
                    screens = {
                        person.id: SentMessage(
                            message_id=1,
                            chat_id=person.id,
                            kind="text",
                            text="Старое сообщение",
                            chat={"id": person.id, "type": "private"},
                        )
                        for person in people
                    }
                    started = time.perf_counter()
                    queries = {
                        api.press(people[n % users], screens[people[n % users].id], f"x:{n}")[1]
                        for n in range(updates)
                    }
                    await api.wait_for(
                        lambda: queries <= set(api.answered_callbacks),
                        timeout=600,
                        what="every press answered",
                    )
                    return time.perf_counter() - started
            finally:
                for process in processes:
                    if process.returncode is None:
                        process.terminate()
                for process in processes:
                    await process.communicate()
                await proxy.close()
    finally:
        await _drop_database(base_url, name)


async def main(arguments: argparse.Namespace) -> int:
    base_url = os.environ.get("TEST_DATABASE_URL")
    redis = os.environ.get("TEST_REDIS_URL")
    if not base_url or not redis:
        print("set TEST_DATABASE_URL and TEST_REDIS_URL: several instances need both")
        return 2
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    seconds: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(arguments.rounds):
        for instances in (1, 2):
            taken = await _round(instances, arguments.updates, arguments.users, base_url, redis)
            seconds[instances].append(taken)
            print(
                f"{instances} instance(s): {arguments.updates} updates in {taken:.2f} s, "
                f"{arguments.updates / taken:.0f} updates/s"
            )
    one, two = (statistics.median(seconds[n]) for n in (1, 2))
    print(
        f"median: one {arguments.updates / one:.0f} updates/s, two {arguments.updates / two:.0f}"
        f" updates/s, two/one = {one / two:.2f}; load now "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    sys.exit(asyncio.run(main(parser.parse_args())))
