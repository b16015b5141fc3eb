"""Where someone lives, from the words they type: at the area question, or at any other.

People answer "hudds", "i live in batley" when asked what is wrong, or
"actually I live in Wakefield not Kirklees" three questions later. A place that
is in two areas (there is a Netherton in each) is asked about, never guessed.
Only the area's id is kept, never the place typed.
"""
from __future__ import annotations

from dataclasses import dataclass
from rapidfuzz import fuzz, process

from bot.textmatch import normalise
from flows.context import Ctx

ELSEWHERE = "elsewhere"
NEGATION_REACH = 4  # "not in Kirklees", "used to live in": a negation this near before a place takes it back


@dataclass(frozen=True)
class Named:
    areas: tuple[str, ...]  # the areas the places named (not taken back) are in; ELSEWHERE for outside
    shared: bool  # a place named is in more than one area: ask which
    living: bool  # words that say where someone lives ("i live in", "actually")
    # The area of the place right after words that say a home ("i live in leeds"), when one does
    home: str | None = None


def _plain(text: str) -> str:
    return " ".join(normalise(text))


_INDEXES: dict[int, tuple[tuple[str, str], ...]] = {}  # per knowledge base, built once


def _index(ctx: Ctx) -> tuple[tuple[str, str], ...]:
    """(place words, area id) for every area's name and places, and the places outside them."""
    key = id(ctx.kb)
    if key not in _INDEXES:
        rows = [(_plain(n), a.id) for a in ctx.kb.areas.values() for n in (a.info.name, *a.info.places)]
        rows += [(_plain(p), ELSEWHERE) for p in ctx.kb.elsewhere]
        _INDEXES[key] = tuple((words, area) for words, area in rows if words)
    return _INDEXES[key]


def named(ctx: Ctx, text: str) -> Named:
    words = _plain(text).split()
    padded = f" {' '.join(words)} "
    places = ctx.kb.places
    negations = [_plain(n) for n in (places.negations if places else ())]
    found: dict[str, set[str]] = {}
    for place, area in _index(ctx):
        at = padded.find(f" {place} ")
        if at < 0:
            continue
        window = f" {' '.join(padded[:at].split()[-NEGATION_REACH:])} "
        if any(f" {n} " in window for n in negations):
            continue  # "not Kirklees"
        found.setdefault(place, set()).add(area)
    if not found and len(words) <= 3:  # a short answer with a slip: "huddersfeild", "wakefeild"
        hit = process.extractOne(" ".join(words), [p for p, _ in _index(ctx)], scorer=fuzz.ratio, score_cutoff=85)
        if hit:
            found[hit[0]] = {a for p, a in _index(ctx) if p == hit[0]}
    # The longest place wins over a place inside it ("Greater Huddersfield" over "Huddersfield").
    kept = {p: a for p, a in found.items() if not any(p != q and f" {p} " in f" {q} " for q in found)}
    areas = tuple(sorted({a for a_set in kept.values() for a in a_set}))
    shared = any(len(a_set) > 1 for a_set in kept.values())
    living = any(f" {_plain(c)} " in padded for c in (places.living if places else ()))
    return Named(areas, shared, living, _home(padded, kept, places.home if places else ()))


HOME_REACH = 3  # "i live in Leeds", "we live just outside Dewsbury": the place this near after the home words


def _home(padded: str, kept: dict[str, set[str]], home_words) -> str | None:
    """The one area of the place named just after words that say a home, if one is."""
    for word in home_words:
        phrase = f" {_plain(word)} "
        at = padded.find(phrase)
        while at >= 0:
            after = " ".join(padded[at + len(phrase):].split()[:HOME_REACH + 2])
            near = [(f" {after} ".find(f" {p} "), a) for p, a in kept.items() if f" {p} " in f" {after} "]
            near = [(i, a) for i, a in near if len(f" {after} "[:i].split()) <= HOME_REACH]
            if near:
                areas = min(near)[1]
                return next(iter(areas)) if len(areas) == 1 else None
            at = padded.find(phrase, at + 1)
    return None


def moved_to(ctx: Ctx, current: str | None, text: str) -> str | None:
    """The area someone says they live in while answering another question, if it is news."""
    found = named(ctx, text)
    if found.home is not None:  # "my college is in wakefield but we live in leeds"
        return found.home if found.home != current else None
    if not found.living or found.shared or len(found.areas) != 1:
        return None
    area = found.areas[0]
    return area if area != current else None
