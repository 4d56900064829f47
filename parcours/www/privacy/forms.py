"""Forms of the data-protection pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import User
from parcours.privacy.access_log import operation_choices
from parcours.privacy.rules import RETENTION_MAX_MONTHS, RETENTION_MIN_MONTHS
from parcours.www.forms import DateInput, DsfrForm


class AccessLogFilterForm(DsfrForm):
    start = forms.DateField(label=_("Du"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Au"), required=False, widget=DateInput())
    operation = forms.ChoiceField(label=_("Opération"), required=False)
    user = forms.ModelChoiceField(
        label=_("Agent"), required=False, queryset=User.objects.none(), empty_label=_("Tous")
    )
    # Issue 16: people are found by their name (or AGDREF number), never by an internal id.
    person = forms.CharField(
        label=_("Personne"),
        required=False,
        max_length=100,
        help_text=_("Nom, prénom ou numéro AGDREF."),
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].choices = [("", _("Toutes"))] + operation_choices()
        if users is not None:
            self.fields["user"].queryset = users
            self.fields["user"].label_from_instance = lambda u: (
                f"{u.get_full_name()} ({u.email})" if u.get_full_name() else u.email
            )

    def clean_person(self):
        return " ".join((self.cleaned_data.get("person") or "").split())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise ValidationError(_("La date de début doit précéder la date de fin."))
        return cleaned


class PurposeForm(DsfrForm):
    """Why a file is opened or an export made (issue 6: "a purpose where the role must")."""

    REASONS = [
        ("follow_up", _("Suivi du parcours de la personne")),
        ("request", _("Demande ou réclamation de la personne")),
        ("supervision", _("Contrôle ou supervision du travail de l'équipe")),
        ("rights", _("Exercice d'un droit (accès, rectification, effacement)")),
        ("legal", _("Demande d'une autorité ou contentieux")),
        ("other", _("Autre motif")),
    ]
    reason = forms.ChoiceField(label=_("Motif"), choices=REASONS, widget=forms.RadioSelect)
    detail = forms.CharField(
        label=_("Précision"),
        required=False,
        max_length=200,
        help_text=_(
            "Obligatoire pour « Autre motif ». N'indiquez aucune donnée de santé ni d'opinion."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "other" and not (cleaned.get("detail") or "").strip():
            self.add_error("detail", _("Précisez le motif."))
        return cleaned

    def purpose(self) -> str:
        label = str(dict(self.REASONS)[self.cleaned_data["reason"]])
        detail = (self.cleaned_data.get("detail") or "").strip()
        return f"{label} – {detail}" if detail else label


class SubjectAccessForm(PurposeForm):
    FORMATS = [("pdf", _("PDF (à remettre à la personne)")), ("json", _("JSON (données brutes)"))]
    export_format = forms.ChoiceField(
        label=_("Format"), choices=FORMATS, initial="pdf", widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = "rights"


class ErasureForm(PurposeForm):
    confirm = forms.BooleanField(
        label=_(
            "J'ai vérifié que la loi permet l'effacement : les données ne sont plus "
            "nécessaires au suivi du contrat d'intégration républicaine ni à une obligation "
            "légale de l'OFII."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = "rights"


class RetentionPolicyForm(DsfrForm):
    """One field per data category (months), bounded by issue 6 (1 to 36 months)."""

    def __init__(self, *args, categories=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        for category in categories:
            self.fields[category.code] = forms.IntegerField(
                label=category.label,
                help_text=category.description,
                min_value=RETENTION_MIN_MONTHS,
                max_value=RETENTION_MAX_MONTHS,
                initial=current.get(category.code, category.default_months),
            )
