"""Multi-row INSERT and UPDATE for the bulk writers (person imports), and the long `IN` lists
of their reads: the ORM's statements without its per-cell compiling.

`QuerySet.bulk_create` compiles every cell of every row (pre_save, prepare, a placeholder
each): about a millisecond per row of a 40-column table, most of an import's commit (issue
17 profile). Here each column's value is prepared once per distinct value, and the batch is
as large as the database takes parameters (SQLite's own limit, not Django's conservative
999). No signal is sent, as with bulk_create and QuerySet.update: the callers (the person
services) record the history and run the followers themselves.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, Expression, F, Model
from django.utils import timezone


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65_535


# Rows per statement on PostgreSQL, where a statement takes one array per column.
POSTGRES_BATCH = 5000


def _batches(objs: list, columns: int):
    """Batches of objects for statements of `columns` parameters per row (1: per batch)."""
    size = POSTGRES_BATCH if columns == 1 else max(1, _max_params() // max(1, columns))
    for start in range(0, len(objs), size):
        yield objs[start : start + size]


# Columns whose get_db_prep_save returns a value of this type unchanged (a str of a
# CharField, an int of an IntegerField or of a foreign key to an integer key, a bool), and
# None unchanged, on both engines.
_PLAIN = {
    "CharField": str,
    "TextField": str,
    "IntegerField": int,
    "BigIntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "PositiveBigIntegerField": int,
    "BooleanField": bool,
    "ForeignKey": int,
    "OneToOneField": int,
}


class _Prepared:
    """get_db_prep_save of one column, memoised on the value (a chunk repeats the same
    département, category, empty strings, defaults)."""

    def __init__(self, field):
        self.field = field
        self.known: dict = {}
        # A value of the column's own Python type goes to the driver as it is (what
        # get_db_prep_save returns for it): no memo lookup for most cells of a row.
        self.plain = _PLAIN.get(field.get_internal_type())
        if self.plain is int and field.is_relation:
            target = field.target_field.get_internal_type()
            self.plain = _PLAIN.get(target) if target not in ("AutoField", "BigAutoField") else int

    def __call__(self, value):
        if type(value) is self.plain or (value is None and self.plain is not None):
            return value
        try:
            return self.known[(type(value), value)]
        except KeyError:
            prepared = self.known[(type(value), value)] = self.field.get_db_prep_save(
                value, connection
            )
            return prepared
        except TypeError:  # an unhashable value (a JSON list or dict)
            return self.field.get_db_prep_save(value, connection)


def _params(part: list, prepared, postgres: bool) -> list:
    """A batch's parameters: one array per column on PostgreSQL (unnest), else row by row."""
    if postgres:
        return [[prepare(getattr(obj, attname)) for obj in part] for prepare, attname in prepared]
    return [prepare(getattr(obj, attname)) for obj in part for prepare, attname in prepared]


def _arrays(fields) -> str:
    """`%s::type[]` for each column: the typed arrays that unnest reads (PostgreSQL)."""
    return ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in fields)


def insert_rows(model: type[Model], objs: Iterable[Model]) -> list[Model]:
    """INSERT the new objects (no pk yet) in as few statements as the database allows and set
    their pk (RETURNING, PostgreSQL and SQLite >= 3.35): INSERT … SELECT FROM unnest(one array
    per column) on PostgreSQL, a VALUES list on SQLite. auto_now and auto_now_add fields get
    one timestamp for the call. Returns the objects."""
    objs = list(objs)
    if not objs:
        return objs
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    prepared = [(_Prepared(f), f.attname) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = quote(meta.pk.column)
    postgres = connection.vendor == "postgresql"
    for part in _batches(objs, 1 if postgres else len(fields)):
        # Names from the model's metadata, quoted; every value a parameter.
        if postgres:
            # One array per column (unnest): a short query psycopg parses once, not a
            # placeholder per cell (its parsing of a 60,000-placeholder query was most of
            # the commit's time).
            arrays = _arrays(fields)
            sql = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays}) RETURNING {pk}"
            )
        else:
            sql = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
                f"{', '.join([row] * len(part))} RETURNING {pk}"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, _params(part, prepared, postgres))
            ids = [found[0] for found in cursor.fetchall()]
        for obj, value in zip(part, ids, strict=True):
            setattr(obj, meta.pk.attname, value)
            obj._state.adding = False
            obj._state.db = connection.alias
    return objs


def update_rows(model: type[Model], objs: list[Model], names: Iterable[str]) -> None:
    """Save the columns `names` of existing objects: one UPDATE … FROM per batch, instead of
    bulk_update's CASE WHEN per column and row: FROM unnest(one array per column) on
    PostgreSQL, FROM a VALUES list on SQLite (>= 3.33)."""
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in names)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(f.column) for f in fields]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    prepared = [(_Prepared(f), f.attname) for f in fields]
    assignments = ", ".join(f"{c} = v.{c}" for c in columns[1:])
    postgres = connection.vendor == "postgresql"
    for part in _batches(objs, 1 if postgres else len(fields)):
        # Names from the model's metadata, quoted; every value a parameter.
        if postgres:
            # One typed array per column (see insert_rows).
            arrays = _arrays(fields)
            sql = (
                f"UPDATE {table} SET {assignments} "  # noqa: S608
                f"FROM unnest({arrays}) AS v ({', '.join(columns)}) "
                f"WHERE {table}.{columns[0]} = v.{columns[0]}"
            )
        else:
            sql = (
                f"WITH v ({', '.join(columns)}) AS (VALUES {', '.join([row] * len(part))}) "  # noqa: S608
                f"UPDATE {table} SET {assignments} FROM v "
                f"WHERE {table}.{columns[0]} = v.{columns[0]}"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, _params(part, prepared, postgres))


def _json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()  # as SQLite stores a date
    raise TypeError(f"{type(value).__name__} in an Among list")


class Among(Expression):
    """`column IN (values)` with the values sent as ONE parameter: `= ANY(array)` on
    PostgreSQL, `IN (SELECT value FROM json_each(…))` on SQLite. The ORM's `__in` prepares
    and places each value apart, 7 µs a value: 1.4 s of a 100,000-row import's preview,
    which looks up each chunk's AGDREF numbers, names and dates (issue 17 profile). The
    values must be of the column's own type (str, int, date), as the import's typed cells
    are. Used as a filter: `queryset.filter(Among("agdref_number", numbers))`."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, name: str, values: Iterable):
        super().__init__()
        self.name, self.values, self.column = name, list(values), None

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        clone.column = F(self.name).resolve_expression(
            query, allow_joins, reuse, summarize, for_save
        )
        return clone

    def as_sql(self, compiler, connection):
        # The column compiled by the ORM; the values one parameter.
        column, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            # The type without its length: `'…'::varchar(10)` cuts a longer value silently,
            # which would then equal a stored one.
            cast = self.column.output_field.cast_db_type(connection).split("(")[0]
            return f"{column} = ANY(%s::{cast}[])", [*params, self.values]
        values = json.dumps(self.values, default=_json_value)
        return f"{column} IN (SELECT value FROM json_each(%s))", [*params, values]  # noqa: S608
