"""The end of a journey: who can help, how to get in, what to do while waiting."""
from __future__ import annotations

from bot import hours
from bot.dialogue import Button, Outcome, State
from bot.recommend import ADULT_AGE, Person, takes_age
from bot.textmatch import normalise
from flows import cards, parent, professional, slots, whose_need, young_person
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
    own = whose_need.parents_own(ctx, state)
    return Person(state.audience, low, high, state.area, referrer, state.circumstances, own)


def show(ctx: Ctx, turn: Turn) -> Outcome:
    """The results, sized for a phone: one short card a service, the first one to act on now.

    Everything else about a service (what happens next, waits, notes, what to do
    while waiting; criteria for professionals) is one "More about" press away.
    """
    state = turn.state
    grouping = grouping_for(ctx, state)
    found = ctx.recommender.recommend(state.topics, grouping, person_for(ctx, state))
    topic = ctx.kb.topics[state.topics[0]].about.for_audience(state.audience)
    info = ctx.kb.grouping(grouping)
    turn.state = state = state.but(step="results", grouping=grouping, services=tuple(s.id for s in found.services))
    lines = [ctx.say("results_intro", state, topic=topic, grouping=info.name.for_audience(state.audience))]
    person = person_for(ctx, state)
    if person.own_need:
        lines.append(ctx.say("results_for_the_parent", state))
    elif person.age_min is not None and person.age_min >= ADULT_AGE:
        lines.append(ctx.say("results_adult_routes", state))
    elif found.gap:
        lines.append(ctx.say("results_gap_elsewhere" if state.area not in ctx.kb.areas else "results_gap", state))
    if not found.services:
        lines.append(ctx.say("results_none", state))
    when = hours.now()
    open_now = open_now_lines(ctx, state, when, exclude=state.services) if hours.out_of_hours(when) else []
    if open_now:  # one line: "It is 23:30. Open now: Night OWLS 0800 148 8244; Childline 0800 1111."
        lines += ["", ctx.say("results_open_now", state, time=when.strftime("%H:%M"), lines="; ".join(open_now))]
    for number, service in enumerate(found.services, start=1):
        lines += ["", cards.short_card(ctx, state, service, number, when)]
    hint = ctx.say("results_more_hint", state) if found.services and state.audience != "young_person" else ""
    if hint:
        lines += ["", hint]
    lines += ["", ctx.say("ask_feedback", state)]
    turn.add("\n".join(lines), result_buttons(ctx, state))
    turn.event("journey", audience=state.audience, age_band=state.age_band, area=state.area,
               topics=list(state.topics[:3]), grouping=grouping, services=list(state.services),
               crisis_shown=state.crisis_shown, gap=found.gap_reason)
    return turn.done()


def more_about(ctx: Ctx, turn: Turn, service_id: str) -> Outcome | None:
    """The full card of one of the services just suggested (None for any other id: a forged button)."""
    state = turn.state
    if service_id not in state.services:
        return None
    turn.add(cards.service_card(ctx, state, ctx.kb.services[service_id], when=hours.now()),
             result_buttons(ctx, state, shown=service_id))
    return turn.done()


def result_buttons(ctx: Ctx, state: State, shown: str | None = None) -> tuple[tuple[Button, ...], ...]:
    more = tuple((Button(ctx.say("button_more_about", state, name=cards.short_name(ctx.kb.services[s])),
                         f"card:{s}"),) for s in state.services if s != shown)
    return more + feedback_buttons(ctx, state)


MAX_OPEN_NOW = 2  # two doors open at this hour; the rest are one "Urgent help" press away


def open_now_lines(ctx: Ctx, state: State, when, exclude: tuple[str, ...] = ()) -> list[str]:
    """Doors for anyone that are open at this moment, for evenings, nights and holidays: one line each."""
    lines = []
    person = person_for(ctx, state)
    for service in ctx.kb.services_for_area(state.area if state.area in ctx.kb.areas else None):
        if not takes_age(service, person):
            continue  # Childline is not offered to a 26-year-old
        door_for_all = "all" in service.topics and not service.planned and not service.emergency
        listening = any(g in service.groupings for g in ("getting-advice", "getting-risk-support"))
        if service.id in exclude or not (door_for_all and listening and service.contacts and service.hours):
            continue
        contact = ctx.kb.contacts[service.contacts[0]]
        if contact.provenance.confidence == "low":
            continue  # a number that may be dead is never offered as open right now
        found = hours.openness(service.hours, when)
        if found.open or found.holiday_unsure:
            note = cards.open_note(ctx, state, service, when) if found.holiday_unsure else ""
            # A phone number after the service's short name; a text line or a website as its label says it.
            said = (f"{cards.short_name(service)} {contact.value}" if contact.kind == "phone"
                    else cards.contact_line(ctx, state, contact, with_hours=False))
            lines.append(said + note)
        if len(lines) == MAX_OPEN_NOW:
            break
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


def adds_to_need(ctx: Ctx, text: str) -> bool:
    """Words that add to what was said ("also...", "...if thats relevant"), not a new question."""
    joined = f" {' '.join(normalise(text))} "
    return any(joined.startswith(f" {p} ") or joined.endswith(f" {p} ")
               for p in slots.plain_phrases(tuple(ctx.kb.thrive.adding_words)))
