"""`python run_bot.py` as an operator runs it: a real process, real signals, the fake Bot API.

With TELEGRAM_BOT_TOKEN set and no subcommand, run_bot.py starts the Telegram
bot (`run_polling`, PTB's own signal handling). SIGTERM and SIGINT stop it
cleanly: exit code 0, the person's place written to SQLite, and no token in
what it printed. A second process picks the journey up where the first left it.
"""
from __future__ import annotations

import asyncio
import os
import socket
import signal
import sqlite3
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.fake_bot_api import FakeBotAPI, FakeUser, text_of

ROOT = Path(__file__).resolve().parents[1]
USER = 31337


async def start_bot(api: FakeBotAPI, tmp_path: Path, log_name: str, *args: str,
                    **more_env: str) -> asyncio.subprocess.Process:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TELEGRAM_BOT_TOKEN": api.token,
           "TELEGRAM_BASE_URL": api.base_url, "BOT_STATE_DB": str(tmp_path / "state.sqlite3"),
           "BOT_DEMAND_DB": str(tmp_path / "demand.sqlite"), "BOT_LOG_LEVEL": "DEBUG", **more_env}
    log = (tmp_path / log_name).open("wb")
    process = await asyncio.create_subprocess_exec(sys.executable, "run_bot.py", *args, cwd=ROOT, env=env,
                                                   stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    await api.wait_for(lambda: api.commands and (api.allowed_updates or api.webhook), timeout=30)
    return process


async def stop_bot(process: asyncio.subprocess.Process, how: signal.Signals) -> int:
    process.send_signal(how)
    try:
        return await asyncio.wait_for(process.wait(), 20)
    except TimeoutError:
        process.kill()
        raise


@pytest.mark.parametrize("first_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_run_bot_serves_telegram_stops_on_signal_and_resumes(tmp_path, first_signal):
    async with FakeBotAPI() as api:
        process = await start_bot(api, tmp_path, "first.log")
        try:
            user = FakeUser(api, USER)
            assert "First, who are you?" in text_of(await user.say("/start"))
            assert "How old are you?" in text_of(await user.press("I'm a young person"))
        finally:
            code = await stop_bot(process, first_signal)
        assert code == 0
        with sqlite3.connect(tmp_path / "state.sqlite3") as db:
            [(key, state)] = db.execute("SELECT user_key, state FROM conversation_state").fetchall()
        assert str(USER) not in key and '"step":"age_band"' in state
        assert (tmp_path / "state.sqlite3.salt").exists()
        with sqlite3.connect(tmp_path / "demand.sqlite") as db:
            assert db.execute("SELECT COUNT(*) FROM events WHERE channel = 'telegram'").fetchone()[0] >= 1, \
                "the live bot feeds the demand log"

        api.allowed_updates = None
        process = await start_bot(api, tmp_path, "second.log", "telegram")
        try:
            assert "Where do you live?" in text_of(await user.say("15")), "the journey carries on"
        finally:
            assert await stop_bot(process, signal.SIGTERM) == 0

    printed = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "Application started" in printed
    assert api.token not in printed and api.token.split(":")[1] not in printed
    assert str(USER) not in printed and "I'm a young person" not in printed


async def test_telegram_without_a_token_says_why(tmp_path):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "run_bot.py", "telegram", cwd=ROOT, env={"PATH": os.environ.get("PATH", "")},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2 and b"TELEGRAM_BOT_TOKEN is not set" in err


async def test_run_bot_webhook_mode_checks_the_secret(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/tg/hook"
    async with FakeBotAPI() as api:
        process = await start_bot(api, tmp_path, "webhook.log", "telegram", TELEGRAM_WEBHOOK_URL=url,
                                  PORT=str(port), TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
                                  TELEGRAM_WEBHOOK_SECRET="s3cret-value_1")
        try:
            assert api.webhook == {"url": url, "secret_token": "s3cret-value_1",
                                   "allowed_updates": ["message", "edited_message", "callback_query"]}
            update = api.message(USER, "/start", queue=False)
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}) as bad:
                    assert bad.status == 403
                async with http.post(url, json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-value_1"}) as good:
                    assert good.status == 200
            _, reply = await api.next_message(USER, timeout=10)
            assert "First, who are you?" in reply["text"]
            assert api.pending_updates == 0 and not api.sent("getupdates"), "no polling in webhook mode"
        finally:
            assert await stop_bot(process, signal.SIGTERM) == 0
    printed = (tmp_path / "webhook.log").read_text()
    assert "s3cret-value_1" not in printed and api.token not in printed


async def test_bench_telegram_runs_end_to_end():
    process = await asyncio.create_subprocess_exec(
        sys.executable, "run_bot.py", "bench", "telegram", "--users", "5", "--messages", "150", cwd=ROOT,
        env={"PATH": os.environ.get("PATH", "")}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    text = out.decode()
    assert "150 updates from 5 people" in text and "updates/s" in text and "p99" in text
    assert "failed Bot API calls: 0, unanswered turns: 0" in text
