"""A parent's or carer's journey: child's age, area, the worry, how long, how much."""
from __future__ import annotations

from bot.dialogue import State
from bot.schema import GROUPINGS
from flows.context import Ctx
from flows.young_person import grouping_from_severity

QUESTIONS = ("age_band", "area", "topics", "duration", "severity")


def grouping(ctx: Ctx, state: State) -> str:
    """As for a young person, but a problem lasting many months moves up a grouping."""
    chosen = grouping_from_severity(ctx, state)
    longest = ctx.kb.thrive.duration[-1].id
    lasting = ctx.kb.thrive.lasting_need
    if state.duration == longest and chosen == "getting-help" and GROUPINGS.index(lasting) > GROUPINGS.index(chosen):
        return lasting
    return chosen
