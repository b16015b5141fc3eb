"""End to end: python-telegram-bot's real Application, over HTTP, against the fake Bot API.

Every test starts the fake server on 127.0.0.1, builds the bot exactly as
production does (base_url pointing at the fake), runs it with the same steps as
`run_polling` (or `start_webhook`), and talks to it as a person would: messages,
button presses, stickers, edits. The fake refuses anything Telegram would refuse
(4096 characters, 64-byte callback data, bad HTML, unknown query ids), so a test
passing means the real API would have accepted every call too.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.telegram import ALLOWED_UPDATES, MENU, TelegramConfig, TelegramFrontEnd, running
from bot.dialogue import Reply
from tests.fake_bot_api import FakeBotAPI, FakeUser, text_of

SALT = "test-salt-0123456789abcdef"
USER = 4242001


@pytest.fixture
async def api():
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def config(api, tmp_path) -> TelegramConfig:
    return TelegramConfig(token=api.token, base_url=api.base_url, state_db=tmp_path / "state.sqlite3",
                          state_salt=SALT, poll_timeout=1, flush_every=0.05, bootstrap_retries=0)


@asynccontextmanager
async def bot(conversation, config, events=None, webhook=None):
    front = TelegramFrontEnd(conversation, config, event_sink=(lambda e, c: events.append((e, c)))
                             if events is not None else None)
    app = front.build()
    options = {"webhook": webhook} if webhook else {"polling": front.polling_options()}
    async with running(app, **options):
        yield front


def ok_calls(api, method):
    return [c for c in api.sent(method) if c.ok]


def failed(api):
    return [(c.method, c.error) for c in api.calls if not c.ok and c.method != "getupdates"]


def stored_rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT user_key, state, seen_hour FROM conversation_state").fetchall()


async def test_full_journey_by_buttons(api, config, conversation):
    events = []
    async with bot(conversation, config, events) as front:
        assert [c["command"] for c in api.commands] == list(MENU)
        user = FakeUser(api, USER)
        welcome = await user.say("/start")
        assert "I am a bot" in text_of(welcome) and "First, who are you?" in text_of(welcome)
        assert len(welcome) == 1, "the welcome and the first question go in one message"
        await user.press("I'm a young person")
        await user.press("14 or 15")
        await user.press("Kirklees (for example Huddersfield, Dewsbury)")
        await user.press("Feelings and worries")
        await user.press("Worry, stress or panic")
        results = await user.press("Quite a lot")
        assert "Start with number 1" in text_of(results)
        labels = user.labels()
        assert labels[0].startswith("More about") and {"Yes, it helped", "Not really"} <= set(labels)
        more = await user.press(labels[0])  # the full card, with the feedback still one press away
        assert "What happens next" in text_of(more) or "How to get help" in text_of(more)
        await user.press("Yes, it helped")
        goodbye = await user.press("I'm done")
        assert "Take care" in text_of(goodbye)

    assert len(ok_calls(api, "answercallbackquery")) == 9, "every press is answered"
    methods = [c.method for c in api.calls if c.method != "getupdates"]
    for i, method in enumerate(methods):
        if method == "answercallbackquery":
            assert methods[i + 1:i + 3] == ["editmessagetext", "sendmessage"], \
                "the query is answered first, then the choice is shown, then the reply"
    assert user.edits[0]["text"].endswith("→ I'm a young person"), "the choice is shown under the question"
    assert all("reply_markup" not in e for e in user.edits), "answered questions lose their buttons"
    assert failed(api) == []
    assert api.allowed_updates == ALLOWED_UPDATES
    assert all(c.params.get("parse_mode") == "HTML" for c in api.sent("sendmessage"))
    assert [c for e, c in events] and {c for e, c in events} == {"telegram"}
    assert {"journey_started", "journey", "feedback"} <= {e.kind for e, _ in events}
    rows = stored_rows(config.state_db)
    assert len(rows) == 1 and rows[0][0] == front.store.key_for(USER) and str(USER) not in rows[0][0]
    assert '"step":' in rows[0][1] and "Sam" not in rows[0][1]


async def test_free_text_journey(api, config, conversation):
    async with bot(conversation, config):
        user = FakeUser(api, USER)
        await user.say("/start")
        assert "How old is your child?" in text_of(await user.press("I'm a parent or carer"))
        assert "Where do you live?" in text_of(await user.say("9"))
        await user.say("dewsbury")
        reply = await user.say("he <b>won't</b> go to school & gets really angry")
        assert reply, "free text is understood or asked about"
        results = await user.say("/services chews")
        assert "ChEWS" in text_of(results)
    assert failed(api) == []


async def test_crisis_mid_journey_then_carry_on(api, config, conversation):
    async with bot(conversation, config):
        user = FakeUser(api, USER)
        await user.say("/start")
        await user.press("I'm a young person")
        await user.say("15")
        await user.say("huddersfield")
        crisis = await user.say("i want to kill myself tonight")
        text = text_of(crisis)
        assert "999" in text and "116 123" in text
        assert "I'm safe, carry on" in user.labels()
        back = await user.press("I'm safe, carry on")
        assert "Let's carry on" in text_of(back) and "Urgent help now" in user.labels()
        urgent = await user.press("Urgent help now")
        assert "999" in text_of(urgent)
    assert failed(api) == []


async def test_restart_in_the_middle_of_a_journey_keeps_the_place(api, config, conversation):
    async with bot(conversation, config):
        user = FakeUser(api, USER)
        await user.say("/start")
        await user.press("I'm a parent or carer")
        asked = await user.say("12")
        assert "Where do you live?" in text_of(asked)
    assert len(stored_rows(config.state_db)) == 1, "shutdown wrote the state"
    async with bot(conversation, config):
        after = await user.press("Kirklees (for example Huddersfield, Dewsbury)")
        assert "What are you worried about?" in text_of(after), "the journey goes on where it was"
    assert failed(api) == []


async def test_sticker_photo_caption_location_contact_and_edits(api, config, conversation):
    async with bot(conversation, config):
        user = FakeUser(api, USER)
        await user.say("/start")
        sticker = {"file_id": "st1", "file_unique_id": "st1", "type": "regular", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False}
        assert "only read" in text_of(await user.send(sticker=sticker))
        photo = [{"file_id": "ph1", "file_unique_id": "ph1", "width": 90, "height": 90}]
        assert "only read" in text_of(await user.send(photo=photo))
        voice = {"file_id": "vo1", "file_unique_id": "vo1", "duration": 3}
        assert "only read" in text_of(await user.send(voice=voice))
        document = {"file_id": "do1", "file_unique_id": "do1", "file_name": "notes.pdf"}
        assert "only read" in text_of(await user.send(document=document))
        located = await user.send(location={"latitude": 53.64, "longitude": -1.78})
        assert "do not use your location" in text_of(located)
        contact = await user.send(contact={"phone_number": "+447700900000", "first_name": "Jo"})
        assert "do not keep phone numbers" in text_of(contact)
        await user.press("I'm a young person")
        captioned = await user.send(photo=photo, caption="14")
        assert "Where do you live?" in text_of(captioned), "the caption is read as text"
        api.message(USER, "batley", edited=True)
        assert "changes to a message" in text_of(await user.turn())
        api.message(USER, "actually i want to end my life", edited=True)
        assert "999" in text_of(await user.turn()), "an edit that reads as a crisis is answered"
    assert failed(api) == []


async def test_flood_limit_is_polite_and_crisis_still_answered(api, config, conversation):
    async with bot(conversation, replace(config, flood_per_minute=3)):
        user = FakeUser(api, USER, quiet=0.4)
        for text in ("/start", "hello", "hello again", "and again", "more", "more still"):
            api.message(USER, text)
        texts = [message["text"] for _, message in await user.silence(0.8)]
        notices = [t for t in texts if "sending messages very fast" in t]
        assert len(notices) == 1, "one polite notice, not one per message"
        assert len(texts) == 3 + 1
        user.last_keyboard = None
        crisis = await user.say("i am going to kill myself")
        assert "999" in text_of(crisis), "a crisis message is answered whatever the limit"
        api.press(USER, user.last_keyboard, "resume")
        await api.wait_for(lambda: any(c.method == "answercallbackquery" and c.params.get("text")
                                       for c in api.calls))
        assert "sending messages very fast" in api.sent("answercallbackquery")[-1].params["text"]
        assert "deleted" in text_of(await user.say("/delete")), "/delete works whatever the limit"
    assert failed(api) == []


async def test_group_chat_told_once_and_nothing_kept(api, config, conversation):
    group = api.group_chat(-1001234567890)
    async with bot(conversation, config) as front:
        inbox = api.inbox(group["id"])
        api.message(USER, "/start@signpost_test_bot", chat=group)
        _, notice = await api.next_message(group["id"])
        assert "one to one" in notice["text"]
        api.message(USER, "/help@signpost_test_bot", chat=group)
        api.message(USER + 1, "hello bot", chat=group)
        await asyncio.sleep(0.3)
        assert inbox.empty(), "the group notice is said once"
        api.message(USER, "/crisis", chat=group)
        _, crisis = await api.next_message(group["id"])
        assert "999" in crisis["text"], "a crisis is still answered in a group, without buttons"
        assert "reply_markup" not in crisis
        assert await front.store.count() == 0
    assert stored_rows(config.state_db) == []
    assert failed(api) == []


async def test_delete_and_privacy(api, config, conversation):
    async with bot(conversation, replace(config, idle_hours=12)) as front:
        user = FakeUser(api, USER)
        await user.say("/start")
        await user.press("I'm a young person")
        privacy = text_of(await user.say("/privacy"))
        assert "12 hours" in privacy and "/delete" in privacy and "never keep" in privacy
        assert "/delete" in text_of(await user.say("/help"))
        assert await front.store.count() == 1
        deleted = await user.say("/delete")
        assert "deleted" in text_of(deleted)
        assert await front.store.count() == 0
    assert stored_rows(config.state_db) == []
    assert failed(api) == []


async def test_handler_error_apologises_with_urgent_numbers_and_logs_no_personal_data(
        api, config, conversation, caplog):
    caplog.set_level(logging.DEBUG)
    secret_words = "my secret worry about mum"
    async with bot(conversation, config):
        user = FakeUser(api, USER)
        await user.say("/start")
        api.fail_next("sendMessage", 400, "Bad Request: injected failure")
        api.message(USER, secret_words)
        apology = await user.turn()
        assert "something went wrong" in text_of(apology) and "999" in text_of(apology)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "BadRequest" in logged
    assert api.token not in logged and api.token.split(":")[1] not in logged
    assert str(USER) not in logged and secret_words not in logged and "Sam" not in logged


async def test_replies_are_escaped_and_long_ones_split(api, config, conversation):
    async with bot(conversation, config) as front:
        api.message(USER, "/start")
        await FakeUser(api, USER).turn()
        markup_like = "Tap <b>here</b> & see <a href='x'>this</a> > that"
        await front.send(front.app.bot, USER, [Reply(markup_like)])
        long_text = "\n\n".join(f"Paragraph {i} & <more> " + "words " * 120 for i in range(12))
        await front.send(front.app.bot, USER, [Reply(long_text)])
    shown = [c for c in api.sent("sendmessage") if "Tap" in c.params["text"]]
    assert shown[0].ok and shown[0].result["text"] == markup_like, "escaped: shown as typed, never as markup"
    sent = [c for c in api.sent("sendmessage") if "Paragraph" in c.params["text"]]
    assert len(sent) >= 2 and all(c.ok for c in sent)
    assert "".join(c.result["text"] for c in sent).count("Paragraph") == 12


async def test_webhook_checks_the_secret_on_every_request(api, config, conversation):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = replace(config, webhook_url=f"http://127.0.0.1:{port}/telegram-hook", listen="127.0.0.1", port=port,
                     webhook_secret="right-secret_123")
    front = TelegramFrontEnd(conversation, config)
    async with bot(conversation, config, webhook=front.webhook_options()):
        assert api.webhook["url"] == config.webhook_url
        assert api.webhook["secret_token"] == "right-secret_123"
        update = api.message(USER, "/start", queue=False)
        url = config.webhook_url
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            assert api.inbox(USER).empty(), "rejected requests are not processed"
            async with http.post(url, json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "right-secret_123"}) as response:
                assert response.status == 200
        _, reply = await api.next_message(USER)
        assert "First, who are you?" in reply["text"]
    assert failed(api) == []


async def test_httpx_client_still_works(api, config, conversation):
    async with bot(conversation, replace(config, http_client="httpx")):
        assert "First, who are you?" in text_of(await FakeUser(api, USER).say("/start"))
    assert failed(api) == []


async def test_report_is_for_admins_only(api, config, conversation, tmp_path):
    from bot import simulate

    db = tmp_path / "simulated.sqlite"
    await simulate.fill(db, conversation, 300, weeks=4, seed=7)
    admin_config = replace(config, admin_user_ids=frozenset({USER}), demand_db=db)
    async with bot(conversation, admin_config):
        stranger = FakeUser(api, USER + 1)
        assert "not available" in text_of(await stranger.say("/report"))
        admin = FakeUser(api, USER)
        await admin.say("/report")
        await api.wait_for(lambda: ok_calls(api, "sendphoto"), timeout=20)
        summary = "\n".join(c.params.get("text", "") for c in api.sent("sendmessage", chat_id=USER))
        assert "SIMULATED" in summary.upper()
    assert [c for c in ok_calls(api, "sendphoto")] and failed(api) == []
