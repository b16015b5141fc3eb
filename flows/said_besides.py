"""What a message says in so many words, besides its need: yes or no, "I'm safe", "emergency",
and questions asked besides the need.

- `answers` (thrive.yaml): yes and no in words, opening a short message ("no she doesnt hurt us");
- `safe_words`: a short message opening with them carries on after urgent help ("im ok now");
- `safe_statements`: said anywhere, not negated just before, all are safe now ("mum and the kids
  are safe at nan's now"); a negation just before undoes it ("not safe at home");
- `urgent_words`: the whole message means the Urgent help button ("emergency");
- `followups`: questions asked besides the need ("what happens at 18?", "will they tell my
  mum?"), by phrase or told in two parts (`near`), some only while urgent help is on screen.

Every phrase list is normalised once, when the bot starts; each message is normalised once by
the caller (`plain`), and every reading here works on that.
"""
from __future__ import annotations

from bot.knowledge import KnowledgeBase
from bot.textmatch import normalise

YES_NO_MAX_WORDS = 8  # a longer message is more than an answer: it is read as a message
_UNDO_SAFE = frozenset({"arent", "werent", "wont", "cant", "feel"})


def plain(text: str) -> str:
    return " ".join(normalise(text))


class SaidBesides:
    def __init__(self, kb: KnowledgeBase):
        thrive = kb.thrive
        self._answers = {k: frozenset(plain(w) for w in v) for k, v in thrive.answers.items()}
        self._safe_words = frozenset(plain(w) for w in thrive.safe_words)
        self._urgent_words = frozenset(plain(w) for w in thrive.urgent_words)
        self._safe_statements = tuple(tuple(plain(p).split()) for p in thrive.safe_statements)
        # The lexicon's one-word negations, and the words that undo "safe" without being one there
        # ("they arent safe at home", "i dont feel safe at home").
        self._not_before = frozenset(n for n in (plain(p) for p in kb.crisis.negations) if " " not in n) | _UNDO_SAFE
        self._followups = tuple(
            (tuple(plain(p) for p in f.phrases),
             (tuple(plain(p).split() for p in f.near.who), tuple(plain(p).split() for p in f.near.did),
              f.near.within) if f.near else None,
             f.message, f.only_after_urgent_help, frozenset(f.only_when))
            for f in thrive.followups)

    def yes_or_no(self, words: str) -> str | None:
        """"yes" or "no" when a short message opens with one ("no she doesnt hurt us"), else None."""
        for answer in ("no", "yes"):
            if _opens_with(words, self._answers.get(answer, frozenset())):
                return answer
        return None

    def opens_safe(self, words: str) -> bool:
        return _opens_with(words, self._safe_words)

    def is_urgent(self, words: str) -> bool:
        return words in self._urgent_words

    def says_safe(self, words: str) -> bool:
        tokens = words.split()
        for phrase in self._safe_statements:
            size = len(phrase)
            for i in range(len(tokens) - size + 1):
                if tuple(tokens[i:i + size]) == phrase and (i == 0 or tokens[i - 1] not in self._not_before):
                    return True
        return False

    def followup(self, words: str, step: str, told: tuple[str, ...] = ()) -> str | None:
        """The answer key of a question asked besides the need ("can you tell my teacher?"); `told`
        is the situations told so far (a followup `only_when` one is told)."""
        padded, tokens = f" {words} ", words.split()
        return next((key for phrases, near, key, urgent_only, when in self._followups
                     if (step == "crisis" or not urgent_only) and (not when or when.intersection(told))
                     and (any(self._said_not_denied(padded, p) for p in phrases) or (near and _near(tokens, *near)))),
                    None)

    def _said_not_denied(self, padded: str, phrase: str) -> bool:
        """The phrase is said, and not just after a negation: "havent rung the police yet" has not
        rung them, and is never told "you did the right thing"."""
        at = padded.find(f" {phrase} ")
        while at >= 0:
            before = [w for w in padded[:at].split() if w not in ("yet", "even", "really")][-1:]
            if not any(w in self._not_before for w in before):
                return True
            at = padded.find(f" {phrase} ", at + 1)
        return False


def _opens_with(words: str, phrases: frozenset[str]) -> bool:
    """A short message (a few words) that opens with one of the phrases."""
    tokens = words.split()
    if not tokens or len(tokens) > YES_NO_MAX_WORDS:
        return False
    return any(" ".join(tokens[:size]) in phrases for size in (4, 3, 2, 1))


def _near(tokens: list[str], who: tuple[list[str], ...], did: tuple[list[str], ...], within: int) -> bool:
    """Who ("my mum") and what ("finding out") within a few words of each other, either order."""
    def spans(phrases):
        return [(i, i + len(p)) for p in phrases for i in range(len(tokens)) if tokens[i:i + len(p)] == p]
    return any(0 <= d0 - w1 <= within or 0 <= w0 - d1 <= within
               for w0, w1 in spans(who) for d0, d1 in spans(did))
