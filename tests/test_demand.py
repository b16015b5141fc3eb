"""The demand log: nothing personal stored, journeys and gaps, batching, retention, and real database faults.

Faults are made for real on SQLite files in tmp_path: a second connection holding an
exclusive lock, a directory and file made read-only (chattr +i when running as root,
who ignores file modes), files deleted while the bot runs, a size limit that makes
SQLite report "database or disk is full", and a parent path that is a file.
"""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import demand
from bot.adapters import terminal
from bot.demand import DemandLog, event_row, hour_band, retention_cutoff
from bot.dialogue import Event, UserInput
from bot.recommend import Person, Recommender
from tests.chat import Chat

ROOT = Path(__file__).resolve().parents[1]
FAST = dict(retry_min=0.02, retry_max=0.1, linger=0, busy_timeout_ms=100)

SECRETS = ["Keeley", "Hargreaves", "Tyler-Jay", "Okonkwo", "07700 900123", "07700900123", "+44 7700 900987",
           "01484 223344", "keeley.h@example.com", "mum@example.org", "HD1 2AB", "WF13 4QQ", "hd12ab",
           "Acacia Avenue", "St Mary's Primary", "Mr Pemberton", "@keeley_h", "943 476 5919"]


def _events_of(chat: Chat) -> list[Event]:
    return list(chat.last.events) if chat.last else []


class Recorder:
    """Drives a Chat and hands each turn's events to a sink.

    The sink is called in the middle of a reply, on the event loop, with no await: a reply
    cannot wait for the database. The tests show that events are held, not lost, meanwhile
    (no timed budgets: they fail on a busy machine and prove less).
    """

    def __init__(self, conversation, sink):
        self.chat = Chat(conversation)
        self.sink = sink
        self.events = 0

    def _do(self, action) -> None:
        action()
        for event in _events_of(self.chat):
            self.sink(event, "telegram")
            self.events += 1

    def start(self):
        self._do(self.chat.start)

    def say(self, text):
        self._do(lambda: self.chat.say(text))

    def press(self, label):
        self._do(lambda: self.chat.press(label))


def full_of_secrets(rec: Recorder) -> None:
    """Three journeys in which people type names, numbers, emails and postcodes everywhere."""
    rec.start()
    rec.press("I'm a parent or carer")
    rec.say("my daughter Keeley Hargreaves is 13, call me on 07700 900123 or 07700900123")
    rec.say("we live at 14 Acacia Avenue, Huddersfield HD1 2AB")
    rec.say("Keeley won't eat and I'm so worried, email keeley.h@example.com or mum@example.org")
    rec.press("A few months")
    rec.press("Quite a lot")
    rec.press("Yes, it helped")
    rec.press("restart")
    rec.press("I'm a young person")
    rec.say("im Tyler-Jay Okonkwo, 15, my insta is @keeley_h, text +44 7700 900987")
    rec.say("Dewsbury WF13 4QQ, at St Mary's Primary with Mr Pemberton")
    rec.say("i feel anxious all the time and cant sleep, my nhs number is 943 476 5919")
    rec.say("i want to end my life, ring 01484 223344")
    rec.press("resume")
    rec.press("Quite a lot")
    rec.press("fb:no")
    rec.press("more")
    rec.say("hd12ab bullying at school by Keeley")
    rec.press("A little")


def _files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)}


def _assert_clean(path: Path, state_journeys: list[str]) -> None:
    files = _files(path)
    assert files, "no database files"
    for name, data in files.items():
        lowered = data.lower()
        for secret in SECRETS:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert secret.lower().encode(encoding) not in lowered, f"{secret!r} found in {name}"
        for journey in state_journeys:
            assert journey.encode() not in lowered, f"the conversation's own journey id is in {name}"


async def test_a_conversation_full_of_personal_data_leaves_none_in_the_database(conversation, tmp_path):
    path = tmp_path / "demand.sqlite"
    log = DemandLog(path, **FAST)
    await log.start()
    journeys = []
    try:
        rec = Recorder(conversation, log.record)
        original = rec.sink

        def sink(event, channel):
            journeys.append(event.fields.get("journey", ""))
            original(event, channel)

        rec.sink = sink
        full_of_secrets(rec)
        assert await log.flush()
        files = _files(path)
        assert any(b"journey_started" in data for data in files.values())  # the search does see the rows
        assert any(name.endswith("-wal") for name in files)
        _assert_clean(path, journeys)  # while running: database, WAL and shared memory
    finally:
        stats = await log.close()
    _assert_clean(path, journeys)  # after the WAL is checkpointed into the database
    assert stats.written == rec.events and stats.refused == 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        kinds = [k for (k,) in db.execute("SELECT kind FROM events ORDER BY id")]
        assert kinds.count("journey") == 3 and "crisis_shown" in kinds and kinds.count("feedback") == 2
        keys = {k for (k,) in db.execute("SELECT DISTINCT journey FROM events")}
        assert len(keys) == 3 and all(re.fullmatch(r"[0-9a-f]{16}", k) for k in keys)


def test_the_table_has_no_place_for_identity_text_or_exact_time(tmp_path):
    path = tmp_path / "d.sqlite"
    with demand.running(path) as log:
        log.record(Event("journey_started", {"journey": "ab" * 8}), "terminal")
    with contextlib.closing(sqlite3.connect(path)) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
        day, band = db.execute("SELECT day, hour_band FROM events").fetchone()
    assert columns == {"id", *demand.COLUMNS}
    assert not {c for c in columns if re.search(r"user|chat|name|text|message|postcode|time|stamp", c)}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) and band in demand.BAND_NAMES


def test_fields_that_are_not_plain_ids_refuse_the_whole_event():
    when = dt.datetime(2025, 1, 6, 14, tzinfo=dt.timezone.utc)
    ok = event_row(Event("journey", {"audience": "parent", "topics": ["anxiety"], "crisis_shown": False}),
                   "telegram", when, "k")
    assert ok[2:5] == ("2025-01-06", "12-15", "telegram")
    for bad in ({"audience": "Keeley Hargreaves"}, {"topics": ["anxiety", "call 07700 900123"]},
                {"area": "HD1 2AB"}, {"helped": "yes"}, {"services": "kooth"}, {"gap": "x" * 60}):
        with pytest.raises(demand.Refused):
            event_row(Event("journey", bad), "telegram", when, "k")
    with pytest.raises(demand.Refused):
        event_row(Event("message_text", {}), "telegram", when, "k")
    with pytest.raises(demand.Refused):
        event_row(Event("journey", {}), "Telegram chat 12345", when, "k")


async def test_refused_events_are_counted_not_stored(tmp_path):
    path = tmp_path / "d.sqlite"
    async with DemandLog(path, **FAST) as log:
        log.record(Event("journey", {"audience": "my son Tommy"}), "telegram")
        log.record(Event("journey_started", {"journey": "cd" * 8}), "telegram")
    assert log.stats.refused == 1 and log.stats.written == 1
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT reason, events FROM drops").fetchall() == [("refused", 1)]
        assert b"tommy" not in path.read_bytes().lower()


def test_hour_bands_and_retention_dates():
    assert [hour_band(h) for h in (0, 5, 6, 9, 14, 17, 20, 23)] == \
        ["00-06", "00-06", "06-09", "09-12", "12-15", "15-18", "18-21", "21-24"]
    assert retention_cutoff(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert retention_cutoff(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)
    assert retention_cutoff(dt.date(2025, 1, 15), 24) == dt.date(2023, 1, 15)


async def test_retention_deletes_events_older_than_n_months(tmp_path):
    path = tmp_path / "d.sqlite"
    today = dt.datetime(2025, 6, 15, 10, tzinfo=demand.TZ)
    async with DemandLog(path, retention_months=None, **FAST) as log:
        for days_ago in (400, 200, 170, 10, 0):
            log.offer(event_row(Event("journey_started"), "telegram", today - dt.timedelta(days=days_ago), "k"))
    async with DemandLog(path, retention_months=6, clock=lambda: today, **FAST):
        pass  # a quiet start still applies retention
    with contextlib.closing(sqlite3.connect(path)) as db:
        days = [d for (d,) in db.execute("SELECT day FROM events ORDER BY day")]
    assert days == ["2024-12-27", "2025-06-05", "2025-06-15"]
    assert demand.prune(path, 1, today=today.date()) == 1


async def test_events_are_written_in_batches_in_wal_mode(tmp_path):
    path = tmp_path / "d.sqlite"
    log = DemandLog(path, batch_size=100, linger=0.05)
    await log.start()
    try:
        for n in range(1000):
            log.record(Event("journey_started", {"journey": f"{n:016x}"}), "telegram")
        assert log.queued == 1000  # record() only queued them: nothing was awaited
        assert await log.flush()
        with contextlib.closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1000
    finally:
        await log.close()


async def test_a_full_queue_drops_and_counts(tmp_path):
    path = tmp_path / "d.sqlite"
    log = DemandLog(path, queue_size=10, **FAST)
    for n in range(15):  # the writer is not running yet: the queue fills
        log.record(Event("journey_started", {"journey": f"{n:016x}"}), "telegram")
    assert log.stats.dropped_queue_full == 5
    await log.start()
    stats = await log.close()
    assert stats.written == 10 and stats.dropped == 5
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT reason, events FROM drops").fetchall() == [("queue-full", 5)]


async def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def _chat_some(conversation, sink) -> Recorder:
    rec = Recorder(conversation, sink)
    rec.start()
    rec.press("I'm a young person")
    rec.say("14")
    rec.press("Kirklees (for example Huddersfield, Dewsbury)")
    rec.say("i get panic attacks before exams")
    rec.press("Quite a lot")
    rec.press("Yes, it helped")
    return rec


def _count(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT COUNT(*) FROM events").fetchone()[0]


async def _made(path: Path) -> None:
    async with DemandLog(path, **FAST) as log:
        log.record(Event("journey_started", {"journey": "aa" * 8}), "telegram")


async def test_locked_database_replies_go_on_and_events_wait(conversation, tmp_path):
    path = tmp_path / "d.sqlite"
    await _made(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    log = DemandLog(path, **{**FAST, "busy_timeout_ms": 300})
    await log.start()
    try:
        rec = _chat_some(conversation, log.record)
        await _wait_for(lambda: log.stats.write_failures >= 1)
        rec2 = _chat_some(conversation, log.record)  # still locked: replies still go on
        # The writer may hold a batch between the queue and memory for a moment: wait for it to land.
        await _wait_for(lambda: log.backlog == rec.events + rec2.events)
        assert log.stats.last_error == "locked" and log.stats.written == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        assert await log.flush(timeout=10)
        stats = await log.close()
    assert stats.written == rec.events * 2 and stats.dropped == 0
    assert _count(path) == 1 + rec.events * 2


@contextlib.contextmanager
def read_only(folder: Path):
    """Make a folder and its files unwritable for real. Root ignores modes, so use the immutable flag."""
    paths = [folder, *folder.iterdir()]
    if os.geteuid() != 0:
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p in paths:
                p.chmod(0o755 if p.is_dir() else 0o644)
        return
    if not shutil.which("chattr"):
        pytest.skip("running as root without chattr: cannot make a file read-only for real")
    done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
    if done.returncode != 0:
        subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True)
        pytest.skip(f"this file system does not support chattr +i: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


async def test_read_only_database_replies_go_on_and_events_wait(conversation, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "d.sqlite"
    await _made(path)
    log = DemandLog(path, **FAST)
    try:
        with read_only(folder):
            await log.start()
            rec = _chat_some(conversation, log.record)
            await _wait_for(lambda: log.stats.write_failures >= 2)  # and it keeps retrying
            assert log.stats.written == 0 and log.stats.last_error in ("read-only", "cannot open")
        assert await log.flush(timeout=10)  # writable again: everything kept in memory is written
    finally:
        stats = await log.close()
    assert stats.written == rec.events and stats.dropped == 0
    assert _count(path) == 1 + rec.events


async def test_database_deleted_while_running_is_made_again(conversation, tmp_path):
    folder = tmp_path / "data"
    path = folder / "d.sqlite"
    log = DemandLog(path, **FAST)
    await log.start()
    try:
        first = _chat_some(conversation, log.record)
        assert await log.flush()
        assert _count(path) == first.events
        shutil.rmtree(folder)  # database, WAL, shared memory and the folder, while the bot runs
        second = _chat_some(conversation, log.record)
        assert await log.flush()
        assert path.exists() and _count(path) == second.events
    finally:
        await log.close()
    assert log.stats.dropped == 0


async def test_full_database_keeps_a_bounded_backlog_and_reports_drops(tmp_path):
    path = tmp_path / "d.sqlite"
    # A real SQLITE_FULL: SQLite itself refuses to grow the file past max_page_count pages.
    log = DemandLog(path, memory_limit=200, pragmas=("max_page_count = 8",), **FAST)
    await log.start()

    def record(n: int) -> None:
        log.record(Event("journey", {"journey": f"{n:016x}", "audience": "parent", "age_band": "5-10",
                                     "topics": ["anxiety", "sleep"], "services": ["kirklees-chews"]}), "terminal")

    try:
        for n in range(10):
            record(n)
        assert await log.flush() and log.stats.written == 10  # room for these
        for n in range(3000):
            record(n)
            if n % 100 == 0:
                await asyncio.sleep(0.005)
        await _wait_for(lambda: log.stats.last_error == "full" and log.stats.dropped_memory_full > 0)
        assert log.backlog <= 200 + log.queued  # memory stays bounded
    finally:
        stats = await log.close(timeout=0.2)
    assert 10 <= stats.written < 3010
    assert stats.written + stats.dropped == 3010  # every event is either written or counted as dropped
    assert stats.dropped_at_close > 0 and stats.dropped_memory_full > 0


async def test_a_path_that_cannot_be_made_never_raises(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    log = DemandLog(blocker / "d.sqlite", **FAST)
    await log.start()
    log.record(Event("journey_started", {"journey": "ab" * 8}), "terminal")
    await _wait_for(lambda: log.stats.write_failures >= 1)
    stats = await log.close(timeout=0.1)
    assert stats.written == 0 and stats.dropped_at_close == 1


def test_running_on_its_own_thread_for_the_terminal(conversation, tmp_path):
    path = tmp_path / "d.sqlite"
    import io

    script = "1\n14\nhuddersfield\ni feel anxious all the time\nquite a lot\nyes, it helped\n"
    with demand.running(path) as log:
        assert terminal.run(conversation, io.StringIO(script), io.StringIO(), event_sink=log.record) == 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT kind, channel, audience, topic FROM events ORDER BY id").fetchall()
    assert rows[0] == ("journey_started", "terminal", None, None)
    assert ("journey", "terminal", "young_person", "anxiety") in rows and rows[-1][0] == "feedback"


def test_piped_chat_with_db_logs_demand(tmp_path):
    path = tmp_path / "chat.sqlite"
    script = "2\n5 to 10\nDewsbury\nmy son Tommy Baker wont go to school, call 07700 900456\n3\n2\nyes, it helped\n/quit\n"
    done = subprocess.run([sys.executable, "run_bot.py", "chat", "--db", str(path)], input=script,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    with contextlib.closing(sqlite3.connect(path)) as db:
        kinds = [k for (k,) in db.execute("SELECT kind FROM events WHERE channel = 'terminal' ORDER BY id")]
    assert kinds == ["journey_started", "journey", "feedback"]
    data = b"".join(_files(path).values()).lower()
    assert b"tommy" not in data and b"07700" not in data


# -- journeys and gaps in the events -------------------------------------------------------------------


def test_each_journey_has_a_fresh_random_id(conversation):
    chat = Chat(conversation)
    chat.start()
    first = chat.state.journey
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert all(e.fields["journey"] == first for e in chat.events)
    chat.press("I'm a parent or carer")
    chat.press("5 to 10")
    chat.press("Kirklees (for example Huddersfield, Dewsbury)")
    chat.say("he has tantrums every day")
    chat.press("A few weeks")
    chat.press("A little")
    assert chat.events[-1].kind == "journey" and chat.events[-1].fields["journey"] == first
    chat.press("fb:no")
    chat.press("more")  # a new need is a new journey, same person's answers kept
    second = chat.state.journey
    assert second != first and chat.state.audience == "parent"
    chat.send(UserInput.pressed("restart"))
    assert chat.state.journey not in (first, second)
    other = Chat(conversation)
    other.start()
    assert other.state.journey != chat.state.journey


def test_a_state_without_a_journey_id_gets_one(conversation):
    from bot.dialogue import State

    outcome = conversation.step(State(), UserInput.pressed("urgent"))
    assert outcome.state.journey and outcome.events[0].fields["journey"] == outcome.state.journey


def test_gap_kinds(kb):
    recommender = Recommender(kb)
    cases = {
        "outside-age-limits": (("psychosis",), "getting-more-help", Person("parent", 5, 10, "kirklees")),
        "out-of-area": (("anxiety",), "getting-help", Person("parent", 5, 10, "elsewhere")),
        "no-local-service": (("self-harm",), "getting-help", Person("young_person", 14, 15, "kirklees")),
        None: (("anxiety",), "getting-help", Person("young_person", 14, 15, "kirklees")),
    }
    for reason, (topics, grouping, person) in cases.items():
        found = recommender.recommend(topics, grouping, person)
        assert found.gap_reason == reason and found.gap == (reason is not None)


def test_journey_event_carries_the_gap_kind(conversation):
    chat = Chat(conversation)
    chat.start()
    chat.press("I'm a parent or carer")
    chat.press("5 to 10")
    chat.press("area:elsewhere")
    chat.say("she worries all the time")
    chat.press("A few months")
    chat.press("Quite a lot")
    journey = next(e for e in chat.events if e.kind == "journey")
    assert journey.fields["gap"] == "out-of-area"


def test_recording_an_event_never_awaits():
    """Replies hand events over synchronously: no database wait can sit inside a reply."""
    assert not inspect.iscoroutinefunction(DemandLog.record) and not inspect.iscoroutinefunction(DemandLog.offer)
