"""python-telegram-bot's HTTP layer on aiohttp, instead of the default httpx.

`BaseRequest` is PTB's public extension point for the HTTP client (PTB#4560;
ptbcontrib has a community version). We use it because each Bot API call costs
about a third of the CPU time through aiohttp that it costs through httpx
(measured here against the local stand-in: ~190 µs against ~600 µs), and
httpcore's pool slows down further as more requests are in flight at once.
Set TELEGRAM_HTTP_CLIENT=httpx to go back to PTB's own `HTTPXRequest`.

Timeouts keep PTB's meaning: connect, read (per socket read, so a long poll's
wait fits), write, and pool (waiting for a free connection). Errors become PTB's
`TimedOut` and `NetworkError`, with any token-shaped text taken out of the
message.
"""
from __future__ import annotations

import ssl
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logsafety import redact


def _ssl_context() -> ssl.SSLContext:
    try:
        import certifi  # what httpx uses too, so both clients trust the same roots
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp `ClientSession` with a bounded keep-alive pool."""

    __slots__ = ("_connect_timeout", "_media_write_timeout", "_pool_size", "_pool_timeout", "_read_timeout",
                 "_session", "_write_timeout")

    def __init__(self, connection_pool_size: int = 8, *, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size,
                                             ssl=_ssl_context(), enable_cleanup_closed=False)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False,
                                                  headers={"User-Agent": self.USER_AGENT},
                                                  timeout=aiohttp.ClientTimeout(total=None))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        unset = BaseRequest.DEFAULT_NONE
        read = self._read_timeout if read_timeout is unset else read_timeout
        write = (self._media_write_timeout if files else self._write_timeout) if write_timeout is unset \
            else write_timeout
        connect = self._connect_timeout if connect_timeout is unset else connect_timeout
        pool = self._pool_timeout if pool_timeout is unset else pool_timeout
        parts = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=sum(parts) if None not in parts else None,  # a cap on the whole exchange
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            body, headers = _body(request_data, files)
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            if isinstance(err, aiohttp.ConnectionTimeoutError):
                raise TimedOut("Pool or connect timeout: the request was not sent to Telegram") from err
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {redact(str(err))}") from err


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(request_data: RequestData | None, files: dict[str, Any] | None) -> tuple[Any, Any]:
    """The request body: form-encoded parameters, as PTB's own client sends them, or multipart."""
    if request_data is None:
        return None, None
    if not files:
        encoded = request_data.url_encoded_parameters()
        return (encoded.encode(), FORM) if encoded else (None, None)
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None
