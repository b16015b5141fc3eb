"""Urgent help is on screen and they have not said they are safe: words about the moment itself.

- "ive rung 999 theyre coming": help is on its way (`help_called`). From then on every urgent
  reply says what to do until it comes, fitted to the danger (a knife, a missing child, a
  fight at home), and to call 999 again if anything changes: never "call 999 now" again.
- "what do i do now?", "while we wait?": what to do now, never the services' waiting times.
- more danger words once help is called ("hes gone quiet now"): what to do until help comes.

`not_over`: any other words while the danger is open that still sound like it, or answer
nothing asked. Anything else (an age, a new need, "im safe now") is left to the conversation.
"""
from __future__ import annotations

from bot.dialogue import Outcome
from bot.understand import Understanding
from flows import answers, crisis
from flows.context import Ctx, Turn
from flows.result_questions import ROUTE_TOPICS

HELP_ON_THE_WAY = "followup_help_on_the_way"  # the answer keys of the followups (thrive.yaml)
WHAT_NOW = "crisis_what_now"


def about_the_moment(step: str, heard: Understanding, followup: str | None) -> bool:
    """Words about the danger now, not a need to keep for later. "she wont come out of her room,
    what do i do" names a need: that is taken where the journey was, not answered here."""
    if step != "crisis":
        return False
    if followup == WHAT_NOW:
        names_need = heard.matched and any(t not in ROUTE_TOPICS for t in heard.topics[:1])
        return heard.crisis != "no" or not names_need
    return followup == HELP_ON_THE_WAY


def reply(ctx: Ctx, turn: Turn, heard: Understanding, followup: str | None) -> Outcome | None:
    state = turn.state
    if state.step != "crisis":
        return None
    if followup == WHAT_NOW and not about_the_moment(state.step, heard, followup):
        return None
    if followup == HELP_ON_THE_WAY:
        turn.state = state.but(help_called=True)
        return crisis.still(ctx, turn)
    if followup == WHAT_NOW:
        return crisis.still(ctx, turn, what_now=True)
    if state.help_called and heard.crisis != "no":
        return crisis.still(ctx, turn)  # "hes gone quiet": what to do until they come
    return None


def not_over(ctx: Ctx, turn: Turn, text: str, heard: Understanding, named: bool) -> Outcome | None:
    """Urgent help shown and never said to be over. Words that still sound like danger ("I don't
    know where she is", "hes still got it hes on the landing" after "15", "dewsbury"), or that
    answer nothing asked ("i feel sick" after tablets): the lines that matter now, never "how long
    has it been?" nor "I don't know that place". None when the words move the journey on."""
    state = turn.state
    answered = (answers.answers_pending(ctx, state, text, heard) if state.step == "crisis"
                else answers.answers_step(ctx, state, text, heard) is not None)
    # A need named outright (not in passing: "cold", "breathing" name none) moves them on.
    unplaced = max(heard.topic_scores.values(), default=0.0) < 1.0 and state.step not in ("results", "anything_else", "services")
    if not answered and (heard.crisis != "no" or named or unplaced):
        return crisis.still(ctx, turn)
    if answered and crisis.emergency_now(ctx, state):
        # A body in danger now (tablets taken, bleeding, a knife): the answer ("14", "batley") is
        # kept, and the reply is still what to do now, never the next question.
        kept = answers.keep_answers(ctx, state, text, heard) if state.step == "crisis" \
            else answers.answers_step(ctx, state, text, heard)
        turn.state = kept or state
        return crisis.still(ctx, turn)
    return None
