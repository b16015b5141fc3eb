"""`run_bot.py bench telegram --users N --messages M`: the whole Telegram path, timed.

The bot runs here exactly as in production (python-telegram-bot's Application,
long polling over HTTP, the per-person processor, the flood gate, SQLite state,
HTML rendering), pointed at the local Bot API stand-in (`tests/fake_bot_api.py`),
which runs in a second process with N simulated people. Each person waits for
the bot's answer before the next step, like a real one, and walks whole journeys:
/start, a button, a typed age, a typed town, a worry in their own words (from
`bot.bench.messages`, crisis wording included), then buttons to the end.

It prints updates per second and the time from an update being queued at the
stand-in to the bot's reply arriving there (p50/p99; a reply is one message, or
the last of several when it is long), and the bot's CPU time per update. With N
people each waiting for their answer, the latency includes queueing once the
bot's core is busy: fewer people, shorter waits. Telegram's own send limit (about 30 messages a second for
one bot) is lifted for this run, and so is the per-person flood limit: the
figures are what this machine can do, not what Telegram would allow.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.knowledge import KnowledgeBase

SKIP = ("urgent", "back", "restart", "browse", "more")
TURN_TIMEOUT = 15.0


def run(kb: KnowledgeBase, users: int = 50, updates: int = 10000) -> int:
    from bot.adapters.telegram import use_fast_event_loop

    try:
        import tests.fake_bot_api  # noqa: F401 - the stand-in lives with the tests
    except ImportError:
        print("bench telegram needs tests/fake_bot_api.py: run it from the project folder", file=sys.stderr)
        return 2
    users, updates = max(1, users), max(1, updates)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    stand_in = context.Process(target=_stand_in, args=(child, users, updates), daemon=True)
    stand_in.start()
    try:
        use_fast_event_loop()  # as the real bot does
        result = asyncio.run(_bot_side(kb, parent))
    finally:
        parent.send("bye")
        stand_in.join(10)
        if stand_in.is_alive():
            stand_in.terminate()
    return _report(result, users)


async def _bot_side(kb: KnowledgeBase, pipe: Any) -> dict[str, Any]:
    from bot.adapters.telegram import TelegramConfig, TelegramFrontEnd, running
    from bot.conversation import Conversation

    loop = asyncio.get_running_loop()
    base_url, token = await loop.run_in_executor(None, pipe.recv)
    with tempfile.TemporaryDirectory() as folder:
        config = TelegramConfig(token=token, base_url=base_url, state_db=Path(folder) / "state.sqlite3",
                                state_salt="benchmark-salt-0123456789", poll_timeout=10, overall_rate=0,
                                flood_per_minute=10**9)
        front = TelegramFrontEnd(Conversation(kb), config)
        app = front.build()
        async with running(app, polling=front.polling_options()):
            cpu = time.process_time()
            pipe.send("go")
            result = await loop.run_in_executor(None, pipe.recv)
            result["bot_cpu"] = time.process_time() - cpu
        result["stored_states"] = await _count_rows(config.state_db)
    return result


async def _count_rows(path: Path) -> int:
    import aiosqlite

    async with aiosqlite.connect(path) as db, db.execute("SELECT COUNT(*) FROM conversation_state") as cursor:
        return (await cursor.fetchone())[0]


def _report(result: dict[str, Any], users: int) -> int:
    done, seconds = result["updates"], result["seconds"]
    whole = sorted(result["whole_ms"])

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")

    print(f"telegram: {done} updates from {users} people in {seconds:.2f}s: {done / seconds:,.0f} updates/s "
          f"({result['journeys']} whole journeys, {result['sent']} messages sent, {result['presses']} presses)")
    print(f"  update -> reply: p50 {statistics.median(whole):.1f} ms, p99 {pct(whole, 0.99):.1f} ms, "
          f"max {whole[-1]:.1f} ms")
    print(f"  bot process: {result['bot_cpu']:.2f}s of CPU, {result['bot_cpu'] / done * 1000:.2f} ms per update "
          f"({result['bot_cpu'] / seconds:.0%} of one core); the stand-in, in its own process: "
          f"{result['stand_in_cpu'] / seconds:.0%} of a core")
    print(f"  failed Bot API calls: {result['failed_calls']}, unanswered turns: {result['timeouts']}, "
          f"conversation states stored: {result['stored_states']}")
    return 0 if result["timeouts"] == 0 and result["failed_calls"] == 0 else 1


# -- the stand-in's side: runs in its own process ----------------------------------------------------

def _stand_in(pipe: Any, users: int, updates: int) -> None:
    asyncio.run(_stand_in_main(pipe, users, updates))


async def _stand_in_main(pipe: Any, users: int, updates: int) -> None:
    from bot.bench import messages
    from tests.fake_bot_api import FakeBotAPI

    loop = asyncio.get_running_loop()
    async with FakeBotAPI() as api:
        pipe.send((api.base_url, api.token))
        await loop.run_in_executor(None, pipe.recv)  # "go": the bot is polling
        worries = messages(2000)
        tally = {"left": updates, "whole_ms": [], "journeys": 0, "presses": 0, "timeouts": 0}
        start, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(_person(api, 10_000 + i, random.Random(i), worries, tally) for i in range(users)))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        failed = [c for c in api.calls if not c.ok and c.method != "getupdates"]
        pipe.send({"updates": updates - max(0, tally["left"]), "seconds": seconds, "whole_ms": tally["whole_ms"], "journeys": tally["journeys"], "presses": tally["presses"],
                   "timeouts": tally["timeouts"], "failed_calls": len(failed),
                   "sent": len(api.sent("sendmessage")), "stand_in_cpu": cpu})
        await loop.run_in_executor(None, pipe.recv)  # "bye": the bot has stopped polling


async def _person(api: Any, user_id: int, rng: random.Random, worries: list[str], tally: dict[str, Any]) -> None:
    """One simulated person: whole journeys, one step at a time, until the updates run out."""
    inbox = api.inbox(user_id)
    keyboard: dict[str, Any] | None = None

    async def step(content: dict[str, Any] | None = None, data: str | None = None) -> dict[str, Any] | None:
        nonlocal keyboard
        if tally["left"] <= 0:
            return None
        tally["left"] -= 1
        sent_at = time.perf_counter()
        if data is not None:
            api.press(user_id, keyboard, data)
            tally["presses"] += 1
        else:
            api.message(user_id, **content)
        while True:
            try:
                how, message = await asyncio.wait_for(inbox.get(), TURN_TIMEOUT)
            except TimeoutError:
                tally["timeouts"] += 1
                return None
            if how == "edit":
                continue
            if message.get("reply_markup") or data == "done":
                tally["whole_ms"].append((time.perf_counter() - sent_at) * 1000)
                keyboard = message if message.get("reply_markup") else keyboard
                return message

    while tally["left"] > 0:
        shown = await step({"text": "/start"})
        audience = rng.choice(["aud:young_person", "aud:parent"])
        for typed in (None, str(rng.randint(8, 17)), rng.choice(["huddersfield", "dewsbury", "batley", "leeds"]),
                      rng.choice(worries)):
            if shown is None:
                return
            shown = await (step(data=audience) if typed is None else step({"text": typed}))
        for _ in range(12):
            if shown is None or not shown.get("reply_markup"):
                break
            actions = [b["callback_data"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
            choice = next((a for a in ("done", "fb:yes", "resume", "chk:no") if a in actions), None)
            choice = choice or next((a for a in actions if a not in SKIP), actions[0])
            shown = await step(data=choice)
            if choice == "done":
                tally["journeys"] += 1
                break
