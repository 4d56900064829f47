"""Disclosure control of a whole release: its linear system, the audit by linear programming,
and secondary suppression chosen over the whole system.

Pure functions, no database (issue 11, ADR 0015). Everything one audience is given together
(every table, perimeter, period and format) is one system of unknown exact counts: each
published value is the sum of some unknowns (a cell is one unknown, a total the sum of its
cells, a region's cell the sum of its DTs' cells), and the relations the report states or
implies are linear equalities or inequalities between unknowns (« Convocations » is the sum
of the four attendance lines; the persons concerned are among the persons accompanied).

The attacker is the one of the Eurostat/ESS "Handbook on Statistical Disclosure Control"
(Hundepool et al., 2nd ed., ch. 4.3 "Frequency tables", 4.3.3 "Protection levels") and of
τ-ARGUS' audit: knowing every published value, every declared relation and that counts are
integers ≥ 0, they compute for each hidden value the smallest and largest value consistent
with it all (one linear program each way, SciPy's HiGHS). The protection rule applied to
every sensitive value (a count from 1 to the threshold) is the handbook's protection
interval, with τ-ARGUS' default of a 100 % range for frequency tables:

- the feasible range contains 0 or a value above the threshold (the reader cannot tell
  whether the cell is empty, or cannot tell it is small), and
- it spans at least the threshold (width ≥ threshold).

Secondary suppression is greedy: primary cells first, then, for each sensitive value whose
range breaks the rule, the cheapest published value that loosens a constraint binding it is
hidden, until the rule holds. Hiding a value only removes constraints, so a value that passed
keeps passing: the final audit re-checks every one anyway, and a release that cannot be
protected raises `Unprotectable` (it is then neither shown nor sent: fail closed).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

# Relative costs of hiding a value (as suppression.py): an inner cell first, a total rarely,
# the grand total only when nothing else works.
INNER_COST = 10
MARGIN_COST = 1_000
GRAND_TOTAL_COST = 100_000

# Tolerance when reading an LP optimum back as an integer count.
_EPSILON = 1e-6


class Unprotectable(Exception):
    """No pattern of hidden values could be found that passes the audit (fail closed)."""


@dataclass
class Item:
    """One published value: the sum of some unknowns, shown wherever one of its keys is."""

    key: Hashable
    unknowns: tuple[int, ...]
    value: int
    cost: int
    aliases: list[Hashable] = field(default_factory=list)


@dataclass(frozen=True)
class Range:
    """What the attacker can say of a hidden value: low ≤ value ≤ high (high None: unbounded)."""

    low: int
    high: int | None

    def protects(self, value: int, threshold: int) -> bool:
        """The protection-interval rule (module docstring) for a sensitive value."""
        if not 1 <= value <= threshold:
            return True
        reaches_outside = self.low <= 0 or self.high is None or self.high > threshold
        wide = self.high is None or self.high - self.low >= threshold
        return reaches_outside and wide


@dataclass
class System:
    """The unknowns of a release, its published values, and the relations between unknowns."""

    values: list[int] = field(default_factory=list)  # exact value of each unknown
    names: dict[Hashable, int] = field(default_factory=dict)
    items: dict[Hashable, Item] = field(default_factory=dict)
    by_form: dict[tuple[int, ...], Hashable] = field(default_factory=dict)
    alias_of: dict[Hashable, Hashable] = field(default_factory=dict)
    # Rows of coefficients on unknowns: equalities (= 0) and inequalities (≤ 0).
    equalities: list[dict[int, int]] = field(default_factory=list)
    inequalities: list[dict[int, int]] = field(default_factory=list)

    def unknown(self, name: Hashable, value: int) -> int:
        if value < 0:
            raise ValueError("counts are never negative")
        if name in self.names:
            index = self.names[name]
            if self.values[index] != value:
                raise ValueError(f"unknown {name!r} given two values")
            return index
        self.names[name] = len(self.values)
        self.values.append(value)
        return self.names[name]

    def publish(self, key: Hashable, names: Iterable[Hashable], cost: int) -> Hashable:
        """Declare a published value as the sum of named unknowns; returns its canonical key.

        A value with exactly the same unknowns as one already declared (the same row in two
        perimeters, a table's total shown in an overview) is the same value: one status.
        """
        unknowns = tuple(sorted({self.names[name] for name in names}))
        canonical = self.by_form.get(unknowns)
        if canonical is not None:
            if key != canonical:
                self.items[canonical].aliases.append(key)
                self.items[canonical].cost = max(self.items[canonical].cost, cost)
                self.alias_of[key] = canonical
            return canonical
        value = sum(self.values[i] for i in unknowns)
        self.items[key] = Item(key, unknowns, value, cost)
        self.by_form[unknowns] = key
        self.alias_of[key] = key
        return key

    def relate(self, coefficients: dict[Hashable, int], *, equality: bool) -> bool:
        """Σ coefficient × unknown = 0 (or ≤ 0); kept only when the exact data satisfies it.

        A declared relation that the data breaks (a definition's edge case) is not something
        an attacker could rely on; the audit leaves it out rather than become infeasible.
        """
        row: dict[int, int] = {}
        for name, coefficient in coefficients.items():
            index = self.names[name]
            row[index] = row.get(index, 0) + coefficient
        row = {i: c for i, c in row.items() if c}
        if not row:
            return True
        total = sum(c * self.values[i] for i, c in row.items())
        if (equality and total != 0) or (not equality and total > 0):
            return False
        (self.equalities if equality else self.inequalities).append(row)
        return True

    def canonical(self, key: Hashable) -> Hashable:
        return self.alias_of[key]

    def primary(self, threshold: int) -> set[Hashable]:
        return {key for key, item in self.items.items() if 1 <= item.value <= threshold}


class Auditor:
    """Ranges of hidden values given everything published, by linear programming."""

    def __init__(self, system: System):
        self.system = system
        self.solved = 0  # number of linear programs solved (reported by the benchmark)
        # Ranges already solved, by the rows of their component and the objective: hiding a
        # value elsewhere leaves a component, and its ranges, unchanged.
        self._memo: dict = {}

    def _reduced(self, hidden: set[Hashable]):
        """Published single unknowns are known; the rest, with rows touching them, remain."""
        system = self.system
        known: dict[int, int] = {}
        rows: list[tuple[dict[int, int], int, bool]] = []  # (coefficients, right side, equality)
        for key, item in system.items.items():
            if key in hidden:
                continue
            if len(item.unknowns) == 1:
                known[item.unknowns[0]] = item.value
        for key, item in system.items.items():
            if key in hidden or len(item.unknowns) == 1:
                continue
            rows.append((dict.fromkeys(item.unknowns, 1), item.value, True))
        rows += [(dict(row), 0, True) for row in system.equalities]
        rows += [(dict(row), 0, False) for row in system.inequalities]
        reduced = []
        for coefficients, right, equality in rows:
            free = {i: c for i, c in coefficients.items() if i not in known}
            right -= sum(c * known[i] for i, c in coefficients.items() if i in known)
            if free:
                reduced.append((free, right, equality))
        return known, reduced

    def ranges(self, keys: Iterable[Hashable], hidden: set[Hashable]) -> dict[Hashable, Range]:
        """The attacker's range of each of `keys` (hidden values) under this hidden set."""
        known, rows = self._reduced(hidden)
        # Components of the unknowns linked by a row: each range is solved on its own part.
        parent: dict[int, int] = {}

        def find(i):
            parent.setdefault(i, i)
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for free, _right, _equality in rows:
            first, *others = free
            for other in others:
                parent[find(other)] = find(first)
        by_component: dict[int, list] = {}
        for row in rows:
            by_component.setdefault(find(next(iter(row[0]))), []).append(row)
        result = {}
        for key in keys:
            item = self.system.items[key]
            constant = sum(known[i] for i in item.unknowns if i in known)
            free = [i for i in item.unknowns if i not in known]
            if not free:
                result[key] = Range(constant, constant)
                continue
            components = {find(i) for i in free}
            component_rows = [row for c in components for row in by_component.get(c, [])]
            unknowns = sorted({i for row in component_rows for i in row[0]} | set(free))
            signature = (
                tuple(sorted((tuple(sorted(r[0].items())), r[1], r[2]) for r in component_rows)),
                tuple(free),
            )
            if signature not in self._memo:
                self._memo[signature] = self._solve(unknowns, component_rows, free)
            low, high = self._memo[signature]
            result[key] = Range(constant + low, None if high is None else constant + high)
        return result

    def _solve(self, unknowns, rows, objective) -> tuple[int, int | None]:
        if len(rows) == 1 and rows[0][2] and set(rows[0][0].values()) == {1}:
            # One sum of counts, known: the part asked for goes from 0 (from the sum when it
            # is the whole sum) up to the sum. No program needed.
            coefficients, right, _equality = rows[0]
            whole = set(objective) >= set(coefficients)
            unbounded = bool(set(objective) - set(coefficients))
            return (right if whole else 0), (None if unbounded else right)
        position = {u: n for n, u in enumerate(unknowns)}
        equal = [r for r in rows if r[2]]
        less = [r for r in rows if not r[2]]

        def matrix(selected):
            if not selected:
                return None, None
            a = np.zeros((len(selected), len(unknowns)))
            b = np.zeros(len(selected))
            for n, (coefficients, right, _equality) in enumerate(selected):
                for i, c in coefficients.items():
                    a[n, position[i]] = c
                b[n] = right
            return a, b

        a_eq, b_eq = matrix(equal)
        a_ub, b_ub = matrix(less)
        c = np.zeros(len(unknowns))
        for i in objective:
            c[position[i]] = 1
        bounds = [(0, None)] * len(unknowns)
        results = []
        for sign in (1, -1):
            self.solved += 1
            answer = linprog(
                sign * c,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=bounds,
                method="highs-ds",
                options={"presolve": False},
            )
            if answer.status == 3:  # unbounded: only possible upwards
                results.append(None)
            elif answer.status != 0:
                raise Unprotectable(f"audit failed: {answer.message}")
            else:
                results.append(sign * answer.fun)
        low = int(np.ceil(results[0] - _EPSILON))
        high = None if results[1] is None else int(np.floor(results[1] + _EPSILON))
        return low, high

    def exposed(self, hidden: set[Hashable], threshold: int) -> dict[Hashable, Range]:
        """Sensitive hidden values whose range breaks the rule (empty: the release passes)."""
        sensitive = [k for k in hidden if 1 <= self.system.items[k].value <= threshold]
        ranges = self.ranges(sorted(sensitive, key=repr), hidden)
        return {
            key: r
            for key, r in ranges.items()
            if not r.protects(self.system.items[key].value, threshold)
        }


@dataclass
class Protection:
    """The outcome: hidden values (canonical keys), which of them are primary, the audit."""

    system: System
    hidden: frozenset
    primary: frozenset
    solved: int

    def is_hidden(self, key: Hashable) -> bool:
        return self.system.canonical(key) in self.hidden

    def is_primary(self, key: Hashable) -> bool:
        return self.system.canonical(key) in self.primary


def _to_hide(system: System, key: Hashable, delta: int, hidden: set[Hashable]) -> set[Hashable]:
    """The cheapest published values to hide so that value `key` can change by `delta`.

    One linear program (Fischetti & Salazar-González, "Models and algorithms for the
    2-dimensional cell suppression problem", Management Science 1999; τ-ARGUS' "optimal"
    method solves the same subproblem): find a change d of the unknowns keeping every count
    ≥ 0 and every relation true, moving `key` by `delta`, that changes published values as
    little as possible (weighted by their hiding cost; hidden values change for free). The
    values it changes are the ones to hide; once they are hidden, the changed table is one
    the attacker cannot rule out, so `key` can reach its value plus `delta`.
    """
    items = list(system.items.values())
    n, m = len(system.values), len(items)
    # Variables: d (n, bounded below by -value), then p and q (m each, ≥ 0): f_k·d = p_k - q_k.
    size = n + 2 * m
    cost = np.zeros(size)
    equal_rows, equal_right = [], []
    for k, item in enumerate(items):
        row = np.zeros(size)
        row[list(item.unknowns)] = 1
        if item.key == key:
            equal_rows.append(row)
            equal_right.append(delta)
            continue
        weight = 0 if item.key in hidden else item.cost
        cost[n + k] = cost[n + m + k] = weight
        row[n + k], row[n + m + k] = -1, 1
        equal_rows.append(row)
        equal_right.append(0)
    for relation in system.equalities:
        row = np.zeros(size)
        for i, c in relation.items():
            row[i] = c
        equal_rows.append(row)
        equal_right.append(0)
    less_rows, less_right = [], []
    for relation in system.inequalities:
        row = np.zeros(size)
        for i, c in relation.items():
            row[i] = c
        less_rows.append(row)
        less_right.append(-sum(c * system.values[i] for i, c in relation.items()))
    bounds = [(-v, None) for v in system.values] + [(0, None)] * (2 * m)
    answer = linprog(
        cost,
        A_ub=np.array(less_rows) if less_rows else None,
        b_ub=np.array(less_right) if less_rows else None,
        A_eq=np.array(equal_rows),
        b_eq=np.array(equal_right),
        bounds=bounds,
        method="highs",
    )
    if answer.status != 0:
        raise Unprotectable(f"value {key!r} cannot move by {delta}: {answer.message}")
    x = answer.x
    return {
        item.key
        for k, item in enumerate(items)
        if item.key != key and item.key not in hidden and x[n + k] + x[n + m + k] > _EPSILON
    }


def protect(
    system: System,
    threshold: int,
    *,
    already_hidden: Iterable[Hashable] = (),
    max_rounds: int = 50,
) -> Protection:
    """Hide primary values and enough others that every sensitive value passes the audit.

    `already_hidden` are values hidden in what this audience received before (they stay
    hidden: publishing them now would add equations to what the attacker already holds) or
    a starting pattern. Raises Unprotectable when no pattern passes.
    """
    if threshold < 0:
        raise ValueError("the threshold is a count, 0 or more")
    auditor = Auditor(system)
    primary = system.primary(threshold)
    hidden = set(primary) | {system.canonical(k) for k in already_hidden if k in system.alias_of}
    failing = auditor.exposed(hidden, threshold)
    rounds = 0
    while failing:
        rounds += 1
        if rounds > max_rounds:
            raise Unprotectable("too many rounds")
        changed = False
        for key in sorted(failing, key=repr):
            value = system.items[key].value
            r = failing[key]
            if changed:  # earlier hiding in this round may have freed it
                r = auditor.ranges([key], hidden)[key]
                if r.protects(value, threshold):
                    continue
            before = len(hidden)
            # Targets making the range at least [0, threshold]: down to 0, and up to the
            # threshold (by one at least).
            if r.low > 0:
                hidden |= _to_hide(system, key, -value, hidden)
                auditor.solved += 1
            if r.high is not None and r.high < max(threshold, value + 1):
                hidden |= _to_hide(system, key, max(threshold - value, 1), hidden)
                auditor.solved += 1
            changed = changed or len(hidden) > before
        # Hiding more only removes constraints: values that passed still pass.
        still = auditor.ranges(sorted(failing, key=repr), hidden)
        failing = {
            k: r for k, r in still.items() if not r.protects(system.items[k].value, threshold)
        }
    # Every sensitive value was audited at the start and each failing one again until it
    # passed; hiding only loosens the system, so this is the audit of the final pattern.
    return Protection(system, frozenset(hidden), frozenset(primary), auditor.solved)


def _width(r: Range) -> float:
    return float("inf") if r.high is None else r.high - r.low


def add_table(
    system: System, key: tuple, table, *, grand_total_cost: int = GRAND_TOTAL_COST
) -> dict[tuple[str, str], Hashable]:
    """Declare a sex × band (or any) CrossTable with its margins; unknowns are its cells.

    Unknowns are named `key + (row, column)`; published values `key + (row, column)` with
    TOTAL for margins. Returns the canonical key of each (row, column) of the table.
    """
    from parcours.indicators.tables import TOTAL

    rows, columns = table.row_codes, table.column_codes
    for row in rows:
        for column in columns:
            system.unknown(key + (row, column), table.get(row, column))
    keys = {}
    for row in rows:
        for column in columns:
            keys[(row, column)] = system.publish(
                key + (row, column), [key + (row, column)], INNER_COST + table.get(row, column)
            )
        keys[(row, TOTAL)] = system.publish(
            key + (row, TOTAL), [key + (row, c) for c in columns], MARGIN_COST
        )
    for column in columns:
        keys[(TOTAL, column)] = system.publish(
            key + (TOTAL, column), [key + (r, column) for r in rows], MARGIN_COST
        )
    keys[(TOTAL, TOTAL)] = system.publish(
        key + (TOTAL, TOTAL), [key + (r, c) for r in rows for c in columns], grand_total_cost
    )
    return keys
