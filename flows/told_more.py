"""Answers to questions not yet asked, taken from a longer message.

"15 year old lad in hemsworth, smoking weed most days, gone missing twice this
month" says the age, the area and the need at once. Asking "how old?" and
"where?" again after that tells the person they were not heard, and a
conversation whose answers then arrive one question late goes wrong from there.
Only clear statements are taken: an age said as an age ("15 year old", "aged 9",
"shes 7", "14F", "Y10"), one place in one area (never a place that two areas
share, never one outside them in passing: "dropped out of uni in leeds"), a
span said as a span ("for about 6 months"). Anything less clear is asked.
"""
from __future__ import annotations

import re

from bot import hours
from bot.dialogue import State
from bot.textmatch import normalise
from flows import places, said, slots, who_speaks
from flows.context import Ctx

_STATED_AGE = re.compile(
    r"\b(\d{1,2})\s*(?:yo|y/o|yrs? old|years? old|year-old|yr-old|yr old)\b"
    r"|\b(?:aged|age)\s*(\d{1,2})\b"
    r"|\b(\d{1,2})\s*(?:m|f)\b(?!\s*(?:months?|min))"
    r"|\b(?:lad|boy|girl|lass|son|daughter|child|pupil|student|kid|yp|cyp|teen)(?:\W{1,3}|\s+(?:is|whos|who is|aged)\s+)"
    r"(\d{1,2})\b(?!\s*(?:weeks?|months?|days?|%|/|:))"
    r"|\b(?:hes|shes|he is|she is|he's|she's|theyre|they are|they're|im|i am|i'm)\s+(\d{1,2})\b(?!\s*(?:weeks?|months?|days?|%|/))"
    # "a lad I work with (15)", "my son (14)": an age in brackets soon after the child is named
    r"|\b(?:lad|boy|girl|lass|son|daughter|child|pupil|student|kid|yp|cyp|teen|young person)\b[^()\d]{0,30}\(\s*(\d{1,2})\s*\)",
    re.I)
_BABY_AGE = re.compile(rf"\b(?:{said.AMOUNT})\s*(?:{said.BABY_UNITS})[\s-]*old\b"
                       rf"|\bbaby(?:'?s| is)\s+(?:only\s+|just\s+)?(?:{said.AMOUNT})\s*(?:{said.BABY_UNITS})\b(?!\s+ago)"
                       rf"|\bhad (?:my|the|our) (?:baby|son|daughter|little boy|little girl)\s+(?:{said.AMOUNT})\s*(?:{said.BABY_UNITS})\s+ago\b", re.I)
_SCHOOL = re.compile(r"\b(?:y|yr|year)\s?(\d{1,2})\b(?!\s*(?:teacher|tutor|lead|head|team|class))", re.I)
_SPAN = re.compile(rf"\b(?:for|past|last|over|about|around|nearly|almost|since)\s+(?:the\s+)?(?:past\s+|last\s+)?"
                   rf"(?:{said.AMOUNT})\s*(?:and a half\s*)?(?:{said.UNITS})\b"
                   rf"|\b(?:{said.AMOUNT})\s*(?:{said.UNITS})\s+ago\b", re.I)


def harvest(ctx: Ctx, state: State, text: str) -> State:
    """The state with any age, area or duration this message states clearly, where still unknown."""
    if state.audience is None:  # told before "who are you?" was answered: urgent help came first
        who = who_speaks.said_who(ctx, text)
        if who is not None:
            role = slots.said_choice(ctx, state, slots.SLOTS["role"], text) if who == "professional" else None
            state = state.but(audience=who, role=role or state.role)
    elif state.audience == "parent" and state.age is None and (own := said.own_age(text)) is not None \
            and own < ADULT_OWN_AGE and state.role is None:
        # Taken for a parent, then "im 11. we live in featherstone": a child speaking (a young carer).
        state = state.but(audience="young_person")
    elif state.audience == "young_person" and state.age is None and _new_parent(ctx, text):
        # "baby's 3 weeks, I've put him in his cot" after a vague first answer ("I don't know why
        # I'm typing this"): a parent speaking, of their own need (the perinatal door).
        state = state.but(audience="parent", age_band=None)
    if state.age is None and state.age_band is None:
        age = stated_age(text, unknown_speaker=state.audience is None, own_only=state.audience == "young_person")
        if age is not None:
            state = slots.with_age(ctx, state, age)
    if state.area is None:
        found = places.named(ctx, text)
        plain = f" {' '.join(normalise(text))} "
        names = slots.plain_phrases(tuple(ctx.kb.places.also_names)) if ctx.kb.places else ()
        if not found.living and any(f" {n} " in plain for n in names):
            # "my son stanley is 8": a place that is also a name says nothing without living words.
            for name in names:
                plain = plain.replace(f" {name} ", " ")
            found = places.named(ctx, plain)
        if found.home is not None:  # "college in wakefield but i live in leeds": where they live
            state = state.but(area=found.home)
        elif len(found.areas) == 1 and found.areas[0] != places.ELSEWHERE and not found.shared:
            state = state.but(area=found.areas[0])
    if state.audience == "professional" and state.urgency is None:
        # "routine", "no current risk": how soon, said plainly. Only the calm end is taken
        # unasked; "urgent" in passing ("not urgent", "urgent care") is left to the question.
        told = slots.said_choice(ctx, state, slots.SLOTS["urgency"], text)
        if told is not None and told == ctx.kb.thrive.urgency[0].id:
            state = state.but(urgency=told)
    if state.duration is None:
        span = _SPAN.search(text)
        length = said.read_duration(span.group(0)) if span else said.since_month(text, hours.now().date())
        if length:
            state = state.but(duration=length)
    return state


_CORRECTED = re.compile(
    r"^\W*(?:(?:sorry|soz|oops|wait|no|nope|actually|correction|typo|i meant|i mean|meant|its|it's)\b[\s,.!-]*)+"
    r"(?:(?:im|i am|i'm|hes|he's|he is|shes|she's|she is|theyre|they're|they are)\s+)?(\d{1,2})\b"
    r"(?!\s*(?:weeks?|months?|days?|hours?|hrs?|mins?|minutes?|times|%|/|:|am\b|pm\b|\.\d))"
    r"|\b(?:im|i am|i'm|hes|he's|he is|shes|she's|she is|theyre|they're|they are)\s+(\d{1,2})\W{0,3}\s*not\s+\d{1,2}\b",
    re.I)


def corrected_age(text: str) -> int | None:
    """An age put right ("sorry no 17, 18 in march", "sorry hes 17 not 16", "actually im 15")."""
    found = _CORRECTED.search(text)
    return int(next(g for g in found.groups() if g)) if found else None


def without_correction(text: str) -> str:
    """The words besides the age put right ("just had his birthday")."""
    return _CORRECTED.sub(" ", text, count=1)


_SOMEONE = ("hes", "shes", "he is", "she is", "he's", "she's", "theyre", "they are", "they're")


def stated_age(text: str, unknown_speaker: bool = False, own_only: bool = False) -> int | None:
    """An age said as an age, never a bare number ("2 months", "3.15", "£200" are not ages).

    `unknown_speaker`: who is speaking is not known yet, so "hes 19" may be anyone's age (the man
    a young person met online): only an age said as the speaker's or a named child's counts.
    `own_only`: a young person speaking: only their own age ("im 12"), never a brother's."""
    baby = _BABY_AGE.search(text)
    if baby:
        return said.infant_age(baby.group(0))
    if own_only:
        return said.own_age(text)  # a young person: "im 12", not "my little brother is 5"
    found = _STATED_AGE.search(text)
    if found and not (unknown_speaker and found.group(0).lower().startswith(_SOMEONE)):
        return int(next(g for g in found.groups() if g))
    for school in _SCHOOL.finditer(text):
        before = [w for w in normalise(text[:school.start()]) if w not in ("about", "around", "roughly")][-1:]
        if before and before[0] in _THEN:  # "since about yr 10", "self harmed in year 8": a year gone by
            continue
        if 1 <= int(school.group(1)) <= 13:
            return int(school.group(1)) + 4
    return None


ADULT_OWN_AGE = 16  # "im 11" from someone taken for a parent: a child (a parent may be 16 or 17)
_THEN = frozenset({"since", "from", "in", "during", "until", "till", "when", "back"})


def _new_parent(ctx: Ctx, text: str) -> bool:
    own = ctx.kb.thrive.own_need
    return slots.says_any(text, own.new_parent) and not slots.says_any(text, own.not_new_parent)
