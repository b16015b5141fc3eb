"""The values that pass through the conversation core: inputs, replies, state, events.

They are plain immutable data with no transport in them, so the terminal,
Telegram and tests all speak the same language. State holds no message text
and no identity: only the choices a journey needs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

InputKind = Literal["text", "choice", "unsupported"]


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # short ASCII id, at most 64 bytes (Telegram's callback_data limit)


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()

    def all_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]


@dataclass(frozen=True)
class UserInput:
    kind: InputKind
    text: str = ""
    action: str = ""

    @classmethod
    def typed(cls, text: str) -> UserInput:
        return cls("text", text=text)

    @classmethod
    def pressed(cls, action: str) -> UserInput:
        return cls("choice", action=action)

    @classmethod
    def unsupported(cls, what: str = "") -> UserInput:
        return cls("unsupported", text=what)


@dataclass(frozen=True)
class Event:
    """One anonymised fact for the demand log: a kind and coarse fields only."""

    kind: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    step: str = "start"
    audience: str | None = None
    role: str | None = None
    age: int | None = None
    age_band: str | None = None
    area: str | None = None
    topics: tuple[str, ...] = ()
    circumstances: tuple[str, ...] = ()
    severity: str | None = None
    duration: str | None = None
    urgency: str | None = None
    grouping: str | None = None
    services: tuple[str, ...] = ()
    resume: str | None = None
    crisis_shown: bool = False
    # They said they are safe after urgent help was shown ("I'm safe, carry on",
    # "no" to the safety question, or moving on to their need): results then
    # follow the need and how much it affects them, not the crisis.
    safe_now: bool = False
    # They said 999 is called or help is on its way ("police are coming"): from then on the
    # urgent replies say what to do until help comes, never "call 999 now" again.
    help_called: bool = False
    typed_grouping: str | None = None
    # Warning signs carried across this journey's messages (a number, never the
    # words): each typed message adds the learned reader's crisis probability to
    # a decaying total, so signs spread over several messages bring the question.
    risk: float = 0.0
    journey: str = ""  # random id for the demand log; never derived from who is talking
    # A question asked again because a message did not answer it; asked twice and still not
    # answered, it is let go (`skipped`) rather than asked a third time (age, area).
    reasked: str | None = None
    skipped: tuple[str, ...] = ()

    def but(self, **changes: Any) -> State:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("topics", "services", "circumstances", "skipped"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        known = {f.name for f in fields(cls)}
        clean = {k: v for k, v in data.items() if k in known}
        for key in ("topics", "services", "circumstances", "skipped"):
            clean[key] = tuple(clean.get(key) or ())
        return cls(**clean)


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...]
    state: State
    events: tuple[Event, ...] = ()
