"""Commissioner reports: small-number suppression, the report's figures and formats, and /report's summary."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import itertools
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import report
from bot.demand import INSERT, event_row, open_database
from bot.dialogue import Event
from bot.suppression import (Grid, hidden, percent, protect, protect_count, protect_tables, round_to_base,
                             show)

ROOT = Path(__file__).resolve().parents[1]
TZ = dt.timezone.utc


# -- the rule ------------------------------------------------------------------------------------------


def test_small_counts_are_hidden_and_the_rest_rounded_to_5():
    assert [protect_count(n) for n in (0, 1, 7, 8, 10, 12, 13, 1234)] == [0, None, None, 10, 10, 10, 15, 1235]
    assert [round_to_base(n) for n in (2, 3, 17, 18, 22, 23)] == [0, 5, 15, 20, 20, 25]
    assert show(None) == "*" and show(1235) == "1,235"


def test_percentages_come_from_the_rounded_figures():
    # 13 of 27 is 48%, but the published figures are 15 of 25: the share shown is 60%.
    assert percent(protect_count(13), protect_count(27)) == "60%"
    assert percent(None, 25) == "*" and percent(10, None) == "*" and percent(0, 0) == "-"


def test_exact_counts_without_suppression():
    grid = Grid(["a", "b"], ["n"], {("a", "n"): 3, ("b", "n"): 40})
    shown = protect(grid, suppress=False)
    assert shown.cell("a", "n") == 3 and shown.col_total("n") == 43 and not shown.hidden


def test_a_lone_hidden_cell_is_not_left_recoverable_from_the_total():
    # 3 + 40 + 57 = 100. Hiding only the 3 would let anyone work it out: 100 - 40 - 57.
    grid = Grid(["a", "b", "c"], ["n"], {("a", "n"): 3, ("b", "n"): 40, ("c", "n"): 57})
    shown = protect(grid)
    assert shown.cell("a", "n") is None
    assert shown.cell("b", "n") is None  # the smallest other figure goes with it
    assert shown.cell("c", "n") == 55 and shown.col_total("n") == 100


def test_two_way_table_where_subtraction_would_reveal_a_cell():
    #            age1 age2 total
    # advice       5   30    35      the 5 could be got from 35 - 30, or from 25 - 20
    # help        20   50    70
    # total       25   80   105
    grid = Grid(["advice", "help"], ["age1", "age2"],
                {("advice", "age1"): 5, ("advice", "age2"): 30, ("help", "age1"): 20, ("help", "age2"): 50},
                row_totals=True, col_totals=True)
    hide = hidden(grid)
    assert ("cell", "advice", "age1") in hide
    assert _no_line_with_one_hidden(grid, hide)
    assert not _solvable(grid, hide)


def test_hidden_row_total_is_not_recoverable_from_the_other_totals():
    grid = Grid(["thriving", "advice", "help"], ["a", "b"],
                {("thriving", "a"): 2, ("thriving", "b"): 3, ("advice", "a"): 40, ("advice", "b"): 45,
                 ("help", "a"): 60, ("help", "b"): 90}, row_totals=True, col_totals=True)
    shown = protect(grid)
    assert shown.row_total("thriving") is None  # 5: small
    assert not _solvable(grid, shown.hidden)
    assert shown.grand_total() == 240  # the grand total is published elsewhere, so it stays


def test_a_figure_shared_by_two_tables_is_hidden_in_both():
    # The age band totals of table 1 are the column totals of table 2 too.
    first = Grid(["x", "y"], ["a", "b"], {("x", "a"): 3, ("x", "b"): 30, ("y", "a"): 40, ("y", "b"): 50},
                 row_totals=True, col_totals=True, keys={("col", "a"): "age-a", ("col", "b"): "age-b"})
    second = Grid(["p", "q"], ["a", "b"], {("p", "a"): 21, ("p", "b"): 40, ("q", "a"): 22, ("q", "b"): 40},
                  row_totals=True, col_totals=True, keys={("col", "a"): "age-a", ("col", "b"): "age-b"})
    one, two = protect_tables([first, second])
    for key in (("col", "a"), ("col", "b")):
        assert (one.figures[key] is None) == (two.figures[key] is None)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.lists(st.integers(0, 40), min_size=20, max_size=20),
       st.booleans())
def test_no_hidden_figure_can_be_solved_for_in_any_table(n_rows, n_cols, values, both):
    counts = {(r, c): values[(r * n_cols + c) % len(values)] for r in range(n_rows) for c in range(n_cols)}
    grid = Grid(list(range(n_rows)), list(range(n_cols)), counts, row_totals=both, col_totals=True)
    shown = protect(grid)
    for pos, value in shown.figures.items():
        exact = grid.value(pos)
        if 1 <= exact <= 7:
            assert value is None, f"{pos} = {exact} shown"
        if value is not None:
            assert value % 5 == 0 and abs(value - exact) <= 2
    assert _no_line_with_one_hidden(grid, shown.hidden)
    assert not _solvable(grid, shown.hidden)


def _no_line_with_one_hidden(grid: Grid, hide: set) -> bool:
    return all(sum(p in hide for p in line) != 1 for line in grid.lines())


def _solvable(grid: Grid, hide: set) -> list:
    """Independent check by brute force over small integer completions: hidden figures with one value only."""
    hide = sorted(hide, key=str)
    if not hide or len(hide) > 4:
        return [] if not hide else _solvable_linear(grid, hide)
    true = {p: grid.value(p) for p in hide}
    known = {p: grid.value(p) for p in grid.positions() if p not in hide}
    seen = {p: set() for p in hide}
    span = range(-3, 4)
    for shift in itertools.product(span, repeat=len(hide)):
        trial = {p: true[p] + d for p, d in zip(hide, shift)}
        values = {**known, **trial}
        if all(sum(values[p] for p in line[:-1]) == values[line[-1]] for line in grid.lines()):
            for p in hide:
                seen[p].add(values[p])
    return [p for p in hide if len(seen[p]) == 1]


def _solvable_linear(grid: Grid, hide: list) -> list:
    """Larger cases: a hidden figure is fixed if adding its unit vector does not raise the rank."""
    index = {p: n for n, p in enumerate(hide)}
    rows = []
    for line in grid.lines():
        row = [Fraction(0)] * len(hide)
        for n, p in enumerate(line):
            if p in index:
                row[index[p]] += -1 if n == len(line) - 1 else 1
        rows.append(row)

    def rank(matrix):
        m = [r[:] for r in matrix]
        r = 0
        for c in range(len(hide)):
            pivot = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
            if pivot is None:
                continue
            m[r], m[pivot] = m[pivot], m[r]
            for i in range(len(m)):
                if i != r and m[i][c] != 0:
                    f = m[i][c] / m[r][c]
                    m[i] = [a - f * b for a, b in zip(m[i], m[r])]
            r += 1
        return r

    base = rank(rows)
    return [p for p in hide if rank(rows + [[Fraction(int(i == index[p])) for i in range(len(hide))]]) == base]


# -- reports from a real database ----------------------------------------------------------------------


def _write(path: Path, rows: list[tuple]) -> None:
    import asyncio

    async def go():
        db = await open_database(path)
        try:
            await db.execute("BEGIN")
            await db.executemany(INSERT, rows)
            await db.execute("COMMIT")
        finally:
            await db.close()

    asyncio.run(go())


def _journey(key: str, day: dt.date, *, audience="parent", age="5-10", area="kirklees", topics=("anxiety",),
             grouping="getting-help", services=("kirklees-chews",), gap=None, crisis=False, helped=None,
             hour=10, simulated=False) -> list[tuple]:
    when = dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    rows = [event_row(Event("journey_started"), "telegram", when, key, simulated)]
    if crisis:
        rows.append(event_row(Event("crisis_shown", {"audience": audience, "age_band": age, "area": area,
                                                     "topics": list(topics)}), "telegram", when, key, simulated))
    rows.append(event_row(Event("journey", {"audience": audience, "age_band": age, "area": area,
                                            "topics": list(topics), "grouping": grouping,
                                            "services": list(services), "crisis_shown": crisis, "gap": gap}),
                          "telegram", when, key, simulated))
    if helped is not None:
        rows.append(event_row(Event("feedback", {"audience": audience, "grouping": grouping,
                                                 "topics": list(topics[:1]), "helped": helped}),
                              "telegram", when, key, simulated))
    return rows


@pytest.fixture
def known_db(tmp_path):
    """A small, exactly known demand log: 60 journeys over two weeks, one crisis-only journey."""
    path = tmp_path / "demand.sqlite"
    monday = dt.date(2025, 3, 3)
    rows = []
    for n in range(40):
        rows += _journey(f"a{n:03d}", monday + dt.timedelta(days=n % 5), helped=(n % 4 != 0) if n < 20 else None)
    for n in range(17):
        rows += _journey(f"b{n:03d}", monday + dt.timedelta(days=7 + n % 5), audience="young_person", age="14-15",
                         topics=("self-harm", "low-mood"), grouping="getting-more-help",
                         services=("kooth", "kirklees-camhs"), gap="no-local-service", hour=22)
    for n in range(3):
        rows += _journey(f"c{n:03d}", monday + dt.timedelta(days=8), audience="professional", age="16-17",
                         topics=("psychosis",), grouping="getting-risk-support", crisis=True, hour=2)
    when = dt.datetime(2025, 3, 12, 23, tzinfo=TZ)
    rows.append(event_row(Event("journey_started"), "telegram", when, "d000"))
    rows.append(event_row(Event("crisis_shown", {"audience": "young_person", "topics": []}), "telegram", when,
                          "d000"))
    # Same journey, two sets of suggestions (went back and changed an answer): counted once, the last one.
    rows += _journey("e000", monday, grouping="getting-advice")[1:]
    rows += _journey("e000", monday, grouping="getting-help")[1:]
    _write(path, rows)
    return path


def test_exact_figures_from_the_log(known_db):
    facts = report.collect(known_db)
    assert facts.journeys == 62 and facts.suggested == 61 and facts.started == 61
    assert facts.audience == {"parent": 41, "young_person": 18, "professional": 3}
    assert facts.grouping_age[("getting-help", "5-10")] == 41  # e000 counted once, with its last grouping
    assert facts.grouping_age[("getting-risk-support", "not-given")] == 1  # ended at urgent help
    assert facts.topics["self-harm"] == 17 and facts.topics["not-given"] == 1
    assert facts.gaps == {"none": 44, "no-local-service": 17}
    assert facts.helped == {("parent", 1): 15, ("parent", 0): 5}
    assert facts.crisis_band[("00-06", 1)] == 3 and facts.crisis_band[("21-24", 1)] == 1
    assert facts.services["kooth"] == 17 and facts.weeks[dt.date(2025, 3, 3)] == 41


def test_filters_by_date_and_area(known_db):
    week2 = report.collect(known_db, report.Query(since=dt.date(2025, 3, 10), until=dt.date(2025, 3, 16)))
    assert week2.journeys == 21
    kirklees = report.collect(known_db, report.Query(area="kirklees"))
    assert kirklees.journeys == 61 and kirklees.started is None  # /start is not tied to an area


def test_markdown_report_is_suppressed_and_names_the_indicators(known_db):
    made = report.make_report(known_db, report.Query(), report.default_labels())
    text = report.to_markdown(made)
    assert "SIMULATED" not in text
    assert "THRIVE grouping by age band" in text and "T1.2c" in text and "L843-845" in text
    assert "Plan indicators these figures inform" in text and "Wakefield L277" in text
    psychosis = next(line for line in text.splitlines() if line.startswith("| Hearing or seeing things"))
    assert "*" in psychosis and " 3 " not in psychosis
    grand = made.tables[1].protected.grand_total()
    assert grand == 60  # 62 rounded
    for table in made.tables:  # no published count is between 1 and 7
        for value in table.protected.figures.values():
            assert value is None or value == 0 or value >= 8


def test_no_suppress_shows_exact_counts_with_a_warning(known_db):
    made = report.make_report(known_db, report.Query(suppress=False))
    text = report.to_markdown(made)
    assert report.NO_SUPPRESSION_WARNING in text
    assert made.tables[1].protected.grand_total() == 62


def test_csv_is_one_tidy_table(known_db):
    made = report.make_report(known_db, report.Query(), report.default_labels())
    rows = list(csv.DictReader(io.StringIO(report.to_csv(made))))
    assert rows and all(list(r) == list(report.CSV_COLUMNS) for r in rows)
    tables = {r["table"] for r in rows}
    assert {"key_figures", "weeks", "grouping_age", "needs", "audience", "area", "crisis", "services", "gaps",
            "helped"} <= tables
    for r in rows:
        assert r["measure"] in ("journeys", "percent", "percent_of_column")
        assert r["value"] in ("*", "-") or re.fullmatch(r"\d+", r["value"])
        assert r["data"] == "real" and r["suppression"] == "nhs-1-7-round-5"
        if r["measure"] == "journeys" and r["value"] not in ("*", "-"):
            assert int(r["value"]) == 0 or (int(r["value"]) % 5 == 0 and int(r["value"]) >= 10)
    cell = next(r for r in rows if r["table"] == "grouping_age" and r["row"] == "getting-help"
                and r["column"] == "5-10")
    assert cell["value"] == "40" and "T1.2c" in cell["informs"]


def test_html_is_one_self_contained_file_with_charts(known_db):
    made = report.make_report(known_db, report.Query(), report.default_labels())
    page = report.to_html(made)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) >= 4
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r'(src|href)="(http|//)', page)  # nothing fetched from elsewhere
    assert "alt=" in page and "T1.2c" in page


def test_simulated_data_is_labelled_everywhere(tmp_path):
    path = tmp_path / "sim.sqlite"
    rows = []
    for n in range(30):
        rows += _journey(f"s{n:03d}", dt.date(2025, 5, 5), simulated=True)
    _write(path, rows)
    made = report.make_report(path)
    assert made.data_kind == "simulated"
    assert "SIMULATED DATA" in report.to_markdown(made)
    assert "SIMULATED DATA" in report.to_html(made)
    assert {r["data"] for r in csv.DictReader(io.StringIO(report.to_csv(made)))} == {"simulated"}
    text, png = report.build_admin_summary(path, today=dt.date(2025, 5, 11))
    assert "SIMULATED DATA" in text and png.startswith(b"\x89PNG")


def test_admin_summary_fits_telegram(known_db):
    text, png = report.build_admin_summary(known_db, today=dt.date(2025, 3, 16))
    assert len(text) < 4096 and "Journeys" in text and "THRIVE grouping" in text
    assert png.startswith(b"\x89PNG") and len(png) < 10_000_000
    assert " 3\n" not in text and ": 3\n" not in text  # three psychosis journeys never shown as 3


def test_admin_summary_without_a_database(tmp_path):
    text, png = report.build_admin_summary(tmp_path / "none.sqlite")
    assert "not available" in text and png.startswith(b"\x89PNG")


def test_report_command_writes_each_format(known_db, tmp_path):
    for fmt in ("md", "csv", "html"):
        out = tmp_path / f"report.{fmt}"
        done = subprocess.run([sys.executable, "run_bot.py", "report", "--db", str(known_db), "--out", str(out)],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 500
    done = subprocess.run([sys.executable, "run_bot.py", "report", "--db", str(known_db), "--no-suppress",
                           "--since", "2025-03-10", "--area", "kirklees"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "WARNING" in done.stderr and "NOT FOR PUBLICATION" in done.stdout


def test_report_command_explains_a_missing_database(tmp_path):
    done = subprocess.run([sys.executable, "run_bot.py", "report", "--db", str(tmp_path / "nope.sqlite")],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 1 and "simulate" in done.stderr


def test_every_indicator_code_the_report_names_is_defined_in_the_knowledge_base():
    import re
    from pathlib import Path

    from bot.knowledge import load

    source = Path(__file__).resolve().parents[1].joinpath("bot", "report.py").read_text(encoding="utf-8")
    named = set()
    for group in re.findall(r"informs=\(([^)]*)\)", source):
        named |= set(re.findall(r'"([^"]+)"', group))
    assert named and named <= set(load().indicators)
