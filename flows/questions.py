"""Which questions each audience is asked, in order, and which is still open.

Each audience's module (young_person, parent, professional) names its questions;
`next_slot` finds the first one not yet answered (nor let go).
"""
from __future__ import annotations

from bot.dialogue import State
from flows import parent, professional, slots, young_person

# Questions that may go unanswered when the words answer the next one instead, and
# what they are taken to be then: an unknown role is "other"; an unknown duration
# never moves a need up a grouping.
SKIPPABLE = {"role": "other", "duration": "unsaid"}
SHORT_ANSWER_WORDS = 4  # a short answer to a question is only that answer, not also a need
TELLING_WORDS = 6  # a message this long that answers nothing asked is telling more about the need
PLAIN_ANSWER_MAX_WORDS = 12  # longer than this, a message is read as a message, whatever it answers
LET_GO = ("age_band", "area")  # questions let go when asked twice and still not answered
JUDGED = ("severity", "urgency")  # questions judged from the words when more is told instead
SCHOOL_TOPIC = "school"

JOURNEYS = {
    "young_person": young_person.QUESTIONS,
    "parent": parent.QUESTIONS,
    "professional": professional.QUESTIONS,
}


def questions(state: State) -> tuple[str, ...]:
    return ("audience",) + JOURNEYS.get(state.audience or "", ())


def next_slot(state: State) -> slots.Slot | None:
    for name in questions(state):
        if not getattr(state, name) and name not in state.skipped:
            return slots.SLOTS[name]
    return None
