"""Pages of the employment area: profile, job-title search, employers, shortage lists."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parcours.employment import services, shortage
from parcours.employment.models import (
    Employer,
    FrenchLevelForWork,
    JobTitle,
    Occupation,
    OccupationKind,
    Position,
    ProfessionalProfile,
    Recognition,
    ShortageList,
)
from parcours.employment.search import search_job_titles
from parcours.employment.validators import ROME_CODE, normalise_siret
from parcours.organisations.models import Organisation
from parcours.organisations.permissions import Action
from parcours.organisations.roles import PARTNER_KINDS
from parcours.people.models import Person
from parcours.privacy.access_log import Operation, log_access
from parcours.privacy.uploads import check_upload
from parcours.territories.models import Country, Department
from parcours.www.decorators import action_required
from parcours.www.forms import DsfrForm, DsfrModelForm

LINES = 3  # occupation and qualification lines shown by the profile form
AUTOCOMPLETE_LIMIT = 10

_LICENCE_CHOICES = [
    ("", gettext_lazy("Non renseigné")),
    ("yes", gettext_lazy("Oui")),
    ("no", gettext_lazy("Non")),
]


def _occupation_from_text(text: str):
    """The occupation a typed job title names: « F1703 », an exact title, or the best match."""
    text = text.strip()
    if not text:
        return None, None
    code = text[:5].upper()
    if ROME_CODE.match(code) and (occupation := Occupation.objects.filter(code=code).first()):
        return occupation, None
    title = JobTitle.objects.filter(label__iexact=text).select_related("occupation").first()
    if title is None:
        hits = search_job_titles(text, limit=1)
        if not hits:
            raise ValidationError(
                _("Aucun métier ne correspond à « %(text)s ».") % {"text": text[:100]}
            )
        title = JobTitle.objects.select_related("occupation").get(pk=hits[0].ogr_code)
    return title.occupation, title


class ProfileForm(DsfrForm):
    driving_licence = forms.ChoiceField(
        label=gettext_lazy("Permis de conduire B"), choices=_LICENCE_CHOICES, required=False
    )
    available_from = forms.DateField(
        label=gettext_lazy("Disponible à partir du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    french_level_for_work = forms.ChoiceField(
        label=gettext_lazy("Niveau de français pour travailler (CECRL)"),
        choices=FrenchLevelForWork.choices,
    )
    change_reason = forms.CharField(
        label=gettext_lazy("Motif de la modification"), required=False, max_length=300
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in (
            (OccupationKind.HELD, _("Métier exercé")),
            (OccupationKind.SOUGHT, _("Métier recherché")),
        ):
            for index in range(LINES):
                self.fields[f"{kind}_{index}"] = forms.CharField(
                    label=f"{label} {index + 1}",
                    required=False,
                    max_length=250,
                    help_text=_("Appellation ou code ROME ; accents et fautes de frappe tolérés."),
                    widget=forms.TextInput(attrs={"list": "job-titles", "autocomplete": "off"}),
                )
                if kind == OccupationKind.HELD:
                    self.fields[f"{kind}_{index}_years"] = forms.IntegerField(
                        label=_("Années d'expérience"), required=False, min_value=0, max_value=60
                    )
        for index in range(LINES):
            self.fields[f"qualification_{index}"] = forms.CharField(
                label=_("Diplôme ou qualification %(n)s") % {"n": index + 1},
                required=False,
                max_length=200,
            )
            self.fields[f"qualification_{index}_country"] = forms.ModelChoiceField(
                label=_("Pays d'obtention"),
                queryset=Country.objects.filter(is_current=True).order_by("name"),
                required=False,
            )
            self.fields[f"qualification_{index}_recognition"] = forms.ChoiceField(
                label=_("Reconnu en France"),
                choices=Recognition.choices,
                initial=Recognition.UNKNOWN,
            )

    def clean(self):
        cleaned = super().clean()
        lines = []
        for kind in OccupationKind.values:
            for index in range(LINES):
                name = f"{kind}_{index}"
                try:
                    occupation, title = _occupation_from_text(cleaned.get(name) or "")
                except ValidationError as error:
                    self.add_error(name, error)
                    continue
                if occupation is None:
                    continue
                if any(
                    line.kind == kind and line.occupation_code == occupation.code for line in lines
                ):
                    continue  # two titles of the same occupation: one line
                lines.append(
                    services.OccupationLine(
                        kind,
                        occupation.code,
                        title.pk if title else None,
                        cleaned.get(f"{name}_years"),
                    )
                )
        cleaned["occupation_lines"] = lines
        cleaned["qualification_lines"] = [
            services.QualificationLine(
                cleaned[f"qualification_{index}"].strip(),
                getattr(cleaned.get(f"qualification_{index}_country"), "pk", None),
                cleaned.get(f"qualification_{index}_recognition") or Recognition.UNKNOWN,
            )
            for index in range(LINES)
            if (cleaned.get(f"qualification_{index}") or "").strip()
        ]
        return cleaned

    @classmethod
    def initial_for(cls, profile) -> dict:
        if profile is None:
            return {"french_level_for_work": FrenchLevelForWork.UNKNOWN}
        initial = {
            "driving_licence": {True: "yes", False: "no"}.get(profile.driving_licence, ""),
            "available_from": profile.available_from,
            "french_level_for_work": profile.french_level_for_work,
        }
        counters = dict.fromkeys(OccupationKind.values, 0)
        for line in profile.occupations.select_related("job_title", "occupation"):
            index = counters[line.kind]
            if index >= LINES:
                continue
            counters[line.kind] += 1
            initial[f"{line.kind}_{index}"] = (
                line.job_title.label if line.job_title else line.occupation_id
            )
            initial[f"{line.kind}_{index}_years"] = line.years_of_experience
        for index, qualification in enumerate(profile.qualifications.all()[:LINES]):
            initial[f"qualification_{index}"] = qualification.label
            initial[f"qualification_{index}_country"] = qualification.country_id
            initial[f"qualification_{index}_recognition"] = qualification.recognition
        return initial


@action_required(Action.EDIT_PERSON)
def profile_edit(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.membership), pk=pk)
    if person.anonymised_at is not None:
        messages.error(request, _("Ce dossier est anonymisé : il ne peut plus être modifié."))
        return redirect("person_detail", pk=person.pk)
    profile = ProfessionalProfile.objects.filter(person=person).first()
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(profile))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_profile(
                person,
                {
                    "driving_licence": {"yes": True, "no": False}.get(data["driving_licence"]),
                    "available_from": data["available_from"],
                    "french_level_for_work": data["french_level_for_work"],
                },
                occupations=data["occupation_lines"],
                qualifications=data["qualification_lines"],
                actor=request.user,
                reason=data.get("change_reason", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Profil professionnel enregistré."))
            return redirect("person_detail", pk=person.pk)
    # The form shows the person's profile: a read of the file, logged as one (issue 6).
    log_access(request, [person], Operation.PERSON_READ, purpose=_("Profil professionnel"))
    return render(request, "employment/profile_form.html", {"form": form, "person": person})


@action_required(Action.EDIT_PERSON)
def job_title_autocomplete(request):
    """ROME job titles matching `q` (accents, case and typos tolerated), as JSON."""
    query = request.GET.get("q", "")[:100]
    hits = search_job_titles(query, limit=AUTOCOMPLETE_LIMIT) if len(query.strip()) >= 2 else []
    return JsonResponse({"results": [hit.as_dict() for hit in hits]})


# Employers --------------------------------------------------------------------------------


class EmployerForm(DsfrModelForm):
    # Typed as printed (« 732 829 320 00074 »): spaces are removed before the checks.
    siret = forms.CharField(label=gettext_lazy("numéro SIRET"), max_length=20)

    class Meta:
        model = Employer
        fields = [
            "name",
            "siret",
            "naf_code",
            "sector",
            "department",
            "intermediary",
            "contact_name",
            "contact_email",
            "contact_phone",
            "trains_on_working_time",
            "employers_club",
            "other_commitments",
        ]

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        directorate_id = membership.organisation.directorate_id
        self.fields["department"].queryset = Department.objects.filter(
            directorate_id=directorate_id
        ).order_by("code")
        self.fields["intermediary"].queryset = Organisation.objects.filter(
            kind__in=sorted(PARTNER_KINDS),
            is_active=True,
            departments__directorate_id=directorate_id,
        ).distinct()

    def clean_siret(self):
        return normalise_siret(self.cleaned_data["siret"])


class PositionForm(DsfrForm):
    title = forms.CharField(label=gettext_lazy("Intitulé du poste"), max_length=150)
    occupation = forms.CharField(
        label=gettext_lazy("Métier (appellation ou code ROME)"),
        max_length=250,
        widget=forms.TextInput(attrs={"list": "job-titles", "autocomplete": "off"}),
    )
    seats = forms.IntegerField(
        label=gettext_lazy("Nombre de places"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=gettext_lazy("Laisser vide si le nombre n'est pas limité."),
    )

    def clean_occupation(self):
        occupation, _title = _occupation_from_text(self.cleaned_data["occupation"])
        if occupation is None:
            raise ValidationError(_("Indiquez le métier du poste."))
        return occupation


@action_required(Action.REFER)
def employer_list(request):
    employers = (
        Employer.objects.in_perimeter_of(request.membership)
        .select_related("department", "intermediary")
        .prefetch_related("positions__occupation", "positions__scheme")
    )
    from parcours.organisations.permissions import can

    return render(
        request,
        "employment/employer_list.html",
        {
            "employers": employers,
            "can_manage": can(request.membership, Action.MANAGE_PARTNERS)
            and request.membership.organisation.directorate_id is not None,
            "position_form": PositionForm(),
        },
    )


def _dt_only(request):
    if request.membership.organisation.directorate_id is None:
        messages.error(request, _("Les employeurs sont suivis par une direction territoriale."))
        return redirect("employment:employer_list")
    return None


@action_required(Action.MANAGE_PARTNERS)
def employer_create(request):
    refused = _dt_only(request)
    if refused:
        return refused
    form = EmployerForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        employer = form.save(commit=False)
        employer.directorate_id = request.membership.organisation.directorate_id
        try:
            services.save_employer(employer)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Employeur %(name)s enregistré.") % {"name": employer.name})
            return redirect("employment:employer_list")
    return render(request, "employment/employer_form.html", {"form": form})


@action_required(Action.MANAGE_PARTNERS)
def employer_edit(request, pk):
    refused = _dt_only(request)
    if refused:
        return refused
    employer = get_object_or_404(Employer.objects.in_perimeter_of(request.membership), pk=pk)
    form = EmployerForm(request.POST or None, instance=employer, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.save_employer(form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Employeur %(name)s modifié.") % {"name": employer.name})
            return redirect("employment:employer_list")
    return render(request, "employment/employer_form.html", {"form": form, "employer": employer})


@require_POST
@action_required(Action.MANAGE_PARTNERS)
def employer_deactivate(request, pk):
    employer = get_object_or_404(Employer.objects.in_perimeter_of(request.membership), pk=pk)
    try:
        closed = services.deactivate_employer(employer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Employeur %(name)s désactivé ; postes fermés : %(count)s.")
            % {"name": employer.name, "count": closed},
        )
    return redirect("employment:employer_list")


@require_POST
@action_required(Action.MANAGE_PARTNERS)
def position_close(request, pk):
    position = get_object_or_404(
        Position.objects.filter(employer__in=Employer.objects.in_perimeter_of(request.membership)),
        pk=pk,
    )
    if services.close_position(position):
        messages.success(
            request,
            _("Poste « %(title)s » fermé : les orientations déjà faites sont conservées.")
            % {"title": position.title},
        )
    else:
        messages.info(request, _("Ce poste était déjà fermé."))
    return redirect("employment:employer_list")


@action_required(Action.MANAGE_PARTNERS)
def position_create(request, pk):
    employer = get_object_or_404(Employer.objects.in_perimeter_of(request.membership), pk=pk)
    form = PositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_position(
                employer,
                form.cleaned_data["occupation"],
                title=form.cleaned_data["title"],
                seats=form.cleaned_data["seats"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Poste ouvert : il est proposé dans l'orientation des personnes.")
            )
            return redirect("employment:employer_list")
    return render(request, "employment/position_form.html", {"form": form, "employer": employer})


# Shortage lists ---------------------------------------------------------------------------


class ShortageImportForm(DsfrForm):
    source_reference = forms.CharField(
        label=gettext_lazy("Texte de référence"),
        max_length=300,
        initial=gettext_lazy(
            "Arrêté du 21 mai 2025 fixant la liste des métiers et zones géographiques "
            "caractérisés par des difficultés de recrutement (JO du 22 mai 2025)"
        ),
    )
    list_file = forms.FileField(
        label=gettext_lazy("Fichier (CSV, XLSX ou ODS)"),
        help_text=gettext_lazy(
            "Colonnes : Région (code INSEE ou nom), Code ROME (F1703) ou famille (F17), Du, Au."
        ),
    )


@action_required(Action.MANAGE_REFERENCE_DATA)
def shortage_lists(request):
    form = ShortageImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["list_file"]
        try:
            kind = check_upload(uploaded, shortage.IMPORT_KINDS)
            imported = shortage.import_list(
                uploaded,
                kind,
                source_reference=form.cleaned_data["source_reference"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error("list_file", error)
        else:
            messages.success(
                request,
                _("Liste importée (version %(version)s, %(count)s lignes).")
                % {"version": imported.version, "count": imported.entries.count()},
            )
            return redirect("employment:shortage_lists")
    from django.db.models import Count

    lists = ShortageList.objects.annotate(rows=Count("entries")).order_by(
        "source_reference", "-version"
    )
    return render(request, "employment/shortage_lists.html", {"form": form, "lists": lists})
