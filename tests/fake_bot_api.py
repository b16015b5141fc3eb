"""A stand-in for Telegram's Bot API: a real HTTP server on 127.0.0.1 for tests and the benchmark.

The bot under test talks to it exactly as it talks to Telegram: python-telegram-bot's
own HTTP client, with `base_url` pointing here. The server speaks HTTP/1.1 with
keep-alive (asyncio streams, standard library only), answers with Telegram's
JSON envelope, and enforces the limits a bot can break in production:

* message text 1-4096 characters after HTML parsing, counted in UTF-16 units;
* HTML that Telegram would refuse (unknown tags, unescaped `<`, `>` or `&`);
* inline keyboards: `callback_data` 1-64 bytes, one action per button;
* `chat not found` for chats that never wrote to the bot;
* `getUpdates` while a webhook is set, or a second poller (409 Conflict);
* unknown or stale callback query ids, and edits that change nothing.

Tests put updates in with `message()`, `press()` and friends, then read what the
bot sent from `calls` or a chat's inbox (`next_message()`, or `FakeUser` for a
whole turn). `fail_next()` makes the next call of a method fail, for error paths.

The benchmark (`run_bot.py bench telegram`) runs it in a second process with
simulated people; the tests run it inside their own event loop.
"""
from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import re
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TOKEN = "123456789:TEST-abcdefghijklmnopqrstuvwxyz0123456"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Signpost test bot", "username": "signpost_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BODY = 1 << 20
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
             "pre", "blockquote", "tg-emoji"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)(\s[^<>]*)?>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            409: "Conflict", 413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error"}


class ApiError(Exception):
    """A Bot API error: becomes {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Call:
    """One request the bot made: the method (lower case), its parameters, and the answer."""

    method: str
    params: dict[str, Any]
    ok: bool = True
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram would show for an HTML message; ApiError if it cannot parse it."""
    out: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            name = m.group(2).lower() if m else ""
            if not m or name not in HTML_TAGS:
                raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag \"{name}\" "
                                    f"at byte offset {len(text[:i].encode())}")
            if m.group(1):
                if not open_tags or open_tags[-1] != name:
                    raise ApiError(400, f"Bad Request: can't parse entities: Unmatched end tag \"{name}\"")
                open_tags.pop()
            else:
                open_tags.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, i)
            if not m:
                raise ApiError(400, "Bad Request: can't parse entities: Character '&' is reserved and must be "
                                    "escaped with &amp;")
            ref = m.group(1)
            out.append(_NAMED.get(ref) or chr(int(ref[2:], 16) if ref[1:2] == "x" else int(ref[1:])))
            i = m.end()
        elif ch == ">":
            raise ApiError(400, "Bad Request: can't parse entities: Character '>' is reserved and must be "
                                "escaped with &gt;")
        else:
            out.append(ch)
            i += 1
    if open_tags:
        raise ApiError(400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
                            f"\"{open_tags[-1]}\"")
    return "".join(out)


def check_keyboard(markup: Any) -> dict[str, Any] | None:
    """Validate reply_markup as Telegram does for inline keyboards."""
    if markup in (None, ""):
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object") from None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if rows is None:
        return markup  # other keyboards: not used by this bot, accepted as they are
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ApiError(400, "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array "
                            "of Arrays")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            actions = [k for k in ("url", "callback_data", "switch_inline_query", "web_app", "login_url",
                                   "switch_inline_query_current_chat", "callback_game", "pay", "copy_text")
                       if k in button]
            if len(actions) != 1:
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = str(button["callback_data"]).encode()
                if not 1 <= len(data) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


class FakeBotAPI:
    """The server. `async with FakeBotAPI() as api:` starts it on 127.0.0.1 at a free port."""

    def __init__(self, token: str = TOKEN, *, host: str = "127.0.0.1", port: int = 0):
        self.token = token
        self.host, self.port = host, port
        self.calls: list[Call] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.allowed_updates: list[str] | None = None
        self.on_call: Callable[[Call], None] | None = None
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._arrived = asyncio.Condition()
        self._poll_generation = 0
        self._chats: dict[int, dict[str, Any]] = {}
        self._message_ids: dict[int, itertools.count] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._open_queries: dict[str, dict[str, Any]] = {}
        self._inboxes: dict[int, asyncio.Queue] = {}
        self._failures: dict[str, deque[ApiError]] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> FakeBotAPI:
        self._server = await asyncio.start_server(self._connection, self.host, self.port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._connections):
            task.cancel()  # long polls still waiting
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=2)
        if self._server:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    # -- putting updates in ----------------------------------------------------------------------

    def private_chat(self, user_id: int, first_name: str = "Sam") -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": first_name}

    def group_chat(self, chat_id: int, title: str = "A school group") -> dict[str, Any]:
        return {"id": chat_id, "type": "supergroup" if chat_id < -10**12 else "group", "title": title}

    def message(self, user_id: int, text: str | None = None, *, chat: dict[str, Any] | None = None,
                edited: bool = False, queue: bool = True, **content: Any) -> dict[str, Any]:
        """A message from a person: text, or other content (sticker=..., photo=[...], caption=...).

        Queued for getUpdates, or with queue=False only returned (to post to a webhook)."""
        chat = chat or self.private_chat(user_id)
        self._chats[chat["id"]] = chat
        body: dict[str, Any] = {"message_id": self._next_message_id(chat["id"]), "date": int(time.time()),
                                "chat": chat, "from": {"id": user_id, "is_bot": False, "first_name": "Sam"}}
        if text is not None:
            body["text"] = text
            command = _COMMAND.match(text)
            if command:
                body["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}]
        body.update(content)
        if edited:
            body["edit_date"] = int(time.time())
        content = {"edited_message" if edited else "message": body}
        return self.add_update(content) if queue else {"update_id": next(self._update_ids), **content}

    def press(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """The person presses the inline button with callback data `data` under `message`."""
        query_id = str(next(self._query_ids))
        query = {"id": query_id, "from": {"id": user_id, "is_bot": False, "first_name": "Sam"},
                 "message": message, "chat_instance": f"ci{message['chat']['id']}", "data": data}
        self._open_queries[query_id] = {"at": time.monotonic(), "answered": False}
        return self.add_update({"callback_query": query})

    def add_update(self, content: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **content}
        self._updates.append(update)
        self._notify()
        return update

    def _notify(self) -> None:
        async def wake() -> None:
            async with self._arrived:
                self._arrived.notify_all()

        asyncio.get_running_loop().create_task(wake())

    def fail_next(self, method: str, code: int = 400, description: str = "Bad Request: injected failure",
                  retry_after: int | None = None) -> None:
        """Make the next call of `method` fail with this error."""
        self._failures.setdefault(method.lower(), deque()).append(ApiError(code, description, retry_after))

    # -- reading what the bot did -----------------------------------------------------------------

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if (method is None or c.method == method.lower())
                and (chat_id is None or _int(c.params.get("chat_id")) == chat_id)]

    def inbox(self, chat_id: int) -> asyncio.Queue:
        """Messages the bot sent or edited in this chat, in order, as (method, message) pairs."""
        return self._inboxes.setdefault(chat_id, asyncio.Queue())

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> tuple[str, dict[str, Any]]:
        return await asyncio.wait_for(self.inbox(chat_id).get(), timeout)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            await asyncio.sleep(0.01)

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    # -- HTTP ------------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._connections.add(task)
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                method, target, headers, body = request
                status, payload = await self._handle(method, target, headers, body)
                data = json.dumps(payload, separators=(",", ":")).encode()
                writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                             % (status, _REASONS.get(status, "Error").encode(), len(data)) + data)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # the client went away (for example during a long poll at shutdown)
        except asyncio.CancelledError:
            pass  # the server is stopping
        finally:
            self._connections.discard(task)
            self._writers.discard(writer)
            writer.close()

    async def _handle(self, verb: str, target: str, headers: dict[str, str],
                      body: bytes) -> tuple[int, dict[str, Any]]:
        path = urllib.parse.urlsplit(target).path
        prefix = f"/bot{self.token}/"
        if not path.startswith("/bot"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        name = path[len(prefix):].lower()
        call = Call(name, {})
        try:
            call.params = _params(verb, target, headers, body)
            handler = getattr(self, f"_api_{name}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            failures = self._failures.get(name)
            if failures:
                raise failures.popleft()
            call.result = await handler(call.params)
            status, payload = 200, {"ok": True, "result": call.result}
        except ApiError as exc:
            call.ok, call.error = False, exc.description
            status, payload = exc.code, exc.envelope()
        if name != "getupdates" or call.result or not call.ok:
            self.calls.append(call)
            if self.on_call:
                self.on_call(call)
        return status, payload

    # -- Bot API methods -------------------------------------------------------------------------

    async def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _api_logout(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        if not url:
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": _json(params.get("allowed_updates"))}
        return True

    async def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if _bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use "
                                "deleteWebhook to delete the webhook first")
        offset = _int(params.get("offset")) or 0
        limit = max(1, min(100, _int(params.get("limit")) or 100))
        timeout = max(0.0, float(params.get("timeout") or 0))
        allowed = _json(params.get("allowed_updates"))
        if allowed is not None:
            self.allowed_updates = allowed
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed by the offset
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll still waiting ends with 409, as on Telegram
        deadline = time.monotonic() + timeout
        async with self._arrived:
            while True:
                ready = self._deliverable(limit)
                if ready or time.monotonic() >= deadline:
                    return ready
                if generation != self._poll_generation:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only "
                                        "one bot instance is running")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), max(0.0, deadline - time.monotonic()))

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = self.allowed_updates
        if allowed:
            kept = [u for u in self._updates if any(k in u for k in allowed)]
            if len(kept) != len(self._updates):
                self._updates = deque(kept)  # Telegram never sends types the bot did not ask for
        return list(itertools.islice(self._updates, limit))

    async def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        text = self._text(params.get("text"), params.get("parse_mode"), MAX_TEXT, "message text")
        return self._record(chat, {"text": text}, params, "sendmessage")

    async def _api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        if not params.get("photo"):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        body: dict[str, Any] = {"photo": [{"file_id": "photo1", "file_unique_id": "p1", "width": 1, "height": 1}]}
        if params.get("caption"):
            body["caption"] = self._text(params["caption"], params.get("parse_mode"), MAX_CAPTION, "caption")
        return self._record(chat, body, params, "sendphoto")

    async def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    async def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(params)
        text = self._text(params.get("text"), params.get("parse_mode"), MAX_TEXT, "message text")
        markup = check_keyboard(params.get("reply_markup"))
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        return self._edit(message, text=text, reply_markup=markup)

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(params)
        markup = check_keyboard(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        return self._edit(message, reply_markup=markup)

    async def _api_deletemessage(self, params: dict[str, Any]) -> bool:
        message = self._own_message(params)
        self._messages.pop((message["chat"]["id"], message["message_id"]), None)
        return True

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query = self._open_queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"] or time.monotonic() - query["at"] > 15:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query["answered"] = True
        return True

    async def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = _json(params.get("commands")) or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        self.commands = commands
        return True

    async def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    async def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands = []
        return True

    # -- helpers ---------------------------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chats.get(_int(params.get("chat_id")))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    @staticmethod
    def _text(value: Any, parse_mode: Any, limit: int, what: str) -> str:
        raw = "" if value is None else str(value)
        text = parse_html(raw) if str(parse_mode or "").upper() == "HTML" else raw
        if not text.strip():
            raise ApiError(400, f"Bad Request: {what} is empty")
        if utf16_len(text) > limit:
            raise ApiError(400, "Bad Request: message is too long" if what == "message text"
                           else "Bad Request: message caption is too long")
        return text

    def _own_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        message = self._messages.get((chat["id"], _int(params.get("message_id")) or 0))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != BOT_USER["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _record(self, chat: dict[str, Any], content: dict[str, Any], params: dict[str, Any],
                how: str) -> dict[str, Any]:
        markup = check_keyboard(params.get("reply_markup"))
        message = {"message_id": self._next_message_id(chat["id"]), "date": int(time.time()), "chat": chat,
                   "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}, **content}
        if markup:
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = message
        self.inbox(chat["id"]).put_nowait((how, message))
        return message

    def _edit(self, message: dict[str, Any], **changes: Any) -> dict[str, Any]:
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(time.time())
        self.inbox(message["chat"]["id"]).put_nowait(("edit", dict(message)))
        return message


class FakeUser:
    """One person in a private chat, for tests: say or press, then read the bot's whole turn."""

    def __init__(self, api: FakeBotAPI, user_id: int, *, quiet: float = 0.3):
        self.api, self.user_id, self.quiet = api, user_id, quiet
        self.last_keyboard: dict[str, Any] | None = None
        self.edits: list[dict[str, Any]] = []

    async def say(self, text: str, **content: Any) -> list[dict[str, Any]]:
        self.api.message(self.user_id, text, **content)
        return await self.turn()

    async def send(self, **content: Any) -> list[dict[str, Any]]:
        """Send something that is not text (sticker=..., location=...)."""
        self.api.message(self.user_id, None, **content)
        return await self.turn()

    async def press(self, label: str) -> list[dict[str, Any]]:
        """Press the button with this label (or callback data) on the last keyboard shown."""
        message = self.last_keyboard
        if message is None:
            raise AssertionError("no keyboard has been shown")
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        for button in buttons:
            if label in (button["text"], button.get("callback_data")):
                self.api.press(self.user_id, message, button["callback_data"])
                return await self.turn()
        raise AssertionError(f"no button {label!r}; shown: {[b['text'] for b in buttons]}")

    def labels(self) -> list[str]:
        if not self.last_keyboard:
            return []
        return [b["text"] for row in self.last_keyboard["reply_markup"]["inline_keyboard"] for b in row]

    async def turn(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Messages sent until one carries a keyboard, or nothing more comes for `quiet` seconds."""
        sent: list[dict[str, Any]] = []
        inbox = self.api.inbox(self.user_id)
        while True:
            try:
                how, message = await asyncio.wait_for(inbox.get(), self.quiet if sent else timeout)
            except TimeoutError:
                if sent:
                    return sent
                raise AssertionError("the bot did not answer") from None
            if how == "edit":
                self.edits.append(message)
                continue
            sent.append(message)
            if message.get("reply_markup"):
                self.last_keyboard = message
                return sent

    async def silence(self, wait: float = 0.3) -> list[dict[str, Any]]:
        """Whatever arrives within `wait` seconds (expected: nothing)."""
        got = []
        with contextlib.suppress(TimeoutError):
            while True:
                got.append(await asyncio.wait_for(self.api.inbox(self.user_id).get(), wait))
        return got


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


# -- request parsing -----------------------------------------------------------------------------

async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
    line = await reader.readline()
    if not line:
        return None
    verb, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        key, _, value = raw.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
            if len(body) > MAX_BODY:
                raise ValueError("body too large")
        return verb, target, headers, bytes(body)
    length = int(headers.get("content-length") or 0)
    if length > MAX_BODY:
        raise ValueError("body too large")
    return verb, target, headers, await reader.readexactly(length) if length else b""


def _params(verb: str, target: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query))
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if not body:
        return params
    if kind == "application/json":
        try:
            params.update(json.loads(body))
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
    elif kind == "application/x-www-form-urlencoded":
        params.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    elif kind == "multipart/form-data":
        raw = b"Content-Type: " + headers["content-type"].encode() + b"\r\n\r\n" + body
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename():
                params[name] = {"filename": part.get_filename(), "size": len(part.get_payload(decode=True))}
            else:
                params[name] = part.get_content()
    return params


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
    return value


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool:
    return str(value).lower() in ("true", "1")
