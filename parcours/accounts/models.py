"""The user who signs in to Parcours; what they may do comes from their memberships."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class ParcoursUserManager(UserManager):
    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("username", email)
        return super().create_superuser(email=email, password=password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address.

    Rights are never attached to the user directly: they come from the membership in use
    (see parcours.organisations.models.Membership), so one account can serve several
    organisations without mixing their perimeters.
    """

    email = models.EmailField(_("adresse électronique"), unique=True)
    is_demo = models.BooleanField(
        _("compte de démonstration"),
        default=False,
        help_text=_("Créé par make demo ; refusé par les contrôles de déploiement."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    objects = ParcoursUserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self):
        return self.get_full_name() or self.email


class TwoFactorPolicy(models.Model):
    """A DT's choice: must the staff of its partners give a TOTP code when they sign in?

    Issue 6: two-factor authentication is required for OFII and DREETS roles and optional for
    partners, each DT deciding for the partners that work in its départements.
    """

    directorate = models.OneToOneField(
        "territories.Directorate",
        verbose_name=_("direction territoriale"),
        on_delete=models.CASCADE,
        related_name="two_factor_policy",
    )
    partners_required = models.BooleanField(
        _("double authentification exigée des partenaires"), default=False
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("modifié par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("règle de double authentification")
        verbose_name_plural = _("règles de double authentification")

    def __str__(self):
        return str(self.directorate)
