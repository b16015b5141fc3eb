"""A professional's journey: role, the child's age, area, need, urgency; then criteria and route."""
from __future__ import annotations

from bot.dialogue import State
from flows.context import Ctx

QUESTIONS = ("role", "age_band", "area", "topics", "urgency")


def grouping(ctx: Ctx, state: State) -> str:
    choice = ctx.kb.choice("urgency", state.urgency or "")
    return choice.grouping if choice and choice.grouping else "getting-help"


def referrer(ctx: Ctx, state: State) -> str:
    role = ctx.kb.choice("roles", state.role or "")
    return role.referrer if role and role.referrer else "professional"
