"""Words typed while the safety question waits ("is anyone in danger now?") that are neither
yes nor no.

Asked once and not answered, it is asked again, and anything the words answer meanwhile (an
age, "hudds") is kept. Asked twice and still not answered:
- answered twice with facts ("since september", "huddersfield"): they are giving what they
  think was asked; taken as those answers, and the question let go;
- a question about the help, with no risk words the lexicon knows ("how long does it take,
  will it be done before im 18", "can i refer myself?"): they are getting on with finding
  help. The question is let go, with Urgent help one press away, and the journey carries on;
  the learned reader alone does not ask it again this journey (blind conversations, December
  2026: a third ask or a 999 screen there read as not listening);
- anything else ("what should i do?", risk words): urgent help, never the next routine question.
A question the bot can answer ("will they take her off me?") is answered either way; asked
twice already, the safety question is then let go.
"""
from __future__ import annotations

from bot.dialogue import Outcome, State
from bot.understand import Understanding, is_question
from flows import answers, crisis, journey, result_questions
from flows.context import Ctx, Turn
from flows.questions import next_slot

ASKED = "crisis_check"  # the step, and its mark in `reasked` and `skipped`
ABOUT_THE_HELP = frozenset({"wait", "self_refer", "specific", "what_is"})  # result_questions.yaml kinds


def let_go(state: State) -> bool:
    """The question was let go this journey: the reader alone does not bring it back."""
    return ASKED in state.skipped


def asked_twice(state: State) -> bool:
    """Asked twice and waiting: the reader alone does not ask a third time; `unanswered` decides."""
    return state.step == ASKED and state.reasked == ASKED


def followup_meanwhile(ctx: Ctx, turn: Turn, text: str, heard: Understanding, followup: str) -> Outcome:
    """"do they tell my mum??" while the question waits: answered, then asked again, or, asked
    twice already, answered and let go."""
    state = answers.keep_answers(ctx, turn.state, text, heard)
    turn.add(ctx.say(followup, state))
    if turn.state.reasked == ASKED:
        return _carry_on(ctx, turn, state)
    turn.state = state.but(reasked=ASKED)
    turn.add(ctx.say("crisis_check_again", state), crisis.check_buttons(ctx, state))
    return turn.done()


def unanswered(ctx: Ctx, turn: Turn, arrived: State, text: str, heard: Understanding, choose) -> Outcome | None:
    """The reply when the words answer neither yes nor no; None when they tell the need (the
    journey takes them where it was). `choose` presses a button ("chk:no")."""
    state = turn.state
    words = text.split()
    if heard.matched and not is_question(text, words):
        return None
    kept = answers.keep_answers(ctx, state, text, heard)
    if state.reasked == ASKED and heard.crisis == "no" and answers.answered_facts(arrived, kept) \
            and not is_question(text, words):
        turn.state = kept
        return choose(turn, "chk:no")
    if state.reasked == ASKED:
        if heard.lexicon_crisis == "no" and result_questions.phrased(ctx, text) in ABOUT_THE_HELP:
            return _carry_on(ctx, turn, kept)
        return crisis.show(ctx, turn)
    # Neither yes nor no ("really bad", "ok", "who do I tell?"): asked again, never taken as a no
    # (a mother with thoughts of harming her baby typed "really bad").
    turn.state = kept.but(reasked=ASKED)
    turn.add(ctx.say("crisis_check_again", turn.state), crisis.check_buttons(ctx, turn.state))
    return turn.done()


def _carry_on(ctx: Ctx, turn: Turn, state: State) -> Outcome:
    state = state.but(step=state.resume or "start", resume=None, reasked=None, skipped=state.skipped + (ASKED,))
    following = next_slot(state)
    if state.step in journey.slots.SLOTS and following is not None:
        state = state.but(step=following.name)
    turn.state = state
    turn.add(ctx.say("crisis_check_let_go", state))
    return journey.ask_again(ctx, turn)
