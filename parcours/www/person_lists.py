"""The person list's filters, sort and XLSX export (issue 16.5: lists people can work from).

The searched name stays in the session (never in a URL, see views.person_list); the filters
and the sort are in the address, so that pagination and the export keep them.
"""

import datetime

from django import forms
from django.db.models.functions import Upper
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.spreadsheets import xlsx_bytes
from parcours.employment.shortage import persons_in_shortage
from parcours.organisations.permissions import Action, can
from parcours.people.models import ResidenceStatus
from parcours.privacy.access_log import Operation, log_access
from parcours.territories.models import Department
from parcours.www.decorators import action_required
from parcours.www.forms import DsfrForm

# Sorts offered on the person list: key -> (label, ordering).
SORTS = {
    "nom": (gettext_lazy("Nom (A → Z)"), (Upper("last_name"), Upper("first_names"), "pk")),
    "recents": (gettext_lazy("Dossiers les plus récents"), ("-created_at", "-pk")),
    "naissance": (gettext_lazy("Date de naissance"), ("birth_date", "pk")),
}
# An export is a list to work from, not a copy of the DT's files: capped (docs/guide).
EXPORT_MAX_ROWS = 10_000


class PersonFilterForm(DsfrForm):
    statut = forms.ChoiceField(
        label=gettext_lazy("Catégorie de séjour"),
        choices=[("", gettext_lazy("Toutes"))] + list(ResidenceStatus.choices),
        required=False,
    )
    departement = forms.ModelChoiceField(
        label=gettext_lazy("Département"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tous"),
        to_field_name="code",
    )
    cree_depuis = forms.DateField(
        label=gettext_lazy("Dossier créé depuis le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # Issue 20: people whose past or sought occupation is in shortage in their region today.
    tension = forms.BooleanField(label=gettext_lazy("Métier en tension"), required=False)
    tri = forms.ChoiceField(
        label=gettext_lazy("Trier par"),
        choices=[(key, label) for key, (label, _o) in SORTS.items()],
        required=False,
    )

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        directorate_id = getattr(membership.organisation, "directorate_id", None)
        self.fields["departement"].queryset = Department.objects.filter(
            directorate_id=directorate_id
        ).order_by("code")
        if not can(membership, Action.INTERVIEW):
            # The auditors' filter (and their managers'): reception agents do not orient.
            del self.fields["tension"]

    def filter(self, persons):
        """The filters on `persons` (before a search ranks them: a search of a common name
        keeps only its closest matches, which must be those of the filtered list)."""
        if not self.is_valid():
            return persons
        data = self.cleaned_data
        if data.get("statut"):
            persons = persons.filter(residence_status=data["statut"])
        if data.get("departement"):
            persons = persons.filter(department=data["departement"])
        if data.get("cree_depuis"):
            start = timezone.make_aware(
                datetime.datetime.combine(data["cree_depuis"], datetime.time.min)
            )
            persons = persons.filter(created_at__gte=start)
        if data.get("tension"):
            persons = persons_in_shortage(persons, timezone.localdate())
        return persons

    def sort(self, persons, *, ranked: bool):
        """The sort asked on `persons` (a ranked search keeps its order unless one is)."""
        sort = self.cleaned_data.get("tri") if self.is_valid() else None
        if sort not in SORTS:
            # No sort asked: a ranked search keeps its rank, a list is by name as « nom »
            # sorts it, the order of the DT's partial index (person_dt_upper_alpha_idx). The
            # model's plain (last_name, first_names) order was read from the (DT, last_name)
            # index and sorted in memory: at a million persons, the first page sorted the
            # 10,417 persons sharing the first name in the DT (132 ms, issue 12).
            sort = None if ranked else "nom"
        if sort is not None and (sort != "nom" or not ranked):
            persons = persons.order_by(*SORTS[sort][1])
        return persons

    def query_string(self) -> str:
        """The filters as a query string, for pagination links and the export."""
        if not self.is_bound:
            return ""
        kept = self.data.copy()
        kept.pop("page", None)
        kept.pop("q", None)
        return kept.urlencode()


def export_rows(persons):
    yield [
        _("Nom"),
        _("Nom d'usage"),
        _("Prénoms"),
        _("Date de naissance"),
        _("Numéro AGDREF"),
        _("Catégorie de séjour"),
        _("Département"),
        _("Commune"),
        _("Dossier créé le"),
    ]
    for person in persons:
        yield [
            person.last_name,
            person.usual_name,
            person.first_names,
            person.birth_date,
            person.agdref_number or "",
            person.get_residence_status_display(),
            person.department.code,
            person.city,
            timezone.localtime(person.created_at).date(),
        ]


@action_required(Action.EXPORT)
def person_export(request):
    """The person list as it is filtered and searched, as an XLSX file; each person exported
    is access-logged (issue 6). Roles that see no person file (DREETS, national admin) get
    the header row only: the perimeter is the list's."""
    from parcours.www.views import filtered_persons

    persons, _query, _form, _more = filtered_persons(request)
    rows = list(persons.select_related("department")[:EXPORT_MAX_ROWS])
    log_access(request, rows, Operation.EXPORT)
    response = HttpResponse(
        xlsx_bytes(export_rows(rows), _("Personnes")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="personnes-{day}.xlsx"'
    return response
