"""Chat with the bot in a terminal, or script a whole conversation through a pipe.

Buttons are shown numbered. Typing a number or a button's words picks it;
anything else is sent as free text. With standard input that is not a
terminal, each line is one input and every reply is printed.
"""
from __future__ import annotations

import sys
from typing import IO, Callable

from bot.conversation import Conversation
from bot.dialogue import Event, Outcome, Reply, State, UserInput
from bot.textmatch import normalise

QUIT = {"/quit", "/exit"}
CHANNEL = "terminal"
EventSink = Callable[[Event, str], None]


def render(reply: Reply) -> str:
    lines = [reply.text]
    for number, button in enumerate(reply.all_buttons(), start=1):
        lines.append(f"  [{number}] {button.label}")
    return "\n".join(lines)


AGE_ACTION = "age:"  # the age bands' buttons (flows/slots.py)


def to_input(line: str, last: Reply | None) -> UserInput:
    """A number or a button's words picks that button; anything else is free text.

    At the age question a number typed is an age, not a button: a parent typing "3"
    means a 3-year-old, not the third button.
    """
    buttons = last.all_buttons() if last else []
    stripped = line.strip()
    asks_age = any(b.action.startswith(AGE_ACTION) for b in buttons)
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons) and not asks_age:
        return UserInput.pressed(buttons[int(stripped) - 1].action)
    wanted = normalise(stripped)
    for button in buttons:
        if wanted and normalise(button.label) == wanted:
            return UserInput.pressed(button.action)
    return UserInput.typed(line)


def show(outcome: Outcome, out: IO[str]) -> Reply | None:
    for reply in outcome.replies:
        out.write(render(reply) + "\n\n")
    out.flush()
    with_buttons = [r for r in outcome.replies if r.buttons]
    return with_buttons[-1] if with_buttons else None


def run(conversation: Conversation, source: IO[str] = sys.stdin, out: IO[str] = sys.stdout,
        event_sink: EventSink | None = None) -> int:
    """Chat until end of input or /quit. `event_sink(event, "terminal")` gets each demand event."""
    interactive = source.isatty()
    outcome = conversation.start()
    state: State = outcome.state
    _log(outcome, event_sink)
    last = show(outcome, out)
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = source.readline()
        if not line or line.strip().lower() in QUIT:
            return 0
        if not interactive:
            out.write(f"> {line.rstrip()}\n")
        outcome = conversation.step(state, to_input(line.rstrip("\n"), last))
        state = outcome.state
        _log(outcome, event_sink)
        last = show(outcome, out) or last


def _log(outcome: Outcome, event_sink: EventSink | None) -> None:
    if event_sink is not None:
        for event in outcome.events:
            event_sink(event, CHANNEL)
