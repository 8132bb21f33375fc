"""`roadmap-bot demo` driven as curl would drive it: the page's JSON endpoints alone."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from demo.web import MAX_UPLOAD_BYTES, serve
from demo.world import DemoWorld
from tests.cli import run_cli

Message = dict[str, Any]


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[tuple[aiohttp.ClientSession, DemoWorld]]:
    world = await DemoWorld.start(tmp_path / "demo")
    runner, port = await serve(world, 0)
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            yield http, world
    finally:
        await runner.cleanup()
        await world.close()


async def _state(http: aiohttp.ClientSession, since: int | None = None) -> dict[str, Any]:
    params = {} if since is None else {"since": str(since), "wait": "10"}
    async with http.get("/api/state", params=params) as response:
        assert response.status == 200
        result: dict[str, Any] = await response.json()
        return result


async def _post(http: aiohttp.ClientSession, path: str, body: dict[str, Any]) -> Any:
    async with http.post(path, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def _until(
    http: aiohttp.ClientSession, phone: str, found: Callable[[Message], bool], after: int = 0
) -> Message:
    """The first message on this phone after id `after` that `found` likes (long polling)."""
    version: int | None = None
    for _ in range(6):
        state = await _state(http, version)
        version = state["version"]
        for message in state["phones"][phone]["messages"]:
            if message["id"] > after and found(message):
                return message
    raise AssertionError(f"nothing found on the {phone} phone: {state['phones'][phone]}")


def _button(message: Message, label: str) -> dict[str, Any]:
    for row in message["buttons"]:
        for button in row:
            if label in button["text"]:
                return dict(button)
    raise AssertionError(f"no button {label!r} in {message['buttons']}")


async def _answer_survey(http: aiohttp.ClientSession, after: int) -> None:
    """As a parent would: the first option of each question (then «Готово» where several may
    be chosen), a few words where text is asked; until the thank-you."""
    # A question is one message edited in place: known by its text, ticks (✓) aside.
    chosen: set[str] = set()
    seen: tuple[int, int] = (0, -1)
    version: int | None = None
    for _ in range(40):
        state = await _state(http, version)
        version = state["version"]
        bots = [
            m
            for m in state["phones"]["parent"]["messages"]
            if m["from"] == "bot" and m["id"] > after
        ]
        if not bots or (bots[-1]["id"], bots[-1]["edits"]) == seen:
            continue
        question = bots[-1]
        if "Спасибо" in question["text"]:
            return
        seen = (question["id"], question["edits"])
        options = [
            b
            for row in question["buttons"]
            for b in row
            if "data" in b and "Назад" not in b["text"] and "Пропустить" not in b["text"]
        ]
        finish = [b for b in options if "Готово" in b["text"] or "Дальше" in b["text"]]
        asked = question["text"].replace("✓ ", "")
        if asked in chosen and finish:
            pressed = finish[0]
        elif options:
            pressed = options[0]
            chosen.add(asked)
        else:
            await _post(http, "/api/send", {"phone": "parent", "text": "Всё понятно"})
            continue
        body = {"phone": "parent", "message_id": question["id"], "data": pressed["data"]}
        await _post(http, "/api/press", body)
    raise AssertionError(f"no thank-you: {state['phones']['parent']}")


def _bot(text: str) -> Callable[[Message], bool]:
    return lambda m: m["from"] == "bot" and text in m["text"]


async def test_the_journey_over_the_json_endpoints(
    page: tuple[aiohttp.ClientSession, DemoWorld],
) -> None:
    http, _ = page
    async with http.get("/") as response:
        assert response.status == 200 and "data-testid" in await response.text()
    first = await _state(http)
    assert first["day"] == "2022-10-12"
    # The seed: the coordinator's upload and the roadmap imported.
    assert any(m["from"] == "user" for m in first["phones"]["coordinator"]["messages"])

    # The coordinator: /status shows the counters.
    sent = (await _post(http, "/api/send", {"phone": "coordinator", "text": "/status"}))[
        "message_id"
    ]
    status = await _until(http, "coordinator", _bot("✅"), sent)
    assert "0 ·" in status["text"]

    # The executor: /tasks, open a task, ✅, a link as the evidence.
    sent = (await _post(http, "/api/send", {"phone": "executor", "text": "/tasks"}))["message_id"]
    listing = await _until(http, "executor", _bot("Мои задачи"), sent)
    task = _button(listing, "Утверждение школьного")
    await _post(
        http,
        "/api/press",
        {"phone": "executor", "message_id": listing["id"], "data": task["data"]},
    )
    card = await _until(
        http, "executor", lambda m: m["id"] == listing["id"] and "Выполнено" in str(m["buttons"])
    )
    await _post(
        http,
        "/api/press",
        {
            "phone": "executor",
            "message_id": card["id"],
            "data": _button(card, "Выполнено")["data"],
        },
    )
    await _until(
        http, "executor", lambda m: m["id"] == card["id"] and "Без отчёта" in str(m["buttons"])
    )
    link = "https://school2.ru/docs/prikaz-123.pdf"
    sent = (await _post(http, "/api/send", {"phone": "executor", "text": link}))["message_id"]
    done = await _until(http, "executor", _bot("выполнено"), sent)
    assert "prikaz-123.pdf" in done["text"]
    notice = await _until(http, "coordinator", _bot("Шабанова Н.С. — выполнено"))
    assert "prikaz-123.pdf" in notice["text"]

    # The parent: the survey link, then the answers up to the thank-you.
    state = await _state(http)
    opened = await _post(http, "/api/open", {"phone": "parent", "url": state["survey_link"]})
    assert opened["opened"] is True
    await _answer_survey(http, opened["message_id"])

    # «Next day» moves the clock and sends the morning's reminders.
    last = (await _state(http))["phones"]["executor"]["messages"][-1]["id"]
    assert (await _post(http, "/api/next-day", {}))["day"] == "2022-10-13"
    reminder = await _until(http, "executor", _bot("Напоминание о сроке"), last)
    assert "Методические письма" in reminder["text"]


async def test_a_second_start_reuses_the_demo_and_fresh_starts_over(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    world = await DemoWorld.start(data)
    link = world.survey_link
    await world.next_day()
    await world.close()

    again = await DemoWorld.start(data)
    try:
        assert again.survey_link == link and str(again.today) == "2022-10-13"
        assert not again.sent  # not seeded twice: nobody uploaded the roadmap again
    finally:
        await again.close()

    fresh = await DemoWorld.start(data, fresh=True)
    try:
        assert fresh.survey_link != link and str(fresh.today) == "2022-10-12"
    finally:
        await fresh.close()


async def test_the_page_and_its_files_are_served(
    page: tuple[aiohttp.ClientSession, DemoWorld],
) -> None:
    http, _ = page
    for path, hook in (
        ("/", 'data-testid="next-day"'),
        ("/static/demo.js", "data-testid"),
        ("/static/demo.css", ".phone"),
    ):
        async with http.get(path) as response:
            assert response.status == 200 and hook in await response.text()
    async with http.get("/static/../world.py") as response:
        assert response.status == 404
    async with http.post("/api/send", json={"phone": "nobody", "text": "x"}) as response:
        assert response.status == 400


def test_a_busy_port_is_one_clear_line_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(tmp_path, "demo", "--port", str(port))
    assert result.returncode == 2
    assert "--port: порт занят" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "demo" / "demo.json").exists()  # nothing was seeded


async def test_an_upload_over_the_cap_is_refused_not_read_whole(
    page: tuple[aiohttp.ClientSession, DemoWorld],
) -> None:
    http, _world = page
    form = aiohttp.FormData()
    form.add_field("phone", "coordinator")
    form.add_field("file", b"x" * (MAX_UPLOAD_BYTES + 1), filename="plan.docx")
    async with http.post("/api/upload", data=form) as response:
        assert response.status == 413
        assert "20 MB" in (await response.json())["error"]
