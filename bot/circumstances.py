"""Spot situations such as "looked after" or "care leaver" in free text."""
from __future__ import annotations

from bot.knowledge import KnowledgeBase
from bot.textmatch import PhraseIndex, normalise


class CircumstanceFinder:
    def __init__(self, kb: KnowledgeBase):
        self._spellings = dict(kb.spellings)
        self._index = PhraseIndex(
            ((c.id, p) for c in kb.circumstances.values() for p in c.phrases), self._spellings
        )

    def find(self, text: str) -> tuple[str, ...]:
        hits = self._index.find(normalise(text, self._spellings))
        return tuple(dict.fromkeys(h.key for h in hits))
