"""Whose need is it? A parent may be telling of their own mental health, not their child's.

Two kinds of sign, both read from `thrive.yaml` (`own_need`):
- the parent speaks of their own feelings ("its me really, ive got depression",
  "i feel so low since she was born"): a first-person word, then a feelings
  word within a few words, with no child named in between;
- the child is a baby (under `baby_until`): a baby does not have OCD or low mood,
  so a feelings need is the parent's, in the perinatal period.
Either way the parent's own topic leads, and results give adult and perinatal
routes, never CAMHS for a three-week-old.
"""
from __future__ import annotations

from bot.dialogue import State
from bot.textmatch import normalise
from flows import slots
from flows.context import Ctx

REACH = 4  # a feelings word this many words or fewer after "i"/"im" is said of oneself


def _feels_it_myself(ctx: Ctx, text: str) -> bool:
    """"ive got depression", "i'm so low": a feelings word said of oneself."""
    own = ctx.kb.thrive.own_need
    words = normalise(text)
    for i, word in enumerate(words):
        if word not in own.self_words:
            continue
        for following in words[i + 1:i + 1 + REACH]:
            if following in own.others:
                break  # "im worried she is low": the feeling is someone else's
            if any(following.startswith(stem) for stem in own.feelings):
                return True
    return False


def says_its_mine(ctx: Ctx, text: str) -> bool:
    """A whole phrase that says the need is the speaker's ("its about me though", "help for me")."""
    return slots.says_any(text, ctx.kb.thrive.own_need.phrases)


def parents_own(ctx: Ctx, state: State) -> bool:
    """A parent telling of their own mental health, a pregnancy or a new baby: the help is for them."""
    return state.audience == "parent" and bool(state.topics) and ctx.kb.topics[state.topics[0]].parents_own


def settle(ctx: Ctx, state: State, text: str | None = None) -> State:
    """The state with the parent's own topic first when the signs say the need is theirs."""
    if state.audience != "parent" or not state.topics:
        return state
    own = ctx.kb.thrive.own_need
    feelings_first = state.topics[0] in own.feelings_topics
    baby = state.age is not None and state.age < own.baby_until
    if baby and (feelings_first or own.topic in state.topics[:1]):
        return _lead(state, own.perinatal_topic)
    # Said outright ("its about me though"): theirs, whatever topic the words also matched.
    # Feelings said of oneself ("ive been so low"): theirs when the need is one a parent can have.
    mine = bool(text) and says_its_mine(ctx, text)
    theirs = (mine and own.topic not in state.topics[:1]) or (
        (mine or (bool(text) and _feels_it_myself(ctx, text))) and (feelings_first or _named_own(ctx, state)))
    if theirs:
        return _lead(state, own.perinatal_topic if baby or own.perinatal_topic in state.topics else own.topic)
    return state


def _named_own(ctx: Ctx, state: State) -> bool:
    return any(ctx.kb.topics[t].parents_own for t in state.topics)


def _lead(state: State, topic: str) -> State:
    return state.but(topics=(topic,) + tuple(t for t in state.topics if t != topic)[:2])
