"""Questions about the help just suggested, answered from the cards on screen.

"How long is the wait for the autism assessment?", "who do I ring first?",
"what can we do meanwhile?", "is there anything sooner?". The person has their
results and asks about them. Read as a new need, such words began the questions
again ("How long has this been going on?") and lost what they had told (issue 10).
Now they are answered from the services just shown, and the need is kept.

Which question it is comes from `result_questions` in thrive.yaml (phrases, and
which part of a card answers it); the words of the answers are in messages.yaml.
"""
from __future__ import annotations

import re

from bot.dialogue import Outcome, State
from bot.schema import Service
from bot.textmatch import normalise
from bot.understand import Understanding, is_question
from flows import cards, results, slots
from flows.context import Ctx, Turn

ROUTE_TOPICS = frozenset({"referral", "waiting", "wellbeing"})  # words about getting help, not a need
SETTING_TOPICS = frozenset({"school", "family"})
_LEADING = re.compile(r"^(?:(?:and|so|but|ok|okay|also|oh|right|um|erm|then|sorry|ta|thanks|thank you|cheers|great|brill|lovely)\s+)+")
_SELF = {"young_person": "self", "parent": "parent"}


def phrased(ctx: Ctx, text: str) -> str | None:
    """The kind of question about help its words ask (`wait`, `self_refer`...), wherever it is asked."""
    words = f" {' '.join(normalise(text))} "
    return next((q.answer for q in ctx.kb.thrive.result_questions
                 for p in slots.plain_phrases(tuple(q.phrases)) if f" {p} " in words), None)


def asked(ctx: Ctx, state: State, text: str, heard: Understanding) -> str | None:
    """The kind of question asked about the results (`wait`, `how`...), or None.

    None when the words name a need not already in the results ("what about her
    sleep?"): that is a new need, and the journey takes it as one.
    """
    if state.step not in ("results", "anything_else") or not state.services:
        return None
    tokens = normalise(text)
    asking = is_question(text, _LEADING.sub("", " ".join(tokens)).split())  # "and what's out there..."
    words = f" {' '.join(tokens)} "
    found = next(((q.answer, len(p.split())) for q in ctx.kb.thrive.result_questions
                  for p in slots.plain_phrases(tuple(q.phrases)) if f" {p} " in words), None)
    if heard.matched and _new_needs(state, heard, asking):
        # A new need ("what about her sleep?") starts its own results, unless it is only in passing
        # beside a plain question about the help ("i just want someone to talk to").
        named = [t for t in slots.matched_topics(heard) if t not in state.topics]
        if not (found and found[1] >= 3 and all(heard.topic_scores.get(t, 0.0) < 1.0 for t in named)):
            return None
    if found:
        return found[0]
    return "other" if asking else None


def answer(ctx: Ctx, turn: Turn, kind: str, text: str) -> Outcome:
    """Answer from the services on screen; the results' buttons stay."""
    state = turn.state
    shown = [ctx.kb.services[s] for s in state.services if s in ctx.kb.services]
    named = _named(ctx, shown, text)
    lines = {
        "wait": _wait,
        "while_waiting": _meanwhile,
        "how": _how,
        "sooner": _sooner,
        "self_refer": _self_refer,
        "specific": _specific,
        "what_is": _what_is,
        "safeguarding": _safeguarding,
    }.get(kind, lambda *_: [])(ctx, state, named + [s for s in shown if s not in named], text)
    if not lines:
        lines = [ctx.say("result_question_other", state)]
    turn.add("\n\n".join(lines), results.result_buttons(ctx, state))
    return turn.done()


def _new_needs(state: State, heard: Understanding, question: bool) -> bool:
    # Only needs the words name: the reader's guess ("how long would they take to see her" read
    # as thoughts of suicide) is not a new need.
    named = [t for t in slots.matched_topics(heard) if heard.topic_scores.get(t)]
    # In a question about the help, school and family are where it happens, not a new need:
    # "should school know what happened?", "who deals with this, school or nhs?"
    ignored = ROUTE_TOPICS | (SETTING_TOPICS if question else frozenset())
    return any(t not in state.topics and t not in ignored for t in named)


def _named(ctx: Ctx, shown: list[Service], text: str) -> list[Service]:
    """Services the question names, by name, short name, alias or the need they are for
    ("the wait for the autism assessment": the one for autism)."""
    words = f" {' '.join(normalise(text))} "
    found = []
    for service in shown:
        names = [service.name, cards.short_name(service), *service.aliases]
        by_name = any(f" {' '.join(normalise(n))} " in words for n in names if n)
        by_need = any(t != "all" and f" {t.replace('-', ' ')} " in words for t in service.topics)
        if by_name or by_need:
            found.append(service)
    return found


def _wait(ctx: Ctx, state: State, services: list[Service], text: str = "") -> list[str]:
    known = [s for s in services if s.waiting]
    if not known:
        return [ctx.say("result_question_no_wait", state)]
    service = known[0]
    lines = [ctx.say("result_question_wait", state, name=cards.short_name(service),
                     wait=service.waiting[0].text.for_audience(state.audience))]
    return lines + _meanwhile(ctx, state, [service] + services)


def _meanwhile(ctx: Ctx, state: State, services: list[Service], text: str = "") -> list[str]:
    service = next((s for s in services if s.while_waiting), None)
    if service is None:
        return [ctx.say("result_question_meanwhile_none", state)]
    return [ctx.say("results_while_waiting", state, advice=service.while_waiting.for_audience(state.audience))]


def _how(ctx: Ctx, state: State, services: list[Service], text: str = "") -> list[str]:
    service = services[0]
    contacts = cards.ways_in(ctx, service)
    way = cards.contact_line(ctx, state, contacts[0], with_hours=True) if contacts else ""
    return [ctx.say("result_question_how", state, name=cards.short_name(service),
                    how=service.access.how.for_audience(state.audience), way=way).strip()]


def _safeguarding(ctx: Ctx, state: State, services: list[Service], text: str = "") -> list[str]:
    """"Would this go to the Front Door?": the area's safeguarding door, with its way in."""
    area = ctx.kb.areas.get(state.area or "")
    door = ctx.kb.services.get(area.info.safeguarding_door or "") if area else None
    if door is None:
        return [ctx.say("result_question_safeguarding_none", state)]
    return [ctx.say("result_question_safeguarding", state)] + _how(ctx, state, [door])


_THEMSELVES = ("herself", "himself", "themselves", "themself", "myself", "self")


def _self_refer(ctx: Ctx, state: State, services: list[Service], text: str = "") -> list[str]:
    """"Can she refer herself?", "school said ask the GP, the GP said school": the doors on screen
    that take a referral from the young person (or the parent) directly, with the way in."""
    words = normalise(text)
    who = "self" if state.audience == "young_person" or any(w in _THEMSELVES for w in words) else _SELF.get(state.audience or "")
    direct = [(s, ways[0]) for s in services if who in s.access.referrers and (ways := cards.ways_in(ctx, s))]
    if not direct:
        return [ctx.say("result_question_no_self_refer", state)] + _how(ctx, state, services)
    by_way: dict[str, list[str]] = {}  # one way in for several (the single point of contact): said once
    for service, way in direct[:3]:
        by_way.setdefault(way.id, []).append(cards.short_name(service))
    doors = "; ".join(_door(ctx, state, names, ctx.kb.contacts[way]) for way, names in list(by_way.items())[:2])
    return [ctx.say("result_question_self_refer_" + ("self" if who == "self" else "parent"), state, doors=doors)]


def _what_is(ctx: Ctx, state: State, services: list[Service], text: str = "") -> list[str]:
    """"whats kooth?", "who are chews": the service named, in one line, with its way in."""
    named = _named(ctx, services, text)
    if not named:
        return []
    service = named[0]
    about = service.summary.for_audience(state.audience) if service.summary else cards.first_sentence(
        service.description.for_audience(state.audience))
    ways = cards.ways_in(ctx, service)
    return [f"{cards.short_name(service)}: {about}" + (f" {cards.contact_line(ctx, state, ways[0])}" if ways else "")]


def _specific(ctx: Ctx, state: State, services: list[Service], text: str = "") -> list[str]:
    """"Is there an OCD service or is it just CAMHS?": the doors on screen made for this need,
    or plainly that our sources name none here, and the door to use."""
    need = state.topics[0] if state.topics else None
    about = ctx.kb.topics[need].about.for_audience(state.audience) if need in ctx.kb.topics else ""
    made_for = [s for s in services if need in s.topics]
    if made_for:
        return [ctx.say("result_question_specific", state, need=about, names=_listed([cards.short_name(s) for s in made_for[:3]]))]
    return [ctx.say("result_question_no_specific", state, need=about)] + _how(ctx, state, services)


def _door(ctx: Ctx, state: State, names: list[str], contact) -> str:
    """"ChEWS and CAMHS: Thriving Kirklees single point of contact: 0300...", never "Kooth: Kooth: ..."."""
    line = cards.contact_line(ctx, state, contact)
    listed = _listed(names)
    named = " ".join(normalise(line.split(":", 1)[0]))  # the contact's own label names the service already
    return line if " ".join(normalise(listed)) in named else f"{listed}: {line}"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sooner(ctx: Ctx, state: State, services: list[Service], text: str = "") -> list[str]:
    """Doors on screen the person can use themselves, without a referral or a wait."""
    own = _SELF.get(state.audience or "")
    direct = [s for s in services if own in s.access.referrers and not s.waiting and s.contacts]
    if not direct:
        return [ctx.say("result_question_no_sooner", state)] + _meanwhile(ctx, state, services)
    doors = "; ".join(_door(ctx, state, [cards.short_name(s)], ctx.kb.contacts[s.contacts[0]]) for s in direct[:2])
    return [ctx.say("result_question_sooner", state, doors=doors)]
