"""Who is speaking? A young person, a parent or carer, or someone who works with children.

Read from plain words ("my daughter", "PC here", "my mum"), with care for the words
that mislead: "her mum" is someone else's, "mum says" in a police officer's message is
not the speaker, and "me" or "girl" in a longer message may be anyone.
"""
from __future__ import annotations

from bot.textmatch import normalise
from flows.context import Ctx
from flows.said import plain_phrases


def said_who(ctx: Ctx, text: str) -> str | None:
    """Who is speaking, when words say it plainly ("my daughter", "PC here", "my mum"): never from
    a bare "me" or "im", which a parent writes too. For a message read before "who are you?"
    was answered (urgent help came first)."""
    words = f" {' '.join(normalise(text))} "
    thrive = ctx.kb.thrive
    options = [(a, p) for a, ps in thrive.audience_phrases.items() for p in plain_phrases(tuple(ps))]
    options += [("professional", p) for c in thrive.roles for p in plain_phrases(tuple(c.phrases))]
    found = [(said_of_self(value, words), len(p), TIES.get(value, 0), value) for value, p in options
             if p not in _PRONOUNS and f" {p} " in words and own_role("audience", value, p, words)]
    return max(found)[3] if found else None


def said_of_self(value: str, words: str) -> int:
    """A job said of oneself in a longer message ("PC here, ... mum says"): only such a job gets
    past `_own_role` there, and it outranks any other word for who is speaking."""
    return int(value == "professional" and len(words.split()) > SHORT_ROLE_ANSWER)


# Words that say who is speaking only as a reply to "who are you?": in a longer message "me",
# "girl" or "a young person" is as often someone else ("Y10 girl showed me...").
_PRONOUNS = frozenset({"me", "myself", "im", "i am", "for me", "its me", "about me", "for myself", "boy", "girl",
                       "kid", "a kid", "child", "teen", "teenager", "student", "pupil", "young", "yp", "young person",
                       "a young person", "in year", "at school", "adult", "an adult", "worker", "staff"})


# Who wins a tie of equally long words: "my son" beside "my mum" is a parent speaking (a young
# person seldom says "my son"); any other choice keeps its order.
TIES = {"parent": 2, "professional": 1}


_SELF_ROLE = ("im a", "im an", "i am a", "i am an", "im the", "i am the", "as a", "as an", "as the",
              "work as a", "work as an", "im", "i am")
SHORT_ROLE_ANSWER = 3  # "school nurse", "im a gp": a role said on its own is the speaker's


def own_role(slot: str, value: str, phrase: str, words: str) -> bool:
    """In a longer message a job is the speaker's only when said of themselves: "the police are on
    their way" or "her teacher thinks" come from a parent, "im a teacher at..." from a professional.
    Likewise "her mum will kill her" is someone else's mum, not a parent speaking."""
    if slot == "audience" and value == "parent" and " " not in phrase:
        if any(f" {other} {phrase} " in words for other in _SOMEONE_ELSES - {"my", "a"}):
            return False
        # In a longer message a bare "mum" is mostly the writer's own mum ("cos mum cant get up
        # today"): a parent says so of themselves ("im a mum", "mum here", "mum of 3").
        return len(words.split()) <= SHORT_ROLE_ANSWER or any(
            f" {said} " in words for said in (f"a {phrase}", f"{phrase} here", f"{phrase} of", f"the {phrase}"))
    if slot != "audience" or value != "professional" or len(words.split()) <= SHORT_ROLE_ANSWER:
        return True
    if phrase.startswith(("i ", "im ", "work with", "professional", "a professional")):
        return True
    if any(f" {prefix} {phrase} " in words for prefix in _SELF_ROLE):
        return True
    # A title leading the message ("community midwife, dewsbury", "residential support worker,
    # childrens home in golcar"): the speaker's, unless it is someone's ("her teacher thinks").
    tokens, size = words.split(), len(phrase.split())
    for start in range(min(_TITLE_WITHIN, len(tokens))):
        if tokens[start:start + size] == phrase.split():
            return not any(t in _SOMEONE_ELSES for t in tokens[:start])
    return False


_TITLE_WITHIN = 3  # a role this near the start of a message is a title the speaker gives
_SOMEONE_ELSES = frozenset({"her", "his", "my", "their", "our", "your", "the", "a", "an"})
