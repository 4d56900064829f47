"""Cross tables add their totals up from their cells, so totals always equal the cells' sum."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.indicators.bands import DEFAULT_BANDS
from parcours.indicators.tables import SEX_ROWS, TOTAL, CrossTable, sum_tables

COLUMNS = DEFAULT_BANDS.columns


def table(cells):
    return CrossTable(SEX_ROWS, COLUMNS, dict(cells))


def test_totals_are_computed_from_the_cells():
    t = table({("F", "0-25"): 2, ("F", "26-45"): 3, ("H", "26-45"): 4, ("X", "unknown"): 1})
    assert t.row_total("F") == 5
    assert t.column_total("26-45") == 7
    assert t.grand_total == 10
    assert t.value(TOTAL, TOTAL) == 10
    assert t.value("X", TOTAL) == 1


@given(
    st.dictionaries(
        st.tuples(st.sampled_from([r for r, _ in SEX_ROWS]), st.sampled_from(DEFAULT_BANDS.codes)),
        st.integers(min_value=0, max_value=10_000),
    )
)
def test_grand_total_equals_the_sum_of_rows_and_of_columns(cells):
    t = table(cells)
    assert t.grand_total == sum(t.row_total(r) for r in t.row_codes)
    assert t.grand_total == sum(t.column_total(c) for c in t.column_codes)
    assert t.grand_total == sum(cells.values())


def test_a_cell_outside_the_table_is_refused():
    with pytest.raises(KeyError):
        table({("F", "18-25"): 1})


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        table({("F", "0-25"): -1})


def test_tables_add_up_cell_by_cell():
    total = sum_tables(
        [table({("F", "0-25"): 1}), table({("F", "0-25"): 2, ("H", "65+"): 1})], SEX_ROWS, COLUMNS
    )
    assert total.get("F", "0-25") == 3
    assert total.grand_total == 4


def test_a_table_survives_a_round_trip_through_json():
    t = table({("F", "0-25"): 2, ("X", "unknown"): 5})
    again = CrossTable.from_dict(t.as_dict())
    assert again.matrix() == t.matrix()
    assert again.grand_total == 7


def test_published_lines_show_hidden_values_as_none():
    t = table({("F", "0-25"): 2, ("F", "26-45"): 9})
    published = t.published(hidden={("F", "0-25"), ("F", TOTAL)})
    first = published.lines()[0]
    assert first["cells"][:2] == [None, 9]
    assert first["total"] is None
    assert published.lines()[-1]["total"] == 11
