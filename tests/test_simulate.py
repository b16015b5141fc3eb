"""Simulated demand: real conversation events, realistic mixes, always marked simulated, never mixed with real."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot import report, simulate
from bot.demand import KINDS, DemandLog
from bot.dialogue import Event

ROOT = Path(__file__).resolve().parents[1]
END = dt.date(2025, 11, 30)


def _rows(path: Path, sql: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def simulated(tmp_path_factory, kb):
    from bot.conversation import Conversation

    path = tmp_path_factory.mktemp("sim") / "sim.sqlite"
    journeys, events = simulate.run(path, Conversation(kb), 1500, weeks=12, end=END, seed=42)
    return path, journeys, events


def test_every_row_is_marked_simulated_and_made_by_the_bot(simulated):
    path, journeys, events = simulated
    assert journeys == 1500 and _rows(path, "SELECT COUNT(*) FROM events")[0][0] == events
    assert _rows(path, "SELECT DISTINCT simulated FROM events") == [(1,)]
    assert {k for (k,) in _rows(path, "SELECT DISTINCT kind FROM events")} <= set(KINDS)
    assert _rows(path, "SELECT COUNT(*) FROM events WHERE kind = 'journey_started'")[0][0] == 1500
    first, last = _rows(path, "SELECT MIN(day), MAX(day) FROM events")[0]
    assert dt.date.fromisoformat(first) >= END - dt.timedelta(weeks=12) and last <= END.isoformat()


def test_the_mix_follows_the_seed_figures(simulated):
    path, _journeys, _events = simulated
    facts = report.collect(path)
    total = facts.journeys
    assert 0.7 < total / 1500 < 0.95  # some leave before any suggestion
    shares = {a: n / total for a, n in facts.audience.items()}
    assert abs(shares["young_person"] - 0.37) < 0.06 and abs(shares["professional"] - 0.30) < 0.06
    assert 0.02 < facts.area["elsewhere"] / total < 0.09  # about 5% outside Kirklees (L1997)
    crisis = sum(n for (_band, shown), n in facts.crisis_band.items() if shown) / total
    assert 0.03 < crisis < 0.15  # urgent need about 9% of demand (L462 against L357, L1564)
    top = [t for t, _n in facts.topics.most_common(3)]
    assert "anxiety" in top  # anxiety and depression are the "common conditions" (L2078)
    assert {"no-local-service", "out-of-area"} <= set(facts.gaps)
    assert facts.helped and facts.services["kirklees-spoc"] > 0
    assert not facts.topic_age.get(("self-harm", "under-5"))


def test_the_same_seed_gives_the_same_journeys(kb, tmp_path):
    from bot.conversation import Conversation

    conversation = Conversation(kb)
    firsts = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.sqlite"
        simulate.run(path, conversation, 60, weeks=2, end=END, seed=7)
        firsts.append(_rows(path, "SELECT kind, day, hour_band, audience, topics, grouping, services, gap, helped "
                                  "FROM events ORDER BY id"))
    assert firsts[0] == firsts[1]


def test_it_will_not_mix_simulated_journeys_into_real_demand(kb, tmp_path):
    from bot.conversation import Conversation

    path = tmp_path / "real.sqlite"

    async def real_event():
        async with DemandLog(path) as log:
            log.record(Event("journey_started", {"journey": "ab" * 8}), "telegram")

    asyncio.run(real_event())
    with pytest.raises(simulate.MixingError):
        simulate.run(path, Conversation(kb), 10)
    assert _rows(path, "SELECT COUNT(*) FROM events") == [(1,)]


def test_a_newcomer_sees_a_report_in_two_commands(tmp_path):
    path = tmp_path / "try.sqlite"
    made = subprocess.run([sys.executable, "run_bot.py", "simulate", "--db", str(path), "--journeys", "400",
                           "--seed", "1"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert made.returncode == 0, made.stderr
    assert "SIMULATED" in made.stdout
    shown = subprocess.run([sys.executable, "run_bot.py", "report", "--db", str(path)],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "SIMULATED DATA" in shown.stdout and "THRIVE grouping by age band" in shown.stdout
