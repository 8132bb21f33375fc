"""The demo page and its JSON API, served by one aiohttp application on loopback.

    GET  /                                   the page (three phones); /static/... its files
    GET  /api/state[?since=V&wait=S]         every phone's chat; with `since`, waits up to S
                                             seconds (at most 25) for the version to change
    POST /api/send     {"phone", "text"}     the phone sends a text
    POST /api/press    {"phone", "message_id", "data"}   the phone presses an inline button
    POST /api/open     {"phone", "url"}      a link pressed on the phone (the bot's deep link
                                             sends «/start <payload>»)
    POST /api/upload   multipart phone, file the phone sends a file (images: a photo)
    POST /api/next-day                       the demo clock to the next morning, reminders sent
    GET  /api/files/{chat_id}/{message_id}   the bytes of a file or photo the bot sent

Phones: "coordinator", "executor", "parent". Errors answer {"error": "..."} with 400/404.
"""

from __future__ import annotations

import json
import mimetypes
from importlib import resources
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from demo.render import JSON, bot_message
from demo.world import PHONES, DemoWorld

WORLD = web.AppKey("world", DemoWorld)
MAX_WAIT = 25.0
STATIC = {"index.html", "demo.js", "demo.css"}


MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> JSON:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "a JSON object expected"}), content_type="application/json"
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "a JSON object expected"}), content_type="application/json"
        )
    return body


def state(world: DemoWorld) -> JSON:
    """Every phone's chat, oldest message first."""
    phones: JSON = {}
    for phone, user in PHONES.items():
        messages: list[tuple[int, JSON]] = [
            (
                m.message_id,
                bot_message(m, f"/api/files/{user.id}/{m.message_id}"),
            )
            for m in world.api.chats.get(user.id, ())
            if not m.deleted
        ]
        messages += [
            (
                s.message_id,
                {
                    "id": s.message_id,
                    "from": "user",
                    "kind": s.kind,
                    "text": s.text or "",
                    "file_name": s.file_name,
                },
            )
            for s in world.sent
            if s.phone == phone
        ]
        messages.sort(key=lambda pair: pair[0])
        phones[phone] = {
            "name": f"{user.first_name} {user.last_name or ''}".strip(),
            "chat_id": user.id,
            "messages": [message for _, message in messages],
        }
    return {
        "version": world.version(),
        "day": world.today.isoformat(),
        "bot": world.bot_username,
        "survey_link": world.survey_link,
        "phones": phones,
    }


async def get_state(request: web.Request) -> web.Response:
    world = request.app[WORLD]
    since = request.query.get("since")
    if since is not None:
        try:
            version = int(since)
            wait = min(float(request.query.get("wait", MAX_WAIT)), MAX_WAIT)
        except ValueError:
            return _error(400, "since and wait are numbers")
        if version == world.version() and wait > 0:
            await world.wait_change(version, wait)
    return web.json_response(state(world))


def _phone(body: JSON) -> str:
    phone = body.get("phone")
    if phone not in PHONES:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": f"phone: one of {', '.join(PHONES)}"}),
            content_type="application/json",
        )
    return str(phone)


async def post_send(request: web.Request) -> web.Response:
    body = await _body(request)
    phone = _phone(body)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return _error(400, "text: a non-empty string")
    message_id = request.app[WORLD].send(phone, text)
    return web.json_response({"message_id": message_id})


async def post_press(request: web.Request) -> web.Response:
    body = await _body(request)
    phone = _phone(body)
    message_id, data = body.get("message_id"), body.get("data")
    if not isinstance(message_id, int) or not isinstance(data, str):
        return _error(400, "message_id: a number, data: a string")
    try:
        query = request.app[WORLD].press(phone, message_id, data)
    except LookupError as error:
        return _error(404, str(error))
    return web.json_response({"callback_query_id": query})


async def post_open(request: web.Request) -> web.Response:
    body = await _body(request)
    phone = _phone(body)
    url = body.get("url")
    if not isinstance(url, str):
        return _error(400, "url: a string")
    message_id = request.app[WORLD].open_link(phone, url)
    if message_id is None:
        return web.json_response({"opened": False, "url": url})
    return web.json_response({"opened": True, "message_id": message_id})


async def post_upload(request: web.Request) -> web.Response:
    phone: str | None = None
    upload: tuple[str, bytes, str] | None = None
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):  # pragma: no cover - nested multipart
            continue
        if part.name == "phone":
            phone = (await part.read()).decode()
        elif part.name == "file":
            name = part.filename or "file"
            mime = part.headers.get("Content-Type") or mimetypes.guess_type(name)[0]
            # Read in chunks up to the cap: a multipart part is not bound by client_max_size.
            data = bytearray()
            while chunk := await part.read_chunk():
                data.extend(chunk)
                if len(data) > MAX_UPLOAD_BYTES:
                    return _error(413, "file: at most 20 MB (as Telegram lets bots download)")
            upload = (name, bytes(data), mime or "application/octet-stream")
    phone = _phone({"phone": phone})
    if upload is None or not upload[1]:
        return _error(400, "file: a non-empty file")
    message_id = request.app[WORLD].upload(phone, *upload)
    return web.json_response({"message_id": message_id})


async def post_next_day(request: web.Request) -> web.Response:
    day = await request.app[WORLD].next_day()
    return web.json_response({"day": day.isoformat()})


async def get_file(request: web.Request) -> web.StreamResponse:
    world = request.app[WORLD]
    try:
        chat_id, message_id = int(request.match_info["chat"]), int(request.match_info["message"])
    except ValueError:
        return _error(404, "no such file")
    if chat_id not in {user.id for user in PHONES.values()}:
        return _error(404, "no such file")
    message = world.message(chat_id, message_id)
    if message is None or message.content is None:
        return _error(404, "no such file")
    name = message.file_name or f"photo-{message_id}.jpg"
    mime = message.mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    disposition = "inline" if message.kind == "photo" else "attachment"
    return web.Response(
        body=message.content,
        content_type=mime,
        headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name, safe='')}"},
    )


def _static(name: str) -> tuple[bytes, str]:
    data = (resources.files("demo") / "static" / name).read_bytes()
    return data, mimetypes.guess_type(name)[0] or "application/octet-stream"


async def get_page(request: web.Request) -> web.Response:
    data, _ = _static("index.html")
    return web.Response(body=data, content_type="text/html", charset="utf-8")


async def get_static(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in STATIC:
        return _error(404, "no such file")
    data, mime = _static(name)
    return web.Response(body=data, content_type=mime, charset="utf-8")


def build_app(world: DemoWorld) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
    app[WORLD] = world
    app.router.add_get("/", get_page)
    app.router.add_get("/static/{name}", get_static)
    app.router.add_get("/api/state", get_state)
    app.router.add_post("/api/send", post_send)
    app.router.add_post("/api/press", post_press)
    app.router.add_post("/api/open", post_open)
    app.router.add_post("/api/upload", post_upload)
    app.router.add_post("/api/next-day", post_next_day)
    app.router.add_get("/api/files/{chat}/{message}", get_file)
    return app


async def serve(world: DemoWorld, port: int, host: str = "127.0.0.1") -> tuple[web.AppRunner, int]:
    """Serves the page on loopback; the runner (to clean up) and the port it listens on."""
    runner = web.AppRunner(build_app(world), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner, int(runner.addresses[0][1])
