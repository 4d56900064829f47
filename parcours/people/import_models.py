"""Import history and saved column mappings of the tabular import of persons (issue 17)."""

import contextlib
import os
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PLANNING = "planning", _("Lecture du fichier en cours")
    PREVIEWED = "previewed", _("Aperçu prêt")
    REFUSED = "refused", _("Fichier refusé")
    RUNNING = "running", _("Import en cours")
    DONE = "done", _("Importé")


def import_storage() -> FileSystemStorage:
    """Where the uploaded files wait for their commit: PRIVATE_ROOT, never served (they hold
    personal data), not MEDIA_ROOT."""
    return FileSystemStorage(location=os.path.join(settings.PRIVATE_ROOT, "person-imports"))


class PersonImport(models.Model):
    """One file imported (or only previewed): who, when, which file, what it did.

    The uploaded file is kept on disk (`file`, private storage, a random name), with the
    plan its preview computed next to it (`plan_path`), only until it is imported, refused
    or abandoned (privacy retention, `drop_files`): the history keeps the counts, not the
    personal data (DOMAIN.md, privacy facts).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    membership = models.ForeignKey(
        "organisations.Membership",
        verbose_name=_("rattachement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    file_name = models.CharField(_("fichier"), max_length=255)
    file_kind = models.CharField(max_length=5)
    file = models.FileField(storage=import_storage, upload_to="", blank=True, editable=False)
    # What the stored plan was computed from (imports.plan_generation): the commit replays
    # the plan only when the persons on record are still what the preview read.
    plan_key = models.CharField(max_length=200, blank=True, editable=False)
    status = models.CharField(
        _("état"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PLANNING
    )
    # When the agent confirmed the import: the page shows it « en cours » from then on, and
    # offers to run it again once its worker is plainly gone (import_tasks.commit_interrupted).
    commit_requested_at = models.DateTimeField(
        _("import demandé le"), null=True, blank=True, editable=False
    )
    total_rows = models.PositiveIntegerField(_("lignes"), default=0)
    done_rows = models.PositiveIntegerField(_("lignes traitées"), default=0)
    created_count = models.PositiveIntegerField(_("créées"), default=0)
    updated_count = models.PositiveIntegerField(_("mises à jour"), default=0)
    unchanged_count = models.PositiveIntegerField(_("inchangées"), default=0)
    error_count = models.PositiveIntegerField(_("en erreur"), default=0)
    # What the preview shows: the file's problems (French, row and column) and the mapping.
    messages = models.JSONField(_("messages"), default=list, blank=True)
    mapping = models.JSONField(_("correspondance des colonnes"), default=dict, blank=True)
    # Rows to create that may be a person already on file: {"message": French, "persons": [pk]}.
    review = models.JSONField(_("lignes à vérifier"), default=list, blank=True)

    class Meta:
        verbose_name = _("import de personnes")
        verbose_name_plural = _("imports de personnes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d})"

    @property
    def plan_path(self) -> str:
        return self.file.path + ".plan" if self.file else ""

    def store(self, content) -> None:
        """Save the uploaded file (a Django File, or bytes) to disk under a random name (no
        personal data in it), then the row."""
        if isinstance(content, bytes):
            content = ContentFile(content)
        self.file.save(f"{uuid.uuid4().hex}.{self.file_kind}", content, save=False)
        self.save()

    def drop_files(self) -> None:
        """Delete the uploaded file and its plan (at commit, refusal, or when abandoned)."""
        if self.file:
            # The plan, and the one a preview killed half-way left being written.
            for path in (self.plan_path, self.plan_path + ".part"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
            self.file.delete(save=False)
        self.plan_key = ""

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.done_rows * 100 // self.total_rows)


class ColumnMapping(models.Model):
    """The headers an organisation's files use, per person field, saved at each import."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    columns = models.JSONField(_("colonnes"), default=dict)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("correspondance des colonnes d'import")
        verbose_name_plural = _("correspondances des colonnes d'import")

    def __str__(self):
        return str(self.organisation_id)
