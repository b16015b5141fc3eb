"""Where each person is in their conversation, kept in SQLite between messages and restarts.

What one row holds, and nothing else:

* `user_key`: a keyed hash (HMAC-SHA256) of the Telegram user id. The key (the
  "salt") lives outside the database, so the table alone cannot be matched back
  to accounts, and the raw id is never written anywhere.
* `state`: `State.to_dict()` as JSON: the journey step and the choices made so
  far (audience, age group, area, topics...). No message text, no names.
* `seen_hour`: the hour (counted from 1970, UTC) of the last message; no exact time.

A row is deleted once the person has been quiet for more than `idle_hours`
(hour granularity: between `idle_hours` and `idle_hours + 1` after their last
message, whichever of the hourly purge or their next message comes first), and at
once on `/delete`. Deleted rows are overwritten (`secure_delete`) and the
write-ahead log is truncated, so the old state does not linger on disk.

Writes are batched: `put` updates memory at once and a background task commits
every `flush_every` seconds; `close()` commits whatever is left. A crash can lose
at most that last second of journey positions, never anything else. Reads for
recent people come from memory. One process owns the database.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import aiosqlite

from bot.dialogue import State

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation_state (
    user_key  TEXT PRIMARY KEY,  -- HMAC-SHA256 of the Telegram user id; the key is kept elsewhere
    state     TEXT NOT NULL,     -- State.to_dict() as JSON: journey step and choices, no message text
    seen_hour INTEGER NOT NULL   -- hours since 1970-01-01 UTC of the last message
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversation_state_seen ON conversation_state (seen_hour);
"""


def load_or_create_salt(path: Path) -> bytes:
    """The hashing key kept in a file of its own (mode 600), made on first use."""
    if path.exists():
        salt = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(salt) < 16:
            raise ValueError(f"{path} does not hold a usable key; delete it to make a new one")
        return salt
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    salt = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(salt.hex() + "\n")
    return salt


class StateStore:
    """Per-person conversation state with idle expiry. Use `async with StateStore(...)`."""

    def __init__(self, path: Path | str, *, salt: bytes, idle_hours: int = 24, flush_every: float = 1.0,
                 cache_size: int = 10_000, clock: Callable[[], float] = time.time):
        if idle_hours < 1:
            raise ValueError("idle_hours must be at least 1")
        if len(salt) < 16:
            raise ValueError("the salt must be at least 16 bytes")
        self.path = Path(path)
        self.idle_hours = idle_hours
        self._salt = salt
        self._flush_every = flush_every
        self._cache_size = cache_size
        self._clock = clock
        self._db: aiosqlite.Connection | None = None
        self._cache: OrderedDict[str, tuple[State, int]] = OrderedDict()
        self._pending: dict[str, tuple[State, int]] = {}
        self._flushing: dict[str, tuple[State, int]] = {}
        self._write_lock = asyncio.Lock()
        self._flusher: asyncio.Task | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    async def open(self) -> StateStore:
        if self._db is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        new = not self.path.exists()
        self._db = await aiosqlite.connect(self.path)
        try:
            if new:
                os.chmod(self.path, 0o600)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "secure_delete=ON", "busy_timeout=5000"):
                await self._db.execute(f"PRAGMA {pragma}")
            await self._db.executescript(SCHEMA)
            await self._db.commit()
        except BaseException:
            await self._db.close()
            self._db = None
            raise
        await self.purge()
        self._flusher = asyncio.get_running_loop().create_task(self._flush_loop(), name="state-store-flush")
        return self

    async def close(self) -> None:
        """Commit pending writes and close the database. Safe to call twice."""
        if self._flusher:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        if self._db is None:
            return
        try:
            await self.flush()
        finally:
            await self._db.close()
            self._db = None
            self._cache.clear()

    async def __aenter__(self) -> StateStore:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- the API the adapter uses ------------------------------------------------------------------

    def key_for(self, user_id: int) -> str:
        """The pseudonymous key for a Telegram user id. Only this key is ever stored."""
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()

    def hour(self) -> int:
        return int(self._clock() // 3600)

    def _expired(self, seen_hour: int) -> bool:
        return self.hour() - seen_hour > self.idle_hours

    async def get(self, key: str) -> State | None:
        """The stored state, or None if there is none or it has expired."""
        found = self._pending.get(key) or self._flushing.get(key) or self._cache.get(key)
        if found is not None:
            self._cache[key] = found
            self._cache.move_to_end(key)
        else:
            async with self._connection().execute(
                    "SELECT state, seen_hour FROM conversation_state WHERE user_key = ?", (key,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            found = (State.from_dict(json.loads(row[0])), int(row[1]))
            self._remember(key, found)
        state, seen = found
        return None if self._expired(seen) else state

    async def put(self, key: str, state: State) -> None:
        """Keep this state and mark the person seen this hour. Committed within `flush_every` s."""
        entry = (state, self.hour())
        if self._cache.get(key) == entry and key not in self._flushing:
            return  # nothing new to write
        self._pending[key] = entry
        self._remember(key, entry)

    async def delete(self, key: str) -> None:
        """Remove everything kept under this key, now, and scrub it from the log file."""
        async with self._write_lock:
            self._pending.pop(key, None)
            self._cache.pop(key, None)
            db = self._connection()
            await db.execute("DELETE FROM conversation_state WHERE user_key = ?", (key,))
            await db.commit()
            await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def purge(self) -> int:
        """Delete every state idle for more than `idle_hours`. Returns how many went."""
        oldest_kept = self.hour() - self.idle_hours
        async with self._write_lock:
            db = self._connection()
            cursor = await db.execute("DELETE FROM conversation_state WHERE seen_hour < ?", (oldest_kept,))
            removed = cursor.rowcount
            await cursor.close()
            await db.commit()
            if removed:
                await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for key in [k for k, (_, seen) in self._cache.items() if seen < oldest_kept]:
            del self._cache[key]
        return removed

    async def flush(self) -> int:
        """Commit the writes waiting in memory. Returns how many rows were written."""
        async with self._write_lock:
            if not self._pending:
                return 0
            self._flushing, self._pending = self._pending, {}
            rows = [(key, json.dumps(state.to_dict(), separators=(",", ":")), hour)
                    for key, (state, hour) in self._flushing.items()]
            try:
                db = self._connection()
                await db.executemany(
                    "INSERT INTO conversation_state (user_key, state, seen_hour) VALUES (?, ?, ?) "
                    "ON CONFLICT (user_key) DO UPDATE SET state = excluded.state, seen_hour = excluded.seen_hour",
                    rows)
                await db.commit()
            except BaseException:
                # Keep them for the next attempt, unless newer states arrived meanwhile.
                self._pending = {**self._flushing, **self._pending}
                raise
            finally:
                self._flushing = {}
            return len(rows)

    async def count(self) -> int:
        await self.flush()
        async with self._connection().execute("SELECT COUNT(*) FROM conversation_state") as cursor:
            return (await cursor.fetchone())[0]

    # -- inside ----------------------------------------------------------------------------------

    def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the state store is not open")
        return self._db

    def _remember(self, key: str, entry: tuple[State, int]) -> None:
        self._cache[key] = entry
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self._flush_every)
            try:
                await self.flush()
            except Exception as exc:  # noqa: BLE001 - keep trying; the states stay in memory
                log.error("state store: could not write (%s); will retry", type(exc).__name__)
