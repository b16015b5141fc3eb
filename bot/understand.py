"""Free text in; a crisis verdict, ranked topics and a THRIVE grouping out.

All indexes are built once in `Understander.__init__`: every lexicon (topics,
crisis phrases, figures of speech, negations, time markers, THRIVE cues) goes
into one phrase index, so `read()` walks the message once, does no I/O and no
re-computation, and runs on every message of every conversation.

How the crisis verdict is reached
- A crisis phrase ("kill myself", "took a load of tablets") means "yes" unless
  it sits inside a figure of speech ("this homework is killing me"), is
  negated just before ("I'm not suicidal"), is clearly in the past near it
  ("self-harmed years ago", with no recent marker anywhere), or is talked
  about in general ("self-harm awareness training"). Negated and past risk is
  never dismissed outright when it is first-hand: the bot asks, kindly.
- A combo fires when every one of its concepts is present ("cut" + "tonight",
  "voices" + "telling me to" + "hurt"): this catches risk that no single
  phrase shows, said in words nobody listed in full.
- Ambiguous phrases ("what's the point", "can't go on") give "ask".
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, Mapping

if TYPE_CHECKING:
    from bot.learn.model import LearnedReader

from bot.knowledge import KnowledgeBase
from bot.learn.combine import READER_ALONE_WORDS, carry, combine_grouping, combine_topics, combine_verdict
from bot.schema import GROUPINGS

RISK_GROUPING = "getting-risk-support"
from bot.textmatch import KeyTypos, Match, PhraseIndex, SpellingFixer, normalise

Verdict = Literal["yes", "ask", "no"]
MIN_TOPICS = 3
NEGATION_WINDOW = 3  # words before a crisis phrase where "not", "never"... negate it
TOPIC_NEGATION_WINDOW = 1
PAST_WINDOW = 10  # words either side of a crisis phrase where "years ago"... put it in the past
SOFT_WINDOW = 8  # words either side where "joking", "when he loses at Fortnite" make the bot ask
RECOVERY_WINDOW = 16  # "she's stopped now", "clean for a year" reach further
WEIGHED_AFTER, WEIGHED_BEFORE = 12, 3  # where "no plan or intent" / "passive" weigh a crisis phrase
TALK_WINDOW = 5  # words either side where "training", "awareness"... make it general talk
WEAK_WEIGHT = 0.4
WEAK_CAP = 0.7
CRISIS_TOPIC_WEIGHT = 2.0  # a crisis phrase that stands: its topic leads
COMBO_TOPIC_WEIGHT = 2.0
DISMISSED_TOPIC_WEIGHT = 0.3  # negated, past or general talk: the topic barely counts
AMBIGUOUS_TOPIC_WEIGHT = 0.5
JOKE_TOPIC_FACTOR = 0.15  # a risk phrase taken as a joke or figure barely counts for its topic
TIME_CONCEPTS = frozenset({"recent", "recent_sh", "now"})
# Concepts read by name: a young child (under about 8) in the message, and the
# words of a wish to die. Together, with nothing else, they make the bot ask.
YOUNG_CHILD, DEATH_WISH = "young_child", "death_wish"  # combos with these are about now
SHORT_MESSAGE = 3
# In a message this short ("and again", "hello again") a middling probability is
# the reader's prior, not evidence: only a high one (or the lexicon) counts.
MODEL_ASK_MIN_WORDS = 3
TOPIC_GROUPING_WEIGHT = 0.6
QUESTION_WEIGHT = 0.5
_QUESTION_WORDS = frozenset("how is are what whats can could does do should who where which would any".split())  # tokens; "sad", "anxiety", "who do i ring"
# More severe groupings win ties: under-reacting is the worse mistake.
_SEVERITY = {g: i for i, g in enumerate(GROUPINGS)}

# Kinds of phrase in the one index.
TOPIC, CRISIS, AMBIGUOUS, FIGURE, NEGATION, PAST, RECENT, RECOVERY, TALK, SOFT, CONCEPT, CUE, SITUATION = (
    "topic", "crisis", "ambiguous", "figure", "neg", "past", "recent", "recovery", "talk", "soft", "concept", "cue",
    "situation",
)
QUALIFIED = "qualified"
SHIELDED = "shielded"  # crisis phrases a negation just before does not reach (a new sentence between)
_CLAUSE_START = frozenset({"i", "im", "ive", "id", "ill"})
WHO, DID = "situation-who", "situation-did"  # the two parts of a situation told apart (circumstances.yaml `near`)
AFTER_DEED = 4  # who named just after the deed ("smashing the kitchen up and mum is screaming")


@dataclass(frozen=True)
class Understanding:
    crisis: Verdict
    topics: tuple[str, ...]
    grouping: str
    matched: bool  # did any topic phrase match, or are the topics a guess?
    circumstances: tuple[str, ...] = ()  # situations named, such as looked-after (knowledge/circumstances.yaml)
    risk: float = 0.0  # the learned reader's crisis probability (0 without it): carried across a journey
    topic_scores: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)  # the lexicon's
    grouping_votes: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)  # the lexicon's
    # The lexicon's "yes" is about the writer ("i", "me", "myself" at the phrase), or its "ask"
    # is of a kind never let go (crisis.yaml always_ask): the reader cannot overrule it.
    own_risk: bool = False
    evident: int = 0  # how many of the first topics the message gave evidence for (the rest are guesses)
    lexicon_crisis: Verdict = "no"  # the lexicon's own verdict, before the reader (an explainable signal)
    # Every risk word in it was denied ("not going to hurt myself"): the topics of the denied
    # words (no evidence of the risk, nor of that need). Empty when nothing was denied.
    denied: tuple[str, ...] = ()
    negation: bool = False  # a negation anywhere ("not", "never"): the learned reader cannot read one
    # The lexicon asks because the thoughts were told with their weight ("passive", "no plan or
    # intent"): the learned reader, which cannot read that, does not make it urgent help alone.
    weighed: bool = False
    # Crisis words told only as history ("an overdose attempt last spring"): not urgent help on
    # their own; the need they name brings the safety question instead (flows/journey.py).
    past_only: bool = False

    @property
    def is_crisis(self) -> bool:
        return self.crisis == "yes"


@dataclass(frozen=True)
class _Combo:
    topic: str
    concepts: tuple[str, ...]
    none: tuple[str, ...]
    verdict: Verdict
    needs: frozenset[str]


_AUTO = object()


class Understander:
    """Reads a message with the lexicon and, when trained, the learned reader beside it.

    `reader` defaults to the trained file in the knowledge directory (an error
    if it is missing or stale); `reader=None` reads with the lexicon alone.
    """

    def __init__(self, kb: KnowledgeBase, reader: LearnedReader | None | object = _AUTO):
        self.kb = kb
        if reader is _AUTO:
            from bot.learn.model import LearnedReader

            reader = LearnedReader.load(kb.root, kb.spellings) if kb.root is not None else None
        self.reader: LearnedReader | None = reader  # type: ignore[assignment]
        spell = dict(kb.spellings)
        crisis = kb.crisis
        entries: list[tuple[tuple, str]] = []
        for t in kb.topics.values():
            entries += [((TOPIC, t.id, None, t.weight), p) for p in t.phrases]
            entries += [((TOPIC, t.id, None, -WEAK_WEIGHT), p) for p in t.weak_phrases]
            for audience, phrases in t.audience_phrases.items():
                entries += [((TOPIC, t.id, audience, t.weight), p) for p in phrases]
        entries += [((CRISIS, topic), p) for topic, ps in crisis.phrases.items() for p in ps]
        entries += [((AMBIGUOUS, topic), p) for topic, ps in crisis.ambiguous.items() for p in ps]
        entries += [((FIGURE, None), p) for p in crisis.not_crisis]
        entries += [((NEGATION, None), p) for p in crisis.negations]
        entries += [((PAST, None), p) for p in crisis.past_markers]
        entries += [((RECENT, None), p) for p in crisis.recent_markers]
        entries += [((RECOVERY, None), p) for p in crisis.recovery_markers]
        entries += [((PAST, RECOVERY), p) for p in crisis.recovery_markers]
        entries += [((TALK, None), p) for p in crisis.talking_about]
        entries += [((SOFT, None), p) for p in crisis.softeners]
        entries += [((QUALIFIED, None), p) for p in crisis.qualified.markers]
        entries += [((QUALIFIED, "before"), p) for p in crisis.qualified.before]
        self.acts = frozenset(crisis.qualified.unless)
        concepts = dict(crisis.concepts)
        concepts.setdefault("recent", list(crisis.recent_markers))
        concepts.setdefault("past", list(crisis.past_markers))
        entries += [((CONCEPT, name), p) for name, ps in concepts.items() for p in ps]
        entries += [((CUE, g), p) for g, ps in kb.thrive.cues.items() for p in ps]
        entries += [((SITUATION, c.id), p) for c in kb.circumstances.values() for p in c.phrases]
        for c in kb.circumstances.values():
            if c.near:
                entries += [((WHO, c.id), p) for p in c.near.who] + [((DID, c.id), p) for p in c.near.did]
        self.near_within = {c.id: c.near.within for c in kb.circumstances.values() if c.near}
        self.index = PhraseIndex(entries, spell)

        self.combos = tuple(_Combo(c.topic, tuple(c.all), tuple(c.none), c.verdict, frozenset(c.all)) for c in crisis.combos)
        self.context_topics, self.young_child_to = dict(crisis.context_topics), crisis.young_child_to
        self._combo_concepts = frozenset(c for combo in self.combos for c in combo.concepts)

        keep = set(spell) | {w for v in spell.values() for w in v.split()}
        self.fixer = SpellingFixer(self.index.vocabulary | keep, keep, self.index.prefixes)
        self.key_typos = KeyTypos(crisis.typo_tolerant, self.index.vocabulary | keep)
        self.spellings = spell
        self.topic_grouping = {t.id: t.grouping for t in kb.topics.values()}
        self.present_only = {c.id: c.present_only for c in kb.circumstances.values()}
        self.parents_own = frozenset(t.id for t in kb.topics.values() if t.parents_own)
        self.route = frozenset(t.id for t in kb.topics.values() if t.route)
        self.always_ask = frozenset(crisis.always_ask)
        self.says_nothing = frozenset(w for phrase in crisis.says_nothing for w in normalise(phrase))
        self.fallback = {
            a: tuple(dict.fromkeys(kb.topic_fallback.get(a, ()) + kb.topic_fallback.get("young_person", ())
                                   + tuple(kb.topics)))
            for a in (None, "young_person", "parent", "professional")
        }

    def tokens(self, text: str) -> list[str]:
        return self.fixer(self.key_typos(normalise(text, self.spellings)))

    def read(self, text: str, audience: str | None = None, known: frozenset[str] = frozenset()) -> Understanding:
        """`known`: concepts the journey told already (`context`), read as if in these words too."""
        return self.read_many([text], [audience], known)[0]

    def context(self, topics: tuple[str, ...], age: int | None) -> frozenset[str]:
        """The concepts a journey's need and age tell (crisis.yaml `context_topics`, `young_child_to`)."""
        known = {self.context_topics[t] for t in topics if t in self.context_topics}
        if age is not None and self.young_child_to is not None and age <= self.young_child_to:
            known.add("young_child")
        return frozenset(known)

    def read_many(self, texts: list[str], audiences: list[str | None], known: frozenset[str] = frozenset()
                  ) -> list[Understanding]:
        """Each message read by the lexicon; the learned reader multiplies them all in one go."""
        bases = [normalise(text, self.spellings) for text in texts]
        lexicon = [self._read_lexicon(self.fixer(self.key_typos(b)), t, a, known) for b, t, a in zip(bases, texts, audiences)]
        if self.reader is None:
            return lexicon
        learned = self.reader.read_many([" ".join(b) for b in bases], audiences)
        # "today please", "ok now": words with no risk in them. The reader learnt that "today"
        # sits in many crises, so on its own it would be read as one; here it gives no evidence.
        learned = [replace(r, crisis=0.0) if b and all(w in self.says_nothing or w.isdigit() for w in b) else r
                   for r, b in zip(learned, bases)]
        # Risk words all denied: the reader, which counts words and cannot see the "not", is not
        # let turn "he has not talked about hurting himself" back into a crisis.
        learned = [replace(r, crisis=0.0) if lex.denied else r for r, lex in zip(learned, lexicon)]
        return [self.combine(lex, r, len(b), is_question(t, b), a) for lex, r, b, t, a in zip(lexicon, learned, bases, texts, audiences)]

    def _risk_guess_last(self, topics: tuple[str, ...], evident: int, scores: Mapping[str, float]) -> tuple[str, ...]:
        """A risk need the reader guessed first, with nothing said of it and another need named,
        put after the needs the words named."""
        if topics and self.topic_grouping.get(topics[0]) == RISK_GROUPING and not scores.get(topics[0]) \
                and any(scores.values()):
            return topics[1:evident] + topics[:1] + topics[evident:] if evident > 1 else topics[1:] + topics[:1]
        return topics

    def calm(self, heard: Understanding) -> Understanding:
        """The reading with the reader's question let go (they answered it already this journey):
        no question, and a risk need it only guessed is not the need ("they just give you tablets")."""
        return replace(heard, crisis="no", topics=self._risk_guess_last(heard.topics, heard.evident, heard.topic_scores))

    def carry_risk(self, carried: float, heard: Understanding) -> tuple[float, bool]:
        """Risk carried across a journey after this message, and whether it now warrants the question.

        Without the learned reader there is nothing to carry: the lexicon reads each message alone.
        """
        return (0.0, False) if self.reader is None else carry(self.reader.settings, carried, heard.risk)

    def combine(self, lexicon: Understanding, learned, words: int = MODEL_ASK_MIN_WORDS,
                question: bool = False, audience: str | None = None) -> Understanding:
        """The two readers' verdicts, rankings and groupings mixed (bot/learn/combine.py says how)."""
        settings = self.reader.settings
        verdict = combine_verdict(settings, lexicon.crisis, learned.crisis, words >= MODEL_ASK_MIN_WORDS,
                                  question, lexicon.own_risk, words >= READER_ALONE_WORDS, lexicon.negation)
        if verdict == "yes" and lexicon.weighed:
            verdict = "ask"
        situations = self.parents_own if audience == "parent" else frozenset()
        guessed = {t: p for t, p in learned.topics.items() if t not in lexicon.denied}
        topics, evident = combine_topics(lexicon.topic_scores, guessed, settings.topic_weight, situations)
        topics = _needs_first(topics + tuple(t for t in lexicon.denied if t not in topics), lexicon.topic_scores, self.route)
        if verdict == "no":
            # Calm words that name a need ("how long would they take to see her": the wait) are
            # about that need, not a risk the reader guessed with nothing said of it.
            topics = self._risk_guess_last(topics, evident, lexicon.topic_scores)
        if verdict == "yes":
            grouping = "getting-risk-support"
        else:
            grouping = combine_grouping(lexicon.grouping_votes, learned.groupings, settings.grouping_weight)
        carried = learned.crisis if words >= MODEL_ASK_MIN_WORDS else 0.0  # a two-word reply carries no evidence
        return Understanding(verdict, topics, grouping, lexicon.matched, lexicon.circumstances, carried,
                             lexicon.topic_scores, lexicon.grouping_votes, lexicon.own_risk, evident, lexicon.crisis,
                             lexicon.denied, lexicon.negation, lexicon.weighed, lexicon.past_only)

    def _read_lexicon(self, tokens: list[str], text: str, audience: str | None,
                      known: frozenset[str] = frozenset()) -> Understanding:
        hits: dict[str, list[Match]] = defaultdict(list)
        for hit in self.index.find(tokens):
            hits[hit.key[0]].append(hit)
        for i, name in enumerate(sorted(known)):  # told earlier in the journey: before these words
            hits[CONCEPT].append(Match((CONCEPT, name), "(told earlier)", -2 * (i + 1), -2 * i - 1, 1))
        figures = hits[FIGURE]
        if figures:
            dropped: list[Match] = []  # risk words a figure of speech took ("want to die" in "want to die my hair")
            for kind in (CRISIS, AMBIGUOUS, CONCEPT):
                if hits[kind]:
                    dropped += [h for h in hits[kind] if kind != CONCEPT and _overlaps_any(h, figures)]
                    hits[kind] = [h for h in hits[kind] if not _overlaps_any(h, figures)]
            if hits[TOPIC]:
                hits[TOPIC] = [h for h in hits[TOPIC]
                               if not _inside_longer(h, figures) and not _overlaps_any(h, dropped)]
        if hits[NEGATION]:
            hits[NEGATION] = _through_lists(tokens, hits)
            # "no, i just want to die", "not really. i want to die": a new "i" between the "no" and
            # the risk words starts another sentence; the "no" answered something else.
            reach = [(n, h) for h in hits[CRISIS] for n in hits[NEGATION]
                     if n.end <= h.start and h.start - n.end < NEGATION_WINDOW]
            hits[SHIELDED] = [h for h in hits[CRISIS]
                              if not any(r is h and not _CLAUSE_START & set(tokens[n.end:h.start + 1]) for n, r in reach)]
        if hits[DID]:
            hits[SITUATION] += self._told_apart(hits)
        verdict, boosts, standing, joking, denied = self._verdict(hits, audience)
        weighed = verdict == "ask" and bool(hits[QUALIFIED]) and not any(h.key[1] in self.acts for h in hits[CONCEPT])
        if denied:  # "not going to hurt myself": the denied risk is not the need either
            gone = {h.key[1] for h in denied}
            hits[TOPIC] = [h for h in hits[TOPIC]
                           if not (h.key[1] in gone and _negated(h, hits[NEGATION], NEGATION_WINDOW))]
        topics, matched, scores = self._rank(tokens, hits, boosts, audience, standing, joking)
        topics = _needs_first(topics, scores, self.route)
        votes = self._grouping_votes(tokens, hits, topics, matched, is_question(text, tokens))
        if verdict == "yes":
            grouping = "getting-risk-support"
        else:
            grouping = max(votes, key=lambda g: (votes[g], _SEVERITY[g]))
        situations = tuple(dict.fromkeys(
            h.key[1] for h in hits[SITUATION]
            if not (self.present_only.get(h.key[1]) and _in_past(h, hits[PAST], hits[RECENT]))
            and not _negated(h, hits[NEGATION], NEGATION_WINDOW) and not _inside_any_of(hits[NEGATION], h)
            and not _overlaps_any(h, hits[FIGURE])))
        # Risk the writer says of themselves ("i want to kill myself") is never let go
        # as a mere question; a "yes" from combos alone is treated the same way.
        own = verdict == "yes" and (not standing or any(_first_person(tokens, h) for h in standing))
        own = own or (verdict == "ask" and any(h.key[1] in self.always_ask for h in hits[AMBIGUOUS]))
        if denied and not own:
            # Risk denied, and nothing else to ask about ("he has not talked about hurting himself",
            # "no SI", "im not going to do anything stupid, im just fed up"): the safety question
            # is answered already. Asking it again read as not listening (blind conversations,
            # December 2026); any risk said besides the denial still stands on its own words.
            verdict = "no"
        past_only = verdict == "no" and bool(hits[CRISIS]) and all(_in_past(h, hits[PAST], hits[RECENT]) for h in hits[CRISIS])
        return Understanding(verdict, topics, grouping, matched, situations, 0.0, scores, votes, own,
                             sum(t in scores for t in topics), verdict,
                             tuple(dict.fromkeys(h.key[1] for h in denied)) if not own else (), bool(hits[NEGATION]),
                             weighed, past_only)

    def _told_apart(self, hits: dict[str, list[Match]]) -> list[Match]:
        """Situations told in two parts: "my step dad goes mental at my mum", "mums boyfriend
        pushed her down the stairs", "my boyfriend ... last week he pinned me against the wall".

        No list of whole sentences can hold every way of saying it; who and what they did, near
        each other, can. Not when the deed is negated ("he has never hit us") or a figure of
        speech ("dad hit the roof").
        """
        found = []
        for did in hits[DID]:
            if _negated(did, hits[NEGATION], NEGATION_WINDOW) or _overlaps_any(did, hits[FIGURE]):
                continue
            within = self.near_within[did.key[1]]
            for who in hits[WHO]:
                if who.key[1] == did.key[1] and (0 <= did.start - who.end <= within or 0 <= who.start - did.end <= AFTER_DEED):
                    found.append(Match((SITUATION, did.key[1]), did.phrase, min(who.start, did.start),
                                       max(who.end, did.end), who.size + did.size))
                    break
        return found

    # --- crisis -----------------------------------------------------------------

    def _verdict(self, hits: dict[str, list[Match]], audience: str | None = None
                 ) -> tuple[Verdict, dict[str, float], list[Match], list[Match]]:
        """The verdict, topic boosts, crisis phrases that stand, and those taken as a joke."""
        crisis, ambiguous = hits[CRISIS], hits[AMBIGUOUS]
        if len(crisis) > 1:
            crisis = _outermost(crisis)  # "not safe with myself" is not also "not safe" (at home)
        boosts: dict[str, float] = defaultdict(float)
        standing: list[Match] = []  # crisis phrases that stand: a "yes" on their own
        joking: list[Match] = []  # crisis phrases near "lol", "omg", "fortnite
        present: dict[str, list[Match]] = defaultdict(list)
        for h in hits[CONCEPT]:
            present[h.key[1]].append(h)
        names = present.keys()
        fired = [c for c in self.combos
                 if c.needs <= names and not any(name in present for name in c.none)
                 and _distinct(c.concepts, present)]
        if not crisis and not ambiguous and not fired:
            return "no", boosts, standing, joking, []
        negations, past, recent, talk, soft = hits[NEGATION], hits[PAST], hits[RECENT], hits[TALK], hits[SOFT]
        yes = ask = combo_yes = False
        # Thoughts told with their weight ("passive", "no plan or intent"): asked about, not assumed,
        # unless the message also tells of something done (taken, cut, a weapon).
        weighed = hits[QUALIFIED] if not any(name in present for name in self.acts) else []
        other_ask = bool(ambiguous)  # an "ask" for any reason but a denial ("he has not talked about hurting himself")
        denials: list[Match] = []
        for h in crisis:
            if _negated(h, negations, NEGATION_WINDOW) and h not in hits[SHIELDED]:
                ask = True
                denials.append(h)
                continue  # denied ("not going to hurt myself"): no evidence for its topic either
            elif soft and _near_any(h, soft, SOFT_WINDOW):
                other_ask = True
                ask = True  # maybe a joke or gamer slang: ask, never assume
                joking.append(h)
                continue  # its topic comes from the rest of the message
            elif ambiguous and _inside_longer(h, ambiguous):
                ask = other_ask = True  # "killed himself" inside "my uncle killed himself": a loss, so ask
            elif past and _in_past(h, past, recent):
                ask = ask or not hits[RECOVERY]
                other_ask = other_ask or not hits[RECOVERY]
            elif talk and _talked_about(h, talk, recent):
                pass  # general talk about risk: training, awareness, "how do I talk to her about"
            elif weighed and _weighed(h, weighed):
                ask = other_ask = True  # still the need they came with, at its full weight
                boosts[h.key[1]] += CRISIS_TOPIC_WEIGHT
                continue
            else:
                yes = True
                standing.append(h)
                boosts[h.key[1]] += CRISIS_TOPIC_WEIGHT
                continue
            boosts[h.key[1]] += DISMISSED_TOPIC_WEIGHT
        for combo in fired:
            first = present[combo.concepts[0]]
            timed = recent + [m for name in combo.concepts if name in TIME_CONCEPTS for m in present[name]]
            if all(_negated(m, negations, NEGATION_WINDOW) for m in first):
                ask = True
                denials += first
            elif combo.verdict == "ask" or (soft and all(_near_any(m, soft, SOFT_WINDOW) for m in first)):
                ask = other_ask = True
            elif weighed and all(_weighed(m, weighed) for m in first):
                ask = other_ask = True  # "better off without me, but i havent got a plan"
            elif past and all(_in_past(m, past, timed) for m in first):
                ask = ask or not hits[RECOVERY]
                other_ask = other_ask or not hits[RECOVERY]
            elif talk and all(_talked_about(m, talk, timed) for m in first):
                pass
            else:
                yes = combo_yes = True
            boosts[combo.topic] += COMBO_TOPIC_WEIGHT
        if yes and not combo_yes and audience != "young_person" and present.get(YOUNG_CHILD):
            # "My 5 year old screams he wants to die when the tablet goes off": a
            # small child's words in a tantrum. Asked about kindly, never dismissed;
            # a plan, a method or an injury still means "yes".
            wishes = present.get(DEATH_WISH, ())
            if all(_overlaps_any(h, wishes) for h in standing):
                yes, ask, other_ask = False, True, True
        for h in ambiguous:
            ask = True
            boosts[h.key[1]] += AMBIGUOUS_TOPIC_WEIGHT
        # Every risk word denied, and nothing else to ask about: "he has not talked about hurting
        # himself", "I'm not going to hurt myself or anyone". They have answered the safety question.
        denied = denials if ask and not yes and not other_ask else []
        return ("yes" if yes else "ask" if ask else "no"), boosts, standing, joking, denied

    # --- topics -----------------------------------------------------------------

    def _rank(self, tokens: list[str], hits: dict[str, list[Match]], boosts: dict[str, float],
              audience: str | None, standing: list[Match] = (), joking: list[Match] = ()
              ) -> tuple[tuple[str, ...], bool, dict[str, float]]:
        topic_hits = [h for h in hits[TOPIC] if h.key[2] is None or h.key[2] == audience]
        if len(topic_hits) > 1:
            topic_hits = _outermost(topic_hits)
        if standing:
            # Words of a crisis phrase that stands belong to its need: "scared of what
            # I'll do" is not also "scared of" (anxiety).
            topic_hits = [h for h in topic_hits
                          if not any(s.key[1] != h.key[1] and _inside_any(h, [s]) for s in standing)]
        negations = hits[NEGATION]
        scores: dict[str, float] = defaultdict(float)
        weak: dict[str, float] = defaultdict(float)
        n = max(len(tokens), 1)
        for hit in topic_hits:
            # Longer phrases are more specific; earlier mentions are usually the main worry.
            base = hit.key[3]
            weight = abs(base) * (1.0 + 0.4 * (hit.size - 1)) * (1.0 + 0.3 * (1 - hit.start / n))
            if hit.end - hit.start > hit.size:  # words in between make a looser match
                weight *= hit.size / (hit.end - hit.start)
            if negations and _negated(hit, negations, TOPIC_NEGATION_WINDOW):
                weight *= 0.3
            if joking and _overlaps_any(hit, joking):  # "omg I wanna die, he read it out": the rest is the need
                weight *= JOKE_TOPIC_FACTOR
            if base < 0:  # a passing mention: however many, they add up to little
                weak[hit.key[1]] += weight
            else:
                scores[hit.key[1]] += weight
        for topic, total in weak.items():
            scores[topic] += min(total, WEAK_CAP)
        for topic, boost in boosts.items():
            scores[topic] += boost
        ranked = sorted(scores, key=lambda t: -scores[t])
        matched = bool(ranked)
        found = dict(scores)
        if len(ranked) < MIN_TOPICS:
            for topic in self.fallback.get(audience, self.fallback[None]):
                if topic not in scores:
                    ranked.append(topic)
                    if len(ranked) >= MIN_TOPICS:
                        break
        return tuple(ranked), matched, found

    # --- THRIVE grouping -----------------------------------------------------------

    def _grouping_votes(self, tokens: list[str], hits: dict[str, list[Match]], topics: tuple[str, ...],
                        matched: bool, question: bool) -> dict[str, float]:
        """Votes for each THRIVE grouping from cue words, the main need and the message's shape.

        Asking a question ("is this normal?", "any tips?") leans to advice; how long,
        how often and how badly something has gone on leans to help or more help.
        """
        votes: dict[str, float] = defaultdict(float)
        cues = hits[CUE]
        if len(cues) > 1:
            cues = _outermost(cues)
        for hit in cues:
            votes[hit.key[1]] += 1.0 + 0.25 * (hit.size - 1)
        if matched:
            votes[self.topic_grouping[topics[0]]] += TOPIC_GROUPING_WEIGHT
        if hits[AMBIGUOUS] or hits[CRISIS]:
            votes["getting-help"] += 0.5
        if question:
            votes["getting-advice"] += QUESTION_WEIGHT
        if len(tokens) <= SHORT_MESSAGE and not cues:
            return {"getting-advice": 1.0}
        votes.pop("getting-risk-support", None)
        if not votes:
            return {"getting-help" if len(tokens) > 8 else "getting-advice": 1.0}
        return dict(votes)


_FIRST_PERSON = frozenset("i me my myself im ive id ill mine".split())
FIRST_PERSON_WINDOW = 3  # words before a crisis phrase that may say whose it is ("i really want to...")


def _first_person(tokens: list[str], hit: Match) -> bool:
    return any(t in _FIRST_PERSON for t in tokens[max(0, hit.start - FIRST_PERSON_WINDOW):hit.end])


def is_question(text: str, tokens: list[str]) -> bool:
    """"?" anywhere, or a question word first ("how do i...", "is it normal...")."""
    return "?" in text or bool(tokens and tokens[0] in _QUESTION_WORDS)


def _distinct(concepts: tuple[str, ...], present: dict[str, list[Match]]) -> bool:
    """Each concept is shown by words of its own: "banged my head" is an act, not also a body part.

    Looks for one match per concept such that no chosen match lies inside
    another: "relapsed today" is a relapse and a time even though "relapsed"
    is itself also a time word.
    """
    if len(concepts) < 2:
        return True

    def pick(i: int, chosen: list[Match]) -> bool:
        if i == len(concepts):
            return True
        for m in present[concepts[i]]:
            if not any(_nested(m, c) for c in chosen):
                chosen.append(m)
                if pick(i + 1, chosen):
                    return True
                chosen.pop()
        return False

    return pick(0, [])


def _nested(a: Match, b: Match) -> bool:
    return (b.start <= a.start and a.end <= b.end) or (a.start <= b.start and b.end <= a.end)


def _gap(a: Match, b: Match) -> int:
    """Words between two spans (0 when they touch or overlap)."""
    return max(0, b.start - a.end, a.start - b.end)


def _needs_first(topics: tuple[str, ...], said: Mapping[str, float], route: frozenset[str]) -> tuple[str, ...]:
    """A need told beside words about getting help leads them: "passive thoughts ... who do I refer
    him to?" is about thoughts of suicide first, how to refer second. Only needs the words name
    (`said`: the lexicon's scores), never the learned reader's guesses."""
    if not topics or topics[0] not in route:
        return topics
    needs = tuple(t for t in topics if t in said and said[t] > 0 and t not in route)
    return tuple(dict.fromkeys(needs + topics)) if needs else topics


def _weighed(hit: Match, markers: list[Match]) -> bool:
    """ "passive thoughts of ...", "... not wanting to be here, no plan or intent": the weight given
    just before the phrase or within a sentence after it (not "no plans for the weekend and ...")."""
    return any((m.key[1] is None and 0 <= m.start - hit.end <= WEIGHED_AFTER)
               or (m.key[1] == "before" and 0 <= hit.start - m.end <= WEIGHED_BEFORE) for m in markers)


def _in_past(hit: Match, past: list[Match], recent: list[Match]) -> bool:
    """A past (or recovery) marker is near the phrase, and nearer than any recent marker."""
    near = [_gap(hit, p) for p in past
            if _gap(hit, p) < (RECOVERY_WINDOW if p.key[1] == RECOVERY else PAST_WINDOW)]
    if not near:
        return False
    return not recent or min(near) < min(_gap(hit, r) for r in recent)


def _talked_about(hit: Match, talk: list[Match], recent: list[Match]) -> bool:
    """Training, awareness, "talk to her about" is near, and nearer than any recent marker."""
    nearest = min(_gap(hit, t) for t in talk)
    if nearest >= TALK_WINDOW:
        return False
    return not recent or nearest < min(_gap(hit, r) for r in recent)


def _inside_longer(hit: Match, spans: list[Match]) -> bool:
    return any(s.size > hit.size and s.start <= hit.start and hit.end <= s.end for s in spans)


def _overlaps_any(hit: Match, spans: list[Match]) -> bool:
    return any(s.start < hit.end and hit.start < s.end for s in spans)


def _inside_any_of(inner: list[Match], span: Match) -> bool:
    """Any of `inner` in the words between a phrase's own ("dad has never hit us" for "dad hit
    us"); never the phrase's own words ("hasnt come home" holds "hasnt" itself)."""
    gapped = span.end - span.start > span.size
    return gapped and any(span.start < m.start and m.end < span.end for m in inner)


def _inside_any(hit: Match, spans: list[Match]) -> bool:
    return any(s.start <= hit.start and hit.end <= s.end for s in spans)


def _near_any(hit: Match, spans: list[Match], window: int) -> bool:
    return any(s.start - window < hit.end and hit.start < s.end + window for s in spans)


# "or" and "nor" carry a negation along a list; "and" does not ("i dont self harm and i want to
# die"), nor does a joiner followed by a new subject ("not cutting or i will kill myself").
LIST_JOINERS = frozenset({"or", "nor"})
NEW_SUBJECT = frozenset({"i", "im", "ive", "id", "ill", "he", "hes", "she", "shes", "they", "theyre", "we", "you", "it", "its"})


def _through_lists(tokens: list[str], hits: dict[str, list[Match]]) -> list[Match]:
    """Negations carried along a list: in "no self harm or suicidal ideation", "denies low
    mood, SH or SI", the "no" covers every item joined by "or" or "nor", not the first only."""
    negations = list(hits[NEGATION])
    phrases = sorted((h for kind in (CRISIS, AMBIGUOUS, TOPIC, CONCEPT) for h in hits[kind]), key=lambda h: h.start)
    for hit in phrases:
        joined = hit.end + 1 < len(tokens) and tokens[hit.end] in LIST_JOINERS and tokens[hit.end + 1] not in NEW_SUBJECT
        if joined and _negated(hit, negations, NEGATION_WINDOW):
            negations.append(Match((NEGATION, None), tokens[hit.end], hit.end, hit.end + 1, 1))
    return negations


def _negated(hit: Match, negations: list[Match], window: int) -> bool:
    """A negation ends fewer than `window` words before the phrase starts."""
    return any(n.end <= hit.start and hit.start - n.end < window for n in negations)


def _outermost(matches: list[Match]) -> list[Match]:
    """Drop matches lying inside a longer one: "exam stress" is not also plain "stress"."""
    kept = []
    for m in matches:
        if not any(o is not m and o.size > m.size and o.end - o.start == o.size
                   and o.start <= m.start and m.end <= o.end for o in matches):
            kept.append(m)
    return kept
