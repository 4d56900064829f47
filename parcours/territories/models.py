"""Regions, départements and OFII territorial directorates (DT) with their perimeters.

A directorate's perimeter is a list of départements (DOMAIN.md: DT Strasbourg = 67 + 68,
DT Amiens = 02 + 60 + 80); a département belongs to at most one directorate at a time,
which the foreign key on Department enforces.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Directorate(models.Model):
    """An OFII territorial directorate (DT); its perimeter is `departments`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("région"),
        on_delete=models.PROTECT,
        related_name="directorates",
        help_text=_("Région du siège ; la DREETS de cette région reçoit ses chiffres."),
    )
    address = models.TextField(_("adresse"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)

    class Meta:
        verbose_name = _("direction territoriale")
        verbose_name_plural = _("directions territoriales")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def department_codes(self) -> list[str]:
        return sorted(d.code for d in self.departments.all())


class Department(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("région"), on_delete=models.PROTECT, related_name="departments"
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="departments",
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Country(models.Model):
    """Countries and territories from the INSEE official geographic code (shared/data)."""

    class Group(models.IntegerChoices):
        FRANCE = 1, _("France et territoires français")
        EUROPEAN_UNION = 2, _("Union européenne")
        ELSEWHERE = 3, _("Autres pays")

    # The file gives codes without their 98/99 prefix, so a code alone is not unique
    # (411 is both a French territory and Honduras): the pair is.
    insee_code = models.CharField(_("code INSEE"), max_length=5)
    name = models.CharField(_("nom"), max_length=100)
    group = models.PositiveSmallIntegerField(_("groupe"), choices=Group.choices)
    # Issue 16: the INSEE file spells names in capitals without accents (« ALGERIE »); the
    # French name as printed, and whether the entry is a current state or territory or a
    # historical one (« VIET NAM DU NORD »), kept only for the records that already hold it.
    label = models.CharField(_("nom usuel"), max_length=100, blank=True)
    is_current = models.BooleanField(_("en vigueur"), default=True)

    class Meta:
        verbose_name = _("pays")
        verbose_name_plural = _("pays")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["insee_code", "name"], name="country_unique_code_name")
        ]

    def __str__(self):
        return self.label or self.name.title()
