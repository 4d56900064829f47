"""Forms of the referrals area: directory search, schemes, referrals, answers, sessions."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Organisation
from parcours.organisations.roles import PARTNER_KINDS, PARTNER_ROLES, Role
from parcours.people.models import LEVEL_ORDER, EmploymentStatus, ResidenceStatus
from parcours.referrals.models import InformationSession, Scheme, SchemeEntryDate, SchemeKind
from parcours.referrals.perimeters import session_venues
from parcours.referrals.states import DropOutReason, RefusalReason
from parcours.territories.models import Department
from parcours.www.forms import DateInput, DsfrForm, DsfrModelForm

TEXT_LIMIT = 2000


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def _perimeter_departments(membership):
    """The départements of a DT's perimeter, those a partner serves; all for headquarters."""
    departments = Department.objects.filter(directorate__isnull=False)
    if membership is not None and membership.organisation.directorate_id:
        return departments.filter(directorate_id=membership.organisation.directorate_id)
    if membership is not None and membership.role in PARTNER_ROLES:
        return departments.filter(partner_organisations=membership.organisation)
    return departments


class SchemeSearchForm(DsfrForm):
    q = forms.CharField(
        label=_("Rechercher un dispositif"),
        help_text=_("Nom, structure, public ou mot de la description."),
        required=False,
        max_length=100,
    )
    department = forms.ModelChoiceField(
        label=_("Département desservi"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Tous"),
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Tous"))] + SchemeKind.choices, required=False
    )

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _perimeter_departments(membership)


class SchemeForm(DsfrModelForm):
    allowed_residence_statuses = forms.MultipleChoiceField(
        label=_("Catégories de séjour admises"),
        choices=ResidenceStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Aucune case cochée : toutes les catégories. AGIR : réfugiés, protection "
            "subsidiaire, apatrides."
        ),
    )
    allowed_employment_statuses = forms.MultipleChoiceField(
        label=_("Situations professionnelles admises"),
        choices=[c for c in EmploymentStatus.choices if c[0] != EmploymentStatus.UNKNOWN],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune case cochée : toutes les situations."),
    )

    class Meta:
        model = Scheme
        fields = [
            "organisation",
            "name",
            "kind",
            "description",
            "target_public",
            "departments",
            "contact_name",
            "contact_email",
            "contact_phone",
            "capacity",
            "continuous_entry",
            "expiry_days",
            "reminder_days",
            "min_age",
            "max_age",
            "allowed_residence_statuses",
            "min_level",
            "max_level",
            "level_waiver_allowed",
            "rsa_rule",
            "allowed_employment_statuses",
            "is_active",
        ]
        widgets = {"departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        organisation = membership.organisation
        if membership.role == Role.PARTNER_ADMIN:
            # A partner admin keeps its own organisation's schemes only.
            self.fields["organisation"].queryset = Organisation.objects.filter(pk=organisation.pk)
            self.fields["organisation"].initial = organisation.pk
            # The départements it declares it serves (none declared: none to choose).
            departments = Department.objects.filter(partner_organisations=organisation)
        else:
            # DT managers (issue 10, door 4): partners serving the DT's perimeter, the DT's
            # départements only, and never another partner for an existing scheme.
            departments = _perimeter_departments(membership)
            self.fields["organisation"].queryset = Organisation.objects.filter(
                kind__in=sorted(PARTNER_KINDS),
                is_active=True,
                departments__in=departments,
            ).distinct()
            if self.instance.pk:
                self.fields["organisation"].queryset = Organisation.objects.filter(
                    pk=self.instance.organisation_id
                )
                self.fields["organisation"].disabled = True
                self.fields["organisation"].help_text = _(
                    "Un dispositif reste à la structure qui le porte : pour un autre "
                    "partenaire, créez un nouveau dispositif."
                )
        self.fields["departments"].queryset = departments.order_by("code")
        self.fields["organisation"].empty_label = None
        for name in ("description", "target_public"):
            self.fields[name].widget.attrs["rows"] = 3

    def clean(self):
        cleaned = super().clean()
        min_age, max_age = cleaned.get("min_age"), cleaned.get("max_age")
        if min_age is not None and max_age is not None and min_age > max_age:
            self.add_error(
                "max_age", _("L'âge maximum doit être supérieur ou égal à l'âge minimum.")
            )
        min_level, max_level = cleaned.get("min_level"), cleaned.get("max_level")
        if min_level and max_level and LEVEL_ORDER[min_level] > LEVEL_ORDER[max_level]:
            self.add_error(
                "max_level", _("Le niveau maximum doit être au moins le niveau minimum.")
            )
        if cleaned.get("level_waiver_allowed") and not min_level:
            self.add_error(
                "level_waiver_allowed",
                _("Une dérogation n'a de sens qu'avec un niveau minimum."),
            )
        expiry, reminder = cleaned.get("expiry_days"), cleaned.get("reminder_days")
        if expiry is not None and expiry < 1:
            self.add_error("expiry_days", _("Le délai de réponse doit être d'au moins un jour."))
        elif expiry is not None and reminder is not None and reminder >= expiry:
            self.add_error(
                "reminder_days", _("La relance doit partir avant l'expiration du délai de réponse.")
            )
        capacity = cleaned.get("capacity")
        if capacity is not None and self.instance.pk and capacity < self.instance.seats_taken:
            self.add_error(
                "capacity",
                _("%(taken)s places sont occupées : la capacité ne peut pas être inférieure.")
                % {"taken": self.instance.seats_taken},
            )
        departments = cleaned.get("departments")
        directorate_id = self.membership.organisation.directorate_id
        if (
            departments is not None
            and directorate_id
            and not any(d.directorate_id == directorate_id for d in departments)
        ):
            self.add_error(
                "departments",
                _("Choisissez au moins un département de votre direction territoriale."),
            )
        return cleaned


class EntryDateForm(DsfrModelForm):
    class Meta:
        model = SchemeEntryDate
        fields = ["starts_on", "label"]
        widgets = {"starts_on": DateInput()}

    def clean_starts_on(self):
        value = self.cleaned_data["starts_on"]
        if value < timezone.localdate():
            raise ValidationError(_("La date d'entrée doit être aujourd'hui ou plus tard."))
        return value


class EntryDateChoiceForm(DsfrForm):
    """Judge eligibility at another planned entry date than the default one."""

    date = forms.DateField(label=_("Date d'entrée envisagée"), widget=DateInput(), required=False)


class ReferralForm(DsfrForm):
    planned_entry_date = forms.DateField(
        label=_("Entrée prévue le"),
        required=False,
        widget=DateInput(),
        help_text=_("L'âge et les conditions sont jugés à cette date ; vide : prochaine entrée."),
    )
    note = forms.CharField(
        label=_("Message au partenaire"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ce qui aide le partenaire à recevoir la personne. N'écrivez ici ni santé, "
            "ni religion, ni détail familial."
        ),
    )
    waiver_justification = forms.CharField(
        label=_("Justification de la dérogation"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour envoyer une orientation qui demande une dérogation."),
    )
    consent = forms.BooleanField(
        label=_("La personne accepte que ses informations soient transmises à ce partenaire"),
        required=False,
        help_text=_("Obligatoire pour envoyer ; un brouillon peut être enregistré sans."),
    )

    def clean_planned_entry_date(self):
        value = self.cleaned_data.get("planned_entry_date")
        if value and value < timezone.localdate() - datetime.timedelta(days=31):
            raise ValidationError(_("L'entrée prévue ne peut pas être passée de plus d'un mois."))
        return value


class SendForm(DsfrForm):
    consent = forms.BooleanField(
        label=_("La personne accepte que ses informations soient transmises à ce partenaire"),
        required=False,
    )
    waiver_justification = forms.CharField(
        label=_("Justification de la dérogation"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CommentForm(DsfrForm):
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TransferForm(DsfrForm):
    scheme = forms.ModelChoiceField(label=_("Nouveau dispositif"), queryset=Scheme.objects.none())
    note = forms.CharField(
        label=_("Message au partenaire"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.BooleanField(
        label=_("La personne accepte que ses informations soient transmises au nouveau partenaire"),
        required=False,
        help_text=_("Inutile si le nouveau dispositif relève de la même structure."),
    )
    waiver_justification = forms.CharField(
        label=_("Justification de la dérogation"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


class RefuseForm(DsfrForm):
    reason = forms.ChoiceField(
        label=_("Motif du refus"), choices=RefusalReason.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Commentaire pour l'orienteur"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EntryForm(DsfrForm):
    entered_on = forms.DateField(label=_("Date d'entrée"), widget=DateInput())


class ExitForm(DsfrForm):
    outcome = forms.ChoiceField(
        label=_("Issue"),
        choices=[("completed", _("Parcours terminé")), ("dropped_out", _("Sortie anticipée"))],
        widget=forms.RadioSelect,
    )
    exited_on = forms.DateField(label=_("Date de sortie"), widget=DateInput())
    reason = forms.ChoiceField(
        label=_("Motif de la sortie anticipée"),
        choices=[("", "—")] + DropOutReason.choices,
        required=False,
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "dropped_out" and not cleaned.get("reason"):
            self.add_error("reason", _("Choisissez le motif de la sortie anticipée."))
        return cleaned


class InformationSessionForm(DsfrModelForm):
    class Meta:
        model = InformationSession
        fields = [
            "venue",
            "date",
            "start_time",
            "schemes",
            "courses_ending_from",
            "courses_ending_until",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "courses_ending_from": DateInput(),
            "courses_ending_until": DateInput(),
            "schemes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Issue 10: only venues serving one of the partner's départements.
        self.fields["venue"].queryset = session_venues(organisation).order_by("name")
        self.fields["venue"].empty_label = None
        self.fields["schemes"].queryset = Scheme.objects.active().filter(
            organisation_id=organisation.pk
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("courses_ending_from"), cleaned.get("courses_ending_until")
        if start and end and start > end:
            self.add_error("courses_ending_until", _("La fin de période doit suivre son début."))
        if start and end and (end - start).days > 120:
            self.add_error(
                "courses_ending_until", _("Choisissez une période de quatre mois au plus.")
            )
        return cleaned


class AttendeeAddForm(DsfrForm):
    person = forms.TypedChoiceField(label=_("Participant"), coerce=int, choices=())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.display_name) for p in candidates]


class AttendeeUpdateForm(DsfrForm):
    volunteered = forms.BooleanField(label=_("Volontaire"), required=False)
    interviewed_on = forms.DateField(
        label=_("Entretien individuel le"), required=False, widget=DateInput()
    )

    def __init__(self, *args, attendee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendee = attendee

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("interviewed_on")
        # Mirrors the constraint attendee_referral_after_interview: a referred participant
        # keeps the interview that led to the referral.
        if self.attendee is not None and self.attendee.referral_id and not day:
            self.add_error(
                "interviewed_on",
                _("Cette personne a déjà été orientée : la date de son entretien reste due."),
            )
        if day and not cleaned.get("volunteered"):
            self.add_error("interviewed_on", _("Seul un volontaire a un entretien individuel."))
        if day and day > timezone.localdate():
            self.add_error("interviewed_on", _("La date ne peut pas être dans le futur."))
        return cleaned


class AttendeeReferForm(ReferralForm):
    scheme = forms.ModelChoiceField(label=_("Dispositif choisi"), queryset=Scheme.objects.none())

    field_order = ["scheme", "planned_entry_date", "note", "waiver_justification", "consent"]

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes
