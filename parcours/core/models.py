"""The one row of the core app: the generation number of cached figures (core/freshness.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FiguresGeneration(models.Model):
    """A number raised after every committed write the figures may read (issue 12).

    One row. Cached figures are stored under the number read before computing them, so a write
    committed later raises it and they are computed again: the cache stays live. Maintained by
    `core.freshness` only.
    """

    number = models.BigIntegerField(_("numéro"), default=0)
    changed_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("génération des chiffres")
        verbose_name_plural = _("générations des chiffres")

    def __str__(self) -> str:
        return str(self.number)
