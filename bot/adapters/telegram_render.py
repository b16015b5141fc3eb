"""Turn the core's plain-text replies into Telegram messages: escaped HTML, split under the limit.

The core's words are plain text. Every string is escaped with `html.escape`, so
nothing a person typed or the knowledge base holds can become markup. Replies
that follow each other are packed into one message (Telegram asks bots not to
burst several messages into one chat), a reply with buttons ends a message and
its buttons become an inline keyboard, and a message longer than Telegram's
4096 characters is split at paragraph, line or word boundaries.
"""
from __future__ import annotations

import functools
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.dialogue import Button, Reply

log = logging.getLogger(__name__)

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted in UTF-16 code units
MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
SEPARATORS = ("\n\n", "\n", " ")


@dataclass(frozen=True)
class OutMessage:
    """One message to send: HTML text and an optional inline keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def size(text: str) -> int:
    """The length Telegram counts, in UTF-16 code units, of this plain text once escaped."""
    return len(escape(text).encode("utf-16-le")) // 2


def render(replies: Sequence[Reply], limit: int = MAX_TEXT) -> list[OutMessage]:
    """Pack replies into as few messages as fit; buttons end a message."""
    out: list[OutMessage] = []
    texts: list[str] = []
    for reply in replies:
        text = reply.text.strip()
        if texts and text and size("\n\n".join([*texts, text])) > limit:
            out.extend(_messages("\n\n".join(texts), (), limit))
            texts = []
        if text:
            texts.append(text)
        if reply.buttons:
            out.extend(_messages("\n\n".join(texts), reply.buttons, limit))
            texts = []
    if texts:
        out.extend(_messages("\n\n".join(texts), (), limit))
    return out


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard; callback data is the core's short action id."""
    rows = tuple(tuple(row) for row in rows)
    return _keyboard(rows) if rows else None


@functools.lru_cache(maxsize=4096)
def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Built once per distinct set of buttons: PTB's keyboard objects are immutable, so shared."""
    built = []
    for row in rows:
        kept = []
        for button in row:
            if not button.label.strip() or not 1 <= len(button.action.encode()) <= MAX_CALLBACK_BYTES:
                log.error("dropped a button whose action does not fit Telegram's 64-byte limit")
                continue
            kept.append(InlineKeyboardButton(button.label, callback_data=button.action))
        if kept:
            built.append(kept)
    return InlineKeyboardMarkup(built) if built else None


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of `text`, each within `limit` once escaped; cut at the largest boundary that works."""
    text = text.strip()
    if size(text) <= limit:
        return [text] if text else []
    for separator in SEPARATORS:
        parts = text.split(separator)
        if len(parts) == 1:
            continue
        chunks: list[str] = []
        current = ""
        for part in parts:
            joined = f"{current}{separator}{part}" if current else part
            if size(joined) <= limit:
                current = joined
                continue
            if current.strip():
                chunks.append(current.strip())
            if size(part) <= limit:
                current = part
            else:
                chunks.extend(split(part, limit))
                current = ""
        if current.strip():
            chunks.append(current.strip())
        return chunks
    return _hard_split(text, limit)


def with_choice(message_text: str, label: str) -> str | None:
    """The pressed message's text with the chosen button's label under it, if that still fits."""
    text = f"{message_text}\n\n→ {label}"
    return escape(text) if size(text) <= MAX_TEXT else None


def _messages(text: str, buttons: Sequence[Sequence[Button]], limit: int) -> list[OutMessage]:
    chunks = split(text, limit)
    markup = keyboard(buttons)
    if not chunks:
        return [OutMessage(escape("…"), markup)] if markup else []
    out = [OutMessage(escape(chunk)) for chunk in chunks]
    if markup:
        out[-1] = OutMessage(out[-1].html, markup)
    return out


def _cost(ch: str) -> int:
    """UTF-16 units of one character once escaped."""
    return 5 if ch == "&" else 4 if ch in "<>" else 2 if ord(ch) > 0xFFFF else 1


def _hard_split(text: str, limit: int) -> list[str]:
    chunks, current, used = [], [], 0
    for ch in text:
        cost = _cost(ch)
        if used + cost > limit:
            chunks.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    if current:
        chunks.append("".join(current))
    return [c for c in chunks if c.strip()]
