"""How a service or a contact is written out for a person."""
from __future__ import annotations

import datetime as dt

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
        return ctx.say("card_holiday_unsure", state)
    if found.open is None:
        return ""
    return ctx.say("card_open_now" if found.open else "card_closed_now", state)


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
    for contact_id in service.contacts:
        lines.append(contact_line(ctx, state, ctx.kb.contacts[contact_id], with_hours=service.hours is None))
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
    return "\n".join(lines)
