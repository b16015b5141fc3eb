"""Logs that are safe to keep: no bot token, no webhook secret, no words people typed.

* `protect_secrets(...)` installs a log-record factory that blanks the given
  secrets, and anything shaped like a bot token, from every record's message
  and traceback, whichever handler writes it.
* `quiet_libraries()` turns off httpx's request lines (they carry the token in
  the URL) and keeps python-telegram-bot above DEBUG, where it would print whole
  updates, message text included, and wrong webhook secrets (likewise aiosqlite,
  which would print stored states).
* `describe_error(exc)` names an exception and where it was raised (file, line,
  function), without its message, which could quote a person's words.
"""
from __future__ import annotations

import logging
import re
import traceback
from pathlib import Path

REDACTED = "[redacted]"
TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return TOKEN_SHAPE.sub(REDACTED, text)


def protect_secrets(*values: str | None) -> None:
    """Blank these strings (and anything token-shaped) in every log record from now on."""
    global _installed
    _secrets.update(v for v in values if v and len(v) >= 6)
    if _installed:
        return
    previous = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logged as it is
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(formatter.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def quiet_libraries() -> None:
    """No request URLs from httpx, and nothing from python-telegram-bot below INFO."""
    for name in ("httpx", "httpcore", "hpack"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("telegram", "apscheduler", "tornado", "aiosqlite", "aiohttp"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def describe_error(exc: BaseException | None) -> str:
    """`TypeName at file.py:12 in func <- ...`: the type and where, never the message."""
    if exc is None:
        return "unknown error"
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in reversed(frames))
    return f"{type(exc).__name__}" + (f" at {where}" if where else "")
