"""`run_bot.py bench demand|report`: speed of the demand writer and of the commissioner report.

`demand` pushes simulated events through `DemandLog.record` (the reply path) as fast
as one core can and reports: the cost of one `record` call (what a reply pays),
the slowest `record` call while the writer was busy, and events per second from the
first `record` to the last row committed (WAL, synchronous=NORMAL, batched).

`report` fills (or reuses) a database of `--events` simulated events (1,000,000 by
default, about 52 weeks) and times reading it (`collect`) and rendering Markdown,
CSV and HTML with charts.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import random
import secrets
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bot.conversation import Conversation
from bot.demand import DemandLog, event_row, now_local
from bot.dialogue import Event
from bot.knowledge import KnowledgeBase
from bot.report import Query, build, collect, labels_from_kb, render
from bot.simulate import Simulator


def _pool(conversation: Conversation, journeys: int, seed: int = 11) -> list[list[Event]]:
    """Realistic journeys' events (through the real conversation core), to replay."""
    simulator = Simulator(conversation, seed)
    return [events for _plan, events in simulator.journeys(journeys, weeks=4)]


async def _bench_writer(path: Path, pool: list[list[Event]], total: int) -> dict[str, float]:
    demand = DemandLog(path, retention_months=None)
    await demand.start()
    stream = []
    while len(stream) < total:
        for events in pool:
            journey = secrets.token_hex(8)
            stream += [Event(e.kind, {**e.fields, "journey": journey}) for e in events]
    stream = stream[:total]
    gc.collect()
    gc.freeze()  # the test stream itself is not the bot's memory: keep its collection out of the timings
    slowest = 0.0
    calls = []
    started = time.perf_counter()
    for number, event in enumerate(stream):
        while demand.queued >= demand.queue_size - 1:
            await asyncio.sleep(0.0005)  # sustained-rate test: wait for room rather than drop
        t0 = time.perf_counter()
        demand.record(event, "telegram")
        spent = time.perf_counter() - t0
        slowest = max(slowest, spent)
        if number % 50 == 0:
            calls.append(spent)
        if number % 500 == 0:
            await asyncio.sleep(0)
    produced = time.perf_counter() - started
    await demand.flush(timeout=120)
    finished = time.perf_counter() - started
    stats = await demand.close()
    return {"events": total, "written": stats.written, "dropped": stats.dropped, "produce_s": produced,
            "total_s": finished, "record_mean_us": statistics.fmean(calls) * 1e6,
            "record_p99_us": sorted(calls)[int(len(calls) * 0.99)] * 1e6, "record_max_us": slowest * 1e6}


def bench_demand(kb: KnowledgeBase, events: int, db: str | None) -> int:
    conversation = Conversation(kb)
    pool = _pool(conversation, 2_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(db) if db else Path(tmp) / "bench-demand.sqlite"
        if path.exists():
            print(f"{path} exists; give a new path for the writer benchmark")
            return 1
        result = asyncio.run(_bench_writer(path, pool, events))
        size = path.stat().st_size if path.exists() else 0
    print(f"demand writer: {result['written']:,} of {result['events']:,} events written, "
          f"{result['dropped']:,} dropped")
    print(f"  throughput   {result['written'] / result['total_s']:,.0f} events/s end to end "
          f"(first record to last commit, {result['total_s']:.2f} s)")
    print(f"  record()     mean {result['record_mean_us']:.1f} us, p99 {result['record_p99_us']:.1f} us, "
          f"slowest {result['record_max_us']:.0f} us (the cost a reply pays)")
    print(f"  database     {size / 1e6:.1f} MB ({size / max(result['written'], 1):.0f} bytes an event)")
    return 0


async def _fill(path: Path, pool: list[list[Event]], total: int, weeks: int) -> int:
    """About `total` events from the pool, spread over `weeks` weeks, written by the real writer."""
    demand = DemandLog(path, retention_months=None, queue_size=50_000, batch_size=10_000, linger=0)
    await demand.start()
    rng = random.Random(5)
    end = now_local().date()
    days = [end - dt.timedelta(days=i) for i in range(weeks * 7)]
    written = 0
    try:
        while written < total:
            events = rng.choice(pool)
            day = rng.choice(days)
            when = dt.datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=now_local().tzinfo)
            key = secrets.token_hex(8)
            for event in events:
                await demand.put(event_row(event, "telegram", when, key, simulated=True))
            written += len(events)
    finally:
        stats = await demand.close(timeout=300)
    return stats.written


def bench_report(kb: KnowledgeBase, events: int, db: str | None) -> int:
    path = Path(db) if db else Path(tempfile.gettempdir()) / f"bench-report-{events}.sqlite"
    have = 0
    if path.exists():
        with sqlite3.connect(path) as conn:
            have = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    if have < events:
        if path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"filling {path} with {events:,} simulated events...", flush=True)
        t0 = time.perf_counter()
        pool = _pool(Conversation(kb), 20_000)
        have = asyncio.run(_fill(path, pool, events, weeks=52))
        print(f"  {have:,} events in {time.perf_counter() - t0:.1f} s", flush=True)
    labels = labels_from_kb(kb)
    query = Query()
    t0 = time.perf_counter()
    facts = collect(path, query)
    read = time.perf_counter() - t0
    report = build(facts, query, labels)
    timings = {}
    for fmt in ("md", "csv", "html"):
        t1 = time.perf_counter()
        text = render(report, fmt)
        timings[fmt] = (time.perf_counter() - t1, len(text))
    print(f"report over {have:,} events ({facts.journeys:,} journeys, {path.stat().st_size / 1e6:.0f} MB):")
    print(f"  read and count (SQL)  {read:.2f} s")
    for fmt, (seconds, size) in timings.items():
        print(f"  render {fmt:<4}          {seconds:.2f} s ({size / 1e3:.0f} kB)")
    print(f"  total, md             {read + timings['md'][0]:.2f} s; html with charts "
          f"{read + timings['html'][0]:.2f} s")
    return 0


def run(kb: KnowledgeBase, args: argparse.Namespace) -> int:
    events = args.events or (200_000 if args.what == "demand" else 1_000_000)
    if args.what == "demand":
        return bench_demand(kb, events, args.db)
    return bench_report(kb, events, args.db)

