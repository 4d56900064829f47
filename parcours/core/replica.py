"""Reports and exports read from a PostgreSQL read replica when one is configured (issue 12).

`DATABASE_REPLICA_URL` names the replica (settings.py adds it as the "replica" alias). Views
decorated with `reads_replica` (the figures, their exports, the day's summary) send their reads
there through `ReplicaRouter`; every write, and every other page, stays on the primary. A
request that is inside a transaction on the primary keeps reading the primary, so it sees its
own writes (and the test suite, whose tests run in transactions, stays exact). Figures read
from a replica may lag behind the primary by the replication delay (docs/deployment.md).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading = ContextVar("parcours_reads_replica", default=False)


def read_alias() -> str:
    """The database this code should read from now: the replica inside `reading_replica`."""
    if (
        _reading.get()
        and REPLICA in connections.settings
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextmanager
def reading_replica():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_replica(view):
    """Run a read-only view (a report, an export) against the replica when there is one."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with reading_replica():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    """Reads go where `read_alias` says; writes and migrations always go to the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        # Explicit: a row read from the replica is saved on the primary, not where it came from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: objects from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
