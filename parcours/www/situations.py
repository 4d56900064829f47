"""The page of a person's changes of situation (issue 20 part 4): DT staff from the person
file, partners from the referral page; every write through people.services.record_situation."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.organisations.permissions import Action
from parcours.people import services
from parcours.people.situations import (
    WORK_LANGUAGE_TRAINING_MAX_HOURS,
    ContractType,
    SituationKind,
    SituationSource,
    TrainingKind,
    validate_rome_code,
)
from parcours.privacy.access_log import log_access
from parcours.privacy.situations import SITUATION_READ
from parcours.referrals.visibility import persons_for_situations, situations_visible_to
from parcours.www.decorators import action_required
from parcours.www.forms import DateInput, DsfrForm

_BLANK = [("", "—")]


class SituationForm(DsfrForm):
    kind = forms.ChoiceField(label=gettext_lazy("Changement"), choices=SituationKind.choices)
    occurred_on = forms.DateField(label=gettext_lazy("Date du changement"), widget=DateInput())
    contract_type = forms.ChoiceField(
        label=gettext_lazy("Type de contrat (emploi)"),
        choices=_BLANK + ContractType.choices,
        required=False,
    )
    rome_code = forms.CharField(
        label=gettext_lazy("Code ROME du métier (emploi)"),
        max_length=5,
        required=False,
        help_text=gettext_lazy("Une lettre de A à N puis quatre chiffres, par exemple J1501."),
    )
    employer_name = forms.CharField(
        label=gettext_lazy("Employeur (emploi)"), max_length=150, required=False
    )
    training_kind = forms.ChoiceField(
        label=gettext_lazy("Type de formation"),
        choices=_BLANK + TrainingKind.choices,
        required=False,
    )
    hours = forms.IntegerField(
        label=gettext_lazy("Heures de formation sur le temps de travail"),
        min_value=1,
        max_value=WORK_LANGUAGE_TRAINING_MAX_HOURS,
        required=False,
        help_text=gettext_lazy("Jusqu'à 80 heures (loi du 26 janvier 2024)."),
    )
    detail = forms.CharField(
        label=gettext_lazy("Précision (autre changement)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Une phrase factuelle ; aucune information de santé ni de vie privée."
        ),
    )

    def clean_rome_code(self):
        # Typed in lower case as often as not: checked once upper-cased.
        code = (self.cleaned_data.get("rome_code") or "").strip().upper()
        if code:
            validate_rome_code(code)
        return code

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


@action_required(Action.RECORD_SITUATION)
def person_situations(request, pk):
    """GET: the person's changes the reader may see, and the form; POST: record one."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    membership = request.membership
    person = get_object_or_404(persons_for_situations(membership), pk=pk)
    form = SituationForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_situation(
                person,
                form.values(),
                actor=request.user,
                organisation=membership.organisation,
                source=SituationSource.PAGE,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                for message in error.messages:
                    form.add_error(None, message)
        else:
            messages.success(request, _("Le changement de situation est enregistré."))
            return redirect("person_situations", pk=person.pk)
    updates = (
        situations_visible_to(membership, [person.pk])
        .select_related("organisation")
        .order_by("-occurred_on", "-pk")
    )
    log_access(request, [person], SITUATION_READ)
    return render(
        request,
        "www/person_situations.html",
        {
            "person": person,
            "form": form,
            "updates": updates,
            "from_file": membership.role not in ("partner_counsellor", "partner_admin"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
