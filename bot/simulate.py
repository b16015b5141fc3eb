"""Simulated demand: realistic journeys through the real conversation core, marked as simulated.

Each simulated person presses the bot's own buttons (audience, age band, area,
need, severity or urgency, sometimes urgent help, sometimes "Did this help?"),
so the events, services and gaps are exactly what the bot would log. Only who
they are, when they come and what they press are drawn at random, from the
weights below. Every row is stored with `simulated = 1` and every report says so.

The weights come from the seed documents where they give a figure (file and
line in research/seed-kirklees.md section 4 and seed-wakefield.md section 4);
the rest are marked [assumption]. The seeds give no audience split, no age
breakdown of referrals and no presenting-issue counts (the ChEWS charts were
images, seed-kirklees.md 4.5), so those are assumptions shaped by what the
documents do say.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import random
import secrets
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from bot.conversation import Conversation
from bot.demand import TZ, DemandLog, event_row, now_local
from bot.dialogue import Event, State, UserInput

# Generic CAMHS referral sources Jun-Aug 2018: self 35%, GP 20%, education 12%, hospital 3%, social
# services 1%, other 29% (seed 000 L396). Self = young people and parents; GP, education, hospital and
# social services = professionals (36%); "other" split between the three [assumption].
AUDIENCES = {"young_person": 0.37, "parent": 0.33, "professional": 0.30}
ROLES = {"school": 0.34, "gp": 0.40, "social-care": 0.06, "other": 0.20}  # same source, L396
# No age breakdown of referrals exists (seed-kirklees.md 4.5) [assumption]: teenagers use a chat bot
# themselves; parents and professionals ask about younger children too. Under-5 is for parents and
# professionals only (knowledge/thrive.yaml).
AGES = {
    "young_person": {"5-10": 0.05, "11-13": 0.25, "14-15": 0.34, "16-17": 0.27, "18-25": 0.09},
    "parent": {"under-5": 0.08, "5-10": 0.34, "11-13": 0.25, "14-15": 0.18, "16-17": 0.12, "18-25": 0.03},
    "professional": {"under-5": 0.05, "5-10": 0.25, "11-13": 0.24, "14-15": 0.26, "16-17": 0.16, "18-25": 0.04},
}
# 120 of 2,607 social-care cases were "confidential / outside" Kirklees (seed 000 L1997): about 5%.
ELSEWHERE = 0.05
# Main need. Anxiety and depression are "common conditions" (L2078); exam anxiety (L1421); anger (L635);
# ASC referrals about 20 a month against generic CAMHS 33 (L396, L410-412); ADHD about 5 a month (L416);
# LD about 7 a month (L418); eating disorders 60 a year (L444); self-harm (L464, L954); psychosis (L1001);
# sleep, self-esteem, transition (L1405); attachment and behaviour (L708-713); domestic violence (L724);
# CSE and missing (L506); ChEWS waits of 27 weeks (L386) make "waiting" common. Relative sizes
# [assumption].
TOPICS = {
    "anxiety": 16, "low-mood": 11, "school": 7, "anger": 6, "autism": 7, "adhd": 4, "self-harm": 6,
    "family": 6, "self-esteem": 5, "sleep": 4, "waiting": 4, "referral": 4, "bullying": 4, "eating": 3,
    "bereavement": 3, "trauma": 3, "wellbeing": 3, "suicidal-thoughts": 2, "learning-disability": 2, "ocd": 2,
    "identity": 2, "parent-mental-health": 2, "transition": 2, "psychosis": 1, "substances": 1,
    "exploitation": 1, "young-carer": 1, "perinatal": 1,
}
BY_AUDIENCE = {  # [assumption]
    "young_person": {"anxiety": 1.4, "low-mood": 1.4, "self-harm": 1.6, "identity": 2.0, "self-esteem": 1.6,
                     "bullying": 1.3, "autism": 0.3, "adhd": 0.4, "referral": 0.3, "waiting": 0.5,
                     "parent-mental-health": 0.6, "perinatal": 0.3, "learning-disability": 0.2},
    "parent": {"autism": 2.0, "adhd": 2.0, "anger": 1.6, "sleep": 1.5, "waiting": 1.5, "school": 1.3,
               "identity": 0.5, "substances": 0.5, "perinatal": 1.5},
    "professional": {"referral": 3.0, "exploitation": 3.0, "trauma": 1.5, "self-harm": 1.3, "autism": 1.3,
                     "learning-disability": 2.0, "transition": 1.5},
}
BY_AGE = {  # self-harm peaks at 15-19, about 60% girls (Wakefield seed L89); otherwise [assumption]
    "under-5": {"perinatal": 6.0, "sleep": 3.0, "family": 2.0, "autism": 2.0, "self-harm": 0.0,
                "suicidal-thoughts": 0.0, "eating": 0.1, "substances": 0.0, "identity": 0.0, "exploitation": 0.0,
                "school": 0.1, "transition": 0.0, "psychosis": 0.0, "low-mood": 0.2},
    "5-10": {"anger": 2.0, "autism": 1.8, "adhd": 1.8, "sleep": 1.5, "self-harm": 0.1, "suicidal-thoughts": 0.2,
             "substances": 0.05, "identity": 0.2, "transition": 0.1, "perinatal": 0.0, "psychosis": 0.1},
    "11-13": {"bullying": 1.6, "school": 1.3, "perinatal": 0.0},
    "14-15": {"self-harm": 2.0, "eating": 1.6, "school": 1.5, "perinatal": 0.2},
    "16-17": {"self-harm": 1.8, "eating": 1.5, "transition": 2.5, "substances": 2.0, "psychosis": 2.0},
    "18-25": {"transition": 3.0, "psychosis": 3.0, "substances": 2.0, "school": 0.3, "anger": 0.5},
}
# Crisis referrals seen 40.8 a month (L462) against ChEWS about 297 (L357) and CAMHS about 120 (L1564)
# a month: urgent need is about 9% of demand. Split between the "not safe" answer, the urgent help
# button and choosing a crisis need [assumption].
SEVERITY = {"little": 0.30, "quite": 0.40, "lot": 0.24, "unsafe": 0.06}
DURATION = {"weeks": 0.25, "months": 0.40, "long": 0.35}
URGENCY = {"routine": 0.60, "soon": 0.32, "today": 0.08}
URGENT_BUTTON = 0.04          # presses "Urgent help now" part-way [assumption]
CRISIS_ENDS_THERE = 0.55      # of those, leave after the urgent help [assumption]
ABANDON = 0.18                # start but leave before any suggestion [assumption]
SECOND_TOPIC, THIRD_TOPIC = 0.40, 0.15  # "several presenting issues" (L360) [assumption]
ANSWER_FEEDBACK = 0.45        # answer "Did this help?" [assumption]
HELPED, HELPED_WITH_GAP = 0.74, 0.50  # [assumption]
HOURS = {  # share of journeys by hour band [assumption]; professionals in working hours
    "young_person": {"00-06": 0.06, "06-09": 0.05, "09-12": 0.08, "12-15": 0.10, "15-18": 0.22, "18-21": 0.28,
                     "21-24": 0.21},
    "parent": {"00-06": 0.03, "06-09": 0.08, "09-12": 0.16, "12-15": 0.16, "15-18": 0.17, "18-21": 0.25,
               "21-24": 0.15},
    "professional": {"00-06": 0.005, "06-09": 0.07, "09-12": 0.34, "12-15": 0.33, "15-18": 0.21, "18-21": 0.04,
                     "21-24": 0.005},
}
BAND_START = {"00-06": 0, "06-09": 6, "09-12": 9, "12-15": 12, "15-18": 15, "18-21": 18, "21-24": 21}
WEEKDAY = (1.0, 1.0, 1.0, 1.0, 0.95, 0.7, 0.8)  # Monday first [assumption]


def week_weight(monday: dt.date) -> float:
    """Fewer contacts over the summer and Christmas holidays (the summer SPoC figures, L344; the ChEWS
    list dipped in June and rose over July-August, L376-382); more anxiety in the exam season (L1421)."""
    if (monday.month == 7 and monday.day >= 20) or monday.month == 8:
        return 0.75
    if (monday.month == 12 and monday.day >= 20) or (monday.month == 1 and monday.day <= 3):
        return 0.6
    return 1.0


@dataclass(frozen=True)
class Plan:
    """What one simulated person does: the buttons they press, in order, and when they come."""

    audience: str
    role: str | None
    age_band: str
    area: str
    topics: tuple[str, ...]
    answers: tuple[str, ...]       # dur:/sev:/urg: actions
    urgent_at: int | None          # press "urgent" before this answer (None: never)
    crisis_ends: bool
    abandon_after: int | None      # leave after this many presses (None: finish)
    feedback: str | None           # "yes" / "no" / None
    when: dt.datetime


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Simulator:
    def __init__(self, conversation: Conversation, seed: int | None = None):
        self.conversation = conversation
        self.rng = random.Random(seed)
        self._cache: dict[tuple, list[Event]] = {}

    def plan(self, when: dt.datetime | None = None, audience: str | None = None) -> Plan:
        rng = self.rng
        audience = audience or _pick(rng, AUDIENCES)
        role = _pick(rng, ROLES) if audience == "professional" else None
        age = _pick(rng, AGES[audience])
        weights = {t: w * BY_AUDIENCE[audience].get(t, 1.0) * BY_AGE.get(age, {}).get(t, 1.0)
                   for t, w in TOPICS.items()}
        topics = [_pick(rng, weights)]
        for chance in (SECOND_TOPIC, THIRD_TOPIC):
            if rng.random() < chance:
                extra = _pick(rng, {t: w for t, w in weights.items() if t not in topics and w > 0})
                topics.append(extra)
        if audience == "professional":
            answers = ("urg:" + _pick(rng, URGENCY),)
        elif audience == "parent":
            answers = ("dur:" + _pick(rng, DURATION), "sev:" + _pick(rng, SEVERITY))
        else:
            answers = ("sev:" + _pick(rng, SEVERITY),)
        urgent = rng.random() < URGENT_BUTTON * (1.6 if age in ("14-15", "16-17") else 1.0)
        presses = 3 + (audience == "professional") + len(answers)
        return Plan(audience, role, age, "elsewhere" if rng.random() < ELSEWHERE else "kirklees", tuple(topics),
                    answers, rng.randrange(len(answers) + 1) if urgent else None,
                    urgent and rng.random() < CRISIS_ENDS_THERE,
                    rng.randrange(1, presses) if rng.random() < ABANDON else None,
                    None, when or now_local())

    def events(self, plan: Plan) -> list[Event]:
        """The events the bot logs for this plan (the same presses give the same events)."""
        key = (plan.audience, plan.role, plan.age_band, plan.area, plan.topics, plan.answers, plan.urgent_at,
               plan.crisis_ends, plan.abandon_after)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._run(plan)
        events, state = cached
        events = list(events)
        if state.step == "results" and self.rng.random() < ANSWER_FEEDBACK:
            last = next(e for e in reversed(events) if e.kind == "journey")
            chance = HELPED_WITH_GAP if last.fields.get("gap") else HELPED
            answer = "fb:yes" if self.rng.random() < chance else "fb:no"
            events += _plain(self.conversation.step(state, UserInput.pressed(answer)).events)
        return events

    def _run(self, plan: Plan) -> tuple[list[Event], State]:
        conversation = self.conversation
        outcome = conversation.start()
        state: State = outcome.state
        events = list(outcome.events)

        def press(action: str) -> None:
            nonlocal state
            outcome = conversation.step(state, UserInput.pressed(action))
            state = outcome.state
            events.extend(outcome.events)

        actions = [f"aud:{plan.audience}"] + ([f"role:{plan.role}"] if plan.role else [])
        actions += [f"age:{plan.age_band}", f"area:{plan.area}", f"top:{plan.topics[0]}"]
        answers = list(plan.answers)
        if plan.urgent_at is not None:
            answers.insert(plan.urgent_at, "urgent")
        for number, action in enumerate(actions + answers, start=1):
            press(action)
            if action.startswith("top:") and len(plan.topics) > 1:
                state = state.but(topics=plan.topics)  # more needs, as typed words would give
            if state.step == "crisis":  # pressed urgent help, or chose a need that shows it first
                if plan.crisis_ends:
                    break
                press("resume")
            if plan.abandon_after is not None and number >= plan.abandon_after:
                break
        return _plain(events), state

    def timeline(self, journeys: int, weeks: int, end: dt.date) -> Iterator[dt.datetime]:
        """`journeys` moments spread over `weeks` weeks ending on `end`, weighted by season, day and hour."""
        first_monday = end - dt.timedelta(days=end.weekday()) - dt.timedelta(weeks=weeks - 1)
        days = [first_monday + dt.timedelta(days=i) for i in range(weeks * 7)]
        days = [d for d in days if d <= end]
        growth = 0.004  # a slowly rising demand [assumption]
        weights = [week_weight(d - dt.timedelta(days=d.weekday())) * WEEKDAY[d.weekday()] * (1 + growth * i / 7)
                   for i, d in enumerate(days)]
        for day in sorted(self.rng.choices(days, weights=weights, k=journeys)):
            yield dt.datetime(day.year, day.month, day.day, tzinfo=TZ)

    def journeys(self, count: int, weeks: int = 26, end: dt.date | None = None) -> Iterator[tuple[Plan, list[Event]]]:
        end = end or now_local().date()
        for day in self.timeline(count, weeks, end):
            plan = self.plan(day)
            band = _pick(self.rng, HOURS[plan.audience])
            if plan.urgent_at is not None and plan.audience != "professional" and self.rng.random() < 0.4:
                band = self.rng.choice(("21-24", "00-06"))  # urgent need leans out of hours (Wakefield L409, L417)
            hour = BAND_START[band] + self.rng.randrange(3 if band != "00-06" else 6)
            when = day.replace(hour=hour, minute=self.rng.randrange(60))
            plan = replace(plan, when=when)
            yield plan, self.events(plan)


def _plain(events: tuple[Event, ...] | list[Event]) -> list[Event]:
    """Events without the conversation's journey id: each simulated journey gets its own key."""
    return [Event(e.kind, {k: v for k, v in e.fields.items() if k != "journey"}) for e in events]


class MixingError(Exception):
    """The database already holds real demand: simulated journeys must not be mixed in."""


def real_events_in(path: Path) -> int:
    if not path.is_file():
        return 0
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return 0
    try:
        return conn.execute("SELECT COUNT(*) FROM events WHERE simulated = 0").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


async def fill(path: Path | str, conversation: Conversation, journeys: int, *, weeks: int = 26,
               end: dt.date | None = None, seed: int | None = None, channel: str = "telegram") -> tuple[int, int]:
    """Write `journeys` simulated journeys into the database; returns (journeys, events) written."""
    path = Path(path)
    if real_events_in(path):
        raise MixingError(f"{path} holds real demand events; simulate into a separate database")
    simulator = Simulator(conversation, seed)
    written = 0
    demand = DemandLog(path, retention_months=None, queue_size=20_000, batch_size=5_000, linger=0)
    await demand.start()
    try:
        for _plan, events in simulator.journeys(journeys, weeks, end):
            key = secrets.token_hex(8)
            for event in events:
                await demand.put(event_row(event, channel, _plan.when, key, simulated=True))
                written += 1
    finally:
        stats = await demand.close(timeout=30)
    if stats.dropped or stats.written != written:
        raise RuntimeError(f"only {stats.written} of {written} simulated events were written "
                           f"({stats.last_error or 'unknown error'})")
    return journeys, written


def run(path: Path | str, conversation: Conversation, journeys: int, **options: object) -> tuple[int, int]:
    return asyncio.run(fill(path, conversation, journeys, **options))
