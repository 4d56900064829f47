"""Cached figures that stay live: generation numbers raised by every write they may read.

Issue 12: a national year of the figures page costs seconds of rendering and statements, the
DT's month a few hundred milliseconds, and a DT's staff reads it again and again between two
writes. The page's figures (and the export files, the worklists' counts) are cached under the
current generations (`FiguresGeneration`, read from the same database as the figures, so a
replica that shows the new numbers shows the new rows too); any committed write to the models
the figures read (people, reception, referrals, indicators, organisations, territories,
messaging) raises a number, so the next page computes them again. Core holds it so that every
app that writes may call it (the import layers). Nothing is shown older than the last write.

One generation per DT (scope = the directorate's key) and one for the country (scope 0): a
write raises the generation of each DT it touches (the row's `directorate_id`, the one it
had when loaded, those of the rows it points to), or the country's when that is not known
(a bulk write, a partner serving several DTs, the territories). A cached figure of some DTs
(one DT, a region's, the national year's) is keyed by the sum of their generations and the
country's: a convocation in Lyon leaves Metz's cached pages alone (ADR 0014).

Why after the commit (`transaction.on_commit`): a reader that reads the old number may compute
either the old or the new rows, and stores them under the old number, which nobody reads once
the number is raised; a reader that reads the new number started after the commit and sees
the new rows. Raising it inside the writer's transaction would instead make every writer of
the DT wait on this row until it commits.

Signals cover `save()` and `delete()`; bulk writes (`bulk_create`, `QuerySet.update`) send
none, so each one on these models calls `figures_changed()` itself (reception.services,
reception.facts, privacy.retention, indicators.dataset, the loaders and the bench), naming
the DTs when it knows them.
"""

from __future__ import annotations

import hashlib

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.utils import timezone

from parcours.core.replica import read_alias

# The apps whose rows the figures read (directly or through the copies of ADR 0007).
WATCHED_APPS = {
    "people",
    "reception",
    "referrals",
    "indicators",
    "organisations",
    "territories",
    "messaging",  # the figures page shows the convocations' answers and absences (issue 18)
}  # not "core": the generation's own row
# Rows of these apps that the cached (exact) figures never read, written on every request or by
# the sending task.
# A release record is written on each protected view (issue 11): it must not void the cache.
IGNORED_MODELS = {"indicators.reportrun", "indicators.releaserecord"}
DEFAULT_SECONDS = 600
COUNTRY = 0  # the scope raised when a write's DTs are not known: every cached figure reads it
# Apps whose rows are not tied to DTs one by one (a département changing DT moves figures).
WHOLE_COUNTRY_APPS = {"territories"}


def cache_seconds() -> int:
    """How long a cached page of figures may live without a write (0: no cache)."""
    return int(getattr(settings, "PARCOURS_FIGURES_CACHE_SECONDS", DEFAULT_SECONDS))


def _scope_ids(directorates) -> list[int] | None:
    """The DTs' keys (objects or keys), None for all of them."""
    if directorates is None:
        return None
    return sorted({getattr(d, "pk", d) for d in directorates if d is not None})


def generation(directorates=None) -> int:
    """The generation of figures over these DTs (all when None): the sum of their numbers and
    the country's, read where the figures will be read (primary or replica). The numbers only
    rise, so the sum changes with any of them."""
    from django.db.models import Sum

    from parcours.core.models import FiguresGeneration

    rows = FiguresGeneration.objects.using(read_alias())
    ids = _scope_ids(directorates)
    if ids is not None:
        rows = rows.filter(scope__in=[COUNTRY, *ids])
    return rows.aggregate(total=Sum("number"))["total"] or 0


def _raise(using: str, scopes) -> None:
    from parcours.core.models import FiguresGeneration

    table = connections[using].ops.quote_name(FiguresGeneration._meta.db_table)
    scopes = sorted(scopes)  # one order for every writer: no deadlock between two of them
    now = timezone.now()
    values = ", ".join(["(%s, 1, %s)"] * len(scopes))
    # One statement, safe when two first writes of a DT race (both dialects know it); the
    # table is the model's, the values are parameters.
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, number, changed_at) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (scope) DO UPDATE SET number = {table}.number + 1, "
            "changed_at = excluded.changed_at",
            [part for scope in scopes for part in (scope, now)],
        )


def figures_changed(using: str = DEFAULT_DB_ALIAS, directorates=None) -> None:
    """Record that figures of these DTs (all when None: the country's generation) may have
    changed: their generations rise once the write commits."""
    ids = _scope_ids(directorates)
    scopes = {COUNTRY} if ids is None else set(ids)
    if not scopes:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        _raise(using, scopes)
        return
    # Once per transaction: a callback already waiting for this commit takes the DTs of later
    # writes (Django drops it with its savepoint if that is rolled back, and a later write
    # adds another; a DT added by a write rolled back since only costs a recomputation).
    for entry in connection.run_on_commit:
        pending = getattr(entry[1], "parcours_scopes", None)
        if pending is not None:
            pending.update(scopes)
            return

    def after_commit():
        pending, after_commit.parcours_scopes = after_commit.parcours_scopes, None
        if pending:  # not run twice (the test suite runs callbacks in place)
            _raise(using, {COUNTRY} if COUNTRY in pending else pending)

    after_commit.parcours_scopes = scopes
    transaction.on_commit(after_commit, using=using, robust=True)


def _watched(sender) -> bool:
    meta = sender._meta
    if meta.apps is not global_apps:
        return False  # a migration's historical model: no cached figure exists before migrate
    return meta.app_label in WATCHED_APPS and meta.label_lower not in IGNORED_MODELS


def _directorate_of(instance) -> set[int] | None:
    """The DTs a row's figures belong to, None when not known without reading more rows.

    A row with its own `directorate_id` (the copies of ADR 0007: events, sessions, referrals,
    persons) belongs to that DT and the one it had when loaded; the rows it points to that are
    already loaded add theirs (an event of a person who moved: the person's DT lists it). A row
    without one belongs to the DTs of the rows it points to, if they are loaded."""
    meta = instance._meta
    if meta.app_label in WHOLE_COUNTRY_APPS:
        return None
    found: set[int] = set()
    own = _has_directorate(type(instance))
    if own:
        if instance.directorate_id is None:
            return None  # e.g. a partner organisation, serving the DTs of its départements
        found.add(instance.directorate_id)
        loaded = instance.__dict__.get("_parcours_loaded_directorate")
        if loaded is not None:
            found.add(loaded)  # moved to another DT: the one it leaves changes too
    for field in meta.concrete_fields:
        if not field.is_relation or not _has_directorate(field.related_model):
            continue
        if getattr(instance, field.attname) is None:
            continue
        parent_dts = None
        if field.is_cached(instance):
            parent = field.get_cached_value(instance)
            if parent is not None:
                parent_dts = _directorate_of(parent)
        if parent_dts is None:
            if own:
                continue  # its own DT is what its figures read it by
            return None  # reading it would cost a query on every write: the country's
        found |= parent_dts
    return found or None


def _has_directorate(model) -> bool:
    cached = model.__dict__.get("_parcours_has_directorate")
    if cached is None:
        cached = any(f.attname == "directorate_id" for f in model._meta.concrete_fields)
        model._parcours_has_directorate = cached
    return cached


def _on_write(sender, instance=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if _watched(sender):
        figures_changed(using, _directorate_of(instance) if instance is not None else None)
        if instance is not None and _has_directorate(sender):
            instance._parcours_loaded_directorate = instance.directorate_id


def remember_loaded(instance) -> None:
    """Note the DT the row has as loaded or built, so that moving it raises the DT it leaves as
    well (post_init; called directly by the bulk writers that build rows without __init__)."""
    instance._parcours_loaded_directorate = instance.__dict__.get("directorate_id")


def _on_init(sender, instance, **kwargs):
    remember_loaded(instance)


def _on_m2m(sender, action, instance, model, using=DEFAULT_DB_ALIAS, **kwargs):
    # The départements a partner or scheme serves: rare writes, several DTs: the country's.
    if action.startswith("post_") and (_watched(type(instance)) or _watched(model)):
        figures_changed(using)


def connect() -> None:
    post_save.connect(_on_write, dispatch_uid="parcours_figures_save")
    post_delete.connect(_on_write, dispatch_uid="parcours_figures_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="parcours_figures_m2m")
    for model in global_apps.get_models():
        if _watched(model) and _has_directorate(model):
            post_init.connect(
                _on_init, sender=model, dispatch_uid=f"parcours_figures_init_{model._meta.label}"
            )


def key(*parts, directorates=None) -> str:
    """A cache key for figures of these DTs (None: any): their generation, today (figures "as
    of today", the default month), the language, and what the caller says they depend on."""
    from django.utils import translation

    ids = _scope_ids(directorates)
    text = "|".join(
        str(part)
        for part in (
            generation(ids),
            ids,
            timezone.localdate(),
            translation.get_language(),
            *parts,
        )
    )
    return "parcours:figures:" + hashlib.sha256(text.encode()).hexdigest()


def cached(parts: tuple, compute, *, directorates=None):
    """The value cached under the key of `parts` over these DTs (None: any), else `compute()`
    stored there (with the cache off, no key is made: not even the generation is read)."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    cache_key = key(*parts, directorates=directorates)
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, seconds)
    return value
