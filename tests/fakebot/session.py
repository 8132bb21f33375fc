"""An aiogram session that talks to a :class:`FakeBotAPI` in-process: no sockets, no polling.

A request is turned into the parameters and file parts an ``AiohttpSession`` would post (the
same ``prepare_value``, the same skipping of empty values), handed to
:meth:`FakeBotAPI.call_method` (the very code that answers over HTTP: calls recorded, faults,
rate limits, HTML parsing, the 64-byte callback data, "message is not modified"), and the
answer goes through aiogram's own ``check_response``, so errors arrive as the same
``TelegramBadRequest``/``TelegramRetryAfter``/... as over HTTP. Downloads are answered by
:meth:`FakeBotAPI.download`.

The server need not be started: ``FakeBotAPI(wait_ceiling=0)`` and this session are enough.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError
from aiohttp import ClientResponseError, RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from fakes.telegram import FakeBotAPI, StoredFile, UploadedFile, form_params

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod
    from aiogram.methods.base import TelegramType
    from aiogram.types import InputFile

# Never resolved: the session only reads the token and file path back out of URLs it builds.
IN_PROCESS_BASE = "http://fakebot.in-process"
# What aiohttp labels a streamed file part with; the server guesses from the name first anyway.
_FILE_PART_TYPE = "application/octet-stream"


class InProcessSession(BaseSession):
    """Requests and downloads go to ``server``'s method handling directly."""

    def __init__(self, server: FakeBotAPI, **kwargs: Any) -> None:
        super().__init__(api=TelegramAPIServer.from_base(IN_PROCESS_BASE), **kwargs)
        self.server = server
        self._file_prefix = IN_PROCESS_BASE + "/file/bot"

    async def close(self) -> None:
        """Nothing to close: there is no connection."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        params, files = await self._form(bot, method)
        try:
            status, body = await asyncio.wait_for(
                self.server.call_method(method.__api_method__, params, files, token=bot.token),
                self.timeout if timeout is None else timeout,
            )
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=json.dumps(body)
        )
        return cast("TelegramType", response.result)

    async def _form(
        self, bot: Bot, method: TelegramMethod[TelegramType]
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        """The fields and file parts ``AiohttpSession.build_form_data`` would post, read back
        as the server reads a form."""
        fields: list[tuple[str, str]] = []
        inputs: dict[str, InputFile] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=inputs)
            if not prepared:
                continue
            # A str enum (ParseMode.HTML) goes on the wire as its value, as aiohttp writes it.
            fields.append((key, str.__str__(prepared)))
        files = {
            key: UploadedFile(
                filename=value.filename or key,
                content=b"".join([chunk async for chunk in value.read(bot)]),
                content_type=_FILE_PART_TYPE,
            )
            for key, value in inputs.items()
        }
        return form_params(fields), files

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (aiogram's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        if not url.startswith(self._file_prefix):
            raise ValueError(f"not a file of the fake server: {url}")
        token, _, path = url.removeprefix(self._file_prefix).partition("/")
        status, answer = await asyncio.wait_for(self.server.download(path, token=token), timeout)
        if isinstance(answer, StoredFile):
            for start in range(0, len(answer.content), chunk_size):
                yield answer.content[start : start + chunk_size]
            return
        if raise_for_status:
            # What aiohttp raises for an error status with raise_for_status=True.
            info = RequestInfo(URL(url), "GET", CIMultiDictProxy(CIMultiDict()), URL(url))
            raise ClientResponseError(info, (), status=status, message=str(answer))
        yield json.dumps(answer).encode()
