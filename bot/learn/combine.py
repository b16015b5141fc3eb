"""Two readers, one answer: mix the lexicon's ranking with the learned reader's.

The lexicon gives scores (topic phrase weights, grouping cue votes) on no
fixed scale, so they are scaled to their largest; the learned reader gives
probabilities, used as they are. The two are mixed with the weight chosen on
the validation split. When the lexicon found nothing, the learned ranking
stands alone.
"""
from __future__ import annotations

from typing import Literal, Mapping

from bot.schema import GROUPINGS

RISK_GROUPING = "getting-risk-support"
MIN_TOPICS = 3
KEEP_SCORE = 0.2  # a topic past the first three is kept when its mixed score is at least this
_SEVERITY = {g: i for i, g in enumerate(GROUPINGS)}  # ties go to the more severe grouping


def _scaled(scores: Mapping[str, float]) -> dict[str, float]:
    top = max(scores.values(), default=0.0)
    return {k: v / top for k, v in scores.items()} if top > 0 else {}


def combine_topics(lexicon: Mapping[str, float], learned: Mapping[str, float], weight: float,
                   situations: frozenset[str] = frozenset()) -> tuple[tuple[str, ...], int]:
    """Every topic, best first, and how many lead with evidence. `weight` is the learned reader's share.

    The reader's side stays a probability, so an unsure reader cannot outvote a
    clear lexicon match, and a sure one can outvote a weak match. The first few
    are always given (the journey offers them as buttons, `classify` ranks
    them), but only the ones that count are taken as the person's needs: a
    third topic at 0.0002 that no phrase named must not bring a service for it.
    `situations`: topics that decide the route when named clearly (a parent's own
    need, said by a parent): there the lexicon's clear first is not outvoted.
    """
    lex, model = _scaled(lexicon), dict(learned)
    if not lex:
        weight = 1.0
    mixed = {t: (1 - weight) * lex.get(t, 0.0) + weight * model.get(t, 0.0) for t in {*lex, *model}}
    ranked = sorted(mixed, key=lambda t: (-mixed[t], -lex.get(t, 0.0), t))
    sure = _sure_lexicon_topic(lexicon)
    if sure in situations:  # a situation ("since my son was born") named far ahead of the rest stands
        ranked.remove(sure)
        ranked.insert(0, sure)
    kept = tuple(t for i, t in enumerate(ranked) if i < MIN_TOPICS or mixed[t] >= KEEP_SCORE)
    # The evidence: a phrase the lexicon found, or the mixed score that keeps a topic.
    # Ranked by the mix, so a guess can sit between two found topics: count up to the last found.
    found = [i for i, t in enumerate(kept) if t in lex or mixed[t] >= KEEP_SCORE]
    return kept, (found[-1] + 1 if found else 0)


SURE_SCORE = 4.0  # a lexicon topic this strong (several or long specific phrases)...
SURE_MARGIN = 4.0  # ...and this many times the next one is not outvoted by the reader


def _sure_lexicon_topic(lexicon: Mapping[str, float]) -> str | None:
    ranked = sorted(lexicon.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < SURE_SCORE:
        return None
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0] if ranked[0][1] >= SURE_MARGIN * second else None


def combine_grouping(lexicon: Mapping[str, float], learned: Mapping[str, float], weight: float,
                     ongoing_risk: bool = True) -> str:
    """The THRIVE grouping for a message that is not a crisis.

    Risk support is not only for crises: ongoing risk that is not an emergency
    today (past attempts, repeated missing episodes, a safety plan) belongs to
    it too. Only the reader has learned that; the lexicon's cues never vote for it.
    """
    lex = _scaled({g: v for g, v in lexicon.items() if g != RISK_GROUPING})
    kept = {g: v for g, v in learned.items() if ongoing_risk or g != RISK_GROUPING}
    total = sum(kept.values())
    model = {g: v / total for g, v in kept.items()} if total > 0 else {}
    if not lex:
        weight = 1.0
    if not model:
        weight = 0.0
    mixed = {g: (1 - weight) * lex.get(g, 0.0) + weight * model.get(g, 0.0) for g in {*lex, *model}}
    # Ties go to the more severe grouping: under-reacting is the worse mistake.
    return max(mixed, key=lambda g: (mixed[g], _SEVERITY[g])) if mixed else "getting-advice"


READER_ALONE_YES = 0.97  # the reader's probability from which it alone may bring urgent help
READER_ALONE_WORDS = 8  # ...in a message at least this long: a whole telling, not a reply mid-way
# In a shorter message ("just had his birthday", "does that transfer?") the reader alone asks the
# safety question only from this probability: a reply mid-way has too few words for its usual
# threshold, and the question there read as not listening (blind conversations, December 2026).
READER_ALONE_SHORT_ASK = 0.5


def combine_verdict(settings, lexicon: str, p: float, long_enough: bool, question: bool, own_risk: bool,
                    telling: bool = False, negation: bool = False) -> Literal["yes", "ask", "no"]:
    """Urgent help, the one safety question, or neither.

    Urgent help: a probability at the high threshold (one for one or two words,
    never lower), or a lexicon "yes" that the reader does not overrule. The
    reader overrules a lexicon "yes" only when it is sure the message is calm:
    in a question whose risk words are not the writer's own it is let go
    ("what does unalive mean?", "what's the threshold for a self-harm
    referral?"); otherwise, in three words or more, it becomes the question
    ("their mum died of an overdose", "self-harmed from 13 to 15, its been 2
    years"), so a real crisis is still asked about at once. The question: a
    middling probability in a message of three words or more, or a lexicon
    "ask" unless the reader is sure it is calm (never for `always_ask` topics,
    such as a parent's thoughts of harming their baby).
    """
    high = settings.yes_threshold if long_enough else settings.short_yes_threshold
    if p >= high:
        # The reader alone, with no risk word the lexicon knows, mostly asks: it counts words, and
        # "she's at her dads tonight" (0.99), "he's not in danger and has never been hit" or "I
        # hide in the toilets" can score as high as a crisis. It gives urgent help alone only when
        # all but certain, in a message long enough to tell something (not a reply mid-way through
        # a conversation) and with nothing denied in it; otherwise the question, whose "yes"
        # brings urgent help at once (blind conversations, December 2026).
        if lexicon == "no" and not (p >= READER_ALONE_YES and telling and not negation):
            return "ask"
        return "yes"
    if lexicon == "yes":
        if question and not own_risk and p < settings.question_veto:
            lexicon = "no"
        elif long_enough and p < settings.lexicon_veto:
            return "ask"
        else:
            return "yes"
    ask_from = settings.ask_threshold if telling else max(settings.ask_threshold, READER_ALONE_SHORT_ASK)
    if (p >= ask_from and long_enough) or (lexicon == "ask" and (p >= settings.lexicon_floor or own_risk)):
        return "ask"
    return "no"


def carry(settings, carried: float, risk: float) -> tuple[float, bool]:
    """Risk carried across a journey: decay * carried + this message's; the question at the threshold."""
    total = round(settings.journey_decay * carried + risk, 3)
    return total, total >= settings.journey_threshold
