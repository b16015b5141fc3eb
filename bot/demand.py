"""The anonymised demand log: coarse events in SQLite, written in batches, never in a reply's way.

What a row holds, and nothing more: the event kind; the date and an hour band
(never the exact time); the channel; audience, age band, area, topic ids, THRIVE
grouping, services suggested, whether urgent help was shown, the gap kind and the
"did this help?" answer; and a journey key. The key is a keyed hash of the
conversation's random journey id, under a salt that lives only in this process's
memory, so events of one journey link up within one run of the bot but cannot be
linked to a chat, a user or the bot's saved conversation state. Every value must
look like a short id (`[a-z0-9_-]`); anything else (a name, a number, a sentence
typed by mistake into a field) is refused and counted, never stored.

How it is written (`DemandLog`):
  * `record(event, channel)` is the event sink the adapters call. It stamps date
    and hour band, checks the fields, and puts a small tuple on a bounded queue.
    It never blocks and never raises: if the queue is full the event is dropped
    and counted.
  * one writer task drains the queue in batches into one aiosqlite connection
    (WAL, synchronous=NORMAL, busy_timeout, secure_delete).
  * if the database is locked, read-only, full, deleted or cannot be opened, the
    rows wait in memory (up to `memory_limit`, then dropped and counted) and the
    writer retries with back-off, reopening the file (a deleted file is created
    again). Drops are logged as counts and stored, when the database is back, in
    the `drops` table so reports can say how much is missing.
  * `close()` flushes what it can, then closes the connection. `running()` runs a
    log on its own thread for synchronous callers such as the terminal chat.
  * events older than `retention_months` are deleted on start and every few hours.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

import aiosqlite

from bot.dialogue import Event

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "demand.sqlite"
DEFAULT_RETENTION_MONTHS = 24
SCHEMA_VERSION = 1
TZ = ZoneInfo("Europe/London")

KINDS = ("journey_started", "journey", "crisis_shown", "crisis_asked", "feedback")
# Start hour of each band, and its name. Coarse on purpose: a date, a band, a rare
# topic and an area must not single anyone out.
HOUR_BANDS = ((0, "00-06"), (6, "06-09"), (9, "09-12"), (12, "12-15"), (15, "15-18"), (18, "18-21"),
              (21, "21-24"))
BAND_NAMES = tuple(name for _, name in HOUR_BANDS)
MAX_TOPICS = 3
MAX_SERVICES = 6

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
_JOURNEY = re.compile(r"^[0-9a-f]{8,64}$")

COLUMNS = ("journey", "kind", "day", "hour_band", "channel", "audience", "age_band", "area", "topic",
           "topics", "grouping", "services", "crisis_shown", "gap", "helped", "simulated")
INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id           INTEGER PRIMARY KEY,
    journey      TEXT NOT NULL,     -- keyed hash of a random journey id; links one run's events only
    kind         TEXT NOT NULL,     -- journey_started | journey | crisis_shown | crisis_asked | feedback
    day          TEXT NOT NULL,     -- YYYY-MM-DD, Europe/London
    hour_band    TEXT NOT NULL,     -- 00-06, 06-09, 09-12, 12-15, 15-18, 18-21, 21-24
    channel      TEXT NOT NULL,     -- telegram | terminal
    audience     TEXT,
    age_band     TEXT,
    area         TEXT,
    topic        TEXT,              -- the main need (first topic id)
    topics       TEXT,              -- JSON array of up to 3 topic ids
    grouping     TEXT,              -- THRIVE grouping id
    services     TEXT,              -- JSON array of service ids suggested
    crisis_shown INTEGER,           -- 0 or 1
    gap          TEXT,              -- no-local-service | out-of-area | outside-age-limits
    helped       INTEGER,           -- 0 or 1: the "did this help?" answer
    simulated    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX IF NOT EXISTS events_day ON events (day);
CREATE TABLE IF NOT EXISTS drops (
    day    TEXT NOT NULL,
    reason TEXT NOT NULL,           -- queue-full | memory-full | refused
    events INTEGER NOT NULL,
    PRIMARY KEY (day, reason)
) STRICT;
"""

Row = tuple[Any, ...]
Clock = Callable[[], dt.datetime]


def now_local() -> dt.datetime:
    return dt.datetime.now(TZ)


def hour_band(hour: int) -> str:
    name = BAND_NAMES[0]
    for start, band in HOUR_BANDS:
        if hour >= start:
            name = band
    return name


def retention_cutoff(today: dt.date, months: int) -> dt.date:
    """The first day kept when keeping `months` whole calendar months back from `today`."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(today.day, last_day))


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


def _ids(value: Any) -> list[str] | None:
    if not isinstance(value, (list, tuple)) or not all(_id(v) for v in value):
        return None
    return list(value)


def _flag(value: Any) -> int | None:
    return int(value) if isinstance(value, bool) else None


class Refused(Exception):
    """A field held something that is not a short id: the whole event is refused."""


def event_row(event: Event, channel: str, when: dt.datetime, journey_key: str, simulated: bool = False) -> Row:
    """The stored row for one event. Raises Refused if anything in it is not a plain id or flag.

    A field that is present but malformed refuses the whole event rather than
    storing a half-event: the flows only ever put ids and flags here, so anything
    else is a bug that must not leak text into the log.
    """
    if event.kind not in KINDS or not _id(channel):
        raise Refused
    f = event.fields

    def single(key: str) -> str | None:
        value = f.get(key)
        if value is not None and not _id(value):
            raise Refused
        return value

    def many(key: str, limit: int) -> list[str]:
        value = f.get(key)
        if value is None:
            return []
        kept = _ids(value)
        if kept is None:
            raise Refused
        return kept[:limit]

    def flag(key: str) -> int | None:
        value = f.get(key)
        if value is not None and not isinstance(value, bool):
            raise Refused
        return _flag(value)

    topics = many("topics", MAX_TOPICS)
    services = many("services", MAX_SERVICES)
    crisis = flag("crisis_shown")
    if event.kind == "crisis_shown":
        crisis = 1
    return (journey_key, event.kind, when.date().isoformat(), hour_band(when.hour), channel,
            single("audience"), single("age_band"), single("area"), topics[0] if topics else None,
            json.dumps(topics, separators=(",", ":")) if topics else None, single("grouping"),
            json.dumps(services, separators=(",", ":")) if services else None, crisis, single("gap"),
            flag("helped"), int(simulated))


@dataclass
class DemandStats:
    """Counts only: how much was recorded, written, refused and dropped."""

    recorded: int = 0            # accepted onto the queue
    written: int = 0             # committed to the database
    refused: int = 0             # failed the privacy check (not stored)
    dropped_queue_full: int = 0  # the queue was full (the writer could not keep up)
    dropped_memory_full: int = 0 # the database was down for too long
    dropped_at_close: int = 0    # still unwritten when the log closed
    dropped_closed: int = 0      # recorded after close
    write_failures: int = 0      # failed write attempts (each is retried)
    last_error: str = ""         # a short SQLite error reason, no data

    @property
    def dropped(self) -> int:
        return (self.dropped_queue_full + self.dropped_memory_full + self.dropped_at_close
                + self.dropped_closed)


def _reason(exc: BaseException) -> str:
    """A short, data-free description of a database fault."""
    text = str(exc).lower()
    for needle, reason in (("locked", "locked"), ("busy", "locked"), ("readonly", "read-only"),
                           ("read-only", "read-only"), ("full", "full"), ("unable to open", "cannot open"),
                           ("disk i/o", "i/o error"), ("no such table", "missing table"),
                           ("malformed", "corrupt"), ("not a database", "corrupt")):
        if needle in text:
            return reason
    return type(exc).__name__


class DemandLog:
    """The batched, fault-tolerant writer. `record` is the event sink: `(Event, channel) -> None`."""

    def __init__(self, path: Path | str = DEFAULT_DB, *, queue_size: int = 10_000, batch_size: int = 2_000,
                 linger: float = 0.2, memory_limit: int = 100_000, retry_min: float = 0.25,
                 retry_max: float = 30.0, retention_months: int | None = DEFAULT_RETENTION_MONTHS,
                 busy_timeout_ms: int = 2_000, synchronous: str = "NORMAL", clock: Clock = now_local,
                 pragmas: tuple[str, ...] = ()):
        self.path = Path(path)
        self.batch_size = batch_size
        self.linger = linger
        self.memory_limit = memory_limit
        self.retry_min, self.retry_max = retry_min, retry_max
        self.retention_months = retention_months
        self.busy_timeout_ms = busy_timeout_ms
        self.synchronous = synchronous
        self.clock = clock
        self._pragmas = pragmas
        self.stats = DemandStats()
        self._queue: asyncio.Queue[Row | None] = asyncio.Queue(maxsize=queue_size)
        self._pending: list[Row] = []
        self._salt = secrets.token_bytes(16)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._task: asyncio.Task | None = None
        self._db: aiosqlite.Connection | None = None
        self._file_id: tuple[int, int] | None = None
        self._closing = False
        self._closed = False
        self._stop = asyncio.Event()
        self._lock = asyncio.Lock()
        self._unsaved_drops: dict[tuple[str, str], int] = {}
        self._next_retention = 0.0
        self._failing_since: float | None = None
        self._last_drop_log = 0.0

    @property
    def backlog(self) -> int:
        """Events queued or waiting in memory, not yet written."""
        return self._queue.qsize() + len(self._pending)

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    @property
    def queue_size(self) -> int:
        return self._queue.maxsize

    # -- the reply path: never blocks, never raises ------------------------------------------------

    def record(self, event: Event, channel: str) -> None:
        """Queue one event from a conversation (the adapters' event sink)."""
        try:
            when = self.clock()
            row = event_row(event, channel, when, self._journey_key(event.fields.get("journey")))
        except Refused:
            self.stats.refused += 1
            self._in_loop(self._note_drop, self.clock().date(), "refused")
            log.warning("demand log: refused a %s event whose fields were not plain ids", _kind(event))
            return
        except Exception:  # noqa: BLE001 - the log must never break a reply
            self.stats.refused += 1
            log.exception("demand log: could not build a row")
            return
        self.offer(row)

    __call__ = record

    def offer(self, row: Row) -> None:
        """Queue a ready row (from `record`, or from the simulator), from any thread."""
        if self._closed or self._closing:
            self.stats.dropped_closed += 1
            return
        if not self._in_loop(self._put, row):
            self.stats.dropped_closed += 1

    async def put(self, row: Row) -> None:
        """Queue a ready row, waiting for room (bulk loaders such as the simulator; never a reply)."""
        if self._closed or self._closing:
            self.stats.dropped_closed += 1
            return
        await self._queue.put(row)
        self.stats.recorded += 1

    def _in_loop(self, fn: Callable[..., None], *args: Any) -> bool:
        """Run `fn` now if on the writer's loop thread (or before start), else hand it to that loop."""
        loop = self._loop
        if loop is None or threading.get_ident() == self._loop_thread:
            fn(*args)
            return True
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop has closed
            return False
        return True

    def _put(self, row: Row) -> None:
        try:
            self._queue.put_nowait(row)
            self.stats.recorded += 1
        except asyncio.QueueFull:
            self.stats.dropped_queue_full += 1
            self._note_drop(dt.date.fromisoformat(row[2]), "queue-full")

    def _journey_key(self, journey: Any) -> str:
        if not isinstance(journey, str) or not _JOURNEY.match(journey):
            return secrets.token_hex(8)  # no journey id: the event stands alone
        return hashlib.blake2b(journey.encode(), key=self._salt, digest_size=8).hexdigest()

    # -- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> DemandLog:
        """Start the writer task. Returns at once: the database is opened by the writer."""
        if self._task is None:
            self._loop = asyncio.get_running_loop()
            self._loop_thread = threading.get_ident()
            self._task = asyncio.create_task(self._run(), name="demand-writer")
        return self

    async def __aenter__(self) -> DemandLog:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def flush(self, timeout: float = 5.0) -> bool:
        """Write everything queued so far; True if nothing is left unwritten."""
        deadline = time.monotonic() + timeout
        delay = self.retry_min
        while True:
            self._drain()
            if not self._pending and self._queue.empty():
                return True
            if await self._write_pending():
                delay = self.retry_min
                continue
            if time.monotonic() + delay > deadline:
                return False
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_max)

    async def close(self, timeout: float = 5.0) -> DemandStats:
        """Stop taking events, write what can be written within `timeout`, close the database."""
        if self._closed:
            return self.stats
        self._closing = True
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(None)
            try:
                await self._task
            except Exception:  # noqa: BLE001
                log.exception("demand log: the writer stopped with an error")
        await self.flush(timeout)
        self.stats.dropped_at_close += len(self._pending)
        self._pending.clear()
        await self._disconnect(checkpoint=True)
        self._closed = True
        if self.stats.dropped or self.stats.refused:
            log.warning("demand log closed: %d written, %d dropped, %d refused", self.stats.written,
                        self.stats.dropped, self.stats.refused)
        return self.stats

    # -- the writer ----------------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self.retry_min
        await self._maintain()  # open the database and apply retention at start, even if nothing comes
        while not self._closing:
            if not self._pending:
                idle = max(1.0, self._next_retention - time.monotonic())
                try:
                    row = await asyncio.wait_for(self._queue.get(), idle)
                except asyncio.TimeoutError:
                    await self._maintain()  # a quiet bot still deletes old events on time
                    continue
                if row is None:
                    break
                self._take(row)
                if self._queue.qsize() < self.batch_size and self.linger > 0:
                    # Let a burst gather into one transaction.
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), self.linger)
            self._drain()
            if not self._pending:
                continue
            if await self._write_pending():
                delay = self.retry_min
                continue
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            delay = min(delay * 2, self.retry_max)

    def _take(self, row: Row | None) -> None:
        if row is None:
            return
        if len(self._pending) >= self.memory_limit:
            self.stats.dropped_memory_full += 1
            self._note_drop(dt.date.fromisoformat(row[2]), "memory-full")
            return
        self._pending.append(row)

    def _drain(self) -> None:
        while True:
            try:
                self._take(self._queue.get_nowait())
            except asyncio.QueueEmpty:
                return

    def _note_drop(self, day: dt.date, reason: str) -> None:
        key = (day.isoformat(), reason)
        self._unsaved_drops[key] = self._unsaved_drops.get(key, 0) + 1
        now = time.monotonic()
        if reason != "refused" and now - self._last_drop_log > 60:
            self._last_drop_log = now
            log.warning("demand log: %d event(s) dropped so far (queue full %d, memory full %d)",
                        self.stats.dropped, self.stats.dropped_queue_full, self.stats.dropped_memory_full)

    async def _write_pending(self) -> bool:
        """Write pending rows in batches. False on a database fault (rows stay pending)."""
        async with self._lock:
            try:
                db = await self._connection()
                while self._pending:
                    batch = self._pending[: self.batch_size]
                    await self._write_batch(db, batch)
                    del self._pending[: len(batch)]
                    self.stats.written += len(batch)
                await self._housekeeping(db)
            except Exception as exc:  # noqa: BLE001 - sqlite3 and OS faults, and a broken aiosqlite thread
                self._fault(exc)
                await self._disconnect()
                return False
        if self._failing_since is not None:
            log.warning("demand log: database writable again after %.0f s; %d event(s) dropped so far",
                        time.monotonic() - self._failing_since, self.stats.dropped)
            self._failing_since = None
        return True

    async def _write_batch(self, db: aiosqlite.Connection, batch: list[Row]) -> None:
        """One transaction: the rows, and the drop counts not yet stored."""
        drops, self._unsaved_drops = self._unsaved_drops, {}
        try:
            await db.execute("BEGIN IMMEDIATE")
            await db.executemany(INSERT, batch)
            if drops:
                await db.executemany(
                    "INSERT INTO drops (day, reason, events) VALUES (?, ?, ?) "
                    "ON CONFLICT (day, reason) DO UPDATE SET events = events + excluded.events",
                    [(day, reason, n) for (day, reason), n in drops.items()])
            await db.execute("COMMIT")
        except BaseException:
            for key, n in drops.items():
                self._unsaved_drops[key] = self._unsaved_drops.get(key, 0) + n
            if db.in_transaction:
                with contextlib.suppress(Exception):
                    await db.execute("ROLLBACK")
            raise

    def _fault(self, exc: BaseException) -> None:
        self.stats.write_failures += 1
        reason = _reason(exc)
        if self._failing_since is None or reason != self.stats.last_error:
            log.warning("demand log: cannot write to the database (%s); keeping %d event(s) in memory and "
                        "retrying", reason, len(self._pending))
        if self._failing_since is None:
            self._failing_since = time.monotonic()
        self.stats.last_error = reason

    async def _connection(self) -> aiosqlite.Connection:
        if self._db is not None and not self._same_file():
            log.warning("demand log: the database file was removed or replaced; starting a new one")
            await self._disconnect()
        if self._db is None:
            self._db = await open_database(self.path, self.busy_timeout_ms, self.synchronous, self._pragmas)
            stat = os.stat(self.path)
            self._file_id = (stat.st_dev, stat.st_ino)
        return self._db

    def _same_file(self) -> bool:
        try:
            stat = os.stat(self.path)
        except OSError:
            return False
        return (stat.st_dev, stat.st_ino) == self._file_id

    async def _disconnect(self, checkpoint: bool = False) -> None:
        db, self._db = self._db, None
        if db is None:
            return
        if checkpoint and self._same_file():
            with contextlib.suppress(sqlite3.Error):
                await _pragma(db, "wal_checkpoint(TRUNCATE)")
        try:
            await db.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            log.debug("demand log: error while closing the database", exc_info=True)

    async def _maintain(self) -> None:
        async with self._lock:
            try:
                await self._housekeeping(await self._connection())
            except Exception as exc:  # noqa: BLE001 - retried with the next write or the next period
                self._fault(exc)
                self._next_retention = time.monotonic() + self.retry_max
                await self._disconnect()

    async def _housekeeping(self, db: aiosqlite.Connection) -> None:
        """Delete events past retention (at start, then every 6 hours) and keep the WAL small."""
        now = time.monotonic()
        if now < self._next_retention:
            return
        self._next_retention = now + 6 * 3600
        if self.retention_months:
            cutoff = retention_cutoff(self.clock().date(), self.retention_months).isoformat()
            await db.execute("DELETE FROM events WHERE day < ?", (cutoff,))
            await db.execute("DELETE FROM drops WHERE day < ?", (cutoff,))
            await db.commit()
        await _pragma(db, "wal_checkpoint(PASSIVE)")


async def _pragma(db: aiosqlite.Connection, text: str) -> list[Any]:
    """Run a PRAGMA and read all it returns, so no statement is left open (it would block WAL)."""
    async with db.execute(f"PRAGMA {text}") as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def open_database(path: Path, busy_timeout_ms: int = 2_000, synchronous: str = "NORMAL",
                        pragmas: tuple[str, ...] = ()) -> aiosqlite.Connection:
    """Open (creating if needed) the demand database in WAL mode with the schema in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = await aiosqlite.connect(path, isolation_level=None)

    async def pragma(text: str) -> list[Any]:
        return await _pragma(db, text)

    try:
        await pragma(f"busy_timeout = {int(busy_timeout_ms)}")
        for extra in pragmas:
            await pragma(extra)
        mode = (await pragma("journal_mode = WAL") or ["?"])[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot use WAL (journal mode is {mode})")
        await pragma(f"synchronous = {synchronous}")
        await pragma("secure_delete = ON")  # deleted rows are overwritten, not left behind
        version = (await pragma("user_version"))[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"demand database schema {version} is newer than this bot's")
        if version < SCHEMA_VERSION:
            await db.executescript(SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
    except BaseException:
        await db.close()
        raise
    return db


def prune(path: Path | str, months: int, today: dt.date | None = None) -> int:
    """Delete events older than `months` months from a database file; returns how many went."""
    cutoff = retention_cutoff(today or now_local().date(), months).isoformat()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA secure_delete = ON")
        with db:
            gone = db.execute("DELETE FROM events WHERE day < ?", (cutoff,)).rowcount
            db.execute("DELETE FROM drops WHERE day < ?", (cutoff,))
    return gone


@contextlib.contextmanager
def running(path: Path | str = DEFAULT_DB, **options: Any) -> Iterator[DemandLog]:
    """A DemandLog on its own event loop thread, for synchronous callers (the terminal chat)."""
    demand = DemandLog(path, **options)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="demand-log", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(demand.start(), loop).result()
        yield demand
    finally:
        try:
            asyncio.run_coroutine_threadsafe(demand.close(), loop).result()
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()


def _kind(event: Event) -> str:
    return event.kind if _id(event.kind) else "unknown"
