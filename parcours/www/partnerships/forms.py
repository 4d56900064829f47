"""Forms of the partnerships area: every choice narrowed to the perimeter of the membership."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.indicators.models import ReportRecipient
from parcours.organisations.models import Organisation
from parcours.organisations.roles import PARTNER_KINDS, OrganisationKind, Role
from parcours.partnerships.goals import goal_choices
from parcours.partnerships.models import (
    TEXT_LIMIT,
    Agreement,
    AgreementKind,
    Call,
    Contact,
    DocumentKind,
    Frequency,
    Theme,
    WorkingGroup,
)
from parcours.referrals.models import Scheme
from parcours.territories.models import Directorate
from parcours.www.forms import DateInput, DsfrForm, DsfrModelForm

MAX_AMOUNT = Decimal("1000000000")


def _amount(label, required=False):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        max_digits=12,
        decimal_places=2,
        help_text=_("En euros, par exemple 62000."),
    )


def perimeter_directorates(membership):
    """The DT of a DT membership; every DT for headquarters; none for anyone else."""
    if membership is None:
        return Directorate.objects.none()
    if membership.role == Role.NATIONAL_ADMIN:
        return Directorate.objects.order_by("name")
    if membership.organisation.directorate_id:
        return Directorate.objects.filter(pk=membership.organisation.directorate_id)
    return Directorate.objects.none()


def perimeter_partners(membership):
    """Partner organisations serving a département of the perimeter (all for headquarters)."""
    partners = Organisation.objects.filter(kind__in=sorted(PARTNER_KINDS), is_active=True)
    if membership is not None and membership.role == Role.NATIONAL_ADMIN:
        return partners.order_by("name")
    directorates = perimeter_directorates(membership)
    return partners.filter(departments__directorate__in=directorates).distinct().order_by("name")


def perimeter_organisations(membership):
    """Partners of the perimeter, its DTs' own organisations and its region's DREETS."""
    directorates = perimeter_directorates(membership)
    own = Organisation.objects.filter(
        Q(directorate__in=directorates)
        | Q(kind=OrganisationKind.DREETS, region__directorates__in=directorates)
    )
    return Organisation.objects.filter(
        Q(pk__in=perimeter_partners(membership).values("pk")) | Q(pk__in=own.values("pk"))
    ).order_by("name")


def keep_current(form, names) -> None:
    """On an edit, a choice outside the perimeter already held by the object stays offered
    (a regional call inviting the operators of several DTs keeps them all when one DT edits it).
    """
    instance = form.instance
    if instance.pk is None:
        return
    for name in names:
        field = form.fields[name]
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many:
            current = list(getattr(instance, name).values_list("pk", flat=True))
        else:
            current = [getattr(instance, model_field.attname)]
        field.queryset = field.queryset.model.objects.filter(
            Q(pk__in=field.queryset.values("pk")) | Q(pk__in=current)
        ).order_by(*field.queryset.query.order_by)


class PeriodCheck:
    """Forms with a start and an optional end: the end never precedes the start."""

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("La fin précède le début."))
        return data


class AgreementForm(PeriodCheck, DsfrModelForm):
    ceiling = _amount(_("Montant maximal"))

    class Meta:
        model = Agreement
        fields = [
            "title",
            "kind",
            "theme",
            "purpose",
            "partners",
            "directorates",
            "schemes",
            "starts_on",
            "ends_on",
            "ceiling",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "partners": forms.CheckboxSelectMultiple(),
            "directorates": forms.CheckboxSelectMultiple(),
            "schemes": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = perimeter_partners(membership)
        self.fields["directorates"].queryset = perimeter_directorates(membership)
        self.fields["schemes"].queryset = Scheme.objects.in_perimeter_of(membership).order_by(
            "name"
        )
        keep_current(self, ["partners", "directorates", "schemes"])


class SelectionAgreementForm(PeriodCheck, DsfrForm):
    """The agreement that follows a selected application: what the selection does not say."""

    title = forms.CharField(label=_("Intitulé"), max_length=200)
    kind = forms.ChoiceField(label=_("Nature"), choices=AgreementKind.choices)
    theme = forms.ChoiceField(label=_("Thème"), choices=Theme.choices)
    purpose = forms.CharField(label=_("Objet"), widget=forms.Textarea, max_length=TEXT_LIMIT)
    starts_on = forms.DateField(label=_("Début"), widget=DateInput())
    ends_on = forms.DateField(label=_("Fin"), widget=DateInput(), required=False)
    ceiling = _amount(_("Montant maximal"))


class RenewalForm(PeriodCheck, DsfrForm):
    """« Renouveler »: the dates and ceiling of the next agreement; the rest is copied."""

    starts_on = forms.DateField(label=_("Début de la nouvelle convention"), widget=DateInput())
    ends_on = forms.DateField(label=_("Fin"), widget=DateInput(), required=False)
    ceiling = _amount(_("Montant maximal"))


TRANSITION_CHOICES = [
    ("sign", _("Signée")),
    ("start", _("En cours d'exécution")),
    ("end", _("Terminée")),
]


class AgreementTransitionForm(DsfrForm):
    transition = forms.ChoiceField(label=_("Nouvel état"), choices=TRANSITION_CHOICES)
    signed_on = forms.DateField(
        label=_("Date de signature"),
        widget=DateInput(),
        required=False,
        help_text=_("Obligatoire pour « Signée »."),
    )
    comment = forms.CharField(
        label=_("Commentaire"), required=False, max_length=500, widget=forms.Textarea
    )

    def clean(self):
        data = super().clean()
        if data.get("transition") == "sign" and not data.get("signed_on"):
            self.add_error("signed_on", _("Indiquez la date de signature."))
        return data


class PaymentForm(DsfrForm):
    amount = _amount(_("Montant"), required=True)
    paid_on = forms.DateField(label=_("Versé le"), widget=DateInput())
    label = forms.CharField(label=_("Libellé"), required=False, max_length=200)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError(_("Le montant d'un versement est positif."))
        return amount


class AmendmentForm(DsfrForm):
    signed_on = forms.DateField(label=_("Signé le"), widget=DateInput())
    summary = forms.CharField(
        label=_("Ce qui change"), widget=forms.Textarea, max_length=TEXT_LIMIT
    )
    new_ends_on = forms.DateField(
        label=_("Nouvelle date de fin"), widget=DateInput(), required=False
    )
    new_ceiling = _amount(_("Nouveau montant maximal"))


class DocumentForm(DsfrForm):
    kind = forms.ChoiceField(label=_("Nature"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Titre"), max_length=200)
    file = forms.FileField(label=_("Fichier"), help_text=_("PDF, tableur (XLSX, ODS) ou CSV."))


class MinutesForm(DsfrForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    file = forms.FileField(label=_("Compte rendu"), help_text=_("PDF, tableur (XLSX, ODS) ou CSV."))


class DutyForm(DsfrForm):
    report_code = forms.ChoiceField(label=_("Rapport"))
    frequency = forms.ChoiceField(label=_("Fréquence"), choices=Frequency.choices)
    due_days_after_period = forms.IntegerField(
        label=_("Délai après la fin de la période (jours)"),
        min_value=0,
        max_value=90,
        initial=0,
        help_text=_("0 : le dernier jour de la période (« chaque fin de mois »)."),
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Destinataires"),
        queryset=ReportRecipient.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(),
        help_text=_("Parmi les destinataires du rapport mensuel des DT de la convention."),
    )

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        from parcours.indicators.definitions import all_reports

        self.fields["report_code"].choices = [(r.code, r.title) for r in all_reports()]
        if agreement is not None:
            self.fields["recipients"].queryset = ReportRecipient.objects.filter(
                directorate__in=agreement.directorates.all(), is_active=True
            ).order_by("directorate__name", "email")


class CorrectionForm(DsfrForm):
    comment = forms.CharField(
        label=_("Ce qui doit être corrigé"), widget=forms.Textarea, max_length=2000
    )


class ResendForm(DsfrForm):
    comment = forms.CharField(
        label=_("Ce qui a été corrigé"), widget=forms.Textarea, max_length=2000
    )


class CallForm(DsfrModelForm):
    budget = _amount(_("Budget"))

    class Meta:
        model = Call
        fields = [
            "title",
            "issuer",
            "directorates",
            "invited",
            "published_on",
            "closes_on",
            "budget",
            "criteria",
        ]
        widgets = {
            "published_on": DateInput(),
            "closes_on": DateInput(),
            "directorates": forms.CheckboxSelectMultiple(),
            "invited": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = perimeter_organisations(membership).exclude(
            kind__in=sorted(PARTNER_KINDS)
        )
        self.fields["directorates"].queryset = perimeter_directorates(membership)
        self.fields["invited"].queryset = perimeter_partners(membership)
        keep_current(self, ["issuer", "directorates", "invited"])

    def clean(self):
        data = super().clean()
        published, closes = data.get("published_on"), data.get("closes_on")
        if published and closes and closes < published:
            self.add_error("closes_on", _("La date limite précède la publication."))
        return data


class ApplicationForm(DsfrForm):
    applicant = forms.ModelChoiceField(label=_("Candidat"), queryset=Organisation.objects.none())
    directorate = forms.ModelChoiceField(label=_("Pour la DT"), queryset=Directorate.objects.none())
    submitted_on = forms.DateField(label=_("Déposée le"), widget=DateInput())
    project = forms.CharField(
        label=_("Projet déposé"), widget=forms.Textarea, max_length=TEXT_LIMIT, required=False
    )

    def __init__(self, *args, call=None, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        if call is not None:
            self.fields["applicant"].queryset = call.invited.filter(
                pk__in=perimeter_partners(membership).values("pk")
            ).order_by("name")
            self.fields["directorate"].queryset = call.directorates.filter(
                pk__in=perimeter_directorates(membership).values("pk")
            ).order_by("name")


class DecisionForm(DsfrForm):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("select", _("Retenue")), ("reject", _("Non retenue"))],
        widget=forms.RadioSelect,
    )
    score = forms.IntegerField(
        label=_("Note (sur 100)"), min_value=0, max_value=100, required=False
    )
    reasons = forms.CharField(
        label=_("Motifs de la décision"), widget=forms.Textarea, max_length=TEXT_LIMIT
    )
    decided_on = forms.DateField(label=_("Décidée le"), widget=DateInput())


class GroupForm(DsfrModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["name", "theme", "body", "chair", "members", "directorates", "purpose"]
        widgets = {
            "members": forms.CheckboxSelectMultiple(),
            "directorates": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = perimeter_organisations(membership)
        self.fields["chair"].queryset = organisations
        self.fields["members"].queryset = organisations
        self.fields["directorates"].queryset = perimeter_directorates(membership)
        keep_current(self, ["chair", "members", "directorates"])


class GoalForm(DsfrForm):
    label = forms.CharField(label=_("Objectif"), max_length=200)
    indicator = forms.ChoiceField(label=_("Indicateur suivi"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = goal_choices()


class MeetingForm(DsfrForm):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Ordre du jour"), widget=forms.Textarea, max_length=TEXT_LIMIT)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(),
    )

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        if group is not None:
            organisations = [group.chair_id, *group.members.values_list("pk", flat=True)]
            self.fields["attendees"].queryset = Contact.objects.filter(
                organisation_id__in=organisations
            ).select_related("organisation")


class DecisionTextForm(DsfrForm):
    text = forms.CharField(label=_("Décision"), widget=forms.Textarea, max_length=TEXT_LIMIT)


class ActionForm(DsfrForm):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(
        label=_("Structure responsable"), queryset=Organisation.objects.none()
    )
    due_on = forms.DateField(label=_("Échéance"), widget=DateInput())

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        if group is not None:
            self.fields["owner"].queryset = Organisation.objects.filter(
                pk__in=[group.chair_id, *group.members.values_list("pk", flat=True)]
            ).order_by("name")


class ContactForm(DsfrModelForm):
    class Meta:
        model = Contact
        fields = ["organisation", "full_name", "job_title", "email", "phone"]

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = perimeter_organisations(membership)
        keep_current(self, ["organisation"])

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise ValidationError(_("Indiquez au moins une adresse électronique ou un téléphone."))
        return data


class NetworkFilterForm(DsfrForm):
    directorate = forms.ModelChoiceField(
        label=_("DT"), queryset=Directorate.objects.none(), required=False, empty_label=_("Toutes")
    )

    def __init__(self, *args, directorates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directorate"].queryset = Directorate.objects.filter(
            pk__in=[d.pk for d in directorates]
        ).order_by("name")
