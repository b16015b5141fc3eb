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
    return Named(areas, shared, living)


def moved_to(ctx: Ctx, current: str | None, text: str) -> str | None:
    """The area someone says they live in while answering another question, if it is news."""
    found = named(ctx, text)
    if not found.living or found.shared or len(found.areas) != 1:
        return None
    area = found.areas[0]
    return area if area != current else None
