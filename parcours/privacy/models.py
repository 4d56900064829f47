"""Records of data protection: the access log, the change history, the retention policies.

The access log is append-only: the application never updates or deletes a row (the model
refuses it, and on PostgreSQL a trigger does too); only the scheduled purge removes rows
older than the retention period (see parcours.privacy.access_log.purge_access_log).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.privacy.rules import RETENTION_MAX_MONTHS, RETENTION_MIN_MONTHS


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access-log row from the application."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the access log is append-only")

    def delete(self):
        raise AppendOnlyError("the access log is append-only; rows leave only by the purge")

    def _purge(self):
        """Delete for the scheduled purge only (parcours.privacy.access_log.purge_access_log)."""
        return super().delete()


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the access log is append-only")


class AccessLogQuerySet(AppendOnlyQuerySet):
    def for_directorate(self, directorate_id, organisation_id=None):
        """Reads of the DT's people, by anyone, and everything read by the DT's own staff."""
        condition = Q(entries__person__directorate_id=directorate_id)
        if organisation_id is not None:
            condition |= Q(organisation_id=organisation_id)
        matching = self.filter(condition).values("pk")
        return self.filter(pk__in=matching)

    def about_person(self, person_id):
        return self.filter(pk__in=AccessLogPerson.objects.filter(person_id=person_id).values("log"))


class AccessLog(AppendOnlyModel):
    """One read of personal data: who, for which organisation and role, when, what and why."""

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True, editable=False)
    # PROTECT: an account that has read personal data is deactivated, never deleted, while
    # its reads are kept.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("rôle"), max_length=30, blank=True)
    operation = models.CharField(_("opération"), max_length=40)
    # The URL pattern's name (or an API operation id), never the path or its query string:
    # a search string may be a person's name.
    path_name = models.CharField(_("page ou opération"), max_length=200, blank=True)
    purpose = models.CharField(_("motif"), max_length=300, blank=True)
    person_count = models.PositiveIntegerField(_("nombre de personnes"), default=0)
    persons = models.ManyToManyField(
        "people.Person",
        through="AccessLogPerson",
        related_name="+",
        verbose_name=_("personnes"),
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("accès à des données personnelles")
        verbose_name_plural = _("journal des accès")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-at"], name="accesslog_org_at_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.operation}"

    @property
    def operation_label(self) -> str:
        from parcours.privacy.access_log import operation_label

        return operation_label(self.operation)

    @property
    def role_label(self) -> str:
        from parcours.organisations.roles import Role

        return str(dict(Role.choices).get(self.role, self.role))


class AccessLogPerson(AppendOnlyModel):
    """A person whose data an access-log row read."""

    log = models.ForeignKey(AccessLog, on_delete=models.CASCADE, related_name="entries")
    # No database constraint: the log outlives the person row and must never change with it.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne consultée")
        verbose_name_plural = _("personnes consultées")
        indexes = [models.Index(fields=["person"], name="accesslogperson_person_idx")]

    def __str__(self):
        return f"{self.log_id}:{self.person_id}"


class FieldChange(models.Model):
    """A field of a tracked record changed: before and after values, who and when.

    The values may be personal data: they belong to the person's file and are deleted with
    it when the person is anonymised.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("type d'objet"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(_("identifiant de l'objet"))
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="field_changes",
    )
    field = models.CharField(_("champ"), max_length=100)
    before = models.TextField(_("avant"), blank=True)
    after = models.TextField(_("après"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifié par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("date"), default=timezone.now)
    # Why the person's file was changed (people.services: every write states one).
    reason = models.CharField(_("motif"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("modification")
        verbose_name_plural = _("historique des modifications")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-at"], name="fieldchange_person_at_idx"),
            models.Index(fields=["content_type", "object_id"], name="fieldchange_object_idx"),
        ]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id}.{self.field}"


class RetentionPolicy(models.Model):
    """The retention period of one data category, set by the data controller."""

    category = models.CharField(_("catégorie de données"), max_length=40, unique=True)
    months = models.PositiveSmallIntegerField(
        _("durée de conservation (mois)"),
        validators=[
            MinValueValidator(RETENTION_MIN_MONTHS),
            MaxValueValidator(RETENTION_MAX_MONTHS),
        ],
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("durée de conservation")
        verbose_name_plural = _("durées de conservation")
        ordering = ["category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=RETENTION_MIN_MONTHS) & Q(months__lte=RETENTION_MAX_MONTHS),
                name="retentionpolicy_months_in_range",
            )
        ]

    def __str__(self):
        return f"{self.category}: {self.months}"
