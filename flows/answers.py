"""Which question do these words answer? Kept answers, plain answers and judged ones.

People answer the question before last, the next one, or one nobody asked yet ("15,
dewsbury" at "who are you?"), and say more than the answer ("15 and i cant do this
anymore"). These read a message for the answers in it, so nothing told is lost and
nothing is asked twice.
"""
from __future__ import annotations

from bot.dialogue import State
from bot.recommend import RISK
from bot.textmatch import normalise
from bot.understand import Understanding, is_question
from flows import said, slots, told_more
from flows.context import Ctx
from flows.questions import PLAIN_ANSWER_MAX_WORDS, SCHOOL_TOPIC, SHORT_ANSWER_WORDS, TELLING_WORDS, next_slot, questions


def answers_another(ctx: Ctx, state: State, asked: slots.Slot, text: str, heard: Understanding) -> State | None:
    """The words answer another question still open (a duration at "how much?", a place at "how
    old?"): kept, and the question asked is asked again. Only for a short answer: a longer
    message is read for its need and what it tells in passing."""
    if len(text.split()) > SHORT_ANSWER_WORDS:
        return None
    for name in questions(state):
        if name in (asked.name, "audience", "topics", "role") or getattr(state, name):
            continue
        filled = slots.read_typed(ctx, state, slots.SLOTS[name], text, heard)
        if filled is not None:
            return filled
    return None


def keep_answers(ctx: Ctx, state: State, text: str, heard: Understanding) -> State:
    """While another question waits (the safety question), an answer to one of the journey's
    open questions is kept, so it is not asked again."""
    pending = next_slot(state)
    if pending is None or pending.name == "topics":
        return state
    if pending.name == "audience":  # "13" while the safety question waits: a young person's age
        return slots.read_typed(ctx, state, pending, text, heard, guess=False) or state
    return (slots.read_typed(ctx, state, pending, text, heard)
            or answers_another(ctx, state, pending, text, heard) or state)


def answers_pending(ctx: Ctx, state: State, text: str, heard: Understanding) -> bool:
    """After urgent help: do these words answer the question that was waiting ("urgent, she goes
    home at 3.15" at how soon, "a few months" at how long)?"""
    pending = state.but(step=state.resume or "start", resume=None)
    following = next_slot(pending)
    if pending.step in slots.SLOTS and following is not None:
        pending = pending.but(step=following.name)
    slot = slots.SLOTS.get(pending.step)
    return slot is not None and slot.name != "topics" and slots.read_typed(ctx, pending, slot, text, heard, guess=False) is not None


def tells_more(text: str) -> bool:
    return len(text.split()) >= TELLING_WORDS or is_question(text, normalise(text))


def judged(ctx: Ctx, state: State, slot: slots.Slot, heard: Understanding, text: str = "") -> State:
    """How much it weighs, from the grouping their words suggest: never risk support (that is the
    safety question's to decide), and the middle choice when the words suggest nothing."""
    choices = [c for c in getattr(ctx.kb.thrive, slot.name) if c.grouping != RISK]
    weighs = heard.grouping
    if is_question(text, normalise(text)) and state.topics and state.topics[0] in ctx.kb.topics:
        # A question ("can she refer herself?") says nothing of how much: the need told decides.
        weighs = ctx.kb.topics[state.topics[0]].grouping
    chosen = next((c for c in choices if c.grouping == weighs), None)
    if chosen is None:
        chosen = choices[-1] if heard.grouping == RISK else choices[len(choices) // 2]
    return state.but(**{slot.name: chosen.id})


def known(state: State, slot: slots.Slot) -> bool:
    return slot.name in ("age_band", "area", "duration") and getattr(state, slot.name) is not None


def tells_need(state: State, text: str, heard: Understanding) -> bool:
    """A message that says what is wrong (rather than answering the question), when no need is known yet."""
    return not state.topics and heard.matched


def is_plain_answer(ctx: Ctx, state: State, text: str, heard: Understanding) -> bool:
    """Words that answer the question asked and say nothing else ("me, im an adult", "year 9",
    "hes 2 and a half", "we live in normanton now").

    A short answer is only the answer. In a longer one, the words left once the answer and
    its filler are taken out are read again: "15 and i cant do this anymore" is more than an age.
    """
    if state.age is not None and told_more.corrected_age(text) is not None and len(text.split()) <= PLAIN_ANSWER_MAX_WORDS:
        # "sorry hes 17 not 16, just had his birthday": an age put right, at whatever step.
        left = words_besides(ctx, told_more.without_correction(text))
        return not left or ctx.understander.read(left, state.audience).crisis == "no"
    slot = slots.SLOTS.get(state.step)
    if slot is None or slot.name == "topics" or len(text.split()) > PLAIN_ANSWER_MAX_WORDS:
        return False
    if slots.read_typed(ctx, state, slot, text, heard) is None:
        return False
    if len(text.split()) <= SHORT_ANSWER_WORDS or slots.whole_answer(ctx, slot, text):
        return True
    left = words_besides(ctx, text)
    return not left or ctx.understander.read(left, state.audience).crisis == "no"


def only_school_stage(ctx: Ctx, text: str) -> bool:
    """Beside an age, nothing but the school stage ("doing gcses", "started year 7"): people give
    ages that way, so it is not a worry about school."""
    named = set(ctx.understander.read(words_besides(ctx, text)).topic_scores)
    return named <= {SCHOOL_TOPIC}


def words_besides(ctx: Ctx, text: str) -> str:
    """The words of an answer once its filler and numbers are taken out."""
    return " ".join(w for w in normalise(text) if w not in ctx.filler and not w.isdigit() and w not in said.NUMBER_WORDS)


_FACTS = ("audience", "role", "age", "age_band", "area", "duration")  # not how much: "really bad" is not a fact


def answered_facts(before: State, after: State) -> bool:
    """The words answered a plain question of fact (age, area, how long), not how bad it is."""
    return any(getattr(before, f) != getattr(after, f) for f in _FACTS)


def answers_step(ctx: Ctx, state: State, text: str, heard: Understanding) -> State | None:
    """The state with the question at this step answered by these words, or None."""
    slot = slots.SLOTS.get(state.step)
    if slot is None or slot.name == "topics":
        return None
    return slots.read_typed(ctx, state, slot, text, heard, guess=False)

