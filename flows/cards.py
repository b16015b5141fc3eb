"""How a service or a contact is written out for a person.

Two sizes: the short card (name, one line on what it is, how to get in, the
way in) that the results list on a phone, and the full card behind "More
about" (what happens next, hours, waits, notes; criteria for professionals).
"""
from __future__ import annotations

import datetime as dt
import re

from bot import hours
from bot.dialogue import State
from bot.schema import Contact, Hours, Service
from flows.context import Ctx

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def contact_line(ctx: Ctx, state: State, contact: Contact, with_hours: bool = True) -> str:
    label = contact.label.for_audience(state.audience)
    line = label if contact.value in label else ctx.say("contact_line", state, label=label, value=contact.value)
    if contact.hours and with_hours:
        line += f" ({contact.hours})"
    return line


def hours_text(ctx: Ctx, state: State, hours: Hours) -> str:
    if hours.text:
        return hours.text.for_audience(state.audience)
    if hours.always:
        return ctx.say("hours_always", state)
    names = dict(zip(_DAYS, ctx.say("day_names", state).split()))
    groups: list[tuple[list[str], tuple[str, ...]]] = []
    for day in _DAYS:
        spans = tuple(hours.weekly.get(day, ()))
        if groups and groups[-1][1] == spans:
            groups[-1][0].append(day)
        else:
            groups.append(([day], spans))
    parts = []
    for days, spans in groups:
        if not spans:
            continue
        when = names[days[0]] if len(days) == 1 else f"{names[days[0]]}-{names[days[-1]]}"
        parts.append(f"{when} {', '.join(spans)}")
    return "; ".join(parts)


def open_note(ctx: Ctx, state: State, service: Service, when: dt.datetime | None) -> str:
    """" (open now)" or " (closed now)" when we know, nothing when we don't."""
    if when is None or service.hours is None or service.hours.always:
        return ""
    found = hours.openness(service.hours, when)
    if found.holiday_unsure:
        return " " + ctx.say("card_holiday_unsure", state)  # YAML values are stripped: the space is ours
    if found.open is None:
        return ""
    return " " + ctx.say("card_open_now" if found.open else "card_closed_now", state)


_CALL = re.compile(r"(?i)(call|phone|ring)\b")  # a "how" that says to phone: the number joins it
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def first_sentence(text: str) -> str:
    """The first sentence of a text: what a short card says where the knowledge base gives no summary."""
    text = " ".join(text.split())
    return _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""


def short_name(service: Service) -> str:
    return service.short_name or service.name.split(" (")[0]


def ways_in(ctx: Ctx, service: Service) -> list[Contact]:
    """The service's own contacts; for a service entered through another door, that door's.

    Whenever a card says "call the single point of contact", its number is on that card.
    """
    ids = list(service.contacts)
    via = ctx.kb.services.get(service.access.via or "")
    if via is not None:
        ids += [c for c in via.contacts if c not in ids]
    return [ctx.kb.contacts[c] for c in ids]


def short_card(ctx: Ctx, state: State, service: Service, number: int, when: dt.datetime | None = None) -> str:
    audience = state.audience
    about = service.summary.for_audience(audience) if service.summary else first_sentence(
        service.description.for_audience(audience))
    how = first_sentence(service.access.how.for_audience(audience))
    # Young people see the short name ("Specialist CAMHS"): every word counts on a phone.
    title = short_name(service) if audience == "young_person" else service.name
    lines = [f"{number}. {title}", about]
    contacts = ways_in(ctx, service)
    if contacts:  # one way in on the short card, a number where there is one; the full card has them all
        best = next((c for c in contacts if c.kind == "phone"), contacts[0])
        note = _when_note(ctx, state, service, best, when)
        if best.value in how:  # "Call 0800 1111." says no more than the contact line
            lines.append(contact_line(ctx, state, best, with_hours=False) + note)
        elif best.kind == "phone" and _CALL.match(how) and how.endswith("."):
            lines.append(f"{how[:-1]}: {best.value}{note}")  # "Call the single point of contact: 0300 304 5555"
        else:
            lines += [how, contact_line(ctx, state, best, with_hours=False) + note]
    else:
        lines.append(how)
    return "\n".join(line for line in lines if line)


def _when_note(ctx: Ctx, state: State, service: Service, contact: Contact, when: dt.datetime | None) -> str:
    """Open now, or any time; but a number that may be dead is never presented as certain."""
    if contact.provenance.confidence == "low":
        return " " + ctx.say("card_number_unsure", state)
    if service.hours is not None and service.hours.always:
        return " " + ctx.say("card_always_open", state)
    return open_note(ctx, state, service, when)


def service_card(ctx: Ctx, state: State, service: Service, number: int | None = None,
                 when: dt.datetime | None = None) -> str:
    audience = state.audience
    title = f"{number}. {service.name}" if number else service.name
    lines = [title, service.description.for_audience(audience)]
    lines.append(ctx.say("card_how", state, how=service.access.how.for_audience(audience)))
    if audience == "professional":
        who = ", ".join(ctx.say(f"referrer_{r}", state) for r in service.access.referrers)
        lines.append(ctx.say("card_who_refers", state, who=who))
        if service.access.what_to_include:
            lines.append(ctx.say("card_include", state, include=service.access.what_to_include))
    if service.access.next_steps:
        lines.append(ctx.say("card_next", state, next=service.access.next_steps.for_audience(audience)))
    for contact in ways_in(ctx, service):
        lines.append(contact_line(ctx, state, contact, with_hours=service.hours is None))
    if service.hours:
        lines.append(ctx.say("card_hours", state, hours=hours_text(ctx, state, service.hours))
                     + open_note(ctx, state, service, when))
    if service.waiting:
        latest = service.waiting[0]
        lines.append(ctx.say("card_wait", state, wait=latest.text.for_audience(audience)))
    if service.not_for_emergencies:
        lines.append(ctx.say("card_not_emergency", state))
    if service.status_note:
        lines.append(ctx.say("card_note", state, note=service.status_note.for_audience(audience)))
    if service.while_waiting:
        lines.append(ctx.say("results_while_waiting", state, advice=service.while_waiting.for_audience(audience)))
    return "\n".join(lines)
