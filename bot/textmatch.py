"""Normalise messy chat text and find lexicon phrases in it, fast.

Phrases are matched token by token, in order, allowing a couple of extra words
between them ("cant really sleep" matches "cant sleep"). A phrase token ending
in `*` matches any word starting with it ("suicid*"). Words that are not in the
lexicon are corrected to the nearest lexicon word with rapidfuzz, so "anxeity"
and "suicidle" still match; corrections are cached because people repeat words.
Common English words are never "corrected" into lexicon words ("kissing" must
not become "killing", "dyeing" must not become "dying").
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Hashable, Iterable, Mapping

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

_APOSTROPHES = str.maketrans({"'": "", "’": "", "‘": "", "`": "", "´": "", "ʼ": ""})
_NON_WORD = re.compile(r"[^a-z0-9*]+")
_STRETCHED = re.compile(r"([a-z])\1{2,}")  # "sooooo" -> "soo", "pleaseeee" -> "pleasee"
_NUMBER_WORD = re.compile(r"(?<=\d)(?=[a-z])")  # "15yo" -> "15 yo", "3am" -> "3 am"
MAX_GAP = 2
MIN_FUZZY_LENGTH = 5
FUZZY_CUTOFF = 85

# Everyday words that look like a lexicon word with one or two letters changed.
# They are real words, so the spelling fixer leaves them alone.
COMMON_WORDS = frozenset("""
about above across actually added address adult advice afraid after again against agree ahead allow almost alone
along already alright always amazing among amount angel animal annoyed another answer anyone anything anyway
anywhere appear apply around arrive asking asleep awake aware badly baking basic beach beans bearing beating
beautiful became because become before began begin behind being believe below besides better between beyond
biggest birthday biting blaming blanket bleach blind blink block blood blowing board boiling bored boring borrow
bottle bottom bought bounce brain brave bread break breakfast breath bright bring broke brother brought brown
build building built bully burger burst buses busy butter buying calling calls calm came camera camping candle
cannot caring carry carrying catch caught cause causing ceiling chance change charge chasing cheap check cheese
chest chicken child children chill chips choice choose chose chosen church class clean clear clever climb close
closed clothes cloud coach coffee coming common cooking cool copying corner cottage could couldnt count country
couple course cousin cover crazy cream crisps cross crowd crying cuddle cupboard cutting daily dance dancing dating
daughter dealing dearly death decide deep defo delete dinner direct doing dollar double doubt draw drawing dream
dress dressing drink driving dropped dyeing dyed dying early earth easily eating eighteen either eleven else
email empty ended ending enjoy enough entire even evening event every everyone everything exactly except excited
exercise expect explain extra fairly falling family famous fancy farm faster father favourite feeling fella
felling fight filling final finally finding fine finish fitting flat flirting floor flying focus follow food
football force forget forgot forward found friday friend friends front fully funny further gaming garden gave
getting giving glad glass going gonna good gotta grade great green group growing guess guilty guitar habit
hairs half hand handle hanging happen happy hardly hates hating having head health hearing heart heating heavy
hello helping hiding higher himself history hitting hobby holding holiday homes honest hoping horse hospital
hours house however huge human hungry hurry husband idea ignore ill important inside instead into issue itself
jacket joking judge jumper jumping keeping kettle kicking killed kind kissing kitchen knife knowing known ladder
large later laugh laughing layer leaving lesson letter level licking lifting light liking likely line listen
little living local locked lonely longer looking losing lots loud love lovely lucky lunch making manage many
marking match matter maybe meaning means meeting mental message middle might milking minute missing mixing
moment money month months morning mother moving music myself naked nasty nearly needed never night nights
nobody noise normal nothing notice number nurse often older online only open other outside over owner packed
paint painting paper parent parents party passing paying people perfect person phone picking picture piece
pizza placed plan planning plate played player playing please plenty pocket point police posting potato
pretty prison private probably problem proper proud pulling purple pushing putting quick quiet quite racing
rather reading ready really reason remember report resting riding right rolling rubbish running sadly safety
saying scary school screen second seeing seems selling sending sense seven shaking sharing sheets shift shirt
shopping short should shout shower shutting sick sigh silly simple since singing sister sitting sixteen skiing
sleeping slowly small smelling smiling smoking snack social someone something sometimes somewhere sorry sorted
sound speak spending sport spring staring start started starting station staying still stopping story street
strong stuff stupid summer sunday super sure surely sweet swimming table taking talking taste teacher teeth
telling tennis texting thank thanks their them then there these thing things think thinking those though
thought through throwing tidy tiring title today together told tomorrow tonight touching towel town trainers
training tried trying turning twelve under until upset using usual very video visit voice waiting waking
walking wanting watch watching water wearing weather week weekend weird well went were whatever wheel where
whether which while white whole wicked winning winter wishing with without woken woman women wonder wonderful
working world worse worst would wouldnt write writing wrong yelling yesterday young younger yours youth

bloody scares scared scary skipped skipping tipsy pasta concert theyd theyll youd youll shed hed wed stone stones
slipped slippers trainers brains brainy bleed bleeds blond blonde bread breed brood brook broom clubs cubs cups
panto pants panic panel paste pastry pastor passed passes pasty pasties patch paths patio peace pears pearl
scarf scarves scare scarce scarred scoring scores stars start stare stairs steak steal steam steel steep
stood store storm stove straw stray strip stripe stroke stroll stuck study stuffy style sugar suite sunny
tired tires tiring toast toilet tonsils topic torch total tough towel tower toys track trade trail train trains
treat trees trick trips truck trust truth tummy tunes turns twins tying
dying lying crying trying frying flying buying dyeing tying
cutie cuter cuddly curly curry curtains cushion cuts cutlery
harms harmful harmless harmony hurts hurtful hurting hurtle
paint panda paper parks parts party pasta patients pause peanut pencil penny
grief greet grown grunt guard guess guest guide guilt guitar
diet dine dined diner dined dirty dirt disco dish dishes ditch diving dizzy
overdue overdo overdone overtime overall overcome overhead overheard overlook overseas
sickly sicker sickness silly simply single sink sinks
weeks weekly weird welly wellies wells whale wheat wheels whine whisk whisper whistle
bruise bruised brush bubbly bucket buddy budget buggy build bully bumpy bunch bundle burger burgers burnt burns burning burned
blade bladder blame bland blank blast blaze blazer bleak blend bless blink bliss block blond bloom blouse blues blunt blurry blush
choke choker chores chose chosen chunk churn
pills pillow pilot pinch pizza place plain plane plans plant plate plays plead pleasant pleats plenty pliers plumb plump
tablet tables taken takes tales talks tally tamed tangle tanks taped tapes taste tasty taxis teach teams tears tease
knives knock knots known knows
hanging hangers hangover hanger happen happens happily harder hardly
alive alike alien aliens align alarm album alert
school schools scheme science scissor scone scoop scooter scope score scouts scrap scrape scratch scream screw
stress stretch strict strike string strong struck stuck
moody moods moody mouldy mouse mouth moved moves movie movies
funeral funny fungus furry future
cancer candle candy canoe canteen canvas
later latest latte laugh laughs launch laundry lawns layers lazy leader leads leaf leaks lean leap learn
nurse nursery nuts
bother bothered bothers spelling spell spelled spelt single sells selling seller trainer lego legos
mates maths matter mature mayor meals meant measure meats medal media melon melted member memory mends menu mercy
""".split())


def normalise(text: str, spellings: Mapping[str, str] | None = None) -> list[str]:
    """Lower-case word tokens with apostrophes dropped ("don't" -> "dont") and slang expanded.

    Emoji that carry meaning ("💊", "⚰") are spellings too, read as their words.
    """
    if spellings and not text.isascii():
        text = "".join(f" {spellings[ch]} " if not ch.isascii() and ch in spellings else ch for ch in text)
    text = unicodedata.normalize("NFKD", text).casefold().translate(_APOSTROPHES)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NUMBER_WORD.sub(" ", _STRETCHED.sub(r"\1\1", _NON_WORD.sub(" ", text)))
    tokens = text.split()
    if not spellings:
        return tokens
    out: list[str] = []
    for token in tokens:
        replacement = spellings.get(token)
        if replacement is None:
            out.append(token)
        else:
            out.extend(replacement.split())
    return out


@dataclass(frozen=True)
class Match:
    key: Hashable
    phrase: str
    start: int
    end: int  # one past the last token
    size: int  # number of phrase tokens


@dataclass(frozen=True)
class _Phrase:
    key: Hashable
    text: str
    tokens: tuple[str, ...]
    needs: frozenset[str]  # whole words after the first: all must be in the message to match


class PhraseIndex:
    """All phrases of one lexicon, indexed by their first token."""

    def __init__(self, entries: Iterable[tuple[Hashable, str]], spellings: Mapping[str, str] | None = None):
        exact: dict[str, list[_Phrase]] = defaultdict(list)
        prefix: dict[str, list[_Phrase]] = defaultdict(list)
        seen: set[tuple[Hashable, tuple[str, ...]]] = set()
        self.vocabulary: set[str] = set()
        for key, text in entries:
            tokens = tuple(normalise(text, spellings))
            if not tokens or (key, tokens) in seen:
                continue
            seen.add((key, tokens))
            needs = frozenset(t for t in tokens[1:] if not t.endswith("*"))
            phrase = _Phrase(key, text, tokens, needs)
            first = tokens[0]
            if first.endswith("*"):
                prefix[first[:-1]].append(phrase)
            else:
                exact[first].append(phrase)
            self.vocabulary.update(t for t in tokens if not t.endswith("*"))
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._prefix = {k: tuple(v) for k, v in prefix.items()}
        self._prefix_lengths = tuple(sorted({len(k) for k in self._prefix}))
        self.prefixes = frozenset(k for k in self._prefix if k)

    def __len__(self) -> int:
        return sum(map(len, self._exact.values())) + sum(map(len, self._prefix.values()))

    def find(self, tokens: list[str]) -> list[Match]:
        found = []
        exact, prefix, lengths = self._exact, self._prefix, self._prefix_lengths
        present = set(tokens)
        for i, token in enumerate(tokens):
            candidates = exact.get(token, ())
            if lengths:
                more = [p for n in lengths if n <= len(token) for p in prefix.get(token[:n], ())]
                if more:
                    candidates = (*candidates, *more)
            for phrase in candidates:
                if len(phrase.tokens) == 1:
                    found.append(Match(phrase.key, phrase.text, i, i + 1, 1))
                    continue
                if not phrase.needs <= present:
                    continue
                end = _match_from(phrase.tokens, tokens, i)
                if end:
                    found.append(Match(phrase.key, phrase.text, i, end, len(phrase.tokens)))
        return found


def _token_matches(pattern: str, token: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern[-1] == "*" else token == pattern


def _match_from(pattern: tuple[str, ...], tokens: list[str], start: int) -> int:
    """Index one past the match if `pattern` matches at `start`, allowing small gaps; else 0."""
    if not _token_matches(pattern[0], tokens[start]):
        return 0
    pos = start + 1
    size = len(tokens)
    for part in pattern[1:]:
        limit = min(size, pos + MAX_GAP + 1)
        while pos < limit and not _token_matches(part, tokens[pos]):
            pos += 1
        if pos >= limit:
            return 0
        pos += 1
    return pos


class SpellingFixer:
    """Maps a word the lexicon does not know to the closest word it does.

    Only words of MIN_FUZZY_LENGTH letters or more are corrected, only to a
    lexicon word of about the same length that starts with the same letter, and
    never when the word is itself an everyday English word.
    """

    def __init__(self, vocabulary: Iterable[str], keep: Iterable[str] = (), prefixes: Iterable[str] = ()):
        self._known = frozenset(vocabulary)
        self._prefixes = tuple(sorted(set(prefixes)))
        self._keep = frozenset(keep) | COMMON_WORDS
        by_key: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in self._known:
            if word.isalpha() and len(word) >= MIN_FUZZY_LENGTH - 1:
                by_key[(word[0], len(word))].append(word)
        self._by_key = {k: tuple(sorted(words)) for k, words in by_key.items()}
        self.fix = lru_cache(maxsize=65536)(self._fix)

    def _fix(self, word: str) -> str:
        if word in self._known or word in self._keep or len(word) < MIN_FUZZY_LENGTH or not word.isalpha():
            return word
        if self._prefixes and word.startswith(self._prefixes):  # "slashed" is "slash*", not "smashed"
            return word
        first, n = word[0], len(word)
        choices = [w for m in (n - 1, n, n + 1) for w in self._by_key.get((first, m), ())]
        if not choices:
            return word
        best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        return best[0] if best else word

    def __call__(self, tokens: list[str]) -> list[str]:
        fix = self.fix
        return [fix(t) for t in tokens]


class KeyTypos:
    """Reads the words that matter most as meant despite a slip of the keyboard.

    For each key word or two-word phrase (crisis.yaml `typo_tolerant`): a letter
    dropped, doubled or swapped ("sucide", "overdsoe", "self harn"; two slips in a
    long word: "sucidie"), or the space in the wrong place ("selfh arm",
    "killmyself", "kil lmyself"). Everyday words are never changed ("ill myself",
    "self care"), and in a two-word phrase at most one word may be misspelt.
    """

    def __init__(self, phrases: Iterable[str], everyday: Iterable[str]):
        self.single: dict[str, tuple[str, ...]] = {}
        self.pairs: list[tuple[str, str]] = []
        for phrase in phrases:
            tokens = tuple(normalise(phrase))
            if len(tokens) == 1:
                self.single[tokens[0]] = tokens
            elif len(tokens) == 2:
                self.pairs.append((tokens[0], tokens[1]))
                self.single["".join(tokens)] = tokens  # "selfharm" -> "self harm"
        keys = {w for pair in self.pairs for w in pair} | set(self.single)
        self._everyday = (frozenset(everyday) | COMMON_WORDS) - keys
        self._keys = frozenset(keys)
        self._lengths = {len(k) for k in self.single}
        self.fix_word = lru_cache(maxsize=65536)(self._fix_word)

    def _fixable(self, word: str) -> bool:
        return len(word) >= 3 and word.isalpha() and word not in self._everyday and word not in self._keys

    def _fix_word(self, word: str) -> tuple[str, ...]:
        if word in self.single:
            return self.single[word]  # "killmyself" -> "kill myself"
        if not self._fixable(word):
            return (word,)
        n = len(word)
        for key, tokens in self.single.items():
            if abs(len(key) - n) <= 2 and _close(word, key):
                return tokens
        return (word,)

    def _fix_pair(self, a: str, b: str) -> tuple[str, ...] | None:
        joined = a + b
        for p0, p1 in self.pairs:
            if a == p0 and b != p1 and self._fixable(b) and _close(b, p1):
                return (p0, p1)
            if b == p1 and a != p0 and self._fixable(a) and _close(a, p0):
                return (p0, p1)
            whole = p0 + p1
            if (a, b) != (p0, p1) and abs(len(joined) - len(whole)) <= 1 and joined[0] == whole[0] \
                    and (self._fixable(a) or self._fixable(b)) and _close(joined, whole):
                return (p0, p1)
        return None

    def __call__(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            if i + 1 < n:
                pair = self._fix_pair(tokens[i], tokens[i + 1])
                if pair:
                    out.extend(pair)
                    i += 2
                    continue
            out.extend(self.fix_word(tokens[i]))
            i += 1
        return out


def _close(word: str, key: str) -> bool:
    """One slip (two in a long word that starts right): dropped, added or swapped letters."""
    if word == key:
        return True
    allowed = 2 if len(key) >= 7 and word[0] == key[0] else 1
    return len(key) >= 4 and OSA.distance(word, key, score_cutoff=allowed) <= allowed
