"""Organisations that use Parcours and the memberships that give users a role in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.organisations.roles import OrganisationKind, Role, role_allowed_for_kind
from parcours.territories.models import Department, Directorate, Region


class Organisation(models.Model):
    """An OFII directorate or headquarters, a DREETS, or a partner organisation."""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=OrganisationKind.choices)
    directorate = models.OneToOneField(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisation",
        help_text=_("Pour une DT de l'OFII : la direction qu'elle représente."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("région"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Pour une DREETS : la région qu'elle pilote."),
    )
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("départements desservis"),
        blank=True,
        related_name="partner_organisations",
        help_text=_("Pour un partenaire : les départements où il intervient."),
    )
    address = models.TextField(_("adresse"), blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind"),
            models.CheckConstraint(
                condition=~models.Q(kind=OrganisationKind.OFII_DT)
                | models.Q(directorate__isnull=False),
                name="organisation_dt_has_directorate",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=OrganisationKind.DREETS) | models.Q(region__isnull=False),
                name="organisation_dreets_has_region",
            ),
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, organisation__is_active=True)


class Membership(models.Model):
    """A user's role in one organisation. The membership in use decides what the user sees."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_user_org_role"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    def clean(self):
        if self.organisation_id and not role_allowed_for_kind(self.role, self.organisation.kind):
            raise ValidationError(
                {
                    "role": _("Le rôle « %(role)s » n'existe pas dans une organisation de ce type.")
                    % {"role": self.get_role_display()}
                }
            )
