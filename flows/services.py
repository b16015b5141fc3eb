"""Browse services by THRIVE grouping, or find one by name (/services)."""
from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from bot.dialogue import Button, Outcome
from bot.schema import Service
from flows import cards
from flows.context import Ctx, Turn

SEARCH_CUTOFF = 85
MAX_FOUND = 5


class ServiceFinder:
    """Name and alias search over every service, indexed once."""

    def __init__(self, ctx: Ctx):
        self._names: list[str] = []
        self._ids: list[str] = []
        for service in ctx.kb.services.values():
            for name in (service.name, *service.aliases):
                self._names.append(utils.default_process(name))
                self._ids.append(service.id)

    def search(self, query: str) -> list[str]:
        """Names containing the query's words win; otherwise the closest spellings."""
        wanted = utils.default_process(query)
        if not wanted:
            return []
        whole = [i for i, name in enumerate(self._names) if f" {wanted} " in f" {name} "]
        if not whole:
            hits = process.extract(wanted, self._names, scorer=fuzz.partial_ratio,
                                   score_cutoff=SEARCH_CUTOFF, limit=MAX_FOUND * 3)
            whole = [index for _, _, index in hits]
        return list(dict.fromkeys(self._ids[index] for index in whole))[:MAX_FOUND]


def _pool(ctx: Ctx, area: str | None) -> tuple[Service, ...]:
    if area in ctx.kb.areas:
        return ctx.kb.services_for_area(area)
    return tuple(ctx.kb.services.values())


def browse(ctx: Ctx, turn: Turn) -> Outcome:
    turn.state = state = turn.state.but(step="services")
    rows = tuple(
        (Button(g.name.for_audience(state.audience), f"sg:{g.id}"),) for g in ctx.kb.thrive.groupings
    )
    turn.add(ctx.say("services_intro", state), rows + ((ctx.button("button_urgent", state, "urgent"),),))
    return turn.done()


def in_grouping(ctx: Ctx, turn: Turn, grouping: str) -> Outcome | None:
    if grouping not in {g.id for g in ctx.kb.thrive.groupings}:
        return None
    state = turn.state
    found = [s for s in _pool(ctx, state.area) if grouping in s.groupings]
    info = ctx.kb.grouping(grouping)
    turn.add(
        ctx.say("services_in_grouping", state, grouping=info.name.for_audience(state.audience),
                about=info.description.for_audience(state.audience)),
        _service_rows(ctx, found),
    )
    return turn.done()


def show_found(ctx: Ctx, turn: Turn, service_ids: list[str]) -> Outcome:
    """The services a name search found: one at once, several as buttons, none with the browse menu."""
    state = turn.state.but(step="services")
    turn.state = state
    found = [ctx.kb.services[i] for i in service_ids]
    if len(found) == 1:
        return detail(ctx, turn, found[0].id)
    if not found:
        turn.add(ctx.say("services_none_found", state))
        return browse(ctx, turn)
    turn.add(ctx.say("services_found", state), _service_rows(ctx, found))
    return turn.done()


def detail(ctx: Ctx, turn: Turn, service_id: str) -> Outcome | None:
    service = ctx.kb.services.get(service_id)
    if service is None:
        return None
    state = turn.state
    buttons = ((ctx.button("button_browse", state, "browse"), ctx.button("button_restart", state, "restart")),
               (ctx.button("button_urgent", state, "urgent"),))
    turn.add(cards.service_card(ctx, state, service), buttons)
    return turn.done()


def _service_rows(ctx: Ctx, services: list[Service]) -> tuple[tuple[Button, ...], ...]:
    """One button a service; two services of one name (Night OWLS in each area) say their area."""
    names = [s.name for s in services]
    area_of = {svc.id: a.info.name for a in ctx.kb.areas.values() for svc in a.services}

    def label(s: Service) -> str:
        return f"{cards.short_name(s)} ({area_of[s.id]})" if names.count(s.name) > 1 and s.id in area_of else s.name

    return tuple((Button(label(s), f"svc:{s.id}"),) for s in services)
