"""A young person's journey: age, area, what is going on, how much it affects them."""
from __future__ import annotations

from bot.dialogue import State
from bot.schema import GROUPINGS
from flows.context import Ctx

QUESTIONS = ("age_band", "area", "topics", "severity")


def grouping(ctx: Ctx, state: State) -> str:
    return grouping_from_severity(ctx, state)


def grouping_from_severity(ctx: Ctx, state: State) -> str:
    """The severity answer picks the grouping; a wellbeing need at the mildest level is Thriving."""
    choice = ctx.kb.choice("severity", state.severity or "")
    chosen = choice.grouping if choice and choice.grouping else "getting-advice"
    mildest = ctx.kb.thrive.severity[0].id
    starts = ctx.kb.topics[state.topics[0]].grouping if state.topics else None
    if state.severity == mildest and starts == "thriving":
        return "thriving"
    first = ctx.kb.topics[state.topics[0]] if state.topics else None
    if first is not None and first.pathway_first and GROUPINGS.index(first.grouping) > GROUPINGS.index(chosen):
        return first.grouping  # voices "a little": still the early intervention team first
    return chosen
