"""A chat as the demo page shows it: the bot's messages (text with Telegram's entities turned
into safe HTML, buttons, files) and the phone's own, in the order they were sent."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from fakes.telegram import SentMessage

JSON = dict[str, Any]

_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
}


def _safe_url(url: str) -> str | None:
    return url if url.startswith(("https://", "http://", "tg://")) else None


def _opening(entity: JSON, text: str) -> tuple[str, str]:
    kind = entity.get("type", "")
    if kind in _TAGS:
        return _TAGS[kind]
    url = entity.get("url") if kind == "text_link" else text if kind == "url" else None
    safe = _safe_url(str(url)) if url else None
    if safe:
        return f'<a href="{html.escape(safe)}" target="_blank" rel="noopener">', "</a>"
    return "", ""


def entities_html(text: str, entities: Iterable[JSON]) -> str:
    """Plain text and its entities (offsets in UTF-16 code units, nested as Telegram nests
    them) as HTML where only the entities' own tags are markup."""
    units = text.encode("utf-16-le")

    def piece(start: int, end: int) -> str:
        return units[start * 2 : end * 2].decode("utf-16-le")

    events: list[tuple[int, int, str]] = []  # (position, order, markup)
    for entity in entities:
        start = int(entity.get("offset", 0))
        end = start + int(entity.get("length", 0))
        opening, closing = _opening(entity, piece(start, end))
        if opening:
            # At one position closings come first, the longer entity opens first.
            events.append((start, 1 + (1_000_000 - (end - start)), opening))
            events.append((end, -(end - start), closing))
    events.sort(key=lambda event: (event[0], event[1]))
    out: list[str] = []
    position = 0
    for at, _, markup in events:
        out.append(html.escape(piece(position, at)))
        out.append(markup)
        position = at
    out.append(html.escape(piece(position, len(units) // 2)))
    return "".join(out).replace("\n", "<br>")


def buttons(markup: JSON | None) -> list[list[JSON]]:
    """Inline buttons as {text, data} or {text, url}; a reply keyboard's as {text, reply}."""
    if not markup:
        return []
    rows: list[list[JSON]] = []
    for row in markup.get("inline_keyboard") or ():
        rows.append(
            [
                {"text": b.get("text", ""), "data": b["callback_data"]}
                if "callback_data" in b
                else {"text": b.get("text", ""), "url": b.get("url", "")}
                for b in row
            ]
        )
    for row in markup.get("keyboard") or ():
        rows.append([{"text": b.get("text", ""), "reply": True} for b in row])
    return rows


def bot_message(message: SentMessage, file_url: str) -> JSON:
    text = message.plain_text if message.plain_text is not None else message.text or ""
    return {
        "id": message.message_id,
        "from": "bot",
        "kind": message.kind,
        "text": text,
        "html": entities_html(text, message.entities),
        "buttons": buttons(message.reply_markup),
        "file_name": message.file_name,
        "file_url": file_url if message.content is not None else None,
        "edits": message.edits,
    }
