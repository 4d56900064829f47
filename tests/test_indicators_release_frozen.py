"""Issue 11: a month an audience received keeps its published figures when released again,
even when the starting pattern of the protection changes (a later version of Parcours)."""

import random

import pytest

from parcours.indicators import release
from parcours.indicators.bench import generated_month
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.tables import TOTAL

THRESHOLD = 4


def _hidden(published) -> set:
    return {(code, *cell) for code, table in published.items() for cell in table.hidden}


def _values(published) -> dict:
    return {
        (code, row, column): table.value(row, column)
        for code, table in published.items()
        for row in table.table.row_codes + [TOTAL]
        for column in table.table.column_codes + [TOTAL]
    }


class _HideEverything:
    """A starting heuristic that hides every cell (a caricature of a stricter version)."""

    def __init__(self, table):
        self.table = table

    def protect(self, threshold):
        return {(r, c) for r in self.table.row_codes for c in self.table.column_codes}


@pytest.fixture(autouse=True)
def fresh_cache():
    release.clear_cache()
    yield
    release.clear_cache()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_month_received_before_is_given_again_as_it_was(seed, monkeypatch):
    definition = get_report(MONTHLY_REPORT)
    tables = generated_month(random.Random(seed), 40)
    first = release.protect_month(definition, tables, THRESHOLD)
    received = _hidden(first)
    assert received  # small counts to protect: the case worth testing

    monkeypatch.setattr(release, "table_network", _HideEverything)
    release.clear_cache()
    # A first release under the new heuristic would not hide what the audience was shown...
    fresh = release.protect_month(definition, tables, THRESHOLD)
    assert _hidden(fresh) != received
    # ...but the audience that received the month gets exactly what it was given.
    again = release.protect_month(definition, tables, THRESHOLD, already_hidden=received)
    assert _hidden(again) == received
    assert _values(again) == _values(first)
