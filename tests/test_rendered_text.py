"""Every card and results message the bot can show, checked for the kinds of slip people saw.

The slips were found by people using the bot (issue 10): "Please note: Please
note:", "Childline: Childline:", "weekends.(closed now)", "(L407)" and
"contacts.md" shown to a child, "help with adhd", two identical buttons, and
results messages of 400 words on a phone. Rather than the instances, these
tests look for the kinds, over every service, audience, area, age band, need
and time band.
"""
from __future__ import annotations

import re
import statistics

import pytest

from bot.dialogue import State
from flows import cards, results
from flows.context import Turn

AUDIENCES = ("young_person", "parent", "professional")
TIMES = {"weekday daytime": "2026-12-02T11:00", "saturday night": "2026-11-21T23:30",
         "christmas night": "2026-12-25T23:30"}

# The kinds of slip, each a pattern and what it means.
SLIPS = {
    "a label said twice": re.compile(r"(?i)\b([a-z][^\n:.]{2,60}): \1\b"),
    "no space before a bracket": re.compile(r"[A-Za-z0-9.,;:]\((?!s\))"),
    "an internal reference": re.compile(r"\bL\d{2,4}\b|\.md\b|\.txt\b|\bseed\b|\bresearch notes\b", re.I),
    "a doubled word": re.compile(r"(?i)\b(\w{3,}) \1\b"),
    "an empty or stray placeholder": re.compile(r"\{[a-z_]*\}|\bNone\b|\(\)"),
    "a double space or space before a full stop": re.compile(r"[^\n ]  +[^ ]| \.(\s|$)"),
}


def slips(text: str) -> list[str]:
    return [f"{kind}: {m.group(0)!r}" for kind, pattern in SLIPS.items() for m in pattern.finditer(text)]


@pytest.fixture(scope="module")
def ctx(conversation):
    return conversation.ctx


def _when(label):
    import datetime as dt

    return dt.datetime.fromisoformat(TIMES[label])


@pytest.mark.parametrize("time", TIMES)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_card_of_every_service_reads_cleanly(ctx, audience, time):
    state = State(audience=audience)
    found = []
    for service in ctx.kb.services.values():
        for text in (cards.service_card(ctx, state, service, 1, _when(time)),
                     cards.short_card(ctx, state, service, 1, _when(time))):
            found += [f"{service.id}: {s}" for s in slips(text)]
    assert found == []


def _results(ctx, monkeypatch, time):
    """The first results message for every need, area, age band and answer, for each audience."""
    monkeypatch.setenv("BOT_NOW", TIMES[time])
    kb = ctx.kb
    for audience in AUDIENCES:
        answers = kb.thrive.urgency if audience == "professional" else kb.thrive.severity
        for area in (*kb.areas, "elsewhere"):
            for band in kb.thrive.age_bands:
                for topic in kb.topics:
                    for answer in answers:
                        state = State(step="topics", audience=audience, age_band=band.id, area=area,
                                      topics=(topic,), duration="weeks",
                                      role="school" if audience == "professional" else None,
                                      severity=None if audience == "professional" else answer.id,
                                      urgency=answer.id if audience == "professional" else None)
                        yield state, results.show(ctx, Turn(state))


@pytest.mark.parametrize("time", TIMES)
def test_results_fit_a_phone_and_read_cleanly(ctx, monkeypatch, time):
    words = {a: [] for a in AUDIENCES}
    problems = []
    for state, outcome in _results(ctx, monkeypatch, time):
        first = outcome.replies[0]
        words[state.audience].append(len(first.text.split()))
        where = f"{state.audience}/{state.area}/{state.age_band}/{state.topics[0]}"
        problems += [f"{where}: {s}" for s in slips(first.text)]
        labels = [b.label for b in first.all_buttons()]
        actions = [b.action for b in first.all_buttons()]
        if len(set(labels)) != len(labels) or len(set(actions)) != len(actions):
            problems.append(f"{where}: the same button twice: {labels}")
        if ctx.kb.topics[state.topics[0]].about.for_audience(state.audience) not in first.text:
            problems.append(f"{where}: the need is not named as the knowledge base writes it")
    assert problems[:20] == []
    # A young person reads the first results message on a phone: about 120 words, never a wall.
    assert statistics.median(words["young_person"]) <= 120, statistics.median(words["young_person"])
    assert max(words["young_person"]) <= 180
    assert max(words["parent"]) <= 250 and max(words["professional"]) <= 250


def test_more_about_opens_the_full_card_and_only_for_a_service_just_suggested(conversation):
    from bot.dialogue import UserInput
    from tests.chat import Chat

    chat = Chat(conversation)
    chat.start()
    chat.press("I'm a young person")
    chat.say("14")
    chat.press("Kirklees (for example Huddersfield, Dewsbury)")
    chat.say("i get panic attacks before school every day")
    chat.press("Quite a lot")
    first = chat.state.services[0]
    name = cards.short_name(conversation.ctx.kb.services[first])
    chat.press(f"More about {name}")
    assert chat.state.step == "results"
    assert conversation.ctx.kb.services[first].name in chat.text
    assert "Did this help?" in chat.labels or chat.labels  # feedback still one press away
    # A forged button for a service not suggested is refused kindly, and nothing is lost.
    not_shown = next(s for s in conversation.ctx.kb.services if s not in chat.state.services)
    chat.send(UserInput.pressed(f"card:{not_shown}"))
    assert conversation.ctx.kb.services[not_shown].name not in chat.text
    assert chat.state.services  # the suggestions are kept
