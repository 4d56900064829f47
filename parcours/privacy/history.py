"""Field-level change history of tracked records (persons, convocations, interviews, referrals).

A module registers its model once: `track_changes(Convocation, ["status", "date"],
person_attr="person")`. Every later `save()` of an existing row writes one FieldChange per
changed field, with the values before and after, the user of the request (set by
CurrentUserMiddleware, or `acting_as` in commands and tasks) and the time. Creations are not
listed field by field: the person file's timeline shows them.

Bulk writes (`QuerySet.update`, `bulk_create`) send no signal: a service that changes a tracked
field that way records it with `record_change`.
"""

import contextlib
import contextvars
import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import formats
from django.utils.translation import gettext as _

from parcours.core import bulk_sql
from parcours.privacy.models import FieldChange

_current_user = contextvars.ContextVar("parcours_current_user", default=None)
_suspended = contextvars.ContextVar("parcours_tracking_suspended", default=False)


@dataclass(frozen=True)
class Tracked:
    model: type
    fields: tuple[str, ...]
    m2m_fields: tuple[str, ...]
    # Dotted path from the instance to its person ("person", "convocation.person"); empty
    # when the instance is the person.
    person_attr: str


_registry: dict[type, Tracked] = {}


def set_current_user(user):
    return _current_user.set(user)


def reset_current_user(token) -> None:
    _current_user.reset(token)


@contextlib.contextmanager
def acting_as(user):
    """Attribute the changes made inside the block to `user` (commands, tasks)."""
    token = _current_user.set(user)
    try:
        yield
    finally:
        _current_user.reset(token)


@contextlib.contextmanager
def suspend_tracking():
    """Write without history (anonymisation: the history itself is being erased)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _current_user_id():
    user = _current_user.get()
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def track_changes(model, fields, person_attr: str = "person") -> None:
    """Record the changes of `fields` of `model` (a many-to-many field is listed by name)."""
    concrete, many = [], []
    for name in fields:
        field = model._meta.get_field(name)
        (many if field.many_to_many else concrete).append(name)
    _registry[model] = Tracked(model, tuple(concrete), tuple(many), person_attr)
    uid = f"parcours_history_{model._meta.label_lower}"
    pre_save.connect(_capture_before, sender=model, dispatch_uid=f"{uid}_pre", weak=False)
    post_save.connect(_record_after, sender=model, dispatch_uid=f"{uid}_post", weak=False)
    for name in many:
        through = getattr(model, name).through
        m2m_changed.connect(
            _record_m2m, sender=through, dispatch_uid=f"{uid}_{name}_m2m", weak=False
        )


def tracked_models() -> dict[type, Tracked]:
    return dict(_registry)


def _person_id(instance, tracked: Tracked):
    if not tracked.person_attr:
        return instance.pk
    target = instance
    parts = tracked.person_attr.split(".")
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, f"{parts[-1]}_id", None)


def _raw(instance, field) -> object:
    return getattr(instance, field.attname)


def _serialise(field, value) -> str:
    """Stored form of a value: choices keep their code, relations their label."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _relation_label(field, pk) -> str:
    if pk is None:
        return ""
    related = field.related_model._base_manager.filter(pk=pk).first()
    return str(related) if related is not None else str(pk)


def _capture_before(sender, instance, raw=False, update_fields=None, **kwargs):
    tracked = _registry.get(sender)
    if raw or tracked is None or _suspended.get() or instance._state.adding or not instance.pk:
        return
    names = tracked.fields
    if update_fields is not None:
        names = tuple(name for name in names if name in set(update_fields))
    if not names:
        instance._parcours_before = {}
        return
    attnames = [sender._meta.get_field(name).attname for name in names]
    instance._parcours_before = (
        sender._base_manager.filter(pk=instance.pk).values(*attnames).first() or {}
    )


def _record_after(sender, instance, created=False, raw=False, **kwargs):
    tracked = _registry.get(sender)
    before = getattr(instance, "_parcours_before", None)
    if tracked is None or created or raw or before is None or _suspended.get():
        return
    instance._parcours_before = None
    changes = []
    for name in tracked.fields:
        field = sender._meta.get_field(name)
        if field.attname not in before:
            continue
        old, new = before[field.attname], _raw(instance, field)
        if _serialise(field, old) == _serialise(field, new):
            continue
        if field.is_relation:
            old_text = _relation_label(field, old)
            new_text = str(getattr(instance, name)) if new is not None else ""
        else:
            old_text, new_text = _serialise(field, old), _serialise(field, new)
        changes.append((name, old_text, new_text))
    if changes:
        _write(instance, tracked, changes)


def _m2m_labels(instance, name) -> list[str]:
    return sorted(str(obj) for obj in getattr(instance, name).all())


def _record_m2m(sender, instance, action, reverse=False, **kwargs):
    if reverse or _suspended.get():
        return
    tracked = _registry.get(type(instance))
    if tracked is None:
        return
    name = next(n for n in tracked.m2m_fields if getattr(type(instance), n).through is sender)
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        instance.__dict__.setdefault("_parcours_m2m_before", {})[name] = _m2m_labels(instance, name)
    elif action in {"post_add", "post_remove", "post_clear"}:
        before = instance.__dict__.get("_parcours_m2m_before", {}).pop(name, None)
        if before is None:
            return
        after = _m2m_labels(instance, name)
        if before != after:
            _write(instance, tracked, [(name, ", ".join(before), ", ".join(after))])


def _write(instance, tracked: Tracked, changes) -> None:
    content_type = ContentType.objects.get_for_model(type(instance))
    person_id = _person_id(instance, tracked)
    user_id = _current_user_id()
    FieldChange.objects.bulk_create(
        [
            FieldChange(
                content_type=content_type,
                object_id=instance.pk,
                person_id=person_id,
                field=name,
                before=old,
                after=new,
                user_id=user_id,
            )
            for name, old, new in changes
        ]
    )


def _person_change_rows(person, changes, user_id, reason, content_type, labels) -> list:
    """One FieldChange per changed field of `person` (`labels` caches the related rows' labels
    read for this write: a chunk of an import names the same département again and again)."""
    model = type(person)
    rows = []
    for change in changes:
        field = model._meta.get_field(change.field)
        if field.many_to_many:
            before, after = str(change.before), str(change.after)
        elif field.is_relation:
            before, after = (
                labels.setdefault((field.name, pk), _relation_label(field, pk))
                for pk in (change.before, change.after)
            )
        else:
            before, after = _serialise(field, change.before), _serialise(field, change.after)
        rows.append(
            FieldChange(
                content_type=content_type,
                object_id=person.pk,
                person_id=person.pk,
                field=change.field,
                before=before,
                after=after,
                user_id=user_id,
                reason=reason[:300],
            )
        )
    return rows


def record_person_changes(sender, person, changes, actor=None, reason="", **kwargs) -> None:
    """Receiver of `people.services.person_changed`: one FieldChange per changed field, with
    the actor and the reason (issue 13: the services are the one writer of persons)."""
    record_persons_changes(sender, [(person, changes)], actor=actor, reason=reason)


def record_persons_changes(sender, items, actor=None, reason="", **kwargs) -> None:
    """Receiver of `people.services.persons_changed` (a bulk write): the same rows as
    `record_person_changes` for every file of the chunk, in one INSERT."""
    if _suspended.get():
        return
    user_id = getattr(actor, "pk", None) if actor is not None else _current_user_id()
    labels: dict = {}
    rows = []
    for person, changes in items:
        content_type = ContentType.objects.get_for_model(type(person))
        rows.extend(_person_change_rows(person, changes, user_id, reason, content_type, labels))
    bulk_sql.insert_rows(FieldChange, rows)  # one INSERT, not bulk_create's per-cell compile


def record_change(instance, field: str, before, after, person_attr: str | None = None) -> None:
    """Record a change made without save() (a bulk update) in the history."""
    if _suspended.get():
        return
    tracked = _registry.get(type(instance)) or Tracked(
        type(instance), (), (), person_attr if person_attr is not None else "person"
    )
    model_field = type(instance)._meta.get_field(field)
    _write(
        instance,
        tracked,
        [(field, _serialise(model_field, before), _serialise(model_field, after))],
    )


# Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    at: datetime.datetime
    object_label: str
    field_label: str
    before: str
    after: str
    user: str
    reason: str = ""


def _display(model, field_name: str, stored: str) -> str:
    """A stored value as the UI shows it (labels of choices, Oui/Non, French dates)."""
    if stored == "":
        return "—"
    try:
        field = model._meta.get_field(field_name)
    except Exception:  # a field removed since: show what was stored
        return stored
    if field.many_to_many or field.is_relation:
        return stored
    if field.choices:
        return str(dict(field.flatchoices).get(stored, stored))
    if isinstance(field, models.BooleanField):
        return _("Oui") if stored == "true" else _("Non")
    if isinstance(field, models.DateTimeField):
        try:
            return formats.date_format(
                datetime.datetime.fromisoformat(stored), "SHORT_DATETIME_FORMAT"
            )
        except ValueError:
            return stored
    if isinstance(field, models.DateField):
        try:
            return formats.date_format(datetime.date.fromisoformat(stored), "SHORT_DATE_FORMAT")
        except ValueError:
            return stored
    return stored


def _field_label(model, field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:
        # A summary of related rows (employment: the occupations of a profile) is labelled
        # by its model's HISTORY_LABELS.
        return str(getattr(model, "HISTORY_LABELS", {}).get(field_name, field_name))


def history_for(person, limit: int = 100) -> list[ChangeRow]:
    """The changes recorded on a person's file, newest first (two queries)."""
    changes = list(
        FieldChange.objects.filter(person_id=person.pk)
        .select_related("user")
        .order_by("-at", "-pk")[:limit]
    )
    rows = []
    for change in changes:
        # get_for_id is cached per process: no query per row.
        model = ContentType.objects.get_for_id(change.content_type_id).model_class()
        user = change.user
        rows.append(
            ChangeRow(
                at=change.at,
                # The person's own fields need no label; a convocation's or referral's do.
                object_label=""
                if model is None or model is type(person)
                else str(model._meta.verbose_name).capitalize(),
                field_label=_field_label(model, change.field) if model else change.field,
                before=_display(model, change.field, change.before) if model else change.before,
                after=_display(model, change.field, change.after) if model else change.after,
                user=(user.get_full_name() or user.email) if user is not None else _("Système"),
                reason=change.reason,
            )
        )
    return rows
