"""Urgent help: shown at once, from any step, and never in the way of getting back.

The crisis reply is built once per audience and area when the bot starts
(`CrisisReplies`), so showing it at 3am cannot fail on a lookup or a format.
"""
from __future__ import annotations

from bot.dialogue import Button, Outcome, State
from bot.understand import Understanding
from flows.cards import contact_line
from flows.context import Ctx, Turn
from flows.slots import matched_topics

AREA_MARK = "area"
NO_AREA = "none"  # area not asked yet: list every area's line, named
OTHER_AREA = "other"  # lives elsewhere: national lines only


class CrisisReplies:
    """Pre-rendered crisis messages, keyed by (audience, area)."""

    def __init__(self, ctx: Ctx):
        areas = (*ctx.kb.areas, NO_AREA, OTHER_AREA)
        audiences = (None, "young_person", "parent", "professional")
        self._texts = {(a, area): _render(ctx, a, area) for a in audiences for area in areas}

    def text(self, audience: str | None, area: str | None) -> str:
        key_area = NO_AREA if area is None else (area if (audience, area) in self._texts else OTHER_AREA)
        return self._texts.get((audience, key_area)) or self._texts[(None, NO_AREA)]


def _render(ctx: Ctx, audience: str | None, area: str) -> str:
    state = State(audience=audience, area=area)
    lines = [ctx.say("crisis_intro", state), "", ctx.say("crisis_emergency", state)]
    for contact_id in ctx.kb.crisis.contacts:
        if contact_id == AREA_MARK:
            lines.extend(_area_lines(ctx, state, area))
            continue
        lines.append("• " + contact_line(ctx, state, ctx.kb.contacts[contact_id]))
    lines += ["", ctx.say("crisis_outro", state)]
    return "\n".join(lines)


def _area_lines(ctx: Ctx, state: State, area: str) -> list[str]:
    chosen = [ctx.kb.areas[area]] if area in ctx.kb.areas else []
    if area == NO_AREA:
        chosen = list(ctx.kb.areas.values())
    return [
        "• " + ctx.say("crisis_area_line", state, area=a.info.name, line=contact_line(ctx, state, ctx.kb.contacts[c]))
        for a in chosen
        for c in a.info.crisis_contacts
    ]


def crisis_buttons(ctx: Ctx, state: State) -> tuple[tuple[Button, ...], ...]:
    return (
        (ctx.button("button_resume", state, "resume"),),
        (ctx.button("button_restart", state, "restart"),),
    )


def check_buttons(ctx: Ctx, state: State) -> tuple[tuple[Button, ...], ...]:
    return ((ctx.button("button_check_yes", state, "chk:yes"), ctx.button("button_check_no", state, "chk:no")),)


def show(ctx: Ctx, turn: Turn) -> Outcome:
    state = turn.state
    resume = state.resume if state.step in ("crisis", "crisis_check") else state.step
    text = ctx.crisis_texts.text(state.audience, state.area)
    turn.state = state.but(step="crisis", resume=resume, crisis_shown=True, safe_now=False)
    turn.add(text, crisis_buttons(ctx, turn.state))
    turn.event("crisis_shown", audience=state.audience, age_band=state.age_band, area=state.area,
               topics=list(state.topics[:3]))
    return turn.done()


def ask(ctx: Ctx, turn: Turn, heard: Understanding, question: str = "crisis_check") -> Outcome:
    """The words might mean risk: ask one direct, kind question instead of guessing."""
    state = turn.state
    resume = state.resume if state.step in ("crisis", "crisis_check") else state.step
    topics = state.topics or matched_topics(heard)
    turn.state = state.but(step="crisis_check", resume=resume, topics=topics)
    turn.add(ctx.say(question, turn.state), check_buttons(ctx, turn.state))
    turn.event("crisis_asked", audience=state.audience)
    return turn.done()


def reply_to_check(ctx: Ctx, turn: Turn, answer: str) -> Outcome | None:
    """Returns None for "no", so the caller carries on with the journey."""
    if answer == "yes":
        return show(ctx, turn)
    turn.add(ctx.say("crisis_check_no", turn.state))
    turn.state = turn.state.but(step=turn.state.resume or "start", resume=None, safe_now=True)
    return None
