"""The core app's rows: the generation numbers of cached figures (core/freshness.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FiguresGeneration(models.Model):
    """A number raised after every committed write the figures of its scope may read (issue 12).

    One row per DT (scope: the directorate's key; a plain number, since core imports no other
    app) and one for the country (scope 0). Cached figures are stored under the numbers read
    before computing them, so a write committed later raises one and they are computed again:
    the cache stays live. Maintained by `core.freshness` only.
    """

    scope = models.PositiveIntegerField(_("périmètre"), unique=True, default=0)
    number = models.BigIntegerField(_("numéro"), default=0)
    changed_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("génération des chiffres")
        verbose_name_plural = _("générations des chiffres")

    def __str__(self) -> str:
        return str(self.number)
