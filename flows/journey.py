"""Moving a journey along: ask the next unanswered question, or give results.

Each audience's module names the questions it asks, in order. This module
finds the first one not yet answered and asks it; when all are answered it
hands over to `results`.
"""
from __future__ import annotations

from bot.dialogue import Button, Outcome, State
from bot.recommend import RISK
from bot.schema import GROUPINGS
from bot.understand import Understanding, is_question
from bot.textmatch import normalise
from flows import crisis, parent, places, professional, results, said, slots, told_more, whose_need, young_person
from flows.context import Ctx, Turn

# Questions that may go unanswered when the words answer the next one instead, and
# what they are taken to be then: an unknown role is "other"; an unknown duration
# never moves a need up a grouping.
SKIPPABLE = {"role": "other", "duration": "unsaid"}
SHORT_ANSWER_WORDS = 4  # a short answer to a question is only that answer, not also a need
TELLING_WORDS = 6  # a message this long that answers nothing asked is telling more about the need
PLAIN_ANSWER_MAX_WORDS = 12  # longer than this, a message is read as a message, whatever it answers
LET_GO = ("age_band", "area")  # questions let go when asked twice and still not answered
JUDGED = ("severity", "urgency")  # questions judged from the words when more is told instead
SCHOOL_TOPIC = "school"

JOURNEYS = {
    "young_person": young_person.QUESTIONS,
    "parent": parent.QUESTIONS,
    "professional": professional.QUESTIONS,
}


def questions(state: State) -> tuple[str, ...]:
    return ("audience",) + JOURNEYS.get(state.audience or "", ())


def next_slot(state: State) -> slots.Slot | None:
    for name in questions(state):
        if not getattr(state, name) and name not in state.skipped:
            return slots.SLOTS[name]
    return None


def advance(ctx: Ctx, turn: Turn) -> Outcome:
    """Ask the next question, or show results when nothing is left to ask."""
    turn.state = whose_need.settle(ctx, turn.state)  # the age may show it now: a baby's parent
    slot = next_slot(turn.state)
    if slot is None:
        return results.show(ctx, turn)
    turn.state = turn.state.but(step=slot.name)
    turn.add(ctx.say(_question(ctx, turn.state, slot), turn.state), slots.buttons(ctx, turn.state, slot))
    return turn.done()


def _question(ctx: Ctx, state: State, slot: slots.Slot) -> str:
    """The question's words for this person: a parent is not asked about a baby's school."""
    if slot.name == "severity" and state.audience == "parent":
        if whose_need.parents_own(ctx, state):
            return "ask_severity_own"
        if state.age_band == ctx.kb.thrive.age_bands[0].id:
            return "ask_severity_young_child"
    return slot.question


def ask_again(ctx: Ctx, turn: Turn) -> Outcome:
    """Repeat the question for the current step (after a hiccup or a crisis message)."""
    if turn.state.step in ("results", "anything_else"):
        return results.anything_else(ctx, turn)
    return advance(ctx, turn)


def on_choice(ctx: Ctx, turn: Turn, action: str) -> Outcome | None:
    """Handle a journey button; None if the action is not one of ours."""
    prefix, _, value = action.partition(":")
    if prefix == "top":
        return choose_topic(ctx, turn, value)
    if prefix == "grp":
        return show_group(ctx, turn, value)
    slot = slots.BY_PREFIX.get(prefix)
    if slot is None:
        return None
    new_state = slots.fill(ctx, turn.state, slot, value)
    if new_state is None:
        return None
    turn.state = new_state
    if _says_unsafe(ctx, slot, value) and not new_state.crisis_shown:
        return crisis.show(ctx, turn)  # "not safe" is answered with urgent help first, then the journey
    return advance(ctx, turn)


def _says_unsafe(ctx: Ctx, slot: slots.Slot, value: str) -> bool:
    kind = {"severity": "severity", "urgency": "urgency"}.get(slot.name)
    choice = ctx.kb.choice(kind, value) if kind else None
    return bool(choice and choice.grouping == "getting-risk-support")


def on_text(ctx: Ctx, turn: Turn, text: str, heard: Understanding) -> Outcome:
    """Free text that is not a crisis: answer the current question with it if we can."""
    if turn.state.step not in ("area", "start", "audience"):
        moved = places.moved_to(ctx, turn.state.area, text)
        if moved:  # "i live in batley" at the need question, "actually I live in Wakefield" later
            turn.state = turn.state.but(area=moved)
            turn.add(ctx.say("area_noted", turn.state, area=_area_name(ctx, moved)))
            return ask_again(ctx, turn) if turn.state.step not in ("results", "anything_else") else results.show(ctx, turn)
    fixed = None
    if turn.state.age is not None and turn.state.step != "age_band":
        # Put right in so many words, or a short message that is only an age ("hes 16").
        fixed = told_more.corrected_age(text) or (
            told_more.stated_age(text) if len(text.split()) <= SHORT_ANSWER_WORDS else None)
    if fixed is not None and fixed != turn.state.age and fixed <= slots.ADULT_TOP_AGE:
        # "sorry no 17", "sorry hes 17 not 16": the age put right, wherever the journey is.
        turn.state = slots.with_age(ctx, turn.state, fixed)
        turn.add(ctx.say("age_noted", turn.state, age=fixed))
        return ask_again(ctx, turn) if turn.state.step not in ("results", "anything_else") else results.show(ctx, turn)
    said_who = slots.exact_label(ctx, turn.state, slots.SLOTS["audience"], text)
    if said_who and turn.state.step != "audience":
        # The first question's button words typed later ("I'm a parent or carer" at the age
        # question): who they are, said again or changed, never a need ("carer" is not young-carer).
        turn.state = turn.state.but(audience=said_who)
        return advance(ctx, turn)
    slot = slots.SLOTS.get(turn.state.step)
    if turn.state.step == "topic_group":
        slot = slots.SLOTS["topics"]
    filled = slots.read_typed(ctx, turn.state, slot, text, heard) if slot else None
    if filled is None and slot is not None and slot.name in SKIPPABLE:
        # Not an answer to a question we can do without ("what is your role?", "how long?"):
        # perhaps it answers the next one ("14", "every day"). Then this one is left at its default.
        skipped = turn.state.but(**{slot.name: SKIPPABLE[slot.name]})
        following = next_slot(skipped)
        filled = slots.read_typed(ctx, skipped, following, text, heard) if following else None
    answered = filled is not None  # these words answered the question asked (or the one after it)
    if filled is None and slot is not None and slot.name == "duration" and not _tells_need(turn.state, text, heard):
        # "How long?" matters least: an answer we cannot place ("since the move", "on and off")
        # is taken as unsaid, never asked again.
        filled = turn.state.but(duration=SKIPPABLE["duration"])
    if filled is None and slot is not None and slot.name not in ("topics", "audience"):
        filled = _answers_another(ctx, turn.state, slot, text, heard)  # "a lot" typed at "how long?": kept
    if filled is None and slot is not None and _known(turn.state, slot):
        filled = turn.state  # told already in these words (taken on arrival): answered, not asked again
    if filled is None and slot is not None and slot.name in JUDGED and _tells_more(text):
        # "im always tired and keep getting detentions", "who deals with this, school or NHS?" at
        # "how much?": more told, or a question, never an answer we can place. Asking again and
        # again loses them; how much it weighs is judged from their words, and the results answer.
        filled = _judged(ctx, turn.state, slot, heard, text)
    state = filled or turn.state
    progressed = filled is not None
    # "year 10", "15, doing her gcses this year": an age, not a need (school) as well.
    answer_only = filled is not None and (len(text.split()) <= SHORT_ANSWER_WORDS
                                          or (slot is not None and slot.name == "age_band" and _only_school_stage(ctx, text)))
    told = take_need(ctx, state, text, heard, answer_only, answered, before=turn.state.topics)
    # Told in passing: the conversation took it on arrival once who they are was known; when these
    # very words say who they are ("im a mum, my 15 year old..."), it is taken here.
    harvested = told_more.harvest(ctx, told, text) if turn.state.audience is None else told
    progressed, state = progressed or harvested != state, harvested
    if heard.circumstances:
        state = state.but(circumstances=tuple(dict.fromkeys(state.circumstances + heard.circumstances)))
    if filled is None and slot is not None and slot.name in LET_GO:
        if turn.state.reasked == slot.name and _tells_more(text):
            # Asked twice, and they are telling us other things ("can i just watch her tonight?"):
            # let the question go and help without it (any age; help that works anywhere).
            state, progressed = state.but(skipped=state.skipped + (slot.name,), reasked=None), True
        else:
            state = state.but(reasked=slot.name)
    # What is wrong, told at another question ("where do you live?"): said back, so the question
    # that follows does not read as if they were not heard.
    noted = not answered and slot is not None and slot.name not in ("topics", "audience") and told.topics != turn.state.topics
    turn.state = state
    if not progressed:
        return _not_understood(ctx, turn, slot, text)
    if noted and next_slot(state) is not None:
        turn.add(ctx.say("need_noted", state))
    topic_is_crisis = any(ctx.kb.topics[t].crisis for t in state.topics[:1])
    if topic_is_crisis and not state.crisis_shown and not heard.weighed:
        # Thoughts of suicide told as the need bring urgent help, unless told with their weight
        # ("fleeting", "no plan or intent"): those were asked about, or said to be safe, already.
        return crisis.show(ctx, turn)
    return advance(ctx, turn)


def take_need(ctx: Ctx, state: State, text: str, heard: Understanding,
              answer_only: bool = False, answered: bool = False, before: tuple[str, ...] | None = None) -> State:
    """The state with the need these words tell, and whose it is.

    People say what is wrong before they are asked, and tell more after: "its about me
    though" at the age question, then what happened at the birth at "how long?". The newest
    words lead; a need named earlier stays beside them.
    """
    before = state.topics if before is None else before  # the need as it was before these words
    if not state.topics and heard.matched and not answer_only:
        state = state.but(topics=slots.matched_topics(heard))
    elif state.topics and heard.matched and not answered and len(text.split()) >= TELLING_WORDS:
        new = slots.matched_topics(heard)
        if _weight(ctx, state.topics[0]) >= _weight(ctx, new[0]):
            # "just scared and not sleeping" after signs of psychosis: the weightier need told
            # first still leads (its specialist door), the new words stay beside it.
            new = state.topics[:1] + new
        state = state.but(topics=tuple(dict.fromkeys(new + state.topics))[:3])
    elif not state.topics and state.audience == "parent" and whose_need.says_its_mine(ctx, text):
        state = state.but(topics=(ctx.kb.thrive.own_need.topic,))
    return whose_need.settle(ctx, state, text) if state.topics != before else state


def _weight(ctx: Ctx, topic: str) -> tuple[int, float]:
    """How much a need weighs in choosing the door: its grouping first (risk support over getting
    advice), then its weight (a specific situation over a general feeling)."""
    known = ctx.kb.topics.get(topic)
    if known is None:
        return (-1, 0.0)
    return (GROUPINGS.index(known.grouping), 0.0 if known.route else known.weight)


def _answers_another(ctx: Ctx, state: State, asked: slots.Slot, text: str, heard: Understanding) -> State | None:
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
            or _answers_another(ctx, state, pending, text, heard) or state)


def answers_pending(ctx: Ctx, state: State, text: str, heard: Understanding) -> bool:
    """After urgent help: do these words answer the question that was waiting ("urgent, she goes
    home at 3.15" at how soon, "a few months" at how long)?"""
    pending = state.but(step=state.resume or "start", resume=None)
    following = next_slot(pending)
    if pending.step in slots.SLOTS and following is not None:
        pending = pending.but(step=following.name)
    slot = slots.SLOTS.get(pending.step)
    return slot is not None and slot.name != "topics" and slots.read_typed(ctx, pending, slot, text, heard, guess=False) is not None


def _tells_more(text: str) -> bool:
    return len(text.split()) >= TELLING_WORDS or is_question(text, normalise(text))


def _judged(ctx: Ctx, state: State, slot: slots.Slot, heard: Understanding, text: str = "") -> State:
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


def _known(state: State, slot: slots.Slot) -> bool:
    return slot.name in ("age_band", "area", "duration") and getattr(state, slot.name) is not None


def _tells_need(state: State, text: str, heard: Understanding) -> bool:
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
        rest = _rest(ctx, told_more.without_correction(text))
        return not rest or ctx.understander.read(rest, state.audience).crisis == "no"
    slot = slots.SLOTS.get(state.step)
    if slot is None or slot.name == "topics" or len(text.split()) > PLAIN_ANSWER_MAX_WORDS:
        return False
    if slots.read_typed(ctx, state, slot, text, heard) is None:
        return False
    if len(text.split()) <= SHORT_ANSWER_WORDS or slots.whole_answer(ctx, slot, text):
        return True
    rest = _rest(ctx, text)
    return not rest or ctx.understander.read(rest, state.audience).crisis == "no"


def _only_school_stage(ctx: Ctx, text: str) -> bool:
    """Beside an age, nothing but the school stage ("doing gcses", "started year 7"): people give
    ages that way, so it is not a worry about school."""
    named = set(ctx.understander.read(_rest(ctx, text)).topic_scores)
    return named <= {SCHOOL_TOPIC}


def _rest(ctx: Ctx, text: str) -> str:
    """The words of an answer once its filler and numbers are taken out."""
    return " ".join(w for w in normalise(text) if w not in ctx.filler and not w.isdigit() and w not in said.NUMBER_WORDS)


def _area_name(ctx: Ctx, area: str) -> str:
    return ctx.kb.areas[area].info.name if area in ctx.kb.areas else ctx.say("area_elsewhere_name", State())


def _not_understood(ctx: Ctx, turn: Turn, slot: slots.Slot | None, text: str = "") -> Outcome:
    key = f"not_understood_{slot.name}" if slot else "not_understood"
    if slot and slot.name == "area" and slots.postcode_areas(ctx, text)[0]:
        key = "area_postcode_shared"
    elif slot and slot.name == "area" and places.named(ctx, text).shared:
        key = "area_place_shared"
    turn.add(ctx.say(key if key in ctx.kb.messages else "not_understood", turn.state))
    return ask_again(ctx, turn)


def show_group(ctx: Ctx, turn: Turn, group_id: str) -> Outcome | None:
    group = next((g for g in ctx.kb.topic_groups if g.id == group_id), None)
    if group is None:
        return None
    state = turn.state.but(step="topic_group")
    turn.state = state
    rows = tuple(
        (Button(ctx.kb.topics[t].label.for_audience(state.audience), f"top:{t}"),)
        for t in group.topics
    )
    back = (ctx.button("button_back", state, "back"), ctx.button("button_urgent", state, "urgent"))
    turn.add(ctx.say("ask_topic_in_group", state), rows + (back,))
    return turn.done()


def choose_topic(ctx: Ctx, turn: Turn, topic_id: str) -> Outcome | None:
    topic = ctx.kb.topics.get(topic_id)
    if topic is None:
        return None
    turn.state = turn.state.but(topics=(topic_id,))
    if topic.crisis and not turn.state.crisis_shown:
        return crisis.show(ctx, turn)
    return advance(ctx, turn)
