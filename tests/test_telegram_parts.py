"""The Telegram front end's parts on their own: rendering, limits, ordering, state, logs, config."""
from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, InvalidToken

from bot.adapters.telegram import TelegramConfig
from bot.adapters.telegram_guards import FloodLimit, PerUserUpdateProcessor
from bot.adapters.telegram_render import MAX_TEXT, escape, keyboard, render, size, split, with_choice
from bot.dialogue import Button, Reply, State
from bot.logsafety import REDACTED, describe_error, protect_secrets, redact
from bot.state_store import StateStore, load_or_create_salt
from tests.fake_bot_api import FakeBotAPI, parse_html, utf16_len

SALT = b"0123456789abcdef-test"


# -- rendering -----------------------------------------------------------------------------------

def test_escaping_and_packing():
    replies = (Reply("Hi <there> & you"), Reply("Pick one", ((Button("A & B", "a"),),)), Reply("After"))
    out = render(replies)
    assert [m.html for m in out] == ["Hi &lt;there&gt; &amp; you\n\nPick one", "After"]
    assert out[0].keyboard.inline_keyboard[0][0].text == "A & B"  # labels are not HTML
    assert out[0].keyboard.inline_keyboard[0][0].callback_data == "a"
    assert out[1].keyboard is None
    assert parse_html(out[0].html) == "Hi <there> & you\n\nPick one"


@pytest.mark.parametrize("unit", ["word ", "a&b ", "😀 ", "x" * 500], ids=["words", "escapes", "emoji", "no-spaces"])
def test_split_stays_under_the_limit(unit):
    text = "\n\n".join([unit * (5000 // len(unit) + 1)] * 4) + "\nlast line"
    chunks = split(text)
    assert all(0 < size(c) <= MAX_TEXT for c in chunks)
    assert all(utf16_len(parse_html(escape(c))) <= MAX_TEXT for c in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_buttons_go_on_the_last_piece_of_a_long_reply():
    long = "\n\n".join(["a paragraph of words " * 30] * 20)
    out = render((Reply(long, ((Button("Next", "n"),),)),))
    assert len(out) > 1 and out[-1].keyboard and not any(m.keyboard for m in out[:-1])


def test_callback_data_over_64_bytes_is_never_sent():
    rows = ((Button("ok", "x" * 64), Button("too long", "é" * 33)), (Button("", "y"),))
    markup = keyboard(rows)
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [["ok"]]


def test_choice_marker_only_when_it_fits():
    assert with_choice("Who are you?", "A <parent>") == "Who are you?\n\n→ A &lt;parent&gt;"
    assert with_choice("x" * MAX_TEXT, "label") is None


def test_every_core_button_fits_telegram(conversation):
    from tests.chat import Chat

    chat = Chat(conversation)
    chat.start()
    seen = set()
    for label in ["I'm a young person", "14 or 15", "Somewhere else", "Feelings and worries"]:
        chat.press(label)
        seen |= {b.action for r in chat.replies for b in r.all_buttons()}
    assert seen and all(1 <= len(a.encode()) <= 64 for a in seen)


# -- flood limit and ordering ----------------------------------------------------------------------

def test_flood_limit_bucket_refills_and_notices_once():
    now = [0.0]
    flood = FloodLimit(3, clock=lambda: now[0])
    assert [flood.allow("k") for _ in range(4)] == [True, True, True, False]
    assert flood.first_refusal("k") and not flood.first_refusal("k")
    now[0] += 20  # 3 a minute: one token back after 20 s
    assert flood.allow("k") and not flood.allow("k")
    assert flood.first_refusal("k"), "a new run of refusals gets a new notice"
    now[0] += 120
    assert flood.prune() == 1 and len(flood) == 0


def _update(chat_id: int, n: int) -> Update:
    return Update.de_json({"update_id": n, "message": {
        "message_id": n, "date": 0, "text": "hi", "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "A"}}}, None)


async def test_per_user_processor_orders_each_person_and_overlaps_people():
    processor = PerUserUpdateProcessor(8)
    log: list[tuple[str, int, int]] = []

    async def work(chat: int, n: int) -> None:
        log.append(("start", chat, n))
        await asyncio.sleep(0.01)
        log.append(("end", chat, n))

    async with processor:
        await asyncio.gather(*(processor.process_update(_update(chat, n), work(chat, n))
                               for n in range(4) for chat in (1, 2)))
    for chat in (1, 2):
        mine = [(kind, n) for kind, c, n in log if c == chat]
        assert mine == [(k, n) for n in range(4) for k in ("start", "end")], "one at a time, in order"
    first_end = next(i for i, entry in enumerate(log) if entry[0] == "end")
    assert {c for kind, c, _ in log[:first_end] if kind == "start"} == {1, 2}, "two people side by side"
    assert processor._lanes == {}


# -- state store -----------------------------------------------------------------------------------

async def test_state_store_keys_expiry_delete_and_flush(tmp_path):
    now = [1_700_000_000.0]
    path = tmp_path / "s.sqlite3"
    store = StateStore(path, salt=SALT, idle_hours=24, clock=lambda: now[0], flush_every=60)
    async with store:
        key = store.key_for(987654321)
        assert key != store.key_for(987654322) and "987654321" not in key and len(key) == 64
        assert await store.get(key) is None
        await store.put(key, State(step="age_band", audience="parent"))
        assert (await store.get(key)).audience == "parent"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with sqlite3.connect(path) as db:  # close() committed the pending write
        [(stored_key, state_json, hour)] = db.execute("SELECT * FROM conversation_state").fetchall()
    assert stored_key == key and '"audience":"parent"' in state_json and hour == int(now[0] // 3600)
    assert "987654321" not in state_json

    async with StateStore(path, salt=SALT, idle_hours=24, clock=lambda: now[0]) as store:
        now[0] += 24 * 3600
        assert (await store.get(key)).step == "age_band", "24 hours idle: still kept"
        now[0] += 3600
        assert await store.get(key) is None, "over 24 hours idle: gone"
        assert await store.purge() == 1 and await store.count() == 0
        await store.put(key, State(step="topics"))
        await store.delete(key)
        assert await store.get(key) is None and await store.count() == 0


async def test_another_salt_cannot_find_the_state(tmp_path):
    path = tmp_path / "s.sqlite3"
    async with StateStore(path, salt=SALT) as store:
        await store.put(store.key_for(5), State(step="area"))
    async with StateStore(path, salt=b"another-salt-0123456789") as other:
        assert await other.get(other.key_for(5)) is None


def test_salt_file_is_made_once_and_private(tmp_path):
    path = tmp_path / "data" / "state.sqlite3.salt"
    first = load_or_create_salt(path)
    assert load_or_create_salt(path) == first and len(first) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# -- logs ------------------------------------------------------------------------------------------

def test_logs_never_show_the_token(caplog):
    token = "555555:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr"
    protect_secrets(token, "webhook-secret-xyz")
    log = logging.getLogger("test.redaction")
    with caplog.at_level(logging.INFO):
        log.info("calling https://api.telegram.org/bot%s/getMe", token)
        log.info("secret is webhook-secret-xyz; another 98765432:ZZyyXXwwVVuuTTssRRqqPPooNNmmLLkkJJ")
        try:
            raise RuntimeError(f"failed for /bot{token}/sendMessage")
        except RuntimeError:
            log.exception("boom")
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert token not in text and "webhook-secret-xyz" not in text and "98765432:ZZ" not in text
    assert text.count(REDACTED) >= 4
    assert redact("nothing secret") == "nothing secret"


def test_describe_error_names_the_type_and_place_not_the_message():
    try:
        raise ValueError("words a person typed")
    except ValueError as exc:
        described = describe_error(exc)
    assert described.startswith("ValueError at test_telegram_parts.py:") and "typed" not in described


# -- configuration ---------------------------------------------------------------------------------

def test_config_from_environment():
    config = TelegramConfig.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", "PORT": "8080", "BOT_STATE_IDLE_HOURS": "12",
                                      "BOT_FLOOD_PER_MINUTE": "10", "TELEGRAM_WEBHOOK_URL": "https://x.org/tg",
                                      "TELEGRAM_WEBHOOK_SECRET": "s3cret_-", "BOT_STATE_DB": "/tmp/x.db"})
    assert (config.port, config.idle_hours, config.flood_per_minute) == (8080, 12, 10.0)
    assert config.webhook_secret == "s3cret_-" and str(config.state_db) == "/tmp/x.db"
    defaults = TelegramConfig.from_env({"TELEGRAM_BOT_TOKEN": "1:abc"})
    assert (defaults.idle_hours, defaults.flood_per_minute) == (24, 20)
    assert defaults.state_db.parts[-2:] == ("data", "state.sqlite3") and "1:abc" not in repr(defaults)
    assert defaults.webhook_url is None and defaults.base_url is None


@pytest.mark.parametrize("env, problem", [
    ({}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_SECRET": "has space"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "PORT": "eighty"}, "PORT"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "BOT_STATE_IDLE_HOURS": "0"}, "BOT_STATE_IDLE_HOURS"),
    ({"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_HTTP_CLIENT": "curl"}, "TELEGRAM_HTTP_CLIENT"),
])
def test_config_problems_are_named(env, problem):
    with pytest.raises(ValueError, match=problem):
        TelegramConfig.from_env(env)


# -- the fake Bot API refuses what Telegram refuses --------------------------------------------------

async def test_fake_bot_api_enforces_telegram_limits():
    async with FakeBotAPI() as api:
        api.message(7, "hi")
        async with Bot(api.token, base_url=api.base_url) as bot:
            assert (await bot.get_me()).username == "signpost_test_bot"
            with pytest.raises(BadRequest, match="(?i)too long"):
                await bot.send_message(7, "x" * 4097)
            await bot.send_message(7, "😀" * 2048)  # 4096 UTF-16 units: the most allowed
            with pytest.raises(BadRequest, match="(?i)too long"):
                await bot.send_message(7, "😀" * 2049)
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                await bot.send_message(7, "pick", reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("x", callback_data="x" * 65)]]))
            with pytest.raises(BadRequest, match="(?i)parse entities"):
                await bot.send_message(7, "a < b", parse_mode="HTML")
            with pytest.raises(BadRequest, match="(?i)chat not found"):
                await bot.send_message(8, "who?")
            with pytest.raises(BadRequest, match="(?i)query is too old"):
                await bot.answer_callback_query("nope")
            await bot.set_webhook("https://example.org/hook")
            with pytest.raises(Conflict):
                await bot.get_updates()


async def test_fake_bot_api_refuses_a_wrong_token():
    async with FakeBotAPI() as api:
        with pytest.raises(InvalidToken):
            async with Bot("999:wrong-token-abcdefghijklmnopqrstuvwxyz", base_url=api.base_url):
                pass
