"""Shared fixtures: the real knowledge base and conversation core, loaded once per session."""
from __future__ import annotations

import pytest

from bot.conversation import Conversation
from bot.knowledge import load


@pytest.fixture(scope="session")
def kb():
    return load()


@pytest.fixture(scope="session")
def conversation(kb):
    return Conversation(kb)
