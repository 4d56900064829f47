"""Cached figures that stay live: a generation number raised by every write they may read.

Issue 12: a national year of the figures page costs seconds of rendering and statements, the
DT's month a few hundred milliseconds, and a DT's staff reads it again and again between two
writes. The page's figures (and the export files) are cached under the current generation
(`FiguresGeneration`, one database row, read from the same database as the figures, so a
replica that shows the new number shows the new rows too); any committed write to the models
the figures read (people, reception, referrals, indicators, organisations, territories) raises
the number, so the next page computes them again. Core holds it so that every app that writes
may call it (the import layers). Nothing is shown older than the last write.

Why after the commit (`transaction.on_commit`): a reader that reads the old number may compute
either the old or the new rows, and stores them under the old number, which nobody reads once
the number is raised; a reader that reads the new number started after the commit and sees
the new rows. Raising it inside the writer's transaction would instead make every writer of
the country wait on this row until it commits.

Signals cover `save()` and `delete()`; bulk writes (`bulk_create`, `QuerySet.update`) send
none, so each one on these models calls `figures_changed()` itself (reception.services,
reception.facts, privacy.retention, indicators.dataset, the loaders and the bench).
"""

from __future__ import annotations

import hashlib

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
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


def cache_seconds() -> int:
    """How long a cached page of figures may live without a write (0: no cache)."""
    return int(getattr(settings, "PARCOURS_FIGURES_CACHE_SECONDS", DEFAULT_SECONDS))


def generation() -> int:
    """The current generation, read where the figures will be read (primary or replica)."""
    from parcours.core.models import FiguresGeneration

    number = (
        FiguresGeneration.objects.using(read_alias())
        .order_by("pk")
        .values_list("number", flat=True)
        .first()
    )
    return number or 0


def _raise(using: str) -> None:
    from parcours.core.models import FiguresGeneration

    manager = FiguresGeneration.objects.using(using)
    if not manager.update(number=F("number") + 1, changed_at=timezone.now()):
        manager.create(number=1)


def figures_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Record that figures may have changed: the generation rises once the write commits."""
    connection = connections[using]
    if not connection.in_atomic_block:
        _raise(using)
        return
    # Once per transaction: a callback already waiting for this commit covers later writes
    # (Django drops it with its savepoint if that is rolled back, and a later write adds it).
    if any(getattr(entry[1], "parcours_figures", False) for entry in connection.run_on_commit):
        return

    def after_commit():
        after_commit.parcours_figures = False  # done (the test suite runs callbacks in place)
        _raise(using)

    after_commit.parcours_figures = True
    transaction.on_commit(after_commit, using=using, robust=True)


def _watched(sender) -> bool:
    meta = sender._meta
    if meta.apps is not global_apps:
        return False  # a migration's historical model: no cached figure exists before migrate
    return meta.app_label in WATCHED_APPS and meta.label_lower not in IGNORED_MODELS


def _on_write(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if _watched(sender):
        figures_changed(using)


def _on_m2m(sender, action, instance, model, using=DEFAULT_DB_ALIAS, **kwargs):
    if action.startswith("post_") and (_watched(type(instance)) or _watched(model)):
        figures_changed(using)


def connect() -> None:
    post_save.connect(_on_write, dispatch_uid="parcours_figures_save")
    post_delete.connect(_on_write, dispatch_uid="parcours_figures_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="parcours_figures_m2m")


def key(*parts) -> str:
    """A cache key for figures: the generation, today (figures "as of today", the default
    month), the language, and what the caller says the figures depend on."""
    from django.utils import translation

    text = "|".join(
        str(part)
        for part in (generation(), timezone.localdate(), translation.get_language(), *parts)
    )
    return "parcours:figures:" + hashlib.sha256(text.encode()).hexdigest()


def cached(parts: tuple, compute):
    """The value cached under the key of `parts`, else `compute()` stored there (with the
    cache off, no key is made: not even the generation is read)."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    cache_key = key(*parts)
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, seconds)
    return value
