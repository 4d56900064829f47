"""Writing, reading and purging the access log: who read which persons' data, and why.

Issue 6: every read of a person file, every search that returns people, every export and every
read of personal data by another channel writes one append-only row. Views call
`log_access(request, persons, operation)`; other channels (API, commands) call `record_access`.
Other modules declare their own operations with `register_operation`.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.privacy.models import AccessLog, AccessLogPerson
from parcours.privacy.rules import ACCESS_LOG_MIN_MONTHS, subtract_months


class Operation:
    """Codes of the operations the application logs (their labels are in `_labels`)."""

    PERSON_READ = "person_read"
    PERSON_SEARCH = "person_search"
    PERSON_LIST = "person_list"
    EXPORT = "export"
    SUBJECT_ACCESS_EXPORT = "subject_access_export"
    ERASURE = "erasure"
    RETENTION_LIST = "retention_list"
    ACCESS_LOG_EXPORT = "access_log_export"
    API_READ = "api_read"


_labels: dict[str, object] = {
    Operation.PERSON_READ: _("Consultation d'un dossier"),
    Operation.PERSON_SEARCH: _("Recherche de personnes"),
    Operation.PERSON_LIST: _("Liste de personnes"),
    Operation.EXPORT: _("Export de données"),
    Operation.SUBJECT_ACCESS_EXPORT: _("Export des données d'une personne (droit d'accès)"),
    Operation.ERASURE: _("Effacement à la demande de la personne"),
    Operation.RETENTION_LIST: _("Liste des dossiers bientôt anonymisés"),
    Operation.ACCESS_LOG_EXPORT: _("Export du journal des accès"),
    Operation.API_READ: _("Lecture par l'API"),
}


def register_operation(code: str, label) -> str:
    """Declare an operation of another module (e.g. "referral_read"); returns its code."""
    if len(code) > AccessLog._meta.get_field("operation").max_length:
        raise ValueError(f"operation code too long: {code}")
    _labels.setdefault(code, label)
    return code


def operation_label(code: str) -> str:
    return str(_labels.get(code, code))


def operation_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in _labels.items()), key=lambda c: c[1])


def _person_ids(persons) -> list[int]:
    ids = []
    for person in persons:
        ids.append(person if isinstance(person, int) else person.pk)
    return sorted(set(ids))


def record_access(
    *,
    user,
    membership,
    persons: Iterable,
    operation: str,
    path_name: str = "",
    purpose: str = "",
) -> AccessLog:
    """Write one append-only row (two queries whatever the number of persons)."""
    if operation not in _labels:
        raise ValueError(f"unknown operation {operation!r}: declare it with register_operation")
    ids = _person_ids(persons)
    with transaction.atomic():
        log = AccessLog.objects.create(
            user=user if user is not None and user.is_authenticated else None,
            organisation=membership.organisation if membership is not None else None,
            role=membership.role if membership is not None else "",
            operation=operation,
            path_name=path_name[:200],
            purpose=(purpose or "")[:300],
            person_count=len(ids),
        )
        AccessLogPerson.objects.bulk_create(
            [AccessLogPerson(log=log, person_id=person_id) for person_id in ids]
        )
    return log


def log_access(request, persons: Iterable, operation: str, purpose: str = "") -> AccessLog:
    """Log a read made through a web page: the page is named by its URL pattern only."""
    match = getattr(request, "resolver_match", None)
    return record_access(
        user=request.user,
        membership=getattr(request, "membership", None),
        persons=persons,
        operation=operation,
        path_name=match.view_name if match is not None else "",
        purpose=purpose,
    )


def purge_cutoff(now=None):
    months = max(settings.PARCOURS_ACCESS_LOG_RETENTION_MONTHS, ACCESS_LOG_MIN_MONTHS)
    return subtract_months(now or timezone.now(), months)


def purge_access_log(now=None, *, dry_run: bool = True) -> int:
    """Remove rows older than PARCOURS_ACCESS_LOG_RETENTION_MONTHS (12 by default).

    The only deletion the log allows. On PostgreSQL a trigger refuses any UPDATE and any
    DELETE unless the transaction sets `parcours.access_log_purge`, and even then refuses rows
    younger than ACCESS_LOG_MIN_MONTHS.
    """
    old = AccessLog.objects.filter(at__lt=purge_cutoff(now))
    count = old.count()
    if dry_run or count == 0:
        return count
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL parcours.access_log_purge = 'on'")
        AccessLogPerson.objects.filter(log__in=old.values("pk"))._purge()
        old._purge()
    return count


def purge_sign_in_records(now=None) -> int:
    """Sign-in records of django-axes (addresses, times) follow the access log's period."""
    from axes.models import AccessAttempt, AccessFailureLog
    from axes.models import AccessLog as SignInLog

    cutoff = purge_cutoff(now)
    count = SignInLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    count += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    count += AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return count
