"""Urgent help: shown at once, from any step, and never in the way of getting back.

The crisis reply is built once per audience and area when the bot starts
(`CrisisReplies`), so showing it at 3am cannot fail on a lookup or a format.
"""
from __future__ import annotations

from bot.dialogue import Button, Outcome, State
from bot.understand import Understanding
from flows.cards import contact_line
from flows.context import Ctx, Turn
from flows import whose_need
from flows.slots import matched_topics

AREA_MARK = "area"
NO_AREA = "none"  # area not asked yet: national lines only
OTHER_AREA = "other"  # lives elsewhere: national lines only
ADULT_FROM = 19  # from this age (typed), lines only for children are left out of urgent help
OWN = "parent-own"  # the key of the reply to a parent whose own crisis it is


class CrisisReplies:
    """Pre-rendered crisis messages, keyed by (audience, area, situation).

    A situation with its own reply (abuse at home: the domestic abuse helpline,
    the silent 999 call) has its own text; every other reply is the general one.
    """

    def __init__(self, ctx: Ctx):
        areas = (*ctx.kb.areas, NO_AREA, OTHER_AREA)
        audiences = (None, "young_person", "parent", "professional")
        fitted = [c for c in ctx.kb.circumstances.values() if c.crisis_contacts or c.crisis_outro]
        self._situations = frozenset(c.id for c in fitted)
        self._texts = {}
        for adult in (False, True):
            for a in audiences:
                for area in areas:
                    self._texts[(a, area, None, adult)] = _render(ctx, a, area, None, adult)
                    for c in fitted:
                        self._texts[(a, area, c.id, adult)] = _render(ctx, a, area, c, adult)
        for area in areas:  # a parent in crisis themselves (a new mother, a father): spoken to as the one at risk
            self._texts[(OWN, area, None, True)] = _render(ctx, "parent", area, None, True, own=True)

    def text(self, audience: str | None, area: str | None, situations: tuple[str, ...] = (),
             age: int | None = None, own: bool = False) -> str:
        key_area = NO_AREA if area is None else (area if (audience, area, None, False) in self._texts else OTHER_AREA)
        situation = next((s for s in reversed(situations) if s in self._situations), None)  # the latest told
        adult = age is not None and age >= ADULT_FROM
        if own and situation is None:
            return self._texts[(OWN, key_area, None, True)]
        return (self._texts.get((audience, key_area, situation, adult))
                or self._texts.get((audience, key_area, None, adult)) or self._texts[(None, NO_AREA, None, False)])


def _render(ctx: Ctx, audience: str | None, area: str, situation=None, adult: bool = False, own: bool = False) -> str:
    state = State(audience=audience, area=area)
    self_ = "_self" if own else ""  # the parent's own crisis: "if you are in danger", not "your child"
    lines = [ctx.say("crisis_intro", state), "", ctx.say("crisis_emergency" + self_, state)]
    extra = list(situation.crisis_contacts) if situation else []
    too_old = _children_only_contacts(ctx) if adult else frozenset()
    for contact_id in ctx.kb.crisis.contacts:
        if contact_id in too_old:
            continue  # Childline is for children: a 21-year-old is not sent there
        if contact_id == AREA_MARK:
            if not adult:  # the areas' urgent lines are children's services (0 to 19)
                lines.extend(_area_lines(ctx, state, area))
            continue
        lines.append("• " + contact_line(ctx, State(area=area) if own else state, ctx.kb.contacts[contact_id]))
        if extra and contact_id == ctx.kb.crisis.contacts[0]:  # right after the emergency line
            lines += ["• " + contact_line(ctx, state, ctx.kb.contacts[c]) for c in extra]
    outro = situation.crisis_outro if situation and situation.crisis_outro else "crisis_outro" + self_
    lines += ["", ctx.say(outro, state)]
    return "\n".join(lines)


def _children_only_contacts(ctx: Ctx) -> frozenset[str]:
    """Contacts only of services whose ages stop before ADULT_FROM (Childline): never 999 or 111,
    which a children's crisis team also lists."""
    children = {c for s in ctx.kb.services.values() if s.ages.max is not None and s.ages.max < ADULT_FROM
                for c in s.contacts}
    everyone = {c for s in ctx.kb.services.values() if s.ages.max is None or s.ages.max >= ADULT_FROM
                for c in s.contacts}
    return frozenset(children - everyone)


def _area_lines(ctx: Ctx, state: State, area: str) -> list[str]:
    # Not before the area is known: one area's children's line shown to a family from the
    # other area misleads them (the national lines and 999 cover everyone).
    chosen = [ctx.kb.areas[area]] if area in ctx.kb.areas else []
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
    own = whose_need.parents_own(ctx, state)
    text = ctx.crisis_texts.text(state.audience, state.area, state.circumstances,
                                 state.age if state.audience == "young_person" else None, own=own)
    turn.state = state.but(step="crisis", resume=resume, crisis_shown=True, safe_now=False)
    turn.add(text, crisis_buttons(ctx, turn.state))
    turn.event("crisis_shown", audience=state.audience, age_band=state.age_band, area=state.area,
               topics=list(state.topics[:3]))
    return turn.done()


def emergency_now(ctx: Ctx, state: State) -> bool:
    """A body in danger now (bleeding, tablets taken, a weapon, someone not waking or answering)."""
    return any(c in ctx.kb.circumstances and ctx.kb.circumstances[c].emergency for c in state.circumstances)


def still(ctx: Ctx, turn: Turn, what_now: bool = False) -> Outcome:
    """Urgent help is on screen and the words say the danger is not over ("i cant ring 999 he'll
    hear me", "I don't know where she is", "haven't rung the police yet, thought I'd wait"), or
    ask what to do now (`what_now`).

    The few lines that matter now, fitted to the situation, never the whole reply again word for
    word and never the next routine question. Its numbers are just above. Once they have said
    999 is called (`help_called`), what to do until help comes, never "call 999 now" again.
    """
    state = turn.state
    own = whose_need.parents_own(ctx, state)
    # The latest situation named says what to do now (a knife told after the shouting); a state
    # kept across an update may name an old one.
    known = [ctx.kb.circumstances[c] for c in reversed(state.circumstances) if c in ctx.kb.circumstances]
    situation = next((c for c in known if c.crisis_outro), None)
    if state.help_called:
        fitted = next((c.help_coming for c in known if c.help_coming), None)
        first = fitted or ("crisis_help_coming_self" if own else "crisis_help_coming")
    elif situation is not None:  # missing, abuse at home: its own words say what to do now
        first = situation.crisis_outro
    elif own:
        first = "crisis_emergency_self"
    else:
        first = "crisis_what_now" if what_now else "crisis_still"
    lines = [ctx.say(first, state), ctx.say("crisis_still_outro", state)]
    resume = state.resume if state.step in ("crisis", "crisis_check") else state.step
    turn.state = state.but(step="crisis", resume=resume, crisis_shown=True, safe_now=False)
    turn.add("\n\n".join(lines), crisis_buttons(ctx, turn.state))
    return turn.done()


def ask(ctx: Ctx, turn: Turn, heard: Understanding, question: str = "crisis_check") -> Outcome:
    """The words might mean risk: ask one direct, kind question instead of guessing."""
    state = turn.state
    resume = state.resume if state.step in ("crisis", "crisis_check") else state.step
    topics = state.topics or matched_topics(heard)
    again = "crisis_check" if state.step == "crisis_check" else None  # asked again: counts as asked twice
    turn.state = state.but(step="crisis_check", resume=resume, topics=topics, reasked=again)
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
