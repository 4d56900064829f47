"""Forms of the figures pages: the period and perimeter filter, approval, recipients."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parcours.indicators import conf
from parcours.indicators.models import ReportRecipient
from parcours.indicators.months import MonthField, period_between
from parcours.indicators.periods import Period
from parcours.www.forms import DsfrForm, DsfrModelForm

ALL = ""


class FiguresFilterForm(DsfrForm):
    start = MonthField(label=_("Du mois"))
    end = MonthField(
        label=_("Au mois"), required=False, help_text=_("Laisser vide pour un seul mois.")
    )
    directorate = forms.ChoiceField(
        label=_("Direction territoriale"),
        required=False,
        error_messages={
            "invalid_choice": _("Cette direction territoriale n'est pas dans votre périmètre.")
        },
    )

    def __init__(self, *args, perimeter, initial_period: Period, **kwargs):
        # "Au mois" stays empty for a single month, as its help text says.
        last = initial_period.last if initial_period.last != initial_period.first else None
        kwargs.setdefault("initial", {"start": initial_period.first, "end": last})
        super().__init__(*args, **kwargs)
        choices = [(str(d.pk), d.name) for d in perimeter.directorates]
        if len(choices) > 1:
            choices.insert(0, (ALL, _("Toutes les DT du périmètre")))
        self.fields["directorate"].choices = choices

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None:
            try:
                cleaned["period"] = period_between(start, end)
            except ValidationError as error:
                self.add_error("end", error)
        value = cleaned.get("directorate")
        cleaned["directorate_id"] = int(value) if value else None
        return cleaned


class ApprovalForm(DsfrForm):
    month = MonthField(widget=forms.HiddenInput)
    # Issue 16: one box per consistency alert of the month; each must be ticked to approve.
    confirmed_checks = forms.MultipleChoiceField(
        label=_("Alertes à confirmer"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cochez chaque alerte que vous avez vérifiée : les chiffres sont justes."),
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Obligatoire pour valider à nouveau un mois : ce qui a été corrigé et pourquoi."
        ),
    )

    def __init__(self, *args, checks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = list(checks)
        self.fields["confirmed_checks"].choices = [
            (check.code, _("Je confirme : %(message)s") % {"message": check.message})
            for check in self.checks
        ]
        if not self.checks:
            del self.fields["confirmed_checks"]

    def clean_confirmed_checks(self):
        confirmed = self.cleaned_data.get("confirmed_checks") or []
        if any(check.code not in confirmed for check in self.checks):
            raise ValidationError(
                _(
                    "Cochez chaque alerte pour confirmer que les chiffres sont justes, ou "
                    "corrigez les dossiers avant de valider."
                ),
                code="unconfirmed_checks",
            )
        return confirmed


class RecipientForm(DsfrModelForm):
    class Meta:
        model = ReportRecipient
        fields = ["directorate", "name", "email", "audience"]

    def __init__(self, *args, perimeter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directorate"].queryset = self.fields["directorate"].queryset.filter(
            pk__in=perimeter.ids
        )
        self.fields["directorate"].empty_label = None
        self.fields["audience"].help_text = _(
            "Hors de la DT (DREETS), les effectifs de 1 à %(threshold)s personnes sont masqués."
        ) % {"threshold": conf.small_cell_threshold()}

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()
