"""Moving a journey along: ask the next unanswered question, or give results.

Each audience's module names the questions it asks, in order. This module
finds the first one not yet answered and asks it; when all are answered it
hands over to `results`.
"""
from __future__ import annotations

from bot.dialogue import Button, Outcome, State
from bot.schema import GROUPINGS
from bot.understand import Understanding
from flows import answers, crisis, places, results, slots, told_more, whose_need
from flows.result_questions import ROUTE_TOPICS
from flows.questions import JUDGED, LET_GO, SHORT_ANSWER_WORDS, SKIPPABLE, TELLING_WORDS, next_slot, questions
from flows.context import Ctx, Turn


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
    if filled is None and slot is not None and slot.name == "duration" and not answers.tells_need(turn.state, text, heard):
        # "How long?" matters least: an answer we cannot place ("since the move", "on and off")
        # is taken as unsaid, never asked again.
        filled = turn.state.but(duration=SKIPPABLE["duration"])
    if filled is None and slot is not None and slot.name not in ("topics", "audience"):
        filled = answers.answers_another(ctx, turn.state, slot, text, heard)  # "a lot" typed at "how long?": kept
    if filled is None and slot is not None and answers.known(turn.state, slot):
        filled = turn.state  # told already in these words (taken on arrival): answered, not asked again
    if filled is None and slot is not None and slot.name in JUDGED and answers.tells_more(text):
        # "im always tired and keep getting detentions", "who deals with this, school or NHS?" at
        # "how much?": more told, or a question, never an answer we can place. Asking again and
        # again loses them; how much it weighs is judged from their words, and the results answer.
        filled = answers.judged(ctx, turn.state, slot, heard, text)
    state = filled or turn.state
    progressed = filled is not None
    # "year 10", "15, doing her gcses this year": an age, not a need (school) as well.
    answer_only = filled is not None and (len(text.split()) <= SHORT_ANSWER_WORDS
                                          or (slot is not None and slot.name == "age_band" and answers.only_school_stage(ctx, text)))
    told = take_need(ctx, state, text, heard, answer_only, answered, before=turn.state.topics)
    # Told in passing: the conversation took it on arrival once who they are was known; when these
    # very words say who they are ("im a mum, my 15 year old..."), it is taken here.
    harvested = told_more.harvest(ctx, told, text) if turn.state.audience is None else told
    progressed, state = progressed or harvested != state, harvested
    if heard.circumstances:
        state = state.but(circumstances=tuple(dict.fromkeys(state.circumstances + heard.circumstances)))
    if filled is None and slot is not None and slot.name in LET_GO:
        if turn.state.reasked == slot.name and answers.tells_more(text):
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
        # Told only as history ("tried to overdose last year"), the safety question asks about now.
        return crisis.ask(ctx, turn, heard) if heard.past_only else crisis.show(ctx, turn)
    return advance(ctx, turn)


def take_need(ctx: Ctx, state: State, text: str, heard: Understanding,
              answer_only: bool = False, answered: bool = False, before: tuple[str, ...] | None = None) -> State:
    """The state with the need these words tell, and whose it is.

    People say what is wrong before they are asked, and tell more after: "its about me
    though" at the age question, then what happened at the birth at "how long?". The newest
    words lead; a need named earlier stays beside them.
    """
    before = state.topics if before is None else before  # the need as it was before these words
    if not state.topics and heard.matched and not answer_only and not (answered and _only_hinted(heard)):
        # "im a dad not a kid lol, not sure this is the right place" answers who they are; "dad"
        # only hints at family. The need is what they tell next.
        state = state.but(topics=slots.matched_topics(heard))
    elif state.topics and heard.matched and len(text.split()) >= TELLING_WORDS and (
            not answered or all(t in ROUTE_TOPICS for t in state.topics)):
        # Told at any question once only words about getting help were the need ("is this just
        # for kids?", then "panic attacks for about a year" at "how long?"): the need itself.
        new = slots.matched_topics(heard)
        if _weight(ctx, state.topics[0]) >= _weight(ctx, new[0]):
            # "just scared and not sleeping" after signs of psychosis: the weightier need told
            # first still leads (its specialist door), the new words stay beside it.
            new = state.topics[:1] + new
        state = state.but(topics=tuple(dict.fromkeys(new + state.topics))[:3])
    elif not state.topics and state.audience == "parent" and whose_need.says_its_mine(ctx, text):
        state = state.but(topics=(ctx.kb.thrive.own_need.topic,))
    return whose_need.settle(ctx, state, text) if state.topics != before else state


def _only_hinted(heard: Understanding) -> bool:
    """No need named outright: only weak words hint at one (every lexicon score under 1)."""
    return max(heard.topic_scores.values(), default=0.0) < 1.0


def _weight(ctx: Ctx, topic: str) -> tuple[int, float]:
    """How much a need weighs in choosing the door: its grouping first (risk support over getting
    advice), then its weight (a specific situation over a general feeling)."""
    known = ctx.kb.topics.get(topic)
    if known is None:
        return (-1, 0.0)
    return (GROUPINGS.index(known.grouping), 0.0 if known.route else known.weight)


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
