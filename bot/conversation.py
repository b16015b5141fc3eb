"""The transport-agnostic conversation core.

`Conversation.step(state, input)` returns the replies, the new state and the
anonymised events. Every typed message is checked for crisis before anything
else, whatever step the journey is at. If anything goes wrong inside a step,
the person still gets an answer that points to urgent help.
"""
from __future__ import annotations

import logging
import secrets
import unicodedata
from dataclasses import replace

from bot.dialogue import Event, Outcome, Reply, State, UserInput
from bot.knowledge import KnowledgeBase
from bot.schema import AUDIENCES
from flows import answers, commands, crisis, danger_open, journey, places, result_questions, results, safety_check, services, told_more, typed_button
from flows.questions import TELLING_WORDS, next_slot
from flows.said_besides import SaidBesides, plain as _plain
from flows.context import Ctx, Turn

log = logging.getLogger(__name__)
MAX_INPUT_CHARS = 4096  # Telegram's own limit for one message
YES_NO_ACTIONS = {  # the questions a yes or a no answers, and the button each means
    "crisis_check": {"yes": "chk:yes", "no": "chk:no"},
    "results": {"yes": "fb:yes", "no": "fb:no"},
    "anything_else": {"yes": "more", "no": "done"},
}

COMMANDS = ("start", "help", "restart", "crisis", "privacy", "services")


class Conversation:
    def __init__(self, kb: KnowledgeBase):
        ctx = Ctx.build(kb)
        # Every crisis reply rendered now, once, so showing one at 3am cannot fail on a lookup.
        self.ctx = replace(ctx, crisis_texts=crisis.CrisisReplies(ctx))
        self.finder = services.ServiceFinder(self.ctx)
        self.besides = SaidBesides(kb)  # yes, no, "I'm safe", followups: phrase lists normalised once
        # Rendered now so that the last-resort answer cannot itself fail later.
        self._fallback = {a: kb.say("error_fallback", a) for a in (None, *AUDIENCES)}

    def start(self) -> Outcome:
        return self.step(State(), UserInput.typed("/start"))

    def step(self, state: State, given: UserInput) -> Outcome:
        if not state.journey:
            state = state.but(journey=new_journey_id())
        try:
            return _with_journey(self._step(state, given))
        except Exception:  # noqa: BLE001 - the person must always get an answer
            log.exception("conversation step failed at step %s", state.step)
            text = self._fallback.get(state.audience, self._fallback[None])
            text += "\n\n" + self.ctx.crisis_texts.text(state.audience, state.area)
            return Outcome((Reply(text, crisis.crisis_buttons(self.ctx, state)),), state)

    def _step(self, state: State, given: UserInput) -> Outcome:
        turn = Turn(state)
        if given.kind == "unsupported":
            turn.add(self.ctx.say("unsupported_input", state))
            return journey.ask_again(self.ctx, turn)
        if given.kind == "choice":
            return self._choice(turn, given.action)
        text = clean(given.text)
        if not text:
            turn.add(self.ctx.say("empty_input", state))
            return journey.ask_again(self.ctx, turn)
        if text.startswith("/"):
            return self._command(turn, text)
        return self._text(turn, text)

    def _text(self, turn: Turn, text: str) -> Outcome:
        ctx, state = self.ctx, turn.state
        arrived = state  # before anything told in passing is taken from these words
        heard = ctx.understander.read(text, state.audience, ctx.understander.context(state.topics, state.age))
        words, besides = _plain(text), self.besides
        opens_safe, says_safe = besides.opens_safe(words), besides.says_safe(words)
        if state.step == "crisis" and heard.lexicon_crisis == "no" and (opens_safe or says_safe):
            return self._choice(turn, "resume")  # "im ok now hes gone out": carry on (the lexicon's alarm still wins)
        if says_safe and heard.past_only:
            # History told and said to be safe now ("overdose attempt last spring ... no current
            # risk"): the safety question is answered already, as for thoughts told with their weight.
            heard = replace(heard, weighed=True)
        if (state.safe_now or safety_check.let_go(state)) and heard.crisis == "ask" and heard.lexicon_crisis == "no":
            # Answered "no" to the safety question already this journey: the learned reader alone,
            # which counts words ("my PA dont answer", "they just give you tablets"), does not ask
            # it again, nor make its guess the need; risk words the lexicon knows still do.
            heard = ctx.understander.calm(heard)
        if heard.crisis != "no" and heard.lexicon_crisis == "no" and answers.is_plain_answer(ctx, state, text, heard):
            # A few words that answer the question asked ("me", "hes 2 and a half", "hudds"): the
            # reader alone, unsure on so few words, does not turn them into a crisis. The lexicon still can.
            heard = replace(heard, crisis="no", risk=0.0)
        if state.step not in ("results", "anything_else", "services"):
            # Whatever happens next (urgent help, the safety question, the next question), an age or a
            # place told in passing is kept: "year 4 teacher, ossett, she's 9, she doesnt want to go home".
            turn.state = state = journey.told_more.harvest(ctx, state, text)
            if state.audience != arrived.audience:  # "learning mentor at...": read as the one it is from
                heard = ctx.understander.read(text, state.audience, ctx.understander.context(state.topics, state.age))
        followup = besides.followup(words, state.step, state.circumstances + heard.circumstances)
        moment = danger_open.about_the_moment(state.step, heard, followup)  # "ive rung 999": no need
        if heard.crisis != "no" and len(text.split()) >= TELLING_WORDS and state.step not in ("results", "anything_else") \
                and not moment:
            turn.state = state = journey.take_need(ctx, state, text, heard)  # kept for after the urgent help
        carried, warrants_question = ctx.understander.carry_risk(state.risk, heard)
        # Situations named (in care, abuse at home) are kept whatever happens next: they choose the door.
        named = [c for c in heard.circumstances if c not in state.circumstances]
        if named:
            turn.state = state = state.but(circumstances=state.circumstances + tuple(named))
        moment_reply = danger_open.reply(ctx, turn, heard, followup)  # "ive rung 999", "what do i do now?"
        if moment_reply is not None:
            return moment_reply
        if followup == danger_open.WHAT_NOW:  # "she wont come out, what do i do": the need, taken below
            followup = None
        if heard.crisis == "yes":
            turn.state = state.but(topics=state.topics or journey.slots.matched_topics(heard), risk=0.0)
            return crisis.show(ctx, turn)  # every number again: crisis words always get all of them
        if besides.is_urgent(words):  # "emergency" typed at any question: the Urgent help button
            return crisis.show(ctx, turn)
        if state.step == "crisis":
            # After urgent help, "no" or "not safe" keeps it, never the next routine question.
            # Anything else is taken where they left off (below), unless the danger is not over.
            # A bare "yes" answers nothing here (are they safe? in danger?): it is not a sign of safety.
            if besides.yes_or_no(words) is not None and not opens_safe or "not safe" in words:
                return crisis.still(ctx, turn)
        if state.step == "crisis_check" and heard.lexicon_crisis == "no" and says_safe:
            return self._choice(turn, "chk:no")  # "he's not in danger tonight, never been hit": a no
        said = besides.yes_or_no(words) if state.step in YES_NO_ACTIONS else None
        if said is not None:  # "no she doesnt hurt us", "yeah", "no thats it": the answer to the question asked
            return self._choice(turn, YES_NO_ACTIONS[state.step][said])
        if followup and state.step == "crisis_check" and heard.lexicon_crisis == "no":
            return safety_check.followup_meanwhile(ctx, turn, text, heard, followup)  # "do they tell my mum??"
        about_results = result_questions.asked(ctx, state, text, heard) if heard.lexicon_crisis == "no" else None
        if about_results and not (followup and about_results in ("other", "what_is")):
            # "how long is the wait?", "who do i ring first?": answered from the cards on screen, the
            # need kept; never a new journey that asks "how long has this been going on?" again.
            return result_questions.answer(ctx, turn, about_results, text)
        if followup and state.step == "crisis":
            # "should i take her to a&e?" right after urgent help: answered, and urgent help stays
            # where it is (its buttons), never the next routine question.
            turn.add(ctx.say(followup, state), crisis.crisis_buttons(ctx, state))
            return turn.done()
        if followup and heard.lexicon_crisis == "no":
            # "what happens at 18?", "can you ring them for me?": answered (the safe-tonight answer
            # gives 999), then the conversation goes on where it was. The reader alone does not
            # turn such a question into the safety question.
            turn.add(ctx.say(followup, state))
            if state.step in ("results", "anything_else") or not heard.matched:
                return journey.ask_again(ctx, turn)
            heard, warrants_question = replace(heard, crisis="no"), False
        if state.crisis_shown and not state.safe_now and state.step != "crisis_check" and not opens_safe and not says_safe:
            still = danger_open.not_over(ctx, turn, text, heard, bool(named))  # "hes still got it", "i feel sick"
            if still is not None:
                return still
        # Urgent help on screen, or the same words say all are safe now ("he's in custody, mum and
        # the kids are safe at nan's now"): no safety question on the reader's or a situation's say-so.
        # Told with their weight and said to be safe ("passive thoughts, no plan, no current risk"):
        # the question is answered already; only the lexicon's own "yes" stands against that.
        # Said to be safe already this journey (above): the risk carried from the reader alone
        # does not bring the question back either.
        asked_already = ((state.crisis_shown or state.safe_now or safety_check.let_go(state)
                          or safety_check.asked_twice(state)) and heard.lexicon_crisis == "no") or \
            (says_safe and (heard.lexicon_crisis != "yes" or heard.weighed))
        question = next((q for c in named if (q := ctx.kb.circumstances[c].safety_question)), None)
        now = any(journey.slots.says_any(text, ctx.kb.circumstances[c].urgent_when) for c in named)
        if question and now and not state.crisis_shown and not says_safe:
            # Abuse at home, happening now ("he's throwing stuff at her in the kitchen right now"):
            # urgent help at once, with the silent 999 call and the domestic abuse line.
            turn.state = state.but(risk=0.0, topics=state.topics or journey.slots.matched_topics(heard))
            return crisis.show(ctx, turn)
        if (heard.crisis == "ask" or warrants_question) and not asked_already:
            exact = typed_button.pressed(self.ctx, state, text, exact=True)
            if exact:  # the bot's own button words typed out ("I'm done"): a choice, not a worry
                return self._choice(turn, exact)
            turn.state = state.but(risk=0.0)  # asked now; start counting afresh
            # A situation named (abuse at home) asks its own question: "are you in danger now?"
            return crisis.ask(ctx, turn, heard, question or "crisis_check")
        if question and not state.crisis_shown and not asked_already:  # abuse at home named: ask about danger now, once
            turn.state = state.but(risk=0.0, topics=state.topics or journey.slots.matched_topics(heard))
            return crisis.ask(ctx, turn, heard, question)
        if asked_already and says_safe:
            carried = 0.0  # "not in immediate danger tonight": the words' risk is not carried to "dewsbury"
        turn.state = state = state.but(risk=carried)
        pressed = typed_button.pressed(self.ctx, state, text)
        if pressed:
            return self._choice(turn, pressed)
        if state.step == "crisis_check":  # neither yes nor no: asked again, let go, or urgent help
            reply = safety_check.unanswered(ctx, turn, arrived, text, heard, self._choice)
            if reply is not None:
                return reply
        if state.step in ("crisis", "crisis_check"):
            # They have moved on: take the words where they left off. Moving on from urgent help
            # ("15", "dewsbury", "shes been low for months") does not say the danger is over: until
            # they say so, danger words bring urgent help back and the results lead with it.
            state = state.but(step=state.resume or "start", resume=None, safe_now=state.step == "crisis_check")
            following = next_slot(state)
            if state.step in journey.slots.SLOTS and following is not None:
                state = state.but(step=following.name)  # the question still open, not one answered meanwhile
            turn.state = state
        if state.step in ("results", "anything_else") and told_more.corrected_age(text) is not None:
            return journey.on_text(ctx, turn, text, heard)  # "wait no sorry im 17, 18 in march": the age put right
        if state.step in ("results", "anything_else") and heard.matched and results.adds_to_need(ctx, text):
            # "also his dad moved out last year, if thats relevant": more about the same child,
            # so the results are shown again with it, not a new journey from the start.
            turn.state = state.but(topics=tuple(dict.fromkeys(state.topics[:2] + journey.slots.matched_topics(heard)))[:3])
            return results.show(ctx, turn)
        if state.step in ("results", "anything_else") and heard.matched and not places.moved_to(ctx, state.area, text):
            # A new need typed after the results ("is there anything for his sleep too?"): a new
            # journey for it (one journey, one set of suggestions), with its results at once. Who,
            # age, area, how long and how much are this person's already: never asked again.
            told = journey.slots.matched_topics(heard)
            new = tuple(t for t in told if t not in result_questions.ROUTE_TOPICS) or told
            # The need they came with stays beside the new one ("and for the parents?" after an
            # eating disorder is support for a family living with an eating disorder).
            turn.state = results.something_else(ctx, turn).but(
                journey=new_journey_id(), topics=tuple(dict.fromkeys(new + state.topics[:1]))[:3], severity=state.severity,
                duration=state.duration, urgency=state.urgency, circumstances=state.circumstances,
                crisis_shown=state.crisis_shown, safe_now=state.safe_now)
            return journey.advance(ctx, turn)
        if state.step == "services":
            found = self.finder.search(text)
            if found or not heard.matched:
                return services.show_found(ctx, turn, found)
            turn.state = state = state.but(step="topics")  # they told us a need, not a name
        return journey.on_text(ctx, turn, text, heard)

    def _choice(self, turn: Turn, action: str) -> Outcome:
        ctx = self.ctx
        prefix, _, value = action.partition(":")
        handler = {
            "urgent": lambda: crisis.show(ctx, turn),
            "resume": lambda: self._resume(turn),
            "restart": lambda: self._welcome(Turn(State())),
            "chk": lambda: crisis.reply_to_check(ctx, turn, value) or journey.ask_again(ctx, turn),
            "fb": lambda: results.feedback(ctx, turn, value),
            "more": lambda: self._something_else(turn),
            "done": lambda: turn.add(ctx.say("goodbye", turn.state)).done(),
            "back": lambda: journey.advance(ctx, turn),
            "browse": lambda: services.browse(ctx, turn),
            "sg": lambda: services.in_grouping(ctx, turn, value),
            "svc": lambda: services.detail(ctx, turn, value),
            "card": lambda: results.more_about(ctx, turn, value),
        }.get(prefix)
        outcome = handler() if handler else journey.on_choice(ctx, turn, action)
        if outcome is None:
            turn.add(ctx.say("stale_button", turn.state))
            return journey.ask_again(ctx, turn)
        return outcome

    def _resume(self, turn: Turn) -> Outcome:
        turn.state = turn.state.but(step=turn.state.resume or "start", resume=None, safe_now=True)
        turn.add(self.ctx.say("resume", turn.state))
        if turn.state.step == "services":
            return services.browse(self.ctx, turn)
        return journey.ask_again(self.ctx, turn)

    def _something_else(self, turn: Turn) -> Outcome:
        # A new need is a new journey in the demand log: one journey, one set of suggestions.
        turn.state = results.something_else(self.ctx, turn).but(journey=new_journey_id())
        return journey.advance(self.ctx, turn)

    def _welcome(self, turn: Turn) -> Outcome:
        turn.state = turn.state.but(journey=new_journey_id())
        turn.add(self.ctx.say("welcome", turn.state))
        turn.event("journey_started")
        return journey.advance(self.ctx, turn)

    def _command(self, turn: Turn, text: str) -> Outcome:
        return commands.run(self.ctx, self.finder, turn, text, lambda: self._welcome(Turn(State())))


def new_journey_id() -> str:
    """A fresh random journey id: from the OS's random source, never from who is talking."""
    return secrets.token_hex(8)


def _with_journey(outcome: Outcome) -> Outcome:
    """Tag each event with the journey it belongs to (the one the new state is in)."""
    if not outcome.events:
        return outcome
    tag = outcome.state.journey
    events = tuple(Event(e.kind, {**e.fields, "journey": tag}) for e in outcome.events)
    return Outcome(outcome.replies, outcome.state, events)


def clean(text: str) -> str:
    """Drop control and format characters, collapse spaces, and cap the length."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " " for ch in text[: MAX_INPUT_CHARS * 4]
    )
    return " ".join(kept.split())[:MAX_INPUT_CHARS]
