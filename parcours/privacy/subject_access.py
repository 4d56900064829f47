"""Subject access: everything Parcours holds on one person, as JSON and as a PDF.

Issue 6 ("Rights of the person", GDPR art. 15). The export is built from a registry of
providers: this module gives the person's own fields, languages, timeline, change history and
the log of who read the file (organisation and role, not the agent's name); other modules
(reception, referrals) add theirs with `register_provider`.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import models
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parcours.core.pdf import write_pdf
from parcours.people.timeline import timeline_for
from parcours.privacy.history import history_for
from parcours.privacy.models import AccessLog


@dataclass
class Section:
    """One part of the export: a title, column labels and rows of plain strings."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, str]] = field(default_factory=list)
    empty: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "columns": [{"key": key, "label": label} for key, label in self.columns],
            "rows": self.rows,
        }

    @property
    def table(self) -> list[list[str]]:
        return [[row.get(key, "") for key, _label in self.columns] for row in self.rows]


Provider = Callable[[object], Section | None]
_providers: list[Provider] = []


def register_provider(provider: Provider) -> Provider:
    """Decorator: add a section to every subject access export."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


# Fields of the record that describe the file, not the person.
_PERSON_SKIPPED = {"id", "retention_notice_at"}


@register_provider
def person_fields(person) -> Section:
    section = Section(
        "person", _("Données du dossier"), [("field", _("Donnée")), ("value", _("Valeur"))]
    )
    for model_field in person._meta.concrete_fields:
        if model_field.name in _PERSON_SKIPPED:
            continue
        if model_field.choices:
            value = getattr(person, f"get_{model_field.name}_display")()
        elif isinstance(model_field, models.ForeignKey):
            value = getattr(person, model_field.name)
        else:
            value = getattr(person, model_field.attname)
        section.rows.append(
            {"field": str(model_field.verbose_name).capitalize(), "value": _text(value)}
        )
    section.rows.append(
        {
            "field": _("Langues parlées"),
            "value": ", ".join(str(language) for language in person.languages.all()),
        }
    )
    return section


@register_provider
def timeline(person) -> Section:
    section = Section(
        "timeline",
        _("Étapes du parcours"),
        [("date", _("Date")), ("title", _("Étape")), ("detail", _("Détail"))],
        empty=_("Aucune étape enregistrée."),
    )
    for event in timeline_for(person):
        section.rows.append(
            {"date": _text(event.when), "title": str(event.title), "detail": str(event.detail)}
        )
    return section


@register_provider
def change_history(person) -> Section:
    section = Section(
        "history",
        _("Historique des modifications"),
        [
            ("date", _("Date")),
            ("field", _("Donnée")),
            ("before", _("Avant")),
            ("after", _("Après")),
        ],
        empty=_("Aucune modification enregistrée."),
    )
    for change in history_for(person, limit=10_000):
        section.rows.append(
            {
                "date": _text(change.at),
                "field": f"{change.object_label} – {change.field_label}",
                "before": change.before,
                "after": change.after,
            }
        )
    return section


@register_provider
def access_history(person) -> Section:
    # The organisation and role that read the file, not the agent's name (the person's right
    # is to know who received their data, the agents' names are their own personal data).
    section = Section(
        "access_log",
        _("Consultations du dossier"),
        [
            ("date", _("Date")),
            ("organisation", _("Organisation")),
            ("role", _("Rôle")),
            ("operation", _("Opération")),
            ("purpose", _("Motif")),
        ],
        empty=_("Aucune consultation enregistrée."),
    )
    logs = AccessLog.objects.about_person(person.pk).select_related("organisation")
    for log in logs.order_by("-at", "-pk"):
        section.rows.append(
            {
                "date": _text(log.at),
                "organisation": str(log.organisation or ""),
                "role": log.role_label,
                "operation": log.operation_label,
                "purpose": log.purpose,
            }
        )
    return section


def build_sections(person) -> list[Section]:
    return [section for provider in _providers if (section := provider(person)) is not None]


def export_json(person, generated_at=None) -> bytes:
    generated_at = generated_at or timezone.now()
    document = {
        "format": "parcours-subject-access/1",
        "generated_at": generated_at.isoformat(),
        "person_id": person.pk,
        "sections": [section.as_dict() for section in build_sections(person)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def export_pdf(person, generated_at=None) -> bytes:
    """The same content as a PDF (WeasyPrint), with its own stylesheet (no inline style)."""
    generated_at = generated_at or timezone.now()
    html = render_to_string(
        "privacy/subject_access_pdf.html",
        {
            "person": person,
            "sections": build_sections(person),
            "generated_at": generated_at,
            "language": settings.LANGUAGE_CODE,
        },
    )
    stylesheet = finders.find("privacy/subject_access_pdf.css")
    return write_pdf(html, stylesheets=[stylesheet])
