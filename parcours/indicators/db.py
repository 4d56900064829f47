"""Running the figures' aggregate queries on PostgreSQL with settings that suit them.

Measured on a million persons (docs/benchmarks.md):
- JIT compilation triggers on a query's estimated cost; the figures' grouped queries sit
  around that threshold and pay 100 to 150 ms of compilation to save less than that;
- with the default random_page_cost (4, tuned for spinning disks) the planner scans a million
  persons rather than look up the few thousand it needs; 1.1 is PostgreSQL's usual advice for
  SSD storage and turns a DT's month of delays from about 200 ms into about 30 ms.
Both are set for these statements only (SET LOCAL, inside a transaction), so the rest of the
application keeps the server's settings.
"""

import contextvars
import datetime
from contextlib import contextmanager

from django.db import connections, transaction

SETTINGS = "SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1"

# The aliases whose current transaction already holds SETTINGS (inside `aggregate_block`).
_settled: contextvars.ContextVar[frozenset] = contextvars.ContextVar(
    "aggregate_settled", default=frozenset()
)


@contextmanager
def aggregate_block(using: str = "default"):
    """Several aggregate queries in one transaction with SETTINGS set once (ADR 0022): the
    pathway figures of a page are five queries, and each round trip of a savepoint and a SET
    cost as much as a small query on a loaded machine."""
    connection = connections[using]
    if connection.vendor != "postgresql" or using in _settled.get():
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(SETTINGS)
        token = _settled.set(_settled.get() | {using})
        try:
            yield
        finally:
            _settled.reset(token)


@contextmanager
def aggregate_cursor(using: str = "default"):
    """A cursor for one aggregate query (SETTINGS on PostgreSQL, for this transaction only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(SETTINGS)
        yield cursor


def evaluated(queryset) -> list:
    """The rows of a queryset, read with aggregate_cursor's settings."""
    with aggregate_block(queryset.db):
        return list(queryset)


def raw_date(value) -> datetime.date:
    """A day read by a raw cursor: a date on PostgreSQL (a datetime for a truncated
    timestamp), text on SQLite."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite hands dates back as text
        return datetime.date.fromisoformat(value[:10])
    return value
