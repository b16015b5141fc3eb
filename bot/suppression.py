"""Small-number suppression for published tables (NHS Digital's rule for sub-national counts).

  * counts 1 to 7 are hidden (`*`); 0 stays 0;
  * every other count is rounded to the nearest 5;
  * totals are worked out from the true counts, then rounded (or hidden if 1 to 7);
  * percentages are worked out from the rounded figures, and hidden when either is;
  * no hidden figure may be worked out from the published ones: where a row or column
    (with its total) has exactly one hidden figure, or where hidden figures could be solved
    from the totals in any other way (also across tables that publish the same figure),
    more figures are hidden, the smallest first, until none can be.

Sources: research/engineering-notes.md section 5.4 (HES/ECDS disclosure control from
September 2018, NHS Digital's codon `suppression.py`, OpenSAFELY's guidance to stop
suppressed cells being inferred from totals).

The last rule is checked exactly: a hidden figure is recoverable when, treating every
published figure as exact (the worst case, ignoring rounding), the sums the tables
publish pin it to one value. That is linear algebra over the hidden figures (reduced
row echelon form over fractions); tables here are small, so it is quick.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Hashable

SUPPRESSED = "*"
SMALL_MIN, SMALL_MAX = 1, 7
BASE = 5

Pos = tuple  # ("cell", row, col) | ("row", row) | ("col", col) | ("all",)


def is_small(count: int) -> bool:
    return SMALL_MIN <= count <= SMALL_MAX


def round_to_base(count: int, base: int = BASE) -> int:
    """Nearest multiple of `base`; an integer count is never exactly half way when base is odd."""
    return base * ((count + base // 2) // base)


def protect_count(count: int, suppress: bool = True) -> int | None:
    """One figure on its own: None if hidden, else rounded (or exact without suppression)."""
    if not suppress:
        return count
    return None if is_small(count) else round_to_base(count)


def percent(numerator: int | None, denominator: int | None) -> str:
    """A percentage from (already rounded) figures; `*` if either is hidden, `-` if nothing to divide."""
    if numerator is None or denominator is None:
        return SUPPRESSED
    if denominator == 0:
        return "-"
    return f"{100 * numerator / denominator:.0f}%"


def show(value: int | None) -> str:
    return SUPPRESSED if value is None else f"{value:,}"


@dataclass
class Grid:
    """Counts in rows and columns, with the totals that will be published next to them.

    A one-column table is a Grid with one column and `col_totals` only; a
    multiple-response table (a journey can count in several rows) has no totals.
    `keys` names figures that other tables publish too (the same key, the same
    number): they are hidden everywhere or nowhere, and solved for together.
    """

    rows: list[Hashable]
    cols: list[Hashable]
    counts: dict[tuple[Hashable, Hashable], int] = field(default_factory=dict)
    row_totals: bool = False
    col_totals: bool = True
    keys: dict[Pos, Hashable] = field(default_factory=dict)

    def cell(self, row: Hashable, col: Hashable) -> int:
        return self.counts.get((row, col), 0)

    def value(self, pos: Pos) -> int:
        if pos[0] == "cell":
            return self.cell(pos[1], pos[2])
        if pos[0] == "row":
            return sum(self.cell(pos[1], c) for c in self.cols)
        if pos[0] == "col":
            return sum(self.cell(r, pos[1]) for r in self.rows)
        return sum(self.cell(r, c) for r in self.rows for c in self.cols)

    def positions(self) -> list[Pos]:
        found: list[Pos] = [("cell", r, c) for r in self.rows for c in self.cols]
        if self.row_totals:
            found += [("row", r) for r in self.rows]
        if self.col_totals:
            found += [("col", c) for c in self.cols]
        if self.row_totals and self.col_totals:
            found.append(("all",))
        return found

    def lines(self) -> list[list[Pos]]:
        """Each published sum, parts first and the total last."""
        lines: list[list[Pos]] = []
        if self.row_totals:
            lines += [[("cell", r, c) for c in self.cols] + [("row", r)] for r in self.rows]
        if self.col_totals:
            lines += [[("cell", r, c) for r in self.rows] + [("col", c)] for c in self.cols]
        if self.row_totals and self.col_totals:
            lines.append([("row", r) for r in self.rows] + [("all",)])
            lines.append([("col", c) for c in self.cols] + [("all",)])
        return lines


@dataclass
class Protected:
    """What may be published: a rounded figure, or None where hidden."""

    grid: Grid
    figures: dict[Pos, int | None]
    suppressed: bool

    def cell(self, row: Hashable, col: Hashable) -> int | None:
        return self.figures[("cell", row, col)]

    def row_total(self, row: Hashable) -> int | None:
        return self.figures[("row", row)]

    def col_total(self, col: Hashable) -> int | None:
        return self.figures[("col", col)]

    def grand_total(self) -> int | None:
        return self.figures[("all",)]

    @property
    def hidden(self) -> set[Pos]:
        return {pos for pos, value in self.figures.items() if value is None}


def protect(grid: Grid, suppress: bool = True) -> Protected:
    return protect_tables([grid], suppress)[0]


def protect_tables(grids: list[Grid], suppress: bool = True) -> list[Protected]:
    """Apply the rule to tables published together (or, with suppress=False, show exact counts)."""
    if not suppress:
        return [Protected(g, {pos: g.value(pos) for pos in g.positions()}, False) for g in grids]
    hide = hidden_together(grids)
    return [Protected(g, {pos: None if pos in h else round_to_base(g.value(pos)) for pos in g.positions()}, True)
            for g, h in zip(grids, hide)]


def hidden(grid: Grid) -> set[Pos]:
    return hidden_together([grid])[0]


def hidden_together(grids: list[Grid]) -> list[set[Pos]]:
    """Primary (1 to 7) and secondary suppression, until no hidden figure can be solved for."""
    values = [{pos: g.value(pos) for pos in g.positions()} for g in grids]
    hide = [{pos for pos, v in vals.items() if is_small(v)} for vals in values]
    while True:
        changed = _share_keys(grids, hide)
        changed |= _lone_in_line(grids, hide, values)
        if changed:
            continue
        solved = _solvable(grids, hide)
        if not solved:
            return hide
        progress = False
        for where in solved.values():
            progress |= _hide_partner(grids, hide, values, where)
        if not progress:  # nothing left that could be hidden with them
            return hide


def _share_keys(grids: list[Grid], hide: list[set[Pos]]) -> bool:
    hidden_keys = {g.keys[pos] for g, h in zip(grids, hide) for pos in h if pos in g.keys}
    changed = False
    for g, h in zip(grids, hide):
        for pos, key in g.keys.items():
            if key in hidden_keys and pos not in h:
                h.add(pos)
                changed = True
    return changed


def _lone_in_line(grids: list[Grid], hide: list[set[Pos]], values: list[dict[Pos, int]]) -> bool:
    changed = False
    for g, h, vals in zip(grids, hide, values):
        for line in g.lines():
            if sum(pos in h for pos in line) == 1:
                partner = _partner([line], h, vals)
                if partner is not None:
                    h.add(partner)
                    changed = True
    return changed


def _partner(lines: list[list[Pos]], hide: set[Pos], values: dict[Pos, int]) -> Pos | None:
    """The figure to hide next to a recoverable one: the smallest non-zero cell, else total."""
    members = [p for line in lines for p in line if p not in hide]
    for pick in ([p for p in members if p[0] == "cell" and values[p] > 0], [p for p in members if values[p] > 0],
                 members):
        if pick:
            return min(pick, key=lambda p: (values[p], str(p)))
    return None


def _hide_partner(grids: list[Grid], hide: list[set[Pos]], values: list[dict[Pos, int]],
                  where: list[tuple[int, Pos]]) -> bool:
    """Hide one more figure in a sum that holds a solvable hidden figure."""
    best: tuple[int, Pos] | None = None
    for index, pos in where:
        lines = [line for line in grids[index].lines() if pos in line]
        partner = _partner(lines, hide[index], values[index])
        if partner is not None and (best is None or values[index][partner] < values[best[0]][best[1]]):
            best = (index, partner)
    if best is None:
        return False
    hide[best[0]].add(best[1])
    return True


def _solvable(grids: list[Grid], hide: list[set[Pos]]) -> dict[Hashable, list[tuple[int, Pos]]]:
    """Hidden figures that the published sums pin down, as variable -> where it appears."""
    where: dict[Hashable, list[tuple[int, Pos]]] = {}
    for index, (g, h) in enumerate(zip(grids, hide)):
        for pos in h:
            where.setdefault(g.keys.get(pos, (index, pos)), []).append((index, pos))
    if not where:
        return {}
    order = {var: n for n, var in enumerate(where)}
    equations: list[dict[int, Fraction]] = []
    for index, (g, h) in enumerate(zip(grids, hide)):
        for line in g.lines():
            equation: dict[int, Fraction] = {}
            for n, pos in enumerate(line):
                if pos in h:
                    var = order[g.keys.get(pos, (index, pos))]
                    sign = Fraction(-1) if n == len(line) - 1 else Fraction(1)
                    equation[var] = equation.get(var, Fraction(0)) + sign
            equation = {k: v for k, v in equation.items() if v}
            if equation:
                equations.append(equation)
    variables = list(where)
    return {variables[var]: where[variables[var]] for var in _pinned(equations)}


def _pinned(equations: list[dict[int, Fraction]]) -> set[int]:
    """Variables fixed by a homogeneous linear system: those with a reduced row that is a unit vector."""
    rows = [dict(e) for e in equations]
    pivots: list[tuple[int, dict[int, Fraction]]] = []
    for row in rows:
        for pivot_var, pivot_row in pivots:
            factor = row.get(pivot_var)
            if factor:
                for k, v in pivot_row.items():
                    row[k] = row.get(k, Fraction(0)) - factor * v
                row = {k: v for k, v in row.items() if v}
        row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        var = min(row)
        scale = row[var]
        row = {k: v / scale for k, v in row.items()}
        # Keep the basis fully reduced: clear the new pivot from earlier rows.
        for n, (other_var, other) in enumerate(pivots):
            factor = other.get(var)
            if factor:
                updated = {k: other.get(k, Fraction(0)) - factor * row.get(k, Fraction(0))
                           for k in set(other) | set(row)}
                pivots[n] = (other_var, {k: v for k, v in updated.items() if v})
        pivots.append((var, row))
    return {var for var, row in pivots if len(row) == 1}
