"""The end of a journey: who can help, how to get in, what to do while waiting."""
from __future__ import annotations

from bot import hours
from bot.dialogue import Button, Outcome, State
from bot.recommend import Person
from flows import cards, parent, professional, young_person
from flows.context import Ctx, Turn

_GROUPING_RULES = {
    "young_person": young_person.grouping,
    "parent": parent.grouping,
    "professional": professional.grouping,
}


def grouping_for(ctx: Ctx, state: State) -> str:
    # Urgent help shown and not yet left behind, or the need itself is a crisis
    # (suicidal thoughts): risk support. Once they say they are safe, any other
    # need follows how much it affects them (issue 10: one urgent moment must
    # not lock an autism question into crisis services).
    if state.crisis_shown and (not state.safe_now or any(ctx.kb.topics[t].crisis for t in state.topics[:1])):
        return "getting-risk-support"
    rule = _GROUPING_RULES.get(state.audience or "", young_person.grouping)
    return rule(ctx, state)


def person_for(ctx: Ctx, state: State) -> Person:
    band = ctx.kb.choice("age_bands", state.age_band or "")
    low, high = (state.age, state.age) if state.age is not None else ((band.min, band.max) if band else (None, None))
    referrer = professional.referrer(ctx, state) if state.audience == "professional" else None
    return Person(state.audience, low, high, state.area, referrer, state.circumstances)


def show(ctx: Ctx, turn: Turn) -> Outcome:
    state = turn.state
    grouping = grouping_for(ctx, state)
    found = ctx.recommender.recommend(state.topics, grouping, person_for(ctx, state))
    topic = ctx.kb.topics[state.topics[0]].label.for_audience(state.audience).lower()
    info = ctx.kb.grouping(grouping)
    turn.state = state = state.but(step="results", grouping=grouping, services=tuple(s.id for s in found.services))
    intro = [ctx.say("results_intro", state, topic=topic, grouping=info.name.for_audience(state.audience),
                     about=info.description.for_audience(state.audience))]
    if found.gap:
        intro.append(ctx.say("results_gap_elsewhere" if state.area not in ctx.kb.areas else "results_gap", state))
    if not found.services:
        intro.append(ctx.say("results_none", state))
    when = hours.now()
    late = hours.out_of_hours(when)
    open_now = open_now_lines(ctx, state, when) if late else []
    if open_now:
        intro = [ctx.say("results_open_now", state, time=when.strftime("%H:%M"))] + open_now + [""] + intro
        intro.append(ctx.say("results_tomorrow", state))
    turn.add("\n".join(intro))
    for number, service in enumerate(found.services, start=1):
        turn.add(cards.service_card(ctx, state, service, number, when))
    waiting = next((s.while_waiting for s in found.services if s.while_waiting), None)
    if waiting:
        turn.add(ctx.say("results_while_waiting", state, advice=waiting.for_audience(state.audience)))
    turn.add(ctx.say("ask_feedback", state), feedback_buttons(ctx, state))
    turn.event("journey", audience=state.audience, age_band=state.age_band, area=state.area,
               topics=list(state.topics[:3]), grouping=grouping, services=list(state.services),
               crisis_shown=state.crisis_shown, gap=found.gap_reason)
    return turn.done()


def open_now_lines(ctx: Ctx, state: State, when) -> list[str]:
    """General lines for anyone that are open at this moment, for evenings, nights and holidays."""
    lines = []
    for service in ctx.kb.services_for_area(state.area if state.area in ctx.kb.areas else None):
        door_for_all = "all" in service.topics and not service.planned
        listening = any(g in service.groupings for g in ("getting-advice", "getting-risk-support"))
        if not (door_for_all and listening and service.contacts and service.hours):
            continue
        found = hours.openness(service.hours, when)
        if found.open or found.holiday_unsure:
            contacts = "; ".join(cards.contact_line(ctx, state, ctx.kb.contacts[c], with_hours=False)
                                 for c in service.contacts)
            note = cards.open_note(ctx, state, service, when) if found.holiday_unsure else ""
            lines.append(f"• {service.name}: {contacts}{note}")
    return lines


def feedback_buttons(ctx: Ctx, state: State) -> tuple[tuple[Button, ...], ...]:
    return (
        (ctx.button("button_helped_yes", state, "fb:yes"), ctx.button("button_helped_no", state, "fb:no")),
        (ctx.button("button_urgent", state, "urgent"),),
    )


def feedback(ctx: Ctx, turn: Turn, helped: str) -> Outcome:
    state = turn.state
    turn.event("feedback", audience=state.audience, grouping=state.grouping,
               topics=list(state.topics[:1]), helped=helped == "yes")
    turn.add(ctx.say("feedback_thanks_yes" if helped == "yes" else "feedback_thanks_no", state))
    return anything_else(ctx, turn)


def anything_else(ctx: Ctx, turn: Turn) -> Outcome:
    turn.state = state = turn.state.but(step="anything_else")
    turn.add(ctx.say("ask_anything_else", state), anything_else_buttons(ctx, state))
    return turn.done()


def anything_else_buttons(ctx: Ctx, state: State) -> tuple[tuple[Button, ...], ...]:
    return (
        (ctx.button("button_something_else", state, "more"),),
        (ctx.button("button_browse", state, "browse"),),
        (ctx.button("button_done", state, "done"), ctx.button("button_restart", state, "restart")),
        (ctx.button("button_urgent", state, "urgent"),),
    )


def something_else(ctx: Ctx, turn: Turn) -> State:
    """Keep who they are, their age and area; forget the last need."""
    s = turn.state
    return State(audience=s.audience, role=s.role, age=s.age, age_band=s.age_band, area=s.area)
