"""Commissioner reports from the demand log: Markdown, CSV, self-contained HTML, and a Telegram summary.

One journey is one person's path to suggestions or to urgent help. Its figures
are those of its last set of suggestions (or, if it ended at urgent help, of the
urgent help shown, counted under Getting risk support). Every table is built from
exact counts, then passed through `bot.suppression` (1-7 hidden, the rest rounded
to 5, no hidden figure recoverable from a total) unless suppression is turned off
for internal use. Figures are demand expressed to the signposting bot, never
activity or performance of any service.

This module reads the demand database only; it never writes to it.
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Hashable, Iterable, Mapping

from bot.demand import BAND_NAMES, DEFAULT_DB, now_local
from bot.schema import AUDIENCES, GROUPINGS
from bot.suppression import SUPPRESSED, Grid, Protected, percent, protect_count, protect_tables, show

NOT_GIVEN = "not-given"
JOURNEYS = ("journeys",)  # the figure every partition of journeys adds up to
OTHER = "other"
ALL = "all"
TOP_NEEDS = 12
TOP_SERVICES = 20
GAPS = ("no-local-service", "outside-age-limits", "out-of-area")
NO_GAP = "none"

SUPPRESSION_NOTE = (
    "Small numbers are protected (NHS Digital rule for sub-national figures): counts from 1 to 7 are shown "
    "as *, every other count is rounded to the nearest 5, percentages are worked out from the rounded "
    "figures, and where one hidden figure could be worked out from a total, another figure in that row or "
    "column is hidden too. Rounded figures may not add up to the totals shown."
)
NO_SUPPRESSION_WARNING = (
    "NOT FOR PUBLICATION: small-number suppression is OFF (--no-suppress). Exact counts are shown; "
    "use this only inside the team that runs the bot."
)
CAVEAT = (
    "These figures are demand expressed to the signposting bot: what people asked about and where the bot "
    "pointed them. They are not referrals to, or activity or performance of, any service, and bot users are "
    "not Thriving Kirklees service users (research/seed-kirklees.md section 3.3)."
)

GROUPING_NAMES = {
    "thriving": "Thriving",
    "getting-advice": "Getting advice",
    "getting-help": "Getting help",
    "getting-more-help": "Getting more help",
    "getting-risk-support": "Getting risk support",
}
AUDIENCE_NAMES = {"young_person": "Young people", "parent": "Parents and carers", "professional": "Professionals"}
GAP_NAMES = {
    "no-local-service": "No suitable local service",
    "outside-age-limits": "Outside every local service's age limits",
    "out-of-area": "Lives outside the areas covered",
    NO_GAP: "No gap",
}
CHANNEL_NAMES = {"telegram": "Telegram", "terminal": "Terminal (staff trying the bot)"}
BAND_LABELS = {"00-06": "00:00-06:00", "06-09": "06:00-09:00", "09-12": "09:00-12:00", "12-15": "12:00-15:00",
               "15-18": "15:00-18:00", "18-21": "18:00-21:00", "21-24": "21:00-24:00"}


class ReportError(Exception):
    """The database cannot be read as a demand log (missing, not a demand log, bad options)."""


@dataclass(frozen=True)
class Labels:
    """Readable names for ids, and the order to show them in."""

    topics: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, str] = field(default_factory=dict)
    areas: Mapping[str, str] = field(default_factory=dict)
    age_bands: Mapping[str, str] = field(default_factory=dict)
    # Plan indicators from knowledge/indicators.yaml: code -> (text, source, kind).
    indicators: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)

    def name(self, kind: str, key: Hashable) -> str:
        if key == NOT_GIVEN or key is None:
            return "Not given"
        if key == OTHER:
            return {"topics": "All other needs"}.get(kind, "Other")
        if key == ALL:
            return "All"
        table: Mapping[Any, str] = {
            "topics": self.topics, "services": self.services, "areas": {"elsewhere": "Elsewhere", **self.areas},
            "age_bands": self.age_bands, "groupings": GROUPING_NAMES, "audiences": AUDIENCE_NAMES,
            "gaps": GAP_NAMES, "channels": CHANNEL_NAMES, "bands": BAND_LABELS,
        }.get(kind, {})
        if isinstance(key, dt.date):
            return key.isoformat()
        return table.get(key) or str(key).replace("-", " ").replace("_", " ").capitalize()

    def age_order(self, seen: Iterable[str]) -> list[str]:
        known = list(self.age_bands)
        rest = sorted((a for a in seen if a not in known), key=_first_number)
        return [a for a in known] + rest


def _first_number(text: str) -> tuple[int, str]:
    digits = "".join(ch if ch.isdigit() else " " for ch in text).split()
    return (int(digits[0]) if digits else 999, text)


def labels_from_kb(kb: Any) -> Labels:
    """Names from the knowledge base (topics, services, areas, age bands) for readable tables."""
    return Labels(
        topics={t: topic.label.for_audience(None) for t, topic in kb.topics.items()},
        services={s: service.name for s, service in kb.services.items()},
        areas={a: area.info.name for a, area in kb.areas.items()},
        age_bands={b.id: b.label.for_audience(None) for b in kb.thrive.age_bands},
        indicators={c: (i.text, i.source, i.kind) for c, i in kb.indicators.items()},
    )


def default_labels() -> Labels:
    try:
        from bot import knowledge

        return labels_from_kb(knowledge.load())
    except Exception:  # noqa: BLE001 - a report with ids is better than no report
        return Labels(age_bands={b: b for b in ("under-5", "5-10", "11-13", "14-15", "16-17", "18-25")})


@dataclass(frozen=True)
class Query:
    since: dt.date | None = None
    until: dt.date | None = None
    area: str | None = None
    suppress: bool = True


# --------------------------------------------------------------------------------------------------
# Reading the database


@dataclass
class Facts:
    """Exact counts for one period: the input to every table. Never published as is."""

    journeys: int = 0
    suggested: int = 0
    simulated: int = 0
    started: int | None = None
    crisis_asked: int | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    weeks: Counter = field(default_factory=Counter)
    grouping_age: Counter = field(default_factory=Counter)
    topic_age: Counter = field(default_factory=Counter)
    topics: Counter = field(default_factory=Counter)
    audience: Counter = field(default_factory=Counter)
    area: Counter = field(default_factory=Counter)
    channel: Counter = field(default_factory=Counter)
    crisis_band: Counter = field(default_factory=Counter)
    services: Counter = field(default_factory=Counter)
    gaps: Counter = field(default_factory=Counter)
    gap_topic: Counter = field(default_factory=Counter)
    helped: Counter = field(default_factory=Counter)
    drops: Counter = field(default_factory=Counter)


_JOURNEYS = """
CREATE TEMP TABLE j AS
WITH r AS (
    SELECT journey,
           MAX(CASE WHEN kind = 'journey' THEN id END) AS jid,
           MIN(CASE WHEN kind = 'crisis_shown' THEN id END) AS cid,
           MAX(CASE WHEN kind = 'feedback' THEN id END) AS fid
    FROM events
    WHERE day BETWEEN :since AND :until AND kind IN ('journey', 'crisis_shown', 'feedback')
    GROUP BY journey
)
SELECT o.day AS day, o.hour_band AS band, o.channel AS channel,
       COALESCE(o.audience, 'not-given') AS audience, COALESCE(o.age_band, 'not-given') AS age_band,
       COALESCE(o.area, 'not-given') AS area, COALESCE(o.topic, 'not-given') AS topic,
       CASE WHEN r.jid IS NULL THEN 'getting-risk-support' ELSE COALESCE(o.grouping, 'not-given') END AS grouping,
       o.services AS services, (r.cid IS NOT NULL OR o.crisis_shown = 1) AS crisis,
       CASE WHEN r.jid IS NULL THEN NULL ELSE COALESCE(o.gap, 'none') END AS gap,
       f.helped AS helped, o.simulated AS simulated, r.jid IS NOT NULL AS suggested
FROM r JOIN events o ON o.id = COALESCE(r.jid, r.cid)
LEFT JOIN events f ON f.id = r.fid
WHERE (r.jid IS NOT NULL OR r.cid IS NOT NULL) AND (:area IS NULL OR COALESCE(o.area, 'not-given') = :area)
"""


def connect_read_only(db_path: Path | str) -> sqlite3.Connection:
    path = Path(db_path)
    if not path.is_file():
        raise ReportError(f"no demand database at {path} (make one with: run_bot.py simulate --db {path})")
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        conn.execute("SELECT 1 FROM events LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise ReportError(f"{path} is not a readable demand database ({exc})") from exc
    return conn


def collect(db_path: Path | str, query: Query = Query()) -> Facts:
    """Read exact counts for the period, area and filters in `query`."""
    conn = connect_read_only(db_path)
    try:
        return _collect(conn, query)
    finally:
        conn.close()


def _collect(conn: sqlite3.Connection, query: Query) -> Facts:
    conn.execute("PRAGMA temp_store = MEMORY")
    params = {"since": (query.since or dt.date.min).isoformat(), "until": (query.until or dt.date.max).isoformat(),
              "area": query.area}
    # Over the whole log a plain scan beats walking the day index; for a period, use the index.
    ranged = query.since is not None or query.until is not None
    in_period = "day BETWEEN :since AND :until" if ranged else "1"
    conn.execute(_JOURNEYS.replace("day BETWEEN :since AND :until", in_period), params)
    facts = Facts()
    if query.area is None:
        kinds = dict(conn.execute(f"SELECT kind, COUNT(*) FROM events WHERE kind IN ('journey_started', "
                                  f"'crisis_asked') AND {in_period} GROUP BY kind", params).fetchall())
        facts.started, facts.crisis_asked = kinds.get("journey_started", 0), kinds.get("crisis_asked", 0)
    first = last = None
    for week, day_min, day_max, n in conn.execute(
            "SELECT date(day, '-6 days', 'weekday 1'), MIN(day), MAX(day), COUNT(*) FROM j GROUP BY 1"):
        facts.weeks[dt.date.fromisoformat(week)] += n
        first = day_min if first is None or day_min < first else first
        last = day_max if last is None or day_max > last else last
    facts.first_day = dt.date.fromisoformat(first) if first else None
    facts.last_day = dt.date.fromisoformat(last) if last else None
    # One pass over the journeys, grouped by every other dimension at once; each table sums it up.
    for (grouping, age, topic, audience, area, channel, band, crisis, gap, helped, suggested, simulated,
         n) in conn.execute(
            "SELECT grouping, age_band, topic, audience, area, channel, band, crisis, gap, helped, suggested, "
            "simulated, COUNT(*) FROM j GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12"):
        facts.journeys += n
        facts.suggested += n * suggested
        facts.simulated += n * simulated
        facts.grouping_age[(grouping, age)] += n
        facts.topic_age[(topic, age)] += n
        facts.topics[topic] += n
        facts.audience[audience] += n
        facts.area[area] += n
        facts.channel[channel] += n
        facts.crisis_band[(band, crisis)] += n
        if suggested:
            facts.gaps[gap] += n
            if gap != NO_GAP:
                facts.gap_topic[(topic, gap)] += n
        if helped is not None:
            facts.helped[(audience, helped)] += n
    facts.services = Counter(dict(conn.execute(
        "SELECT s.value, COUNT(*) FROM j, json_each(j.services) AS s WHERE j.suggested GROUP BY 1").fetchall()))
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'drops'").fetchone():
        facts.drops = Counter(dict(conn.execute(
            "SELECT reason, SUM(events) FROM drops WHERE day BETWEEN :since AND :until GROUP BY 1",
            params).fetchall()))
    conn.execute("DROP TABLE j")
    return facts


# --------------------------------------------------------------------------------------------------
# Building the tables


@dataclass
class Table:
    key: str
    title: str
    note: str
    grid: Grid
    row_kind: str                   # label kind for rows ("topics", "groupings"...)
    col_kind: str | None            # label kind for columns; None for a single "Journeys" column
    row_title: str
    informs: tuple[str, ...]
    shares: str | None = None       # "total": % of the column total; "first": first column / row total
    share_title: str = "Share"
    col_percent: bool = False       # also show each cell as a % of its column total
    total_title: str = "Total"
    protected: Protected | None = None
    multi: bool = False             # multiple response: no totals (a journey counts in several rows)
    denominator: int | None = None  # for multiple-response shares (rounded)


@dataclass
class Report:
    query: Query
    facts: Facts
    labels: Labels
    period: tuple[dt.date | None, dt.date | None]
    key_figures: list[tuple[str, str, str, tuple[str, ...]]]  # (name, value, share, informs)
    tables: list[Table]
    generated: dt.datetime

    @property
    def simulated(self) -> bool:
        return self.facts.simulated > 0

    @property
    def data_kind(self) -> str:
        if not self.facts.simulated:
            return "real"
        return "simulated" if self.facts.simulated == self.facts.journeys else "mixed"


def build(facts: Facts, query: Query = Query(), labels: Labels | None = None,
          generated: dt.datetime | None = None) -> Report:
    labels = labels or Labels()
    suppress = query.suppress
    tables = [
        _weeks_table(facts, query),
        _grouping_age_table(facts, labels),
        _needs_table(facts),
        _needs_age_table(facts, labels),
        _simple_table("audience", "Who used the bot", "Journeys by who was asking.", facts.audience,
                      "audiences", "Audience", ("T1.4b", "T1.5", "W304"),
                      order=[*AUDIENCES, NOT_GIVEN]),
        _simple_table("area", "Area", "Journeys by the area the person said they live in. 'Not given': the "
                      "journey ended at urgent help before the area was asked.", facts.area, "areas", "Area",
                      ("ACCESS", "W277")),
        _crisis_table(facts),
        _services_table(facts, labels),
        _gaps_table(facts),
        _gap_needs_table(facts),
        _helped_table(facts),
        _simple_table("channel", "Channel", "Journeys by the way people reached the bot.", facts.channel,
                      "channels", "Channel", ("T1.4b", "W415")),
    ]
    for table, protected in zip(tables, protect_tables([t.grid for t in tables], suppress)):
        table.protected = protected
    return Report(query, facts, labels, (query.since or facts.first_day, query.until or facts.last_day),
                  _key_figures(facts, tables, suppress), tables, generated or now_local())


def _simple_table(key: str, title: str, note: str, counts: Counter, kind: str, row_title: str,
                  informs: tuple[str, ...], order: list[str] | None = None) -> Table:
    ranked = sorted(counts, key=lambda k: (k == NOT_GIVEN, -counts[k], str(k)))
    rows = [r for r in dict.fromkeys([*(order or []), *ranked]) if counts.get(r)]
    grid = Grid(rows, ["journeys"], {(r, "journeys"): counts[r] for r in rows},
                keys={("col", "journeys"): JOURNEYS, **{("cell", r, "journeys"): (key, r) for r in rows}})
    return Table(key, title, note, grid, kind, None, row_title, informs, shares="total")


def _weeks_table(facts: Facts, query: Query) -> Table:
    start = query.since or facts.first_day
    end = query.until or facts.last_day
    weeks: list[dt.date] = []
    if start and end:
        week = start - dt.timedelta(days=start.weekday())
        while week <= end:
            weeks.append(week)
            week += dt.timedelta(days=7)
    grid = Grid(weeks, ["journeys"], {(w, "journeys"): facts.weeks.get(w, 0) for w in weeks},
                keys={("col", "journeys"): JOURNEYS})
    note = "Journeys ending in suggestions or urgent help, by week (weeks start on Monday)."
    if weeks and (start.weekday() != 0 or end.weekday() != 6):
        note += " The first and last weeks may be part weeks."
    return Table("weeks", "Journeys by week", note, grid, "weeks", None, "Week starting", ("T1.4b", "OBA"),
                 shares="total")


def _grouping_age_table(facts: Facts, labels: Labels) -> Table:
    groupings = [g for g in (*GROUPINGS, NOT_GIVEN) if any(k[0] == g for k in facts.grouping_age)]
    ages = [a for a in (*labels.age_order({k[1] for k in facts.grouping_age} - {NOT_GIVEN}), NOT_GIVEN)
            if any(k[1] == a for k in facts.grouping_age)]
    grid = Grid(groupings, ages, dict(facts.grouping_age), row_totals=True, col_totals=True,
                keys={("all",): JOURNEYS, **{("col", a): ("age", a) for a in ages}})
    note = ("The THRIVE grouping the bot pointed to, by age band (life course stage). Journeys that ended at "
            "urgent help count as Getting risk support. Plan item letters (research/seed-kirklees.md 2.3): "
            "Getting advice = a, Getting help = b, Getting more help = c, Getting risk support = d; "
            "Thriving has no letter.")
    return Table("grouping_age", "THRIVE grouping by age band", note, grid, "groupings", "age_bands",
                 "THRIVE grouping", ("T1.2c", "T1.3e", "W428"), col_percent=True)


def _top(counts: Counter, n: int) -> list[str]:
    ranked = sorted((k for k in counts if k != NOT_GIVEN), key=lambda k: (-counts[k], k))
    return ranked[:n]


def _needs_table(facts: Facts) -> Table:
    top = _top(facts.topics, TOP_NEEDS)
    rest = sum(n for k, n in facts.topics.items() if k not in top)
    rows = top + ([OTHER] if rest else [])
    counts = {(t, "journeys"): facts.topics[t] for t in top}
    if rest:
        counts[(OTHER, "journeys")] = rest
    grid = Grid(rows, ["journeys"], counts,
                keys={("col", "journeys"): JOURNEYS, **{("cell", t, "journeys"): ("topic", t) for t in rows}})
    note = ("The main need (identified issue) of each journey: the first topic the person chose or described. "
            "'All other needs' adds up the rest, including journeys that ended at urgent help before a need "
            "was given.")
    return Table("needs", "Top needs", note, grid, "topics", None, "Main need",
                 ("T1.4a", "T2.2c", "W277"), shares="total")


def _needs_age_table(facts: Facts, labels: Labels) -> Table:
    top = _top(facts.topics, TOP_NEEDS)  # the same rows as "Top needs", so the two tables agree
    counts: Counter = Counter()
    for (topic, age), n in facts.topic_age.items():
        counts[(topic if topic in top else OTHER, age)] += n
    rows = top + ([OTHER] if any(k[0] == OTHER for k in counts) else [])
    ages = [a for a in (*labels.age_order({k[1] for k in counts} - {NOT_GIVEN}), NOT_GIVEN)
            if any(k[1] == a for k in counts)]
    grid = Grid(rows, ages, dict(counts), row_totals=True, col_totals=True,
                keys={("all",): JOURNEYS, **{("col", a): ("age", a) for a in ages},
                      **{("row", t): ("topic", t) for t in rows}})
    return Table("needs_age", "Main need by age band", "The commonest needs by life course stage.", grid,
                 "topics", "age_bands", "Main need", ("T1.4a", "T2.2a", "T2.2c"))


def _crisis_table(facts: Facts) -> Table:
    cols = ["shown", "not-shown"]
    counts = {(band, "shown" if crisis else "not-shown"): n for (band, crisis), n in facts.crisis_band.items()}
    rows = [b for b in BAND_NAMES if any(k[0] == b for k in counts)]
    grid = Grid(rows, cols, counts, row_totals=True, col_totals=True,
                keys={("all",): JOURNEYS, ("col", "shown"): ("crisis", "shown")})
    note = ("Journeys in which urgent help (999, NHS 111 option 2, the 24/7 line, Childline, Samaritans, Shout) "
            "was shown, by time of day (UK time, 3-hour bands; night is 00:00-06:00).")
    return Table("crisis", "Urgent help shown, by time of day", note, grid, "bands", "crisis", "Time of day",
                 ("T2.2a", "W430"), shares="first", share_title="Share with urgent help",
                 total_title="All journeys")


def _services_table(facts: Facts, labels: Labels) -> Table:
    top = _top(facts.services, TOP_SERVICES)
    grid = Grid(top, ["journeys"], {(s, "journeys"): facts.services[s] for s in top}, col_totals=False)
    more = len(facts.services) - len(top)
    note = ("How many journeys each service was suggested in (up to 3 services a journey, so the rows add up "
            "to more than the journeys; shares are of journeys with suggestions).")
    if more > 0:
        note += f" {more} more service(s), each suggested less often, are not listed."
    return Table("services", "Services suggested", note, grid, "services", None, "Service",
                 ("ACCESS", "T3.6"), shares="total", multi=True)


def _gaps_table(facts: Facts) -> Table:
    rows = [g for g in (*GAPS, NO_GAP) if facts.gaps.get(g)]
    grid = Grid(rows, ["journeys"], {(g, "journeys"): facts.gaps[g] for g in rows},
                keys={("col", "journeys"): ("suggested",), **{("cell", g, "journeys"): ("gap", g) for g in rows}})
    note = ("Journeys with suggestions where nothing local was made for the need: no suitable local service; "
            "local services exist but none takes the person's age; or the person lives outside the areas the "
            "bot covers (only national options).")
    return Table("gaps", "Gaps", note, grid, "gaps", None, "Gap", ("W277", "W413", "T3.6"), shares="total")


def _gap_needs_table(facts: Facts) -> Table:
    by_topic: Counter = Counter()
    for (topic, _gap), n in facts.gap_topic.items():
        by_topic[topic] += n
    top = _top(by_topic, TOP_NEEDS)
    counts: Counter = Counter()
    for (topic, gap), n in facts.gap_topic.items():
        counts[(topic if topic in top else OTHER, gap)] += n
    rows = top + ([OTHER] if any(k[0] == OTHER for k in counts) else [])
    cols = [g for g in GAPS if any(k[1] == g for k in counts)]
    grid = Grid(rows, cols, dict(counts), row_totals=True, col_totals=True,
                keys={("col", g): ("gap", g) for g in cols})
    return Table("gap_needs", "Gaps by main need", "Which needs met a gap, and what kind.", grid, "topics",
                 "gaps", "Main need", ("W277", "W413"))


def _helped_table(facts: Facts) -> Table:
    counts = {(aud, "yes" if helped else "no"): n for (aud, helped), n in facts.helped.items()}
    rows = [a for a in (*AUDIENCES, NOT_GIVEN) if any(k[0] == a for k in counts)]
    grid = Grid(rows, ["yes", "no"], counts, row_totals=True, col_totals=True)
    note = "Answers to \"Did this help?\" after the suggestions, by who was asking. Answering is optional."
    return Table("helped", "Did this help?", note, grid, "audiences", "helped", "Audience",
                 ("T1.4a", "T1.4c", "LPS24", "W305"), shares="first", share_title="Share who said it helped",
                 total_title="Answered")


def _key_figures(facts: Facts, tables: list[Table], suppress: bool) -> list[tuple[str, str, str, tuple[str, ...]]]:
    by_key = {t.key: t for t in tables}
    journeys = by_key["grouping_age"].protected.grand_total()
    figures: list[tuple[str, str, str, tuple[str, ...]]] = []

    def add(name: str, value: int | None, of: int | None | bool = False, informs: tuple[str, ...] = ()) -> None:
        share = "" if of is False else percent(value, of)
        figures.append((name, show(value), share, informs))

    if facts.started is not None:
        add("Conversations started", protect_count(facts.started, suppress), informs=("OBA",))
    add("Journeys (ending in suggestions or urgent help)", journeys, informs=("T1.4b", "OBA"))
    grouping = by_key["grouping_age"]
    # Sums of figures already published, never of exact counts: a new exact-based figure could
    # give away a hidden one by subtraction.
    advice = _sum_shown(grouping.protected.row_total(g) for g in grouping.grid.rows
                        if g in ("thriving", "getting-advice"))
    add("Pointed to Thriving or Getting advice (self-help, advice)", advice, journeys, ("T1.3e", "W428"))
    add("Urgent help shown", by_key["crisis"].protected.col_total("shown"), journeys, ("T2.2a", "W430"))
    if facts.crisis_asked is not None:
        add("Asked the safety question (words that might mean risk)", protect_count(facts.crisis_asked, suppress),
            informs=("T2.2a",))
    gap_table = by_key["gaps"]
    gaps = _sum_shown(gap_table.protected.cell(g, "journeys") for g in gap_table.grid.rows if g != NO_GAP)
    suggested = gap_table.protected.col_total("journeys") if gap_table.grid.rows else 0
    add("Journeys with a gap", gaps, suggested, ("W277", "W413"))
    helped = by_key["helped"].protected
    add("Answered \"Did this help?\"", helped.grand_total(), journeys, ("LPS24",))
    add("Said it helped", helped.col_total("yes"), helped.grand_total(), ("T1.4a", "T1.4c", "W305"))
    return figures


def _sum_shown(values: Iterable[int | None]) -> int | None:
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def table_rows(report: Report, table: Table) -> tuple[list[str], list[list[str]]]:
    """Headers and display rows of a table, with totals and shares."""
    p = table.protected
    grid = table.grid
    labels = report.labels
    col_names = ([_col_name(labels, table, c) for c in grid.cols] if table.col_kind else ["Journeys"])
    headers = [table.row_title, *col_names]
    if grid.row_totals:
        headers.append(table.total_title)
    if table.shares:
        headers.append(table.share_title)
    denominator = _share_denominator(report, table)
    rows = []
    for r in grid.rows:
        line = [labels.name(table.row_kind, r), *(show(p.cell(r, c)) for c in grid.cols)]
        if grid.row_totals:
            line.append(show(p.row_total(r)))
        if table.shares == "total":
            line.append(percent(p.cell(r, grid.cols[0]), denominator))
        elif table.shares == "first":
            line.append(percent(p.cell(r, grid.cols[0]), p.row_total(r)))
        rows.append(line)
    if grid.col_totals and grid.rows:
        line = ["Total", *(show(p.col_total(c)) for c in grid.cols)]
        if grid.row_totals:
            line.append(show(p.grand_total()))
        if table.shares == "total":
            line.append(percent(p.col_total(grid.cols[0]), denominator))
        elif table.shares == "first":
            line.append(percent(p.col_total(grid.cols[0]), p.grand_total()))
        rows.append(line)
    return headers, rows


def percent_rows(report: Report, table: Table) -> tuple[list[str], list[list[str]]]:
    """Each cell as a percentage of its column total (for "% receiving ... by life course stage")."""
    p = table.protected
    grid = table.grid
    headers = [table.row_title, *(_col_name(report.labels, table, c) for c in grid.cols), "All"]
    rows = [[report.labels.name(table.row_kind, r), *(percent(p.cell(r, c), p.col_total(c)) for c in grid.cols),
             percent(p.row_total(r), p.grand_total())] for r in grid.rows]
    return headers, rows


def _share_denominator(report: Report, table: Table) -> int | None:
    if table.multi:
        return protect_count(report.facts.suggested, report.query.suppress)
    if table.grid.col_totals and table.grid.cols:
        return table.protected.col_total(table.grid.cols[0])
    return None


def _col_name(labels: Labels, table: Table, col: Hashable) -> str:
    if table.col_kind == "crisis":
        return {"shown": "Urgent help shown", "not-shown": "No urgent help"}[col]
    if table.col_kind == "helped":
        return {"yes": "Yes, it helped", "no": "No"}[col]
    return labels.name(table.col_kind or "", col)


# --------------------------------------------------------------------------------------------------
# Rendering


def _period_text(report: Report) -> str:
    start, end = report.period
    if not start:
        return "no journeys in this period"
    return f"{_long_date(start)} to {_long_date(end)}"


def _long_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else "-"


def banners(report: Report) -> list[str]:
    found = []
    if report.simulated:
        share = ("All the journeys in this report" if report.data_kind == "simulated" else
                 f"About {show(protect_count(report.facts.simulated, report.query.suppress))} of the journeys "
                 "in this report")
        found.append(f"SIMULATED DATA: {share} were made up by `run_bot.py simulate` from the seed documents' "
                     "figures. They show what the report looks like; they are not real demand.")
    if not report.query.suppress:
        found.append(NO_SUPPRESSION_WARNING)
    return found


def _about_lines(report: Report) -> list[tuple[str, str]]:
    q = report.query
    lines = [("Period", _period_text(report) + " (UK dates)"),
             ("Area", report.labels.name("areas", q.area) if q.area else "All areas"),
             ("Data", {"real": "Recorded by the bot", "simulated": "SIMULATED",
                       "mixed": "Recorded and SIMULATED mixed"}[report.data_kind]),
             ("Small numbers", "Protected (NHS rule)" if q.suppress else "NOT protected (--no-suppress)"),
             ("Generated", report.generated.strftime("%d %B %Y"))]
    lost = sum(report.facts.drops.values())
    if lost:
        lines.append(("Events not recorded", f"{show(protect_count(lost, q.suppress))} (database faults, overload "
                                             "or refused by the privacy check): the figures may be a little low"))
    return lines


def _numeric(value: str) -> bool:
    return value.replace(",", "").replace("%", "").strip() in (SUPPRESSED, "-", "") or \
        value.replace(",", "").replace("%", "").strip().isdigit()


def _pad_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    left = [i == 0 or not all(_numeric(r[i]) for r in rows) for i in range(len(headers))]

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) if lft else c.rjust(w) for c, w, lft in zip(cells, widths, left)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + "-" if lft else "-" * (w + 1) + ":") for w, lft in zip(widths, left)) + "|"
    return [fmt(headers), rule, *(fmt(r) for r in rows)]


def _informs(codes: Iterable[str]) -> str:
    return ", ".join(codes)


def to_markdown(report: Report) -> str:
    out = ["# Demand expressed to the signposting bot", ""]
    for banner in banners(report):
        out += [f"> **{banner}**", ""]
    out += [f"- **{k}:** {v}" for k, v in _about_lines(report)]
    out += ["", CAVEAT, ""]
    out += ["## Key figures", ""]
    out += _pad_table(["Figure", "Count", "Share", "Informs"],
                      [[n, v, s, _informs(i)] for n, v, s, i in report.key_figures])
    out += [""]
    for number, table in enumerate(report.tables, start=1):
        out += [f"## {number}. {table.title}", "", table.note, ""]
        if not table.grid.rows:
            out += ["No journeys in this period.", ""]
            continue
        out += _pad_table(*table_rows(report, table))
        if table.col_percent:
            out += ["", "As a percentage of each column:", ""]
            out += _pad_table(*percent_rows(report, table))
        out += ["", f"Informs: {_informs(table.informs)}", ""]
    out += ["## Plan indicators these figures inform", ""]
    for code, text, source, kind, figures in indicator_rows(report):
        out += [f"- **{code}** ({source}; {kind}): {text}.", f"  Figures: {figures}."]
    out += ["", "Bot: D = counted directly for bot users; S = from the \"Did this help?\" answer; C = context "
            "only. Kirklees = Kirklees CAMHS Local Transformation Plan 2018 refresh "
            "(seeds/000_b042aaa000aefc96.txt); Wakefield = Children and Young People's Plan 2019-2022 "
            "(seeds/004_33b566f9494f493c.txt).", ""]
    out += ["## How to read this report", "", SUPPRESSION_NOTE if report.query.suppress else NO_SUPPRESSION_WARNING,
            "", "No names, messages, user or chat ids, postcodes or exact times are ever recorded: only "
            "the date, a 3-hour time band and the choices listed above.", ""]
    return "\n".join(out)


def indicator_rows(report: Report) -> list[list[str]]:
    used: dict[str, list[str]] = {}
    for name, _v, _s, codes in report.key_figures:
        for code in codes:
            used.setdefault(code, []).append(name)
    for number, table in enumerate(report.tables, start=1):
        for code in table.informs:
            used.setdefault(code, []).append(f"{number}. {table.title}")
    return [[code, text, source, kind, "; ".join(dict.fromkeys(used[code]))]
            for code, (text, source, kind) in report.labels.indicators.items() if code in used]


CSV_COLUMNS = ("table", "row", "column", "measure", "value", "informs", "period_start", "period_end", "area",
               "data", "suppression")


def to_csv(report: Report) -> str:
    """One tidy table: one row per published figure."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    start, end = report.period
    const = [start.isoformat() if start else "", end.isoformat() if end else "", report.query.area or "all",
             report.data_kind, "nhs-1-7-round-5" if report.query.suppress else "none"]

    def put(table: str, row: str, column: str, measure: str, value: str, informs: Iterable[str]) -> None:
        writer.writerow([table, row, column, measure, value.replace(",", "") if measure == "journeys" else value,
                         " ".join(informs), *const])

    for name, value, share, codes in report.key_figures:
        put("key_figures", name, "", "journeys", value, codes)
        if share:
            put("key_figures", name, "", "percent", share.rstrip("%"), codes)
    for table in report.tables:
        p, grid = table.protected, table.grid
        name = lambda r: _csv_key(r)  # noqa: E731
        cols = grid.cols
        for r in grid.rows:
            for c in cols:
                put(table.key, name(r), "" if not table.col_kind else name(c), "journeys", show(p.cell(r, c)),
                    table.informs)
            if grid.row_totals:
                put(table.key, name(r), "total", "journeys", show(p.row_total(r)), table.informs)
        if grid.col_totals:
            for c in cols:
                put(table.key, "total", "" if not table.col_kind else name(c), "journeys", show(p.col_total(c)),
                    table.informs)
            if grid.row_totals:
                put(table.key, "total", "total", "journeys", show(p.grand_total()), table.informs)
        if table.shares or table.col_percent:
            headers, rows = (percent_rows(report, table) if table.col_percent else table_rows(report, table))
            if table.col_percent:
                for r, line in zip(grid.rows, rows):
                    for c, value in zip(cols, line[1:]):
                        put(table.key, name(r), name(c), "percent_of_column", value.rstrip("%"), table.informs)
            else:
                keys = [*grid.rows, "total"] if grid.col_totals else list(grid.rows)
                for r, line in zip(keys, rows):
                    put(table.key, name(r), "", "percent", line[-1].rstrip("%"), table.informs)
    return buffer.getvalue()


def _csv_key(key: Hashable) -> str:
    return key.isoformat() if isinstance(key, dt.date) else str(key)


# --------------------------------------------------------------------------------------------------
# Charts (matplotlib, drawn from the protected figures only)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


PALETTE = {"thriving": "#7fc97f", "getting-advice": "#a6cee3", "getting-help": "#1f78b4",
           "getting-more-help": "#6a3d9a", "getting-risk-support": "#e31a1c", NOT_GIVEN: "#bbbbbb"}


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def _bars(ax: Any, labels: list[str], values: list[int | None], horizontal: bool = False,
          color: str = "#1f78b4") -> None:
    heights = [v or 0 for v in values]
    positions = range(len(values))
    bars = (ax.barh if horizontal else ax.bar)(positions, heights, color=color)
    top = max(heights, default=0) or 1
    for bar, value in zip(bars, values):
        if value is None:
            if horizontal:
                ax.text(top * 0.01, bar.get_y() + bar.get_height() / 2, "*", va="center", fontsize=10)
            else:
                ax.text(bar.get_x() + bar.get_width() / 2, top * 0.01, "*", ha="center", va="bottom", fontsize=10)
    if horizontal:
        ax.set_yticks(list(positions), labels)
        ax.invert_yaxis()
    else:
        ax.set_xticks(list(positions), labels, rotation=90 if len(labels) > 8 else 0, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)


def chart_weeks(report: Report, ax: Any | None = None) -> bytes | None:
    plt = _pyplot()
    table = _table(report, "weeks")
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(9, 3.2))
    values = [table.protected.cell(w, "journeys") for w in table.grid.rows]
    _bars(ax, [w.strftime("%d %b") for w in table.grid.rows], values)
    ax.set_title("Journeys by week (week starting)")
    ax.set_ylabel("Journeys")
    return _png(fig) if own else None


def chart_grouping_age(report: Report, ax: Any | None = None) -> bytes | None:
    plt = _pyplot()
    table = _table(report, "grouping_age")
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(9, 3.6))
    ages = table.grid.cols
    bottom = [0] * len(ages)
    for grouping in table.grid.rows:
        heights = [table.protected.cell(grouping, a) or 0 for a in ages]
        ax.bar(range(len(ages)), heights, bottom=bottom, label=report.labels.name("groupings", grouping),
               color=PALETTE.get(grouping, "#999999"))
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.set_xticks(range(len(ages)), [report.labels.name("age_bands", a) for a in ages], fontsize=8)
    ax.set_title("THRIVE grouping by age band (hidden figures not drawn)")
    ax.set_ylabel("Journeys")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig) if own else None


def _chart_one_column(report: Report, key: str, title: str, kind: str, col: str = "journeys") -> bytes:
    plt = _pyplot()
    table = _table(report, key)
    rows = table.grid.rows
    fig, ax = plt.subplots(figsize=(9, 0.6 + 0.32 * max(len(rows), 3)))
    _bars(ax, [report.labels.name(kind, r) for r in rows], [table.protected.cell(r, col) for r in rows],
          horizontal=True)
    ax.set_title(title)
    ax.set_xlabel("Journeys")
    return _png(fig)


def charts(report: Report) -> dict[str, tuple[str, bytes]]:
    """PNG charts keyed by table: (alt text, bytes). Hidden (*) figures are drawn as empty bars."""
    if not report.facts.journeys:
        return {}
    return {
        "weeks": ("Bar chart of journeys by week", chart_weeks(report)),
        "grouping_age": ("Stacked bar chart of THRIVE grouping by age band", chart_grouping_age(report)),
        "needs": ("Bar chart of the top needs", _chart_one_column(report, "needs", "Top needs", "topics")),
        "crisis": ("Bar chart of journeys with urgent help shown, by time of day",
                   _chart_one_column(report, "crisis", "Urgent help shown, by time of day", "bands", "shown")),
        "gaps": ("Bar chart of gaps by kind", _chart_one_column(report, "gaps", "Gaps", "gaps")),
    }


def _table(report: Report, key: str) -> Table:
    return next(t for t in report.tables if t.key == key)


# --------------------------------------------------------------------------------------------------
# HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;
color:#212b32;line-height:1.45}
h1{font-size:1.8rem;margin-bottom:.3rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:2px solid #005eb8;
padding-bottom:.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #d8dde0}
th{text-align:left;background:#f0f4f5}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;border-top:2px solid #768692}
.banner{background:#ffeb3b;border-left:6px solid #212b32;padding:.7rem 1rem;font-weight:600;margin:1rem 0}
.warn{background:#fde8e8;border-left:6px solid #d5281b}.note{color:#4c6272}.informs{color:#4c6272;font-size:.85rem}
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}
img{max-width:100%;height:auto}
"""


def _html_table(headers: list[str], rows: list[list[str]], total_last: bool) -> str:
    numeric = [i > 0 and all(_numeric(r[i]) for r in rows) for i in range(len(headers))]
    head = "".join(f'<th{" class=n" if numeric[i] else ""} scope="col">{html.escape(h)}</th>'
                   for i, h in enumerate(headers))
    body = []
    for n, row in enumerate(rows):
        is_total = total_last and n == len(rows) - 1
        cells = "".join(f'<th scope="row">{html.escape(c)}</th>' if i == 0 else
                        f'<td{" class=n" if numeric[i] else ""}>{html.escape(c)}</td>' for i, c in enumerate(row))
        body.append(f'<tr{" class=total" if is_total else ""}>{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def to_html(report: Report) -> str:
    pictures = charts(report)
    esc = html.escape
    out = ["<!doctype html>", '<html lang="en-GB"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Demand expressed to the signposting bot: {esc(_period_text(report))}</title>",
           f"<style>{_CSS}</style></head><body>",
           "<h1>Demand expressed to the signposting bot</h1>"]
    for banner in banners(report):
        css = "banner warn" if banner == NO_SUPPRESSION_WARNING else "banner"
        out.append(f'<p class="{css}">{esc(banner.replace("`", ""))}</p>')
    out.append("<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in _about_lines(report)) + "</dl>")
    out.append(f'<p class="note">{esc(CAVEAT)}</p>')
    out.append("<h2>Key figures</h2>")
    out.append(_html_table(["Figure", "Count", "Share", "Informs"],
                           [[n, v, s, _informs(i)] for n, v, s, i in report.key_figures], False))
    for number, table in enumerate(report.tables, start=1):
        out.append(f'<h2 id="{table.key}">{number}. {esc(table.title)}</h2><p class="note">{esc(table.note)}</p>')
        if table.key in pictures:
            alt, png = pictures[table.key]
            out.append(f'<img alt="{esc(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">')
        if not table.grid.rows:
            out.append("<p>No journeys in this period.</p>")
            continue
        out.append(_html_table(*table_rows(report, table), total_last=table.grid.col_totals))
        if table.col_percent:
            out.append("<p>As a percentage of each column:</p>")
            out.append(_html_table(*percent_rows(report, table), total_last=False))
        out.append(f'<p class="informs">Informs: {esc(_informs(table.informs))}</p>')
    out.append("<h2>Plan indicators these figures inform</h2>")
    out.append(_html_table(["Code", "Indicator", "Source", "Bot", "Figures"], indicator_rows(report), False))
    out.append('<p class="note">Bot: D = counted directly for bot users; S = from the "Did this help?" answer; '
               "C = context only. Kirklees = Kirklees CAMHS Local Transformation Plan 2018 refresh; Wakefield = "
               "Children and Young People's Plan 2019-2022.</p>")
    out.append("<h2>How to read this report</h2>")
    out.append(f"<p>{esc(SUPPRESSION_NOTE if report.query.suppress else NO_SUPPRESSION_WARNING)}</p>")
    out.append("<p>No names, messages, user or chat ids, postcodes or exact times are ever recorded: only the "
               "date, a 3-hour time band and the choices listed above.</p>")
    out.append("</body></html>")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------
# Entry points


FORMATS = ("md", "csv", "html")


def render(report: Report, fmt: str) -> str:
    return {"md": to_markdown, "csv": to_csv, "html": to_html}[fmt](report)


def make_report(db_path: Path | str, query: Query = Query(), labels: Labels | None = None) -> Report:
    return build(collect(db_path, query), query, labels)


def build_admin_summary(db_path: Path | str = DEFAULT_DB, *, weeks: int = 12, kb: Any = None,
                        today: dt.date | None = None) -> tuple[str, bytes]:
    """A short, suppressed summary of the last `weeks` weeks for the admin-only Telegram /report.

    Returns plain text (under Telegram's 4,096 characters, no markup) and a PNG chart
    (journeys by week and THRIVE grouping by age band). Synchronous and CPU-bound: from
    an async handler call it as `await asyncio.to_thread(build_admin_summary, path)`.
    """
    today = today or now_local().date()
    since = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    query = Query(since=since, until=today)
    labels = labels_from_kb(kb) if kb is not None else default_labels()
    try:
        report = make_report(db_path, query, labels)
    except ReportError as exc:
        return f"Demand report: not available ({exc}).", _empty_png("No demand data yet")
    text = summary_text(report)
    if not report.facts.journeys:
        return text, _empty_png("No journeys in this period")
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.5))
    chart_weeks(report, top)
    chart_grouping_age(report, bottom)
    if report.simulated:
        fig.suptitle("SIMULATED DATA", color="#d5281b", fontweight="bold")
    fig.tight_layout()
    return text, _png(fig)


def summary_text(report: Report, top: int = 5) -> str:
    lines = ["Demand report (signposting bot)"]
    lines += [b.replace("`", "") for b in banners(report)]
    lines += [f"{_period_text(report)}. Small numbers protected: * = 1-7, others rounded to 5."
              if report.query.suppress else _period_text(report)]
    lines.append("")
    for name, value, share, _codes in report.key_figures:
        lines.append(f"{name}: {value}" + (f" ({share})" if share else ""))
    needs = _table(report, "needs")
    if needs.grid.rows:
        lines += ["", "Top needs:"]
        lines += [f"- {report.labels.name('topics', r)}: {show(needs.protected.cell(r, 'journeys'))}"
                  for r in needs.grid.rows[:top] if r != OTHER]
    grouping = _table(report, "grouping_age")
    if grouping.grid.rows:
        lines += ["", "THRIVE grouping:"]
        lines += [f"- {report.labels.name('groupings', g)}: {show(grouping.protected.row_total(g))}"
                  for g in grouping.grid.rows]
    gaps = _table(report, "gaps")
    shown_gaps = [g for g in gaps.grid.rows if g != NO_GAP]
    if shown_gaps:
        lines += ["", "Gaps:"]
        lines += [f"- {report.labels.name('gaps', g)}: {show(gaps.protected.cell(g, 'journeys'))}" for g in shown_gaps]
    lines += ["", "Demand expressed to the bot, not service activity. Full report: run_bot.py report --format html"]
    return "\n".join(lines)[:4000]


def _empty_png(message: str) -> bytes:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=14)
    return _png(fig)
