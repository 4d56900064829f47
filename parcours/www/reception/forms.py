"""Forms of the reception day. They check the shape of input; the services check the rules."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.widgets import InlineCheckboxSelectMultiple, InlineRadioSelect

from parcours.accounts.models import User
from parcours.organisations.roles import OFII_DT_ROLES, Role
from parcours.people.models import Accommodation, EmploymentStatus, LanguageLevel, Person
from parcours.people.validators import normalise_agdref
from parcours.privacy.uploads import check_upload
from parcours.reception import rules
from parcours.reception.models import (
    ADDRESS_MAX_LENGTH,
    CANCELLATION_REASON_MAX_LENGTH,
    CHECK_SITUATIONS,
    DEFAULT_CAPACITY,
    MAX_CAPACITY,
    Accompaniment,
    AttendanceStatus,
    DiagnosticInterview,
    HalfDay,
    Modality,
    OrientationTarget,
    Pace,
    PersonAnswer,
    ReceptionSession,
    ReregistrationReason,
    StaffRole,
)
from parcours.www.forms import DateInput, DsfrForm

# The longest span a summary covers: a year of sessions is still one query.
MAX_SUMMARY_DAYS = 366
# Sessions offered for a rescheduling: the next three months.
RESCHEDULE_HORIZON_DAYS = 92


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def staff_candidates(directorate) -> dict:
    """Users who may be assigned to each staff role of a directorate's session."""

    def members(roles):
        # One filter() call: the role and the organisation belong to the same membership.
        return (
            User.objects.filter(
                memberships__is_active=True,
                memberships__organisation__is_active=True,
                memberships__organisation__directorate=directorate,
                memberships__role__in=sorted(roles),
            )
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )

    # The CIP works for a partner serving the directorate's départements (seed 001: AMLI).
    counsellors = (
        User.objects.filter(
            memberships__is_active=True,
            memberships__role=Role.PARTNER_COUNSELLOR,
            memberships__organisation__is_active=True,
            memberships__organisation__departments__directorate=directorate,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    managers = {Role.DT_DIRECTOR, Role.DT_ADMIN}
    return {
        StaffRole.RECEPTION: members(OFII_DT_ROLES),
        StaffRole.INTEGRATION_AUDITOR: members({Role.INTEGRATION_AUDITOR} | managers),
        StaffRole.ASYLUM_AUDITOR: members({Role.ASYLUM_AUDITOR} | managers),
        StaffRole.PROVIDER: members(OFII_DT_ROLES),
        StaffRole.CIP: counsellors,
    }


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class SessionForm(DsfrForm):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    half_day = forms.ChoiceField(label=_("Demi-journée"), choices=HalfDay.choices)
    start_time = forms.TimeField(
        label=_("Heure de convocation"),
        required=False,
        widget=TimeInput(),
        help_text=_("Par défaut : 8 h 30 le matin, 13 h 30 l'après-midi."),
    )
    place = forms.CharField(
        label=_("Salle"), max_length=120, help_text=_("Par exemple : salle Lafayette.")
    )
    address = forms.CharField(
        label=_("Adresse imprimée sur les convocations"),
        required=False,
        max_length=ADDRESS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Laissez vide pour l'adresse de la DT."),
    )
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=DEFAULT_CAPACITY,
        help_text=_("12 personnes convoquées par session, d'habitude."),
    )

    confirm_holiday = forms.BooleanField(
        label=_("Planifier un jour férié"),
        required=False,
        help_text=_(
            "Seulement si la date est un jour férié : Parcours le signale et demande de cocher."
        ),
    )

    def __init__(self, *args, directorate, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        for role, queryset in staff_candidates(directorate).items():
            self.fields[f"staff_{role}"] = StaffChoiceField(
                label=StaffRole(role).label,
                queryset=queryset,
                required=False,
                widget=InlineCheckboxSelectMultiple,
            )

    def clean_date(self):
        day = self.cleaned_data["date"]
        is_new = self.session is None
        if (is_new or day != self.session.date) and day < timezone.localdate():
            raise ValidationError(_("La date est passée : choisissez aujourd'hui ou plus tard."))
        return day

    def staff(self) -> dict:
        return {role: self.cleaned_data.get(f"staff_{role}") or [] for role in StaffRole.values}

    def staff_fields(self):
        return [self[f"staff_{role}"] for role in StaffRole.values]

    def main_fields(self):
        return [self[name] for name in ("date", "half_day", "start_time", "place", "address")] + [
            self["capacity"],
            self["confirm_holiday"],
        ]


class PersonSearchForm(DsfrForm):
    q = forms.CharField(label=_("Nom, prénom ou numéro AGDREF"), required=False, max_length=100)


class ConvokePersonForm(DsfrForm):
    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _(
                "Cette personne n'existe pas ou n'est pas dans le périmètre de votre DT."
            ),
            "required": _("Choisissez une personne à convoquer."),
        },
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


def _some(values: list[str], shown: int = 10) -> str:
    """The first values of a long list, for a message an agent can read."""
    return ", ".join(values[:shown]) + (" …" if len(values) > shown else "")


def persons_for_agdref_numbers(persons, values) -> list:
    """The persons of `persons` with these AGDREF numbers, in order; all or a French error."""
    numbers, bad = [], []
    for value in values:
        if not value.strip():
            continue
        try:
            numbers.append(normalise_agdref(value))
        except ValidationError:
            bad.append(value.strip())
    if bad:
        raise ValidationError(
            _("Numéros AGDREF mal formés (10 chiffres attendus) : %(numbers)s.")
            % {"numbers": _some(bad)}
        )
    if not numbers:
        raise ValidationError(_("Aucun numéro AGDREF trouvé."), code="empty")
    found = {p.agdref_number: p for p in persons.filter(agdref_number__in=numbers)}
    missing = [number for number in numbers if number not in found]
    if missing:
        raise ValidationError(
            _("Aucun dossier de votre périmètre pour : %(numbers)s.") % {"numbers": _some(missing)}
        )
    return list({found[number].pk: found[number] for number in numbers}.values())


class ConvokeListForm(DsfrForm):
    agdref_numbers = forms.CharField(
        label=_("Numéros AGDREF, un par ligne"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Toute la liste est convoquée, ou rien si un numéro pose problème."),
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.persons = persons

    def clean_agdref_numbers(self):
        return persons_for_agdref_numbers(
            self.persons, self.cleaned_data["agdref_numbers"].splitlines()
        )


# The files a convocation list may come as (privacy.uploads.check_upload detects the kind).
IMPORT_KINDS = ("csv", "xlsx", "ods")


class ConvokeFileForm(DsfrForm):
    """The file of a convocation list: checked here as a file, read and planned by
    `reception.imports.preview` (issue 17 point 4), convoked once the agent confirms."""

    agdref_file = forms.FileField(
        label=_("Fichier de numéros AGDREF"),
        help_text=_(
            "CSV, Excel (.xlsx) ou OpenDocument (.ods) : une colonne intitulée « AGDREF » (ou "
            "les numéros en première colonne), et si vous les avez les colonnes Nom, Prénoms "
            "et Date de naissance, qui vérifient chaque numéro. Vous verrez chaque ligne avant "
            "de confirmer : toute la liste est convoquée, ou rien si une ligne pose problème."
        ),
        error_messages={
            "required": _("Choisissez le fichier à importer."),
            "empty": _("Le fichier est vide."),
        },
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,.xlsx,.ods", "class": "fr-upload"}),
    )

    sheet = forms.CharField(
        label=_("Feuille"),
        required=False,
        max_length=100,
        help_text=_("Seulement si le classeur compte plusieurs feuilles remplies : son nom."),
    )

    def clean_agdref_file(self):
        uploaded = self.cleaned_data["agdref_file"]
        self.kind = check_upload(uploaded, IMPORT_KINDS)
        return uploaded


class CancelSessionForm(DsfrForm):
    """Issue 18: « Annuler la session », with the reason told to the team and logged."""

    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=CANCELLATION_REASON_MAX_LENGTH,
        help_text=_("Par exemple : salle indisponible, grève. Inscrit dans l'historique."),
    )
    confirm = forms.BooleanField(
        label=_(
            "Je confirme l'annulation : les personnes convoquées seront prévenues et "
            "placées « à reconvoquer »."
        ),
    )


class AttendanceForm(DsfrForm):
    # « Session annulée » comes from cancelling the session, never from this form.
    status = forms.ChoiceField(
        label=_("Présence"),
        choices=[c for c in AttendanceStatus.choices if c[0] != AttendanceStatus.CANCELLED],
    )
    rescheduled_to = forms.ModelChoiceField(
        label=_("Reporter à la session"),
        queryset=ReceptionSession.objects.none(),
        required=False,
        help_text=_("Seulement pour un report : la personne y est convoquée aussitôt."),
    )
    reason = forms.CharField(label=_("Motif"), required=False, max_length=200)

    def __init__(self, *args, convocation, **kwargs):
        super().__init__(*args, **kwargs)
        session = convocation.session
        today = timezone.localdate()
        self.fields["rescheduled_to"].queryset = (
            ReceptionSession.objects.planned()
            .filter(
                directorate_id=session.directorate_id,
                date__gte=today,
                date__lte=today + datetime.timedelta(days=RESCHEDULE_HORIZON_DAYS),
            )
            .exclude(pk=session.pk)
            .order_by("date", "start_time")
        )


def _level_field(label):
    return forms.ChoiceField(label=label, choices=[("", "—"), *LanguageLevel.choices])


class PositioningForm(DsfrForm):
    written_level = _level_field(_("Résultat à l'écrit"))
    oral_level = _level_field(_("Résultat à l'oral"))
    can_read = forms.BooleanField(
        label=_("Lit et écrit (dans une langue au moins)"),
        required=False,
        initial=True,
        help_text=_("Décochez pour une personne non lectrice, non scriptrice."),
    )
    little_schooling = forms.BooleanField(
        label=_("Peu ou pas scolarisée"),
        required=False,
        help_text=_(
            "Depuis juillet 2025, la formation en présentiel est réservée aux personnes qui ne "
            "lisent ni n'écrivent ou sont peu scolarisées."
        ),
    )


NEED_CHOICES = [
    (name, DiagnosticInterview._meta.get_field(name).verbose_name)
    for name in DiagnosticInterview.NEED_FIELDS
]


class InterviewForm(DsfrForm):
    employment_status = forms.ChoiceField(
        label=_("Situation professionnelle"), choices=EmploymentStatus.choices
    )
    accommodation = forms.ChoiceField(label=_("Hébergement"), choices=Accommodation.choices)
    needs = forms.MultipleChoiceField(
        label=_("Besoins repérés"),
        choices=NEED_CHOICES,
        required=False,
        widget=InlineCheckboxSelectMultiple,
    )
    orientations = forms.MultipleChoiceField(
        label=_("Orientations décidées"),
        choices=OrientationTarget.choices,
        required=False,
        widget=InlineCheckboxSelectMultiple,
        help_text=_(
            "AGIR : la personne sera suivie par l'opérateur AGIR ; le CIP ne l'inscrira pas à "
            "France Travail sur place."
        ),
    )


class ContractForm(DsfrForm):
    signed_on = forms.DateField(label=_("Signé le"), widget=DateInput())
    civic_training_date = forms.DateField(
        label=_("Première session de formation civique"), required=False, widget=DateInput()
    )
    civic_training_place = forms.CharField(
        label=_("Lieu de la formation civique"), required=False, max_length=200
    )


DECIDED_MODALITIES = [(m.value, m.label) for m in (Modality.IN_PERSON, Modality.ASYNCHRONOUS)]


class PrescriptionForm(DsfrForm):
    modality = forms.ChoiceField(
        label=_("Modalité"),
        choices=[("", _("Celle que propose la règle")), *DECIDED_MODALITIES],
        required=False,
        help_text=_("Changez-la seulement pour une raison que vous indiquez ci-dessous."),
    )
    override_reason = forms.CharField(
        label=_("Motif du changement de modalité"), required=False, max_length=200
    )
    pace = forms.ChoiceField(
        label=_("Rythme de la formation en présentiel"),
        choices=Pace.choices,
        required=False,
        widget=InlineRadioSelect,
        help_text=_(
            "Sur 12 mois ; seulement pour une formation en présentiel depuis juillet 2025."
        ),
    )
    answer = forms.ChoiceField(
        label=_("Réponse de la personne"),
        choices=PersonAnswer.choices,
        required=False,
        widget=InlineRadioSelect,
        help_text=_(
            "Seulement pour une formation proposée (règle en vigueur depuis le 18 juillet 2025)."
        ),
    )

    def __init__(self, *args, decision=None, **kwargs):
        super().__init__(*args, **kwargs)
        if decision is None:
            return
        # Issue 16: the positioning's levels give the decision (rules.prescribe); only the
        # choices that decision leaves open are asked, the others cost no click.
        rule = rules.rule_version(decision.rule_version)
        keep = set()
        if decision.training and rule is not None:
            if len(rule.modalities) > 1:
                keep |= {"modality", "override_reason"}
            if rule.paces and Modality.IN_PERSON in rule.modalities:
                keep.add("pace")
            if decision.proposed:
                keep.add("answer")
        for name in set(self.fields) - keep:
            del self.fields[name]


class CipPresentationForm(DsfrForm):
    started_at = forms.TimeField(label=_("Heure de début"), widget=TimeInput())
    attendees = forms.IntegerField(label=_("Nombre de personnes présentes"), min_value=0)
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"), help_text=_("15 minutes au plus.")
    )


class EmploymentCheckForm(DsfrForm):
    situation = forms.ChoiceField(
        label=_("Situation de la personne"), choices=CHECK_SITUATIONS, widget=InlineRadioSelect
    )
    already_ft = forms.BooleanField(label=_("Déjà inscrite à France Travail"), required=False)
    rsa_recipient = forms.BooleanField(label=_("Allocataire du RSA"), required=False)
    agir_followed = forms.BooleanField(label=_("Suivie par un opérateur AGIR"), required=False)
    registered_today = forms.BooleanField(
        label=_("Inscrite à France Travail pendant l'entretien"), required=False
    )
    reregistration_reason = forms.ChoiceField(
        label=_("Motif d'une nouvelle inscription"),
        choices=[("", "—"), *ReregistrationReason.choices],
        required=False,
        help_text=_(
            "Seulement si la personne est déjà enregistrée comme inscrite à France Travail."
        ),
    )
    ft_identifier = forms.CharField(
        label=_("Identifiant France Travail"),
        required=False,
        max_length=20,
        help_text=_("8 caractères (7 chiffres et une lettre) ou 11 chiffres."),
    )
    ft_registration_date = forms.DateField(
        label=_("Date d'inscription"),
        required=False,
        widget=DateInput(),
        help_text=_("Le jour de la session ; laissez vide pour cette date."),
    )
    first_appointment_date = forms.DateField(
        label=_("Premier rendez-vous France Travail"), required=False, widget=DateInput()
    )


class FollowUpForm(DsfrForm):
    first_appointment_date = forms.DateField(
        label=_("Premier rendez-vous France Travail"), required=False, widget=DateInput()
    )
    accompaniment = forms.ChoiceField(
        label=_("Accompagnement à ce rendez-vous"),
        choices=Accompaniment.choices,
        widget=InlineRadioSelect,
    )
    accompaniment_date = forms.DateField(
        label=_("Date de l'accompagnement"), required=False, widget=DateInput()
    )


class DelayForm(DsfrForm):
    ft_registration_delay_days = forms.IntegerField(
        label=_("Délai avant de signaler l'absence d'inscription à France Travail (jours)"),
        min_value=1,
        max_value=365,
    )


class SummaryForm(DsfrForm):
    first = forms.DateField(label=_("Du"), widget=DateInput())
    last = forms.DateField(label=_("Au"), widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last:
            if last < first:
                raise ValidationError(_("La date de fin précède la date de début."))
            if (last - first) > datetime.timedelta(days=MAX_SUMMARY_DAYS):
                raise ValidationError(
                    _("Choisissez une période d'un an au plus (%(days)s jours).")
                    % {"days": MAX_SUMMARY_DAYS}
                )
        return cleaned
