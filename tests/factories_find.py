"""Factories for search and duplicates: persons written the way the counter writes them."""

import datetime

from tests.factories import PersonFactory


def benali(**overrides):
    """« BENALI Rachid, 15/12/1978 » (issue 16: saving « BENALY » next to him warned nothing)."""
    values = {
        "last_name": "BENALI",
        "first_names": "Rachid",
        "sex": "H",
        "birth_date": datetime.date(1978, 12, 15),
    }
    values.update(overrides)
    return PersonFactory(**values)
