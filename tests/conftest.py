"""Shared fixtures: the real knowledge base and conversation core, loaded once per session."""
from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.knowledge import load


@pytest.fixture(autouse=True)
def daytime(monkeypatch):
    """Replies depend on the clock (what is open now): a Tuesday morning unless a test says otherwise."""
    monkeypatch.setenv("BOT_NOW", "2026-11-24T11:00")


@pytest.fixture(scope="session")
def kb():
    return load()


@pytest.fixture(scope="session")
def conversation(kb):
    return Conversation(kb)
