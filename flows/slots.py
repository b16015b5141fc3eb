"""The questions a journey asks, each filling one field of the state.

A slot knows its question, its buttons, the action prefix of those buttons and
how to read a typed answer. Journeys are just ordered lists of slot names, so
an old button pressed late still fills its own slot and the journey moves on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from rapidfuzz import fuzz, process

from bot import hours
from bot.dialogue import Button, State
from bot.textmatch import normalise
from bot.understand import Understanding
from flows import places
from flows import who_speaks
from flows.said import SCORE, own_age, parse_age, plain_phrases, read_duration
from flows.context import Ctx

ELSEWHERE = places.ELSEWHERE
AUDIENCES = ("young_person", "parent", "professional")
ADULT_TOP_AGE = 25  # the oldest age the journeys serve as a young person
YOUNGEST_TYPING = 8  # a bare "3" at "who are you?" is not a three-year-old typing


@dataclass(frozen=True)
class Slot:
    name: str
    prefix: str
    question: str
    choices: Callable[[Ctx, State], list[tuple[str, str]]]
    per_row: int = 2


def _audience_choices(ctx: Ctx, state: State) -> list[tuple[str, str]]:
    return [(ctx.say(f"audience_{a}", state), a) for a in AUDIENCES]


def _thrive_choices(kind: str) -> Callable[[Ctx, State], list[tuple[str, str]]]:
    def choices(ctx: Ctx, state: State) -> list[tuple[str, str]]:
        return [
            (c.label.for_audience(state.audience), c.id)
            for c in getattr(ctx.kb.thrive, kind)
            if state.audience is None or state.audience in c.audiences
        ]
    return choices


def _area_choices(ctx: Ctx, state: State) -> list[tuple[str, str]]:
    areas = [(ctx.say("area_button", state, area=a.info.name, examples=", ".join(a.info.examples)), a.id)
             for a in ctx.kb.areas.values()]
    return areas + [(ctx.say("area_elsewhere", state), ELSEWHERE)]


def _group_choices(ctx: Ctx, state: State) -> list[tuple[str, str]]:
    return [(g.label.for_audience(state.audience), g.id) for g in ctx.kb.topic_groups]


SLOTS = {
    "audience": Slot("audience", "aud", "ask_audience", _audience_choices, per_row=1),
    "role": Slot("role", "role", "ask_role", _thrive_choices("roles"), per_row=1),
    "age_band": Slot("age_band", "age", "ask_age", _thrive_choices("age_bands"), per_row=3),
    "area": Slot("area", "area", "ask_area", _area_choices, per_row=1),
    "topics": Slot("topics", "grp", "ask_topic", _group_choices, per_row=1),
    "duration": Slot("duration", "dur", "ask_duration", _thrive_choices("duration"), per_row=1),
    "severity": Slot("severity", "sev", "ask_severity", _thrive_choices("severity"), per_row=1),
    "urgency": Slot("urgency", "urg", "ask_urgency", _thrive_choices("urgency"), per_row=1),
}
BY_PREFIX = {slot.prefix: slot for slot in SLOTS.values()}


def buttons(ctx: Ctx, state: State, slot: Slot) -> tuple[tuple[Button, ...], ...]:
    items = [Button(label, f"{slot.prefix}:{value}") for label, value in slot.choices(ctx, state)]
    rows = tuple(tuple(items[i:i + slot.per_row]) for i in range(0, len(items), slot.per_row))
    return rows + ((ctx.button("button_urgent", state, "urgent"),),)


def fill(ctx: Ctx, state: State, slot: Slot, value: str) -> State | None:
    """The state with `value` chosen for `slot`, or None if it is not a valid choice."""
    if value not in {v for _, v in slot.choices(ctx, state)} and slot.name != "topics":
        return None
    if slot.name == "age_band":
        return state.but(age_band=value, age=None)
    return state.but(**{slot.name: value})


def read_typed(ctx: Ctx, state: State, slot: Slot, text: str, heard: Understanding,
               guess: bool = True) -> State | None:
    """Fill `slot` from free text, if the text answers it.

    `guess`: also from what the words imply ("shes crying in her room" at "who are you?": a
    parent). Not when the words may be about danger: "hes still got the knife" answers nothing."""
    label = match_label(slot.choices(ctx, state), text)
    if label is not None and slot.name != "topics":
        return fill(ctx, state, slot, label)
    said = said_choice(ctx, state, slot, text)
    if slot.name == "audience" and len(text.split()) > who_speaks.SHORT_ROLE_ANSWER:
        # In a longer message, the words that say who plainly ("PC here ... 15yo girl") lead.
        said = who_speaks.said_who(ctx, text) or said
    if said is not None:
        filled = fill(ctx, state, slot, said)
        if filled is not None and slot.name == "audience" and said == "professional":
            role = said_choice(ctx, filled, SLOTS["role"], text)  # "im a gp": the role is said too
            filled = filled.but(role=role) if role else filled
        if filled is not None and slot.name == "audience" and said == "young_person":
            # "im 14", "me, 15": the age is said too; in a longer message only their own
            # ("my little brother is 5" is not their age).
            own = own_age(text) if len(text.split()) > who_speaks.SHORT_ROLE_ANSWER else None
            filled = (with_age(ctx, filled, own) if own is not None else
                      _read_age(ctx, filled, text) if len(text.split()) <= who_speaks.SHORT_ROLE_ANSWER else None) or filled
        return filled
    if slot.name == "age_band":
        return _read_age(ctx, state, text)
    if slot.name == "audience":
        # "12", "18, pontefract", "yr 11, 16, kirkburton" at "who are you?": a young person saying
        # their age (a parent says "my son is 12", and parent words were looked for above).
        age = parse_age(text)
        if age is not None and YOUNGEST_TYPING <= age <= ADULT_TOP_AGE and not _of_a_child(ctx, text):
            return _read_age(ctx, state.but(audience="young_person"), text)
        if guess and _of_a_child(ctx, text):  # "shes crying in her room now": a parent or carer telling of their child
            return fill(ctx, state, slot, "parent")
        return None
    if slot.name == "duration":
        length = read_duration(text, hours.now().date())
        return state.but(duration=length) if length else None
    if slot.name == "severity":
        score = SCORE.search(text)  # "7/10", "8 out of 10"
        if score and 0 <= int(score.group(1)) <= 10:
            n = int(score.group(1))
            return state.but(severity="little" if n <= 3 else "quite" if n <= 6 else "lot")
    if slot.name == "urgency":
        # "a lot, most days" from a professional: how much it affects the child, taken as how
        # soon (the urgency with the same grouping; never "risk today" from these words alone).
        said = said_choice(ctx, state, SLOTS["severity"], text)
        choice = ctx.kb.choice("severity", said) if said else None
        if choice is not None:
            same = [u for u in ctx.kb.thrive.urgency if u.grouping == choice.grouping and u.grouping != "getting-risk-support"]
            return state.but(urgency=(same or ctx.kb.thrive.urgency)[0].id)
    if slot.name == "area":
        return _read_area(ctx, state, text)
    if slot.name == "topics" and heard.matched:
        return state.but(topics=matched_topics(heard))
    return None


SECONDARY_SHARE = 0.25  # a further need named this faintly beside the main one is a passing word


def matched_topics(heard: Understanding) -> tuple[str, ...]:
    """The needs the message named: at most three, never a topic it gave no evidence for, and
    never one whose words are a faint aside beside the main need ("i feel like im going mad"
    in a message about a controlling boyfriend is not psychosis)."""
    if not heard.matched:
        return ()
    named = heard.topics[:min(3, heard.evident)]
    top = max(heard.topic_scores.values(), default=0.0)
    # Beside the main need, only needs the words named (the lexicon found them): a reader's
    # guess of "suicidal thoughts" beside "my family keep deadnaming me" is not a second need.
    return tuple(t for i, t in enumerate(named)
                 if i == 0 or heard.topic_scores.get(t, 0.0) >= max(SECONDARY_SHARE * top, 1e-9))


def exact_label(ctx: Ctx, state: State, slot: Slot, text: str) -> str | None:
    """The value whose button label is exactly these words (case and punctuation aside)."""
    wanted = " ".join(normalise(text))
    return next((value for label, value in slot.choices(ctx, state) if _plain_label(label) == wanted), None)


def match_label(choices: list[tuple[str, str]], text: str) -> str | None:
    """The value whose label the text names, forgiving case, punctuation and small typos."""
    wanted = " ".join(normalise(text))
    if not wanted:
        return None
    labels = {_plain_label(label): value for label, value in choices}
    if wanted in labels:
        return labels[wanted]
    best = process.extractOne(wanted, list(labels), scorer=fuzz.ratio, score_cutoff=88)
    return labels[best[0]] if best else None


@lru_cache(maxsize=4096)
def _plain_label(label: str) -> str:
    """Button labels come from the knowledge base, so caching them keeps no one's words."""
    return " ".join(normalise(label))


_KINDS = {"role": "roles", "duration": "duration", "severity": "severity", "urgency": "urgency"}


def said_choice(ctx: Ctx, state: State, slot: Slot, text: str) -> str | None:
    """The choice whose typed words ("really bad", "every day", "a bit") the text holds; the longest wins."""
    words = f" {' '.join(normalise(text))} "
    if slot.name == "audience":
        options = [(a, tuple(p)) for a, p in ctx.kb.thrive.audience_phrases.items()]
        options += [("professional", tuple(c.phrases)) for c in ctx.kb.thrive.roles]
    elif slot.name in _KINDS:
        options = [(c.id, tuple(c.phrases)) for c in getattr(ctx.kb.thrive, _KINDS[slot.name])
                   if state.audience is None or state.audience in c.audiences]
    else:
        return None
    found = [(who_speaks.said_of_self(value, words), len(p), who_speaks.TIES.get(value, 0), value) for value, phrases in options
             for p in plain_phrases(phrases) if _said_not_negated(words, p) and who_speaks.own_role(slot.name, value, p, words)]
    return max(found)[3] if found else None


_NOT = frozenset({"not", "no", "never", "isnt", "arent", "wasnt", "werent", "nobody", "without"})


def _said_not_negated(words: str, phrase: str) -> bool:
    """The phrase is said, and not just after a "not": "im not in danger" is not "in danger",
    "not a lot" is not "a lot"."""
    at = words.find(f" {phrase} ")
    while at >= 0:
        if not _NOT.intersection(words[:at].split()[-2:]):
            return True
        at = words.find(f" {phrase} ", at + 1)
    return False


def _of_a_child(ctx: Ctx, text: str) -> bool:
    told = ctx.kb.thrive.third_person_child
    return told is not None and says_any(text, told.words) and not says_any(text, told.unless)


def whole_answer(ctx: Ctx, slot: Slot, text: str) -> bool:
    """The whole message is a known way of answering this question ("id rather not say where")."""
    return slot.name == "area" and bool(ctx.kb.places) and _not_saying(ctx, text)


def _not_saying(ctx: Ctx, text: str) -> bool:
    """"id rather not say", "does it matter where i live? id rather not say": the whole message,
    or a phrase of two words or more inside it."""
    said = ctx.kb.places.not_saying
    return _says_whole(text, said) or says_any(text, [p for p in said if len(p.split()) > 1 and p != "rather not"])


def _says_whole(text: str, phrases: list[str]) -> bool:
    """The whole message is one of the phrases (punctuation and "sorry", "tbh" aside)."""
    words = [w for w in normalise(text) if w not in ("sorry", "tbh", "thanks", "please", "where", "that", "it")]
    return " ".join(words) in plain_phrases(tuple(phrases))


def says_any(text: str, phrases: list[str]) -> bool:
    words = f" {' '.join(normalise(text))} "
    return any(f" {p} " in words for p in plain_phrases(tuple(phrases)))


def _read_age(ctx: Ctx, state: State, text: str) -> State | None:
    age = parse_age(text)
    if age is None and says_any(text, ctx.kb.thrive.infant_words):
        age = 0  # "newborn", "im pregnant": a baby, or one on the way
    return None if age is None else with_age(ctx, state, age)


def with_age(ctx: Ctx, state: State, age: int) -> State:
    """The state with this age and its band (the nearest band past either end)."""
    bands = [c for c in ctx.kb.thrive.age_bands if state.audience is None or state.audience in c.audiences]
    band = next((b for b in bands if b.min <= age <= b.max), None)
    if band is None:
        band = bands[-1] if age > bands[-1].max else bands[0]
    return state.but(age=age, age_band=band.id)


_POSTCODE = re.compile(r"\b([A-Za-z]{1,2}\d{1,2})[A-Za-z]?(?:\s*\d[A-Za-z]{2})?\b")


def postcode_areas(ctx: Ctx, text: str) -> tuple[list[str], bool]:
    """Areas a typed postcode district may be in, and whether it is wholly in one.

    Only the district is looked at, and nothing of the postcode is kept.
    """
    found = _POSTCODE.search(text)
    if not found:
        return [], False
    district = found.group(1).upper()
    whole = [a.id for a in ctx.kb.areas.values() if district in a.info.postcodes]
    part = [a.id for a in ctx.kb.areas.values() if district in a.info.shared_postcodes]
    return whole + part, len(whole) == 1 and not part


def _outside_postcode(ctx: Ctx, text: str) -> bool:
    """A postcode district of an area the bot does not cover ("BD5", "LS6 2AB")."""
    found = _POSTCODE.search(text)
    outside = ctx.kb.places.elsewhere_postcodes if ctx.kb.places else ()
    return bool(found) and re.sub(r"\d.*", "", found.group(1).upper()) in outside


def _read_area(ctx: Ctx, state: State, text: str) -> State | None:
    if ctx.kb.places and _not_saying(ctx, text) and not places.named(ctx, text).areas:
        return state.but(area=ELSEWHERE)  # "id rather not say": the help that works anywhere
    areas, certain = postcode_areas(ctx, text)
    if certain:
        return state.but(area=areas[0])
    if not areas and _outside_postcode(ctx, text):
        return state.but(area=ELSEWHERE)
    found = places.named(ctx, text)
    if areas and not (len(found.areas) == 1 and not found.shared):
        return None  # a district on a boundary, and no place that settles it: the journey asks which area
    if len(found.areas) == 1 and not found.shared:
        return state.but(area=found.areas[0])
    return None  # nothing known, or a place in two areas: the journey asks which
