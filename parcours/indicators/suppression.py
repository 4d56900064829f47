"""Small-cell protection of published tables: primary then secondary cell suppression.

Pure functions, no database. DOMAIN.md ("Privacy facts"): monthly tables by sex × age band
for a DT are small, so counts from 1 to a threshold are hidden before figures leave the DT
(issue 5: default threshold 4, configurable), and enough other values are hidden that no
hidden value can be worked out from what is published.

Choices, following the statistical-secrecy practice of official statistics (Eurostat/ESS
"Handbook on Statistical Disclosure Control", Hundepool et al., ch. 5 "Frequency tables";
the τ-ARGUS cell-suppression method based on network flows, Castro 2006, for 2-D tables):

- **Totals are published**, as they are the most useful figures; a total is a value of the
  table like any other, so a total from 1 to the threshold is hidden too, and a total may be
  hidden as a last resort by secondary suppression (inner cells cost much less to hide).
- **Zeros are not sensitive** (nobody can be recognised in an empty cell) and are never
  hidden as primary cells; they may be hidden as secondary cells. A reader therefore only
  knows that a hidden value is a count (an integer ≥ 0), which is the attacker model audited.
- **Protection interval**: every sensitive value (1..threshold) must be able to move both up
  and down while every published value stays the same; every other hidden value must at
  least not be fixed. Hidden values are shown as "s" (secret statistique, INSEE's sign).

A table with its margins is a flow network (source → row totals → cells → column totals →
sink → back to the source through the grand total): published values are fixed arcs, hidden
values are free arcs, and a hidden value can change by one, all else equal, exactly when it
lies on a cycle of free arcs whose decreasing arcs hold a positive count (flow decomposition).
Auditing is thus a path search, and secondary suppression opens the cheapest such path.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from parcours.indicators.tables import TOTAL, CrossTable, PublishedTable

# Relative costs of hiding a value: an inner cell first, a row or column total rarely, the
# grand total only when nothing else works (it is the figure readers need most).
INNER_COST = 10
MARGIN_COST = 1_000
GRAND_TOTAL_COST = 100_000


@dataclass
class _Item:
    key: Hashable
    value: int
    cost: int
    arcs: list[tuple[Hashable, Hashable]]


@dataclass
class Network:
    """Published values as arcs of a flow network where every node balances.

    An item (one published value) usually is one arc; an item shown twice (a grand total
    that is also a cell of another table) is several arcs that share one status.
    """

    items: dict[Hashable, _Item] = field(default_factory=dict)

    def add(self, key: Hashable, value: int, cost: int, *arcs: tuple[Hashable, Hashable]):
        if value < 0:
            raise ValueError("counts are never negative")
        self.items[key] = _Item(key, value, cost, list(arcs))

    def _adjacency(self, hidden: frozenset, excluded_arc, hidden_only: bool) -> dict:
        """Moves along or against arcs: node → [(node, cost of hiding, item key)].

        A hidden arc moves for free; a published one costs its hiding cost (or is left out
        when `hidden_only`). Moving against an arc lowers its value, so it must be positive.
        """
        graph: dict = {}
        for item in self.items.values():
            is_hidden = item.key in hidden
            if hidden_only and not is_hidden:
                continue
            cost = 0 if is_hidden else item.cost
            for arc in item.arcs:
                if (item.key, arc) == excluded_arc:
                    continue
                tail, head = arc
                graph.setdefault(tail, []).append((head, cost, item.key))
                if item.value > 0:
                    graph.setdefault(head, []).append((tail, cost, item.key))
        return graph

    def _cheapest_path(self, start, goal, hidden: frozenset, excluded_arc, hidden_only=False):
        """Items to hide (cheapest first) so that a cycle closes from `start` to `goal`.

        Returns None when no path exists, else the set of currently published items on it
        (empty when the hidden values already form the cycle).
        """
        graph = self._adjacency(hidden, excluded_arc, hidden_only)
        best = {start: 0}
        previous: dict = {}
        counter = 0
        queue = [(0, counter, start)]
        while queue:
            cost, _order, node = heapq.heappop(queue)
            if node == goal:
                opened = set()
                while node != start:
                    node, key = previous[node]
                    if key not in hidden:
                        opened.add(key)
                return opened
            if cost > best.get(node, cost):
                continue
            for neighbour, step, key in graph.get(node, ()):
                new_cost = cost + step
                if new_cost < best.get(neighbour, new_cost + 1):
                    best[neighbour] = new_cost
                    previous[neighbour] = (node, key)
                    counter += 1
                    heapq.heappush(queue, (new_cost, counter, neighbour))
        return None

    def can_move(self, key: Hashable, hidden: frozenset) -> tuple[bool, bool]:
        """Whether hidden item `key` can go (up, down) with every published value unchanged."""
        item = self.items[key]
        tail, head = item.arcs[0]
        excluded = (key, item.arcs[0])
        up = self._cheapest_path(head, tail, hidden, excluded, hidden_only=True) is not None
        down = (
            item.value > 0
            and self._cheapest_path(tail, head, hidden, excluded, hidden_only=True) is not None
        )
        return up, down

    def protect(self, threshold: int) -> frozenset:
        """Keys of the items to hide: primary ones (1..threshold), then secondary ones."""
        primary = [key for key, item in self.items.items() if 1 <= item.value <= threshold]
        hidden = set(primary)
        for key in primary:
            item = self.items[key]
            tail, head = item.arcs[0]
            excluded = (key, item.arcs[0])
            # Up: a cycle through the item, entering at its head; down: the other way round.
            for start, goal in ((head, tail), (tail, head)):
                opened = self._cheapest_path(start, goal, frozenset(hidden), excluded)
                if opened is None:  # pragma: no cover - a table network is strongly connected
                    raise ValueError(f"value {key!r} cannot be protected")
                hidden |= opened
        return frozenset(hidden)

    def exposed(self, hidden: Iterable, threshold: int) -> list:
        """Hidden items a reader could work out, or sensitive ones that cannot move both ways.

        Empty for any result of `protect()`; used by tests and as a last safety check.
        """
        hidden = frozenset(hidden)
        bad = []
        for key in hidden:
            up, down = self.can_move(key, hidden)
            sensitive = 1 <= self.items[key].value <= threshold
            if (sensitive and not (up and down)) or not (up or down):
                bad.append(key)
        return bad


def table_network(table: CrossTable) -> Network:
    """The flow network of a table with its row, column and grand totals.

    Keys are (row, column) pairs, with TOTAL for the margins, as in PublishedTable.
    """
    network = Network()
    source, sink = ("source",), ("sink",)
    for row in table.row_codes:
        network.add((row, TOTAL), table.row_total(row), MARGIN_COST, (source, ("row", row)))
        for column in table.column_codes:
            network.add(
                (row, column),
                table.get(row, column),
                INNER_COST + table.get(row, column),
                (("row", row), ("column", column)),
            )
    for column in table.column_codes:
        network.add(
            (TOTAL, column), table.column_total(column), MARGIN_COST, (("column", column), sink)
        )
    network.add((TOTAL, TOTAL), table.grand_total, GRAND_TOTAL_COST, (sink, source))
    return network


def hide_small(count: int, threshold: int) -> int | None:
    """A lone count as published outside the DT: None (hidden) from 1 to the threshold.

    For counts published without any total they could be derived from (one per DT and month).
    """
    return None if 1 <= count <= threshold else count


def protect_table(table: CrossTable, threshold: int) -> PublishedTable:
    """The table as it may leave the DT: small counts hidden, and nothing recoverable.

    `threshold` 0 publishes everything (the DT's own view uses exact figures without calling
    this function at all).
    """
    if threshold < 0:
        raise ValueError("the threshold is a count, 0 or more")
    network = table_network(table)
    hidden = network.protect(threshold)
    exposed = network.exposed(hidden, threshold)
    if exposed:  # pragma: no cover - protect() guarantees it; never publish if it broke
        raise AssertionError(f"protection failed for {exposed!r}")
    return PublishedTable(table, hidden)


def published_values(published: PublishedTable) -> dict[tuple[str, str], int | None]:
    """Every value of a published table with its margins, None when hidden."""
    keys = [
        (r, c)
        for r in published.table.row_codes + [TOTAL]
        for c in published.table.column_codes + [TOTAL]
    ]
    return {key: published.value(*key) for key in keys}
