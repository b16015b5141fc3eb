"""Slash commands (/start, /help, /crisis, /privacy, /delete, /services): the same in every transport."""
from __future__ import annotations

from typing import Callable

from bot.dialogue import Outcome, State
from flows import crisis, journey, services
from flows.context import Ctx, Turn


def run(ctx: Ctx, finder: services.ServiceFinder, turn: Turn, text: str, welcome: Callable[[], Outcome]) -> Outcome:
    state = turn.state
    word, _, rest = text[1:].partition(" ")
    name = word.split("@", 1)[0].lower()
    if name in ("start", "restart"):
        return welcome()
    if name == "crisis":
        return crisis.show(ctx, turn)
    if name == "help":
        turn.add(ctx.say("help", state))
        return journey.ask_again(ctx, turn)
    if name == "privacy":
        turn.add(ctx.say("privacy", state))
        return journey.ask_again(ctx, turn)
    if name == "delete":
        # Adapters that keep state delete it before this (Telegram); here the answers
        # held in this conversation are forgotten, so /help is true in every transport.
        return Turn(State()).add(ctx.say("deleted", state)).done()
    if name == "services":
        return services.show_found(ctx, turn, finder.search(rest)) if rest.strip() else services.browse(ctx, turn)
    turn.add(ctx.say("unknown_command", state))
    return journey.ask_again(ctx, turn)
