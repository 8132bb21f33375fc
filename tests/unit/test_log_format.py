"""LOG_FORMAT=json: one JSON object a line per record, the bot token masked in every value."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.logs import JsonFormatter, RedactingFormatter, configure_logging
from bot.settings import load_settings

TOKEN = "123456:SECRETpartOFtheTOKEN"
SECRET = TOKEN.partition(":")[2]


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter([TOKEN, SECRET]))
    logger = logging.getLogger("tests.json_log")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def _lines(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_object_with_time_level_logger_message(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    logger.warning("sent %s of %s", 3, 5)
    [entry] = _lines(stream)
    assert set(entry) == {"time", "level", "logger", "message"}
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "tests.json_log"
    assert entry["message"] == "sent 3 of 5"
    moment = datetime.fromisoformat(entry["time"])
    assert moment.utcoffset() == timedelta(0)


def test_a_multi_line_message_and_a_traceback_stay_on_one_line(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    logger.info("first\nsecond\r\nthird")
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        logger.exception("it broke")
    logger.info("after")
    entries = _lines(stream)  # three physical lines, each valid JSON
    messages = [entry["message"] for entry in entries]
    assert messages == ["first\nsecond\r\nthird", "it broke", "after"]
    assert "exc" not in entries[0]
    assert entries[1]["exc"].startswith("Traceback (most recent call last):")
    assert "ValueError: line one\nline two" in entries[1]["exc"]
    assert "exc" not in entries[2]


def test_the_token_is_masked_in_the_message_and_the_traceback(
    logged: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = logged
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    try:
        raise ConnectionError(f"cannot reach {url}")
    except ConnectionError:
        logger.exception("request to %s failed; secret part alone: %s", url, SECRET)
    output = stream.getvalue()
    assert SECRET not in output
    [entry] = _lines(stream)
    assert entry["message"] == (
        "request to https://api.telegram.org/bot***/getMe failed; secret part alone: ***"
    )
    assert "cannot reach https://api.telegram.org/bot***/getMe" in entry["exc"]


def test_the_text_format_keeps_a_traceback_in_its_record() -> None:
    formatter = RedactingFormatter([TOKEN])
    try:
        raise RuntimeError(TOKEN)
    except RuntimeError as error:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed", None, (type(error), error, None)
        )
    text = formatter.format(record)
    assert text.splitlines()[0].endswith("ERROR x: failed")
    assert "RuntimeError: ***" in text
    assert TOKEN not in text


@pytest.mark.parametrize(("log_format", "formatter"), [("json", JsonFormatter), ("text", None)])
def test_log_format_picks_the_formatter(
    log_format: str, formatter: type[logging.Formatter] | None
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(load_settings(bot_token=TOKEN, log_format=log_format))
        [handler] = root.handlers
        assert type(handler.formatter) is (formatter or RedactingFormatter)
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
