"""Fairness between people: one person's updates in order, a per-person flood limit.

`PerUserUpdateProcessor` lets updates from different people run side by side
while each person's updates run one at a time, in the order they arrived, so a
journey's state is never read and written by two updates at once (PTB's
"sequential per user, concurrent across users" processor, PTB#3509).

`FloodLimit` is a token bucket per person, in memory only: `per_minute`
messages in a burst, refilled at `per_minute` a minute. The adapter lets crisis
messages through whatever the bucket says.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across people, sequential for each person (keyed by chat, else user)."""

    __slots__ = ("_lanes",)

    def __init__(self, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self._lanes: dict[int, list[Any]] = {}  # chat id -> [lock, updates waiting or running]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        lane_id = _lane(update)
        if lane_id is None:
            await coroutine
            return
        lane = self._lanes.get(lane_id)
        if lane is None:
            lane = self._lanes[lane_id] = [asyncio.Lock(), 0]
        lane[1] += 1
        try:
            async with lane[0]:
                await coroutine
        finally:
            lane[1] -= 1
            if lane[1] == 0:
                del self._lanes[lane_id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: lanes empty themselves."""


def _lane(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


class FloodLimit:
    """A token bucket per key: `per_minute` at once, refilling at `per_minute` per minute."""

    def __init__(self, per_minute: float, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, list[float | bool]] = {}  # key -> [tokens, last time, told]

    def allow(self, key: str) -> bool:
        """Take one token if there is one. True: go ahead; False: over the limit."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self.prune()
            bucket = self._buckets[key] = [self.capacity, now, False]
        tokens = min(self.capacity, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0], bucket[2] = tokens - 1.0, False
            return True
        bucket[0] = tokens
        return False

    def first_refusal(self, key: str) -> bool:
        """True once per run of refusals, so the polite notice is sent once, not per message."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket[2]:
            return False
        bucket[2] = True
        return True

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)

    def prune(self) -> int:
        """Drop buckets that have refilled completely: they hold nothing worth keeping."""
        now = self._clock()
        full = [k for k, (tokens, last, _) in self._buckets.items()
                if tokens + (now - last) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]
        return len(full)

    def __len__(self) -> int:
        return len(self._buckets)
