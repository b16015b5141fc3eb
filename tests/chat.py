"""A tiny driver for conversation tests: type or press, then look at the replies."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.conversation import Conversation
from bot.dialogue import Outcome, Reply, State, UserInput
from bot.textmatch import normalise


@dataclass
class Chat:
    conversation: Conversation
    state: State = field(default_factory=State)
    last: Outcome | None = None
    events: list = field(default_factory=list)

    def start(self) -> Outcome:
        return self._take(self.conversation.start())

    def say(self, text: str) -> Outcome:
        return self._take(self.conversation.step(self.state, UserInput.typed(text)))

    def press(self, label: str) -> Outcome:
        """Press the button whose label is `label` (case and punctuation ignored)."""
        buttons = [b for r in self.last.replies for b in r.all_buttons()] if self.last else []
        wanted = normalise(label)
        for button in buttons:
            if normalise(button.label) == wanted or button.action == label:
                return self._take(self.conversation.step(self.state, UserInput.pressed(button.action)))
        shown = [b.label for b in buttons]
        raise AssertionError(f"no button {label!r}; shown: {shown}")

    def send(self, given: UserInput) -> Outcome:
        return self._take(self.conversation.step(self.state, given))

    def _take(self, outcome: Outcome) -> Outcome:
        self.state, self.last = outcome.state, outcome
        self.events.extend(outcome.events)
        return outcome

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last.replies) if self.last else ""

    @property
    def replies(self) -> tuple[Reply, ...]:
        return self.last.replies if self.last else ()

    @property
    def labels(self) -> list[str]:
        return [b.label for r in self.replies for b in r.all_buttons()]
