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

import highspy
import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

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


class _Program:
    """One linear program kept in HiGHS between solves (highspy): only costs and bounds change,
    so each solve starts from the last optimal basis (warm start) instead of from scratch."""

    def __init__(self, a, row_lower, row_upper, col_lower, col_upper):
        a = sparse.csc_matrix(a)
        self.size = a.shape[1]
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
        lp.col_cost_ = np.zeros(a.shape[1])
        lp.col_lower_, lp.col_upper_ = np.asarray(col_lower, float), np.asarray(col_upper, float)
        lp.row_lower_, lp.row_upper_ = np.asarray(row_lower, float), np.asarray(row_upper, float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr
        lp.a_matrix_.index_ = a.indices
        lp.a_matrix_.value_ = a.data.astype(float)
        self.highs.passModel(lp)
        self._costed = np.zeros(0, dtype=np.int64)

    def minimise(self, columns, costs):
        """Minimise Σ costs × columns (other costs 0); returns (status, x) with status
        "optimal", "unbounded" or an error message."""
        columns = np.asarray(columns, dtype=np.int32)
        if len(self._costed):
            self.highs.changeColsCost(
                len(self._costed), self._costed.astype(np.int32), np.zeros(len(self._costed))
            )
        self.highs.changeColsCost(len(columns), columns, np.asarray(costs, dtype=float))
        self._costed = columns
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return "optimal", np.array(self.highs.getSolution().col_value)
        if status == highspy.HighsModelStatus.kUnbounded:
            return "unbounded", None
        return self.highs.modelStatusToString(status), None


class Auditor:
    """Ranges of hidden values given everything published, by linear programming.

    The system's matrices are built once (scipy.sparse); each audit substitutes the published
    single cells, splits what is left into independent parts (cells that share no row:
    scipy.sparse.csgraph; a DT's tables are linked to each other only cell by cell and
    through their margins) and solves, part by part, the smallest and the largest value of
    every hidden value asked for, one program kept in HiGHS per part (warm start: only the
    objective changes). When the optimal vertex is in whole numbers it is the attacker's
    integer bound exactly; otherwise the bound is solved again as an integer program, so the
    audit is that of an attacker who knows counts are integers.
    """

    def __init__(self, system: System):
        self.system = system
        self.solved = 0  # number of programs solved (reported by the benchmark)
        self.keys = list(system.items)
        self.index = {key: k for k, key in enumerate(self.keys)}
        n, m = len(system.values), len(self.keys)
        self.x = np.asarray(system.values, dtype=float)
        self.item_values = np.array([system.items[k].value for k in self.keys], dtype=float)
        rows, cols = [], []
        for k, key in enumerate(self.keys):
            unknowns = system.items[key].unknowns
            rows += [k] * len(unknowns)
            cols += unknowns
        self.P = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m, n))
        self.single = np.diff(self.P.indptr) == 1
        self.single_column = np.full(m, -1)
        self.single_column[self.single] = self.P.indices[self.P.indptr[:-1][self.single]]
        self.E = _rows_matrix(system.equalities, n)
        self.U = _rows_matrix(system.inequalities, n)
        self._hiding = None

    def _reduced(self, hidden: set[Hashable]):
        """Published single cells are known; the rows left on the other cells, as matrices."""
        n = len(self.x)
        published = np.ones(len(self.keys), dtype=bool)
        for key in hidden:
            published[self.index[key]] = False
        known = np.zeros(n, dtype=bool)
        known[self.single_column[published & self.single]] = True
        multi = published & ~self.single
        a = sparse.vstack([self.P[multi], self.E, self.U], format="csr")
        right = np.concatenate(
            [self.item_values[multi], np.zeros(self.E.shape[0] + self.U.shape[0])]
        )
        equality = np.zeros(a.shape[0], dtype=bool)
        equality[: int(multi.sum()) + self.E.shape[0]] = True
        right = right - a[:, known] @ self.x[known]
        free = np.flatnonzero(~known)
        a = a[:, free].tocsr()
        keep = np.diff(a.indptr) > 0
        return known, free, a[keep], right[keep], equality[keep]

    def ranges(
        self, keys: Iterable[Hashable], hidden: set[Hashable], threshold: int | None = None
    ) -> dict[Hashable, Range]:
        """The attacker's integer range of each of `keys` (hidden values) under this hidden set.

        With `threshold`, values shown to pass the rule by integer points of their part (one
        where the value is 0, one where it reaches the threshold: the two common points of
        `_common_points`, or the optimal vertex of another value's program) are left out of
        the result: only the others are solved one by one.
        """
        keys = list(keys)
        if not keys:
            return {}
        known, free, a, right, equality = self._reduced(hidden)
        position = np.full(len(self.x), -1)
        position[free] = np.arange(len(free))
        # Parts of the free cells linked by a row (a cell in no row is a part of its own).
        incidence = (a != 0).astype(np.int8)
        _count, part_of = connected_components(incidence.T @ incidence, directed=False)
        row_part = part_of[a.indices[a.indptr[:-1]]] if a.shape[0] else np.zeros(0, int)
        rows_of_part: dict[int, list[int]] = {}
        for r, p in enumerate(row_part.tolist()):
            rows_of_part.setdefault(p, []).append(r)
        cells_of_part: dict[int, list[int]] = {}
        for c, p in enumerate(part_of.tolist()):
            cells_of_part.setdefault(p, []).append(c)
        result: dict[Hashable, Range] = {}
        groups: dict[tuple, list] = {}
        for key in keys:
            k = self.index[key]
            unknowns = self.P.indices[self.P.indptr[k] : self.P.indptr[k + 1]]
            constant = int(round(self.x[unknowns[known[unknowns]]].sum()))
            mine = position[unknowns[~known[unknowns]]]
            if not len(mine):
                result[key] = Range(constant, constant)
                continue
            parts = tuple(sorted({int(part_of[c]) for c in mine}))
            groups.setdefault(parts, []).append((key, mine, constant))
        for parts, members in groups.items():
            cells = [c for p in parts for c in cells_of_part[p]]
            rows = [r for p in parts for r in rows_of_part.get(p, [])]
            local = np.full(len(free), -1)
            local[cells] = np.arange(len(cells))
            sub = a[rows][:, cells]
            sub_right, sub_equal = right[rows], equality[rows]
            lower = np.where(sub_equal, sub_right, -highspy.kHighsInf)
            program = None
            if threshold is not None and len(members) > 1 and rows:
                program = _Program(
                    sub, lower, sub_right, np.zeros(len(cells)), np.full(len(cells), np.inf)
                )
                passing, zero = self._common_points(
                    program, sub, sub_right, lower, members, local, threshold
                )
                members = [member for member in members if member[0] not in passing]
            else:
                zero = set()
            zero = set(zero)
            # Every integer point found is a point the attacker cannot rule out: with
            # `threshold`, it shows the other values of the part that are 0 there (they can
            # be 0) or at the threshold or more (they can reach it), sparing their programs.
            reach: set = set()
            for key, mine, constant in members:
                columns = local[mine]
                if not rows:  # cells in no row: anything from 0 up
                    result[key] = Range(constant, None)
                    continue
                if key in zero and key in reach:
                    continue  # passes the rule (left out: see the docstring)
                if program is None:
                    program = _Program(
                        sub, lower, sub_right, np.zeros(len(cells)), np.full(len(cells), np.inf)
                    )
                bounds = [0] if key in zero else []  # shown to reach 0 (constant 0)
                for sign in (-1,) if key in zero else (1, -1):
                    self.solved += 1
                    status, x = program.minimise(columns, np.full(len(columns), sign))
                    if status == "unbounded":
                        bounds.append(None)
                        continue
                    if status != "optimal":
                        raise Unprotectable(f"audit failed: {status}")
                    if np.all(np.abs(x - np.round(x)) <= _EPSILON):
                        bounds.append(int(round(x[columns].sum())))
                        if threshold is not None:
                            point = np.round(x)
                            for other, other_mine, other_constant in members:
                                total = other_constant + round(point[local[other_mine]].sum())
                                if other_constant == 0 and total == 0:
                                    zero.add(other)
                                if total >= threshold:
                                    reach.add(other)
                    else:  # a fractional vertex: the integer bound, on its own
                        bounds.append(self._integer_bound(sub, sub_right, sub_equal, columns, sign))
                low, high = bounds
                result[key] = Range(constant + low, None if high is None else constant + high)
        return result

    def _common_points(
        self, program, a, right, lower, members, local, threshold
    ) -> tuple[set, set]:
        """Keys of the part that pass the rule, shown by two points in whole numbers, and
        the keys that can be 0 (their smallest value needs no program of its own).

        The first minimises the sum of every value (those at 0 there can be 0); the second
        maximises Σ t_k with t_k ≤ value_k and t_k ≤ threshold (those at the threshold or more
        there can reach it). A value that can be 0 and the threshold passes the rule.
        """
        columns = [local[mine] for _key, mine, _constant in members]
        weights = np.bincount(np.concatenate(columns), minlength=a.shape[1]).astype(float)
        used = np.flatnonzero(weights)
        self.solved += 1
        status, low_point = program.minimise(used, weights[used])
        if status != "optimal" or np.any(np.abs(low_point - np.round(low_point)) > _EPSILON):
            return set(), set()
        can_be_zero = {
            key
            for (key, _mine, constant), cols in zip(members, columns, strict=True)
            if constant == 0 and round(low_point[cols].sum()) == 0
        }
        if not can_be_zero:
            return set(), can_be_zero
        k, size = len(members), a.shape[1]
        goal_rows = np.concatenate([[n] * len(cols) for n, cols in enumerate(columns)])
        goal = sparse.csr_matrix(
            (np.ones(len(goal_rows)), (goal_rows, np.concatenate(columns))), shape=(k, size)
        )
        augmented = sparse.vstack(
            [
                sparse.hstack([a, sparse.csr_matrix((a.shape[0], k))]),
                sparse.hstack([-goal, sparse.identity(k)]),
            ]
        )
        reach = np.array([max(threshold - constant, 0) for _key, _mine, constant in members])
        high = _Program(
            augmented,
            np.concatenate([lower, np.full(k, -highspy.kHighsInf)]),
            np.concatenate([right, np.zeros(k)]),
            np.zeros(size + k),
            np.concatenate([np.full(size, np.inf), reach]),
        )
        self.solved += 1
        status, high_point = high.minimise(np.arange(size, size + k), -np.ones(k))
        if status != "optimal":
            return set(), can_be_zero
        point = high_point[:size]
        if np.any(np.abs(point - np.round(point)) > _EPSILON):
            return set(), can_be_zero
        passing = {
            key
            for (key, _mine, constant), cols, goal_k in zip(members, columns, reach, strict=True)
            if key in can_be_zero and round(point[cols].sum()) >= goal_k
        }
        return passing, can_be_zero

    def _integer_bound(self, a, right, equal, columns, sign) -> int | None:
        self.solved += 1
        objective = np.zeros(a.shape[1])
        objective[columns] = sign
        answer = milp(
            objective,
            constraints=_constraints(a[equal], right[equal], a[~equal], right[~equal]),
            integrality=np.ones(a.shape[1]),
            bounds=Bounds(0, np.inf),
        )
        if answer.status == 3 or (answer.status != 0 and sign < 0 and "nbounded" in answer.message):
            return None
        if answer.status != 0:
            raise Unprotectable(f"audit failed: {answer.message}")
        return int(round(sign * answer.fun))

    def exposed(self, hidden: set[Hashable], threshold: int) -> dict[Hashable, Range]:
        """Sensitive hidden values whose range breaks the rule (empty: the release passes)."""
        sensitive = [k for k in hidden if 1 <= self.system.items[k].value <= threshold]
        ranges = self.ranges(sorted(sensitive, key=repr), hidden, threshold)
        return {
            key: r
            for key, r in ranges.items()
            if not r.protects(self.system.items[key].value, threshold)
        }

    def to_hide(self, key: Hashable, delta: int, hidden: set[Hashable], integral=False):
        """The cheapest published values to hide so that value `key` can change by `delta`.

        One linear program (Fischetti & Salazar-González, "Models and algorithms for the
        2-dimensional cell suppression problem", Management Science 1999; τ-ARGUS' "optimal"
        method solves the same subproblem): find a change d of the unknowns keeping every
        count ≥ 0 and every relation true, moving `key` by `delta`, that changes published
        values as little as possible (weighted by their hiding cost; hidden values change for
        free). The values it changes are the ones to hide; once they are hidden, the changed
        table is one the attacker cannot rule out, so `key` can reach its value plus `delta`.
        The program is kept in HiGHS between calls (only costs and two bounds change);
        `integral` asks for a change in whole numbers (when a fractional one did not help).
        """
        n, m = len(self.x), len(self.keys)
        if self._hiding is None:
            # Variables d (n), p (m), q (m): P·d − p + q = 0 row by row, relations on d.
            identity = sparse.identity(m, format="csr")
            a = sparse.vstack(
                [
                    sparse.hstack([self.P, -identity, identity]),
                    sparse.hstack([self.E, sparse.csr_matrix((self.E.shape[0], 2 * m))]),
                    sparse.hstack([self.U, sparse.csr_matrix((self.U.shape[0], 2 * m))]),
                ],
                format="csr",
            )
            upper = np.concatenate([np.zeros(m + self.E.shape[0]), -(self.U @ self.x)])
            lower = np.concatenate(
                [np.zeros(m + self.E.shape[0]), np.full(self.U.shape[0], -highspy.kHighsInf)]
            )
            col_lower = np.concatenate([-self.x, np.zeros(2 * m)])
            col_upper = np.full(n + 2 * m, np.inf)
            costs = np.array([self.system.items[k].cost for k in self.keys], dtype=float)
            self._hiding = (_Program(a, lower, upper, col_lower, col_upper), a, lower, upper, costs)
        program, a, lower, upper, costs = self._hiding
        k = self.index[key]
        weights = costs.copy()
        for other in hidden:
            weights[self.index[other]] = 0
        weights[k] = 0
        cost = np.concatenate([np.zeros(n), weights, weights])
        self.solved += 1
        if integral:
            row_lower, row_upper = lower.copy(), upper.copy()
            row_lower[k] = row_upper[k] = delta
            col_upper = np.full(n + 2 * m, np.inf)
            col_upper[n + k] = col_upper[n + m + k] = 0
            answer = milp(
                cost,
                constraints=[LinearConstraint(a, row_lower, row_upper)],
                integrality=np.concatenate([np.ones(n), np.zeros(2 * m)]),
                bounds=Bounds(np.concatenate([-self.x, np.zeros(2 * m)]), col_upper),
            )
            status, x = ("optimal", answer.x) if answer.status == 0 else (answer.message, None)
        else:
            highs = program.highs
            # The value itself moves by exactly delta: its row's right side, its p and q at 0.
            highs.changeRowBounds(k, delta, delta)
            highs.changeColBounds(n + k, 0, 0)
            highs.changeColBounds(n + m + k, 0, 0)
            columns = np.flatnonzero(cost)
            status, x = program.minimise(columns, cost[columns])
            highs.changeRowBounds(k, 0, 0)
            highs.changeColBounds(n + k, 0, highspy.kHighsInf)
            highs.changeColBounds(n + m + k, 0, highspy.kHighsInf)
        if status != "optimal":
            raise Unprotectable(f"value {key!r} cannot move by {delta}: {status}")
        moved = x[n : n + m] + x[n + m :]
        return {
            self.keys[i]
            for i in np.flatnonzero(moved > _EPSILON)
            if i != k and self.keys[i] not in hidden
        }


def _constraints(a_eq, b_eq, a_ub, b_ub) -> list[LinearConstraint]:
    """Equalities and upper bounds as milp constraints (an empty matrix is left out)."""
    result = []
    if a_eq.shape[0]:
        result.append(LinearConstraint(a_eq, b_eq, b_eq))
    if a_ub.shape[0]:
        result.append(LinearConstraint(a_ub, -np.inf, b_ub))
    return result


def _rows_matrix(rows: list[dict[int, int]], n: int):
    data, row_index, col_index = [], [], []
    for r, row in enumerate(rows):
        for i, c in row.items():
            row_index.append(r)
            col_index.append(i)
            data.append(c)
    return sparse.csr_matrix((data, (row_index, col_index)), shape=(len(rows), n), dtype=float)


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
    integral = False
    while failing:
        rounds += 1
        if rounds > max_rounds:
            raise Unprotectable("too many rounds")
        before = len(hidden)
        for key in sorted(failing, key=repr):
            value = system.items[key].value
            r = failing[key]
            # Targets making the range at least [0, threshold]: down to 0, and up to the
            # threshold (by one at least). A value freed by what this round hid already
            # moves at no cost: its program then hides nothing more.
            if r.low > 0:
                hidden |= auditor.to_hide(key, -value, hidden, integral)
            if r.high is not None and r.high < max(threshold, value + 1):
                hidden |= auditor.to_hide(key, max(threshold - value, 1), hidden, integral)
        if len(hidden) == before:
            if integral:  # not even a change in whole numbers frees it
                raise Unprotectable(f"nothing more to hide for {sorted(failing, key=repr)!r}")
            # The fractional changes did not give the integer attacker a point to stop at.
            integral = True
            continue
        integral = False
        # Hiding more only removes constraints: values that passed still pass.
        still = auditor.ranges(sorted(failing, key=repr), hidden, threshold)
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
