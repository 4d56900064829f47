"""Retention: how long each category of data is kept, and the anonymisation of expired files.

Issue 6 ("Retention"): the data controller sets a period per data category (default 24 months
after the last recorded step, 1 to 36 months); a daily task anonymises expired persons, keeping
only what indicators need (sex, birth year and month, département, directorate, dates by
month) so that every report gives the same figures before and after; a dry run lists what
would go; the DT is told a month before.

Other modules plug in through three registries:
- `register_activity(func)`: `func(since)` returns a queryset of person ids with a step
  recorded on or after `since` (a convocation, an interview, a referral…); the last recorded
  step of a person is the latest of these and of `Person.updated_at`;
- `register_anonymiser(func)`: `func(person_ids)` removes or coarsens what the module holds on
  those persons (free text, identifiers, dates truncated to the month);
- `register_category(...)`: another category of data with its own period and purge.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parcours.core.freshness import figures_changed
from parcours.organisations.models import Membership
from parcours.organisations.roles import Role
from parcours.people import services as people_services
from parcours.people.models import AnonymisationReason, Person
from parcours.privacy.history import suspend_tracking
from parcours.privacy.models import FieldChange, RetentionPolicy
from parcours.privacy.rules import (
    NOTICE_MONTHS_BEFORE,
    RETENTION_DEFAULT_MONTHS,
    add_months,
    notice_cutoff,
    retention_cutoff,
    subtract_months,
)

# What replaces the last name of an anonymised file (stored data, not interface text).
ANONYMOUS_NAME = "ANONYME"
BATCH_SIZE = 500


@dataclass
class RetentionReport:
    category: str
    months: int
    cutoff: datetime.datetime
    count: int = 0
    applied: bool = False
    # (person id, directorate code) of what goes, for the dry-run listing (no names).
    items: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RetentionCategory:
    code: str
    label: object
    description: object
    default_months: int
    apply: Callable[..., RetentionReport]


_categories: dict[str, RetentionCategory] = {}
_activity_sources: list[Callable] = []
_anonymisers: list[Callable[[list[int]], None]] = []


def register_category(code, label, description, default_months, apply) -> RetentionCategory:
    """Declare a category of data.

    `apply(now, months, dry_run=True, list_items=True)` returns a RetentionReport; a dry run
    writes nothing, and lists what would go only when `list_items` is true.
    """
    category = RetentionCategory(code, label, description, default_months, apply)
    _categories.setdefault(code, category)
    return _categories[code]


def categories() -> list[RetentionCategory]:
    return list(_categories.values())


def register_activity(func: Callable) -> Callable:
    """Decorator: `func(since)` gives the ids of persons with a step on or after `since`."""
    if func not in _activity_sources:
        _activity_sources.append(func)
    return func


def register_anonymiser(func: Callable[[list[int]], None]) -> Callable:
    """Decorator: `func(person_ids)` anonymises what a module holds on these persons."""
    if func not in _anonymisers:
        _anonymisers.append(func)
    return func


def model_anonymiser(model, *, person_field: str = "person", truncate=(), clear=None):
    """An anonymiser for a module's model, in one UPDATE per batch of persons.

    `truncate`: date and datetime fields kept by month (issue 6, "dates by month");
    `clear`: field → value that replaces free text and identifiers. For example:
    `register_anonymiser(model_anonymiser(Interview, truncate=["held_on"], clear={"notes": ""}))`.
    """
    updates = {name: TruncMonth(name) for name in truncate}
    updates.update(clear or {})

    def anonymise(person_ids):
        if updates:
            model._base_manager.filter(**{f"{person_field}__in": person_ids}).update(**updates)
            figures_changed()  # QuerySet.update sends no signal (core/freshness.py)

    anonymise.__name__ = f"anonymise_{model._meta.model_name}"
    return anonymise


def months_for(code: str) -> int:
    """The period set by the data controller, or the category's default."""
    stored = RetentionPolicy.objects.filter(category=code).values_list("months", flat=True)
    months = next(iter(stored), None)
    if months is not None:
        return months
    return _categories[code].default_months


# Persons ---------------------------------------------------------------------------------------


def persons_inactive_since(since):
    """Files with no recorded step on or after `since`, not yet anonymised."""
    persons = Person.objects.not_anonymised().filter(updated_at__lt=since)
    for source in _activity_sources:
        persons = persons.exclude(pk__in=source(since))
    return persons


def expired_persons(now=None, months: int | None = None):
    """Files whose last recorded step is older than the retention period."""
    now = now or timezone.now()
    months = months if months is not None else months_for(PERSON_FILES)
    return persons_inactive_since(retention_cutoff(now, months))


def persons_due_soon(now=None, months: int | None = None):
    """Files that expire within the notice period (a month), but not yet."""
    now = now or timezone.now()
    months = months if months is not None else months_for(PERSON_FILES)
    expired_ids = persons_inactive_since(retention_cutoff(now, months)).values("pk")
    return persons_inactive_since(notice_cutoff(now, months)).exclude(pk__in=expired_ids)


def anonymise_persons(person_ids, reason: str = AnonymisationReason.RETENTION) -> int:
    """Remove names, identifiers, contact and free text; keep the aggregate-safe fields.

    Issue 6: what indicators need stays (sex, birth year and month — the birth date becomes
    the first day of its month —, département, directorate, situation flags, dates by month),
    so every report gives the same figures before and after. The change history of the file
    goes too: its before/after values are the very data being removed. Idempotent.
    """
    with transaction.atomic(), suspend_tracking():
        persons = Person.objects.filter(pk__in=list(person_ids), anonymised_at__isnull=True)
        ids = list(persons.values_list("pk", flat=True))
        if not ids:
            return 0
        for anonymiser in _anonymisers:
            anonymiser(ids)
        FieldChange.objects.filter(person_id__in=ids).delete()
        Person.languages.through.objects.filter(person_id__in=ids).delete()
        people_services.anonymise(
            ids,
            {
                "last_name": ANONYMOUS_NAME,
                "usual_name": "",
                "first_names": "",
                "nationality": None,
                "agdref_number": None,
                "interpreter_language": None,
                "phone": "",
                "email": "",
                "address": "",
                "postcode": "",
                "city": "",
                "accommodation_name": "",
                # Issue 15: the title a person means to apply for is no figure's business.
                "intended_title": "",
                "ft_identifier": "",
                "birth_date": TruncMonth("birth_date"),
                "ft_registration_date": TruncMonth("ft_registration_date"),
                "language_level_date": TruncMonth("language_level_date"),
                "created_at": TruncMonth("created_at"),
                "anonymised_at": timezone.now(),
                "anonymisation_reason": reason,
            },
        )
    return len(ids)


def anonymise_person(person, reason: str = AnonymisationReason.RETENTION) -> int:
    return anonymise_persons([person.pk], reason=reason)


def apply_person_retention(
    now, months: int, dry_run: bool = True, list_items: bool = True
) -> RetentionReport:
    report = RetentionReport(PERSON_FILES, months, retention_cutoff(now, months))
    expired = expired_persons(now, months)
    if dry_run:
        if not list_items:
            report.count = expired.count()
            return report
        report.items = list(
            expired.order_by("directorate__code", "pk").values_list("pk", "directorate__code")
        )
        report.count = len(report.items)
        return report
    while True:
        batch = list(expired.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            break
        report.count += anonymise_persons(batch, reason=AnonymisationReason.RETENTION)
    report.applied = True
    return report


PERSON_FILES = register_category(
    "person_files",
    gettext_lazy("Dossiers des personnes"),
    gettext_lazy(
        "Identité, contact, situation et étapes du parcours, comptés à partir de la dernière "
        "étape enregistrée. À l'échéance, le dossier est anonymisé : seuls restent le sexe, "
        "l'année et le mois de naissance, le département, la DT et les dates au mois."
    ),
    RETENTION_DEFAULT_MONTHS,
    apply_person_retention,
).code


def run_retention(now=None, *, dry_run: bool = True, list_items: bool = True):
    """Every category: what would go (dry run) or what went, as RetentionReports."""
    now = now or timezone.now()
    return [
        category.apply(now, months_for(category.code), dry_run=dry_run, list_items=list_items)
        for category in categories()
    ]


# Notices to the DT ------------------------------------------------------------------------------


def _notice_recipients(directorate) -> list[str]:
    emails = set(
        Membership.objects.active()
        .filter(
            organisation__directorate=directorate,
            role__in=[Role.DT_DIRECTOR, Role.DT_ADMIN],
            user__is_active=True,
        )
        .values_list("user__email", flat=True)
    )
    if directorate.email:
        emails.add(directorate.email)
    return sorted(emails)


def send_retention_notices(now=None) -> dict[str, int]:
    """Tell each DT, a month ahead, how many of its files will be anonymised; once per file.

    The e-mail gives a count and a link, never a name: the list is in Parcours, where reading
    it is logged. A file notified more than two notice periods ago (it became active again,
    then idle) is notified again.
    """
    from parcours.territories.models import Directorate

    now = now or timezone.now()
    months = months_for(PERSON_FILES)
    renotify_before = subtract_months(now, 2 * NOTICE_MONTHS_BEFORE)
    due = persons_due_soon(now, months).filter(
        Q(retention_notice_at__isnull=True) | Q(retention_notice_at__lt=renotify_before)
    )
    counts = dict(
        due.order_by()
        .values_list("directorate_id")
        .annotate(n=Count("pk"))
        .values_list("directorate_id", "n")
    )
    sent = {}
    expiry = add_months(now, NOTICE_MONTHS_BEFORE)
    for directorate in Directorate.objects.filter(pk__in=counts):
        recipients = _notice_recipients(directorate)
        count = counts[directorate.pk]
        if recipients:
            send_mail(
                ngettext(
                    "Parcours : %(count)s dossier sera anonymisé d'ici le %(date)s",
                    "Parcours : %(count)s dossiers seront anonymisés d'ici le %(date)s",
                    count,
                )
                % {"count": count, "date": expiry.strftime("%d/%m/%Y")},
                _(
                    "Bonjour,\n\nDossiers de la %(directorate)s concernés : %(count)s. Ils "
                    "n'ont connu aucune étape depuis %(months)s mois et seront anonymisés "
                    "d'ici le %(date)s, "
                    "conformément à la durée de conservation fixée par le responsable de "
                    "traitement.\n\nSi une personne est toujours accompagnée, enregistrez "
                    "l'étape en cours dans son dossier avant cette date. La liste des dossiers "
                    "concernés est dans Parcours : %(path)s\n\nCe message ne contient aucune "
                    "donnée personnelle.\n"
                )
                % {
                    "count": count,
                    "directorate": directorate.name,
                    "months": months - NOTICE_MONTHS_BEFORE,
                    "date": expiry.strftime("%d/%m/%Y"),
                    "path": getattr(settings, "PARCOURS_BASE_URL", "").rstrip("/")
                    + reverse("privacy:retention_due"),
                },
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
        sent[directorate.code] = count
    # Bookkeeping, not a change of the file: it must not make the file "active" again.
    people_services.set_bookkeeping(due.values_list("pk", flat=True), retention_notice_at=now)
    return sent
