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


def combine_topics(lexicon: Mapping[str, float], learned: Mapping[str, float], weight: float) -> tuple[str, ...]:
    """Every topic, best first. `weight` is the learned reader's share (0 = lexicon only).

    The reader's side stays a probability, so an unsure reader cannot outvote a
    clear lexicon match, and a sure one can outvote a weak match.
    """
    lex, model = _scaled(lexicon), dict(learned)
    if not lex:
        weight = 1.0
    mixed = {t: (1 - weight) * lex.get(t, 0.0) + weight * model.get(t, 0.0) for t in {*lex, *model}}
    ranked = sorted(mixed, key=lambda t: (-mixed[t], -lex.get(t, 0.0), t))
    # The first few always (the journey offers them as buttons), then only the ones that count.
    return tuple(t for i, t in enumerate(ranked) if i < MIN_TOPICS or mixed[t] >= KEEP_SCORE)


def combine_grouping(lexicon: Mapping[str, float], learned: Mapping[str, float], weight: float) -> str:
    """The THRIVE grouping for a message that is not a crisis (risk support is decided apart)."""
    lex = _scaled({g: v for g, v in lexicon.items() if g != RISK_GROUPING})
    calm = {g: v for g, v in learned.items() if g != RISK_GROUPING}
    total = sum(calm.values())
    model = {g: v / total for g, v in calm.items()} if total > 0 else {}  # probabilities among the calm groupings
    if not lex:
        weight = 1.0
    if not model:
        weight = 0.0
    mixed = {g: (1 - weight) * lex.get(g, 0.0) + weight * model.get(g, 0.0) for g in {*lex, *model}}
    # Ties go to the more severe grouping: under-reacting is the worse mistake.
    return max(mixed, key=lambda g: (mixed[g], _SEVERITY[g])) if mixed else "getting-advice"


def combine_verdict(settings, lexicon: str, p: float, long_enough: bool, question: bool, own_risk: bool
                    ) -> Literal["yes", "ask", "no"]:
    """Urgent help, the one safety question, or neither.

    Urgent help: a probability at the high threshold (one for one or two words,
    never lower), or a lexicon "yes". A lexicon "yes" in a question the reader
    is sure is calm is let go ("what does unalive mean?", "what's the
    threshold for a self-harm referral?"), never when the risk words are the
    writer's own ("is it normal that i want to kill myself?"). The question:
    a middling probability in a message of three words or more, or a lexicon
    "ask" unless the reader is sure it is calm.
    """
    high = settings.yes_threshold if long_enough else settings.short_yes_threshold
    if p >= high:
        return "yes"
    if lexicon == "yes" and (own_risk or not (question and p < settings.question_veto)):
        return "yes"
    if (p >= settings.ask_threshold and long_enough) or (lexicon == "ask" and p >= settings.lexicon_floor):
        return "ask"
    return "no"


def carry(settings, carried: float, risk: float) -> tuple[float, bool]:
    """Risk carried across a journey: decay * carried + this message's; the question at the threshold."""
    total = round(settings.journey_decay * carried + risk, 3)
    return total, total >= settings.journey_threshold
