"""Conversations written as data (tests/transcripts/*.yaml), replayed through the core.

`now:` (optional) sets the clock, e.g. "2026-12-25T23:30".
Each step either `say`s some text or `press`es a button by its label, then
checks what came back:
  contains / not_contains: words in the joined reply text (case-insensitive)
  first_contains: words in the first reply (urgent help must come first)
  buttons: labels that must be offered
  services: service ids that must be recommended, in any order
  not_services: service ids that must not be recommended
  step, grouping, audience, area, age_band, age, duration, severity, urgency, role, help_called, crisis_shown,
    topics: fields of the new state; circumstances: situations that must be noted
An unknown key fails the test (a misspelt check would otherwise check nothing).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.chat import Chat

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))


_FIELDS = ("step", "grouping", "audience", "area", "age_band", "age", "duration", "severity", "urgency", "role",
           "help_called", "crisis_shown")
_KEYS = frozenset({"contains", "not_contains", "first_contains", "buttons", "services", "not_services",
                   "circumstances", "topics", *_FIELDS})


def _check(chat: Chat, expect: dict, where: str) -> None:
    unknown = set(expect) - _KEYS
    assert not unknown, f"{where}: unknown check(s) {sorted(unknown)}"
    text = chat.text.lower()
    for word in expect.get("contains", []):
        assert word.lower() in text, f"{where}: {word!r} not in reply:\n{chat.text}"
    for word in expect.get("not_contains", []):
        assert word.lower() not in text, f"{where}: {word!r} should not be in reply:\n{chat.text}"
    for word in expect.get("first_contains", []):
        assert word.lower() in chat.replies[0].text.lower(), f"{where}: {word!r} not first:\n{chat.text}"
    for label in expect.get("buttons", []):
        assert label in chat.labels, f"{where}: no button {label!r} in {chat.labels}"
    for service in expect.get("services", []):
        assert service in chat.state.services, f"{where}: {service} not in {chat.state.services}"
    for service in expect.get("not_services", []):
        assert service not in chat.state.services, f"{where}: {service} should not be in {chat.state.services}"
    for name in expect.get("circumstances", []):
        assert name in chat.state.circumstances, f"{where}: {name} not in {chat.state.circumstances}"
    for key in _FIELDS:
        if key in expect:
            assert getattr(chat.state, key) == expect[key], f"{where}: {key} is {getattr(chat.state, key)!r}"
    if "topics" in expect:
        assert chat.state.topics[: len(expect["topics"])] == tuple(expect["topics"]), (
            f"{where}: topics are {chat.state.topics}")


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(conversation, path, monkeypatch):
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "now" in script:
        monkeypatch.setenv("BOT_NOW", str(script["now"]))
    chat = Chat(conversation)
    chat.start()
    for number, step in enumerate(script["steps"], start=1):
        where = f"{path.name} step {number}"
        if "say" in step:
            chat.say(str(step["say"]))
        elif "press" in step:
            chat.press(str(step["press"]))
        _check(chat, step.get("expect", {}), where)
