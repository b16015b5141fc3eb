"""People type a button's words instead of pressing it ("im a parent", "no thats it"): the press."""
from __future__ import annotations

from bot.dialogue import Button, State
from bot.textmatch import normalise
from flows import crisis, results, slots
from flows.context import Ctx


def pressed(ctx: Ctx, state: State, text: str, exact: bool = False) -> str | None:
    """The action of the button on screen these words name, if any.

    `exact`: only the label itself (case and punctuation aside), no near match.
    """
    shown = on_screen(ctx, state)
    if not shown:
        return None
    if exact:
        wanted = " ".join(normalise(text))
        return next((b.action for b in shown if " ".join(normalise(b.label)) == wanted), None)
    return slots.match_label([(b.label, b.action) for b in shown], text)


def on_screen(ctx: Ctx, state: State) -> list[Button]:
    """The buttons the last reply at this step showed."""
    by_step = {
        "crisis": crisis.crisis_buttons,
        "crisis_check": crisis.check_buttons,
        "results": results.result_buttons,
        "anything_else": results.anything_else_buttons,
    }
    if state.step in by_step:
        rows = by_step[state.step](ctx, state)
    elif state.step in slots.SLOTS:
        rows = slots.buttons(ctx, state, slots.SLOTS[state.step])
    else:
        return []
    return [b for row in rows for b in row]
