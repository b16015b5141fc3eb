"""What every flow step needs: the knowledge base and the two engines over it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.dialogue import Button, Event, Outcome, Reply, State
from bot.knowledge import KnowledgeBase
from bot.textmatch import normalise
from bot.recommend import Recommender
from bot.understand import Understander


@dataclass(frozen=True)
class Ctx:
    kb: KnowledgeBase
    understander: Understander
    recommender: Recommender
    crisis_texts: Any = None  # flows.crisis.CrisisReplies, rendered once at start by the conversation
    area_names: str = ""  # "Kirklees and Wakefield", for sentences that name the areas covered
    filler: frozenset[str] = frozenset()  # words around an answer that add nothing to it

    @classmethod
    def build(cls, kb: KnowledgeBase) -> Ctx:
        """The knowledge base and its engines; the crisis replies are rendered with it afterwards."""
        names = [a.info.name for a in kb.areas.values()]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        filler = frozenset(w for phrase in kb.thrive.answer_filler for w in normalise(phrase))
        return cls(kb, Understander(kb), Recommender(kb), area_names=joined, filler=filler)

    def say(self, key: str, state: State, **values: object) -> str:
        return self.kb.say(key, state.audience, areas=self.area_names, **values)

    def button(self, key: str, state: State, action: str) -> Button:
        return Button(self.say(key, state), action)


@dataclass
class Turn:
    """Replies and events gathered while handling one input."""

    state: State
    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def add(self, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> Turn:
        self.replies.append(Reply(text, buttons))
        return self

    def event(self, kind: str, **fields: object) -> Turn:
        self.events.append(Event(kind, dict(fields)))
        return self

    def done(self) -> Outcome:
        return Outcome(tuple(self.replies), self.state, tuple(self.events))
