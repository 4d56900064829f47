"""Small-cell protection hides every small count, and no hidden value can be worked out.

The property tests check the protection with an exhaustive search that shares nothing with
the protection's own algorithm: every completion of the hidden values by non-negative
integers that agrees with every published value (cells and totals) is enumerated, within a
box wide enough to hold a one-person shift of every cell.
"""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.indicators.suppression import protect_table, table_network
from parcours.indicators.tables import TOTAL, CrossTable


def make_table(matrix):
    rows = [(f"r{i}", f"r{i}") for i in range(len(matrix))]
    columns = [(f"c{j}", f"c{j}") for j in range(len(matrix[0]))]
    cells = {
        (rows[i][0], columns[j][0]): value
        for i, line in enumerate(matrix)
        for j, value in enumerate(line)
        if value
    }
    return CrossTable(rows, columns, cells)


def completions(published, bound):
    """Yield every table of non-negative integers (cells ≤ bound) matching what is published.

    Margins are functions of the cells, so the search runs over hidden inner cells only,
    row by row, pruned by the published row and column totals.
    """
    table = published.table
    rows, columns = table.row_codes, table.column_codes

    def known(row, column):
        return published.value(row, column)

    column_targets = {c: known(TOTAL, c) for c in columns}
    grand = known(TOTAL, TOTAL)

    def fill_row(index, column_sums, chosen):
        if index == len(rows):
            if any(t is not None and column_sums[c] != t for c, t in column_targets.items()):
                return
            if grand is not None and sum(column_sums.values()) != grand:
                return
            yield dict(chosen)
            return
        row = rows[index]
        hidden = [c for c in columns if known(row, c) is None]
        fixed = {c: known(row, c) for c in columns if known(row, c) is not None}
        row_target = known(row, TOTAL)
        for values in itertools.product(range(bound + 1), repeat=len(hidden)):
            line = {**fixed, **dict(zip(hidden, values, strict=True))}
            if row_target is not None and sum(line.values()) != row_target:
                continue
            sums = {c: column_sums[c] + line[c] for c in columns}
            if any(t is not None and sums[c] > t for c, t in column_targets.items()):
                continue
            chosen.update({(row, c): line[c] for c in columns})
            yield from fill_row(index + 1, sums, chosen)

    yield from fill_row(0, dict.fromkeys(columns, 0), {})


def values_of_hidden(published, bound):
    """For each hidden value (cell or total), values it takes over the completions.

    The search stops once every hidden value has been seen below and above its true value
    (or at 0 and above, for a true 0): enough to judge, and fast.
    """
    table = published.table
    truth = {key: table.value(*key) for key in published.hidden}
    seen = {key: {value} for key, value in truth.items()}

    def settled(key):
        values = seen[key]
        return max(values) > truth[key] and (truth[key] == 0 or min(values) < truth[key])

    for cells in completions(published, bound):
        candidate = CrossTable(table.rows, table.columns, cells)
        for key in published.hidden:
            seen[key].add(candidate.value(*key))
        if all(settled(key) for key in seen):
            break
    return seen


small_tables = st.integers(min_value=2, max_value=3).flatmap(
    lambda rows: st.integers(min_value=2, max_value=4).flatmap(
        lambda columns: st.lists(
            st.lists(
                st.sampled_from([0, 0, 1, 1, 2, 3, 4, 5, 6, 9]),
                min_size=columns,
                max_size=columns,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrix=small_tables, threshold=st.integers(min_value=1, max_value=4))
def test_every_value_from_one_to_the_threshold_is_hidden(matrix, threshold):
    table = make_table(matrix)
    published = protect_table(table, threshold)
    for row in table.row_codes + [TOTAL]:
        for column in table.column_codes + [TOTAL]:
            if 1 <= table.value(row, column) <= threshold:
                assert published.value(row, column) is None, (row, column)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrix=small_tables, threshold=st.integers(min_value=1, max_value=4))
def test_no_hidden_value_can_be_recovered_from_the_published_ones(matrix, threshold):
    table = make_table(matrix)
    published = protect_table(table, threshold)
    bound = max(max(line) for line in matrix) + 1
    seen = values_of_hidden(published, bound)
    for key, values in seen.items():
        true_value = table.value(*key)
        assert len(values) >= 2, f"{key} = {true_value} can be worked out"
        if 1 <= true_value <= threshold:
            # A small count is not even bounded on one side by its true value.
            assert min(values) < true_value < max(values), (key, sorted(values))


def test_the_protection_audit_agrees_with_the_exhaustive_search_on_a_known_case():
    # One woman aged 65+: hiding her cell alone would let a reader subtract it from totals.
    table = make_table([[5, 7, 1], [6, 8, 9]])
    published = protect_table(table, 4)
    assert published.value("r0", "c2") is None
    assert len(published.hidden) >= 4
    seen = values_of_hidden(published, 10)
    assert all(len(values) >= 2 for values in seen.values())


def test_grand_total_stays_published_when_inner_cells_suffice():
    table = make_table([[5, 7, 2], [6, 8, 9], [10, 11, 12]])
    published = protect_table(table, 4)
    assert published.value(TOTAL, TOTAL) == table.grand_total


def test_zeros_are_published_and_a_table_without_small_counts_is_untouched():
    table = make_table([[0, 7, 12], [6, 0, 9]])
    published = protect_table(table, 4)
    assert published.hidden == frozenset()


def test_threshold_zero_publishes_everything():
    table = make_table([[1, 2], [3, 0]])
    assert protect_table(table, 0).hidden == frozenset()


def test_a_published_small_total_would_be_a_small_cell_too():
    table = make_table([[0, 0], [3, 0], [10, 12]])
    published = protect_table(table, 4)
    assert published.value("r1", TOTAL) is None
    assert published.value(TOTAL, TOTAL) == 25


def test_the_network_audit_flags_a_single_hidden_cell_as_recoverable():
    table = make_table([[5, 7, 1], [6, 8, 9]])
    network = table_network(table)
    assert network.exposed({("r0", "c2")}, threshold=4) == [("r0", "c2")]
