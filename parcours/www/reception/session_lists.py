"""The reception sessions as a list to work from: filters, sort, pagination, XLSX (issue 16.5).

The week planning (views.planning) shows one week as a grid; this list spans any dates and
keeps its filters and sort in the address, so that pagination and the export keep them
(the pattern of www/person_lists.py).
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Case, F, Prefetch, Value, When
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.spreadsheets import xlsx_bytes
from parcours.organisations.permissions import Action
from parcours.reception.models import ReceptionSession, SessionStaff, SessionStatus
from parcours.territories.models import Directorate
from parcours.www.decorators import action_required
from parcours.www.forms import DsfrForm

PAGE_SIZE = 25
# An export is a list to work from (same cap as the person list's, docs/guide).
EXPORT_MAX_ROWS = 10_000
SORTS = {
    "date": (gettext_lazy("Date (plus anciennes d'abord)"), ("date", "start_time", "pk")),
    "date-desc": (gettext_lazy("Date (plus récentes d'abord)"), ("-date", "-start_time", "-pk")),
    "lieu": (gettext_lazy("Lieu"), ("place", "date", "start_time", "pk")),
    "places": (gettext_lazy("Places libres (les plus d'abord)"), ("-free_seats", "date", "pk")),
}
SEATS = [
    ("", gettext_lazy("Toutes")),
    ("libres", gettext_lazy("Avec des places libres")),
    ("completes", gettext_lazy("Complètes")),
]


class SessionFilterForm(DsfrForm):
    du = forms.DateField(
        label=gettext_lazy("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    au = forms.DateField(
        label=gettext_lazy("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    dt = forms.ModelChoiceField(
        label=gettext_lazy("Direction territoriale"),
        queryset=Directorate.objects.none(),
        required=False,
        empty_label=gettext_lazy("Toutes"),
    )
    lieu = forms.ChoiceField(label=gettext_lazy("Lieu"), required=False, choices=[])
    places = forms.ChoiceField(label=gettext_lazy("Places"), required=False, choices=SEATS)
    tri = forms.ChoiceField(
        label=gettext_lazy("Trier par"),
        choices=[(key, label) for key, (label, _o) in SORTS.items()],
        required=False,
    )

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dt"].queryset = Directorate.objects.filter(
            pk__in=sessions.values("directorate_id")
        ).order_by("name")
        places = sessions.order_by("place").values_list("place", flat=True).distinct()
        self.fields["lieu"].choices = [("", _("Tous"))] + [(p, p) for p in places]

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        return data

    def apply(self, sessions):
        if not self.is_bound:
            return sessions.order_by(*SORTS["date"][1])
        if not self.is_valid():
            return sessions.none()
        data = self.cleaned_data
        if data.get("du"):
            sessions = sessions.filter(date__gte=data["du"])
        if data.get("au"):
            sessions = sessions.filter(date__lte=data["au"])
        if data.get("dt"):
            sessions = sessions.filter(directorate=data["dt"])
        if data.get("lieu"):
            sessions = sessions.filter(place=data["lieu"])
        if data.get("places") == "libres":
            sessions = sessions.filter(free_seats__gt=0)
        elif data.get("places") == "completes":
            sessions = sessions.filter(free_seats__lte=0)
        return sessions.order_by(*SORTS[data.get("tri") or "date"][1])

    def query_string(self) -> str:
        if not self.is_bound:
            return ""
        kept = self.data.copy()
        kept.pop("page", None)
        return kept.urlencode()


def _filtered(request):
    visible = ReceptionSession.objects.visible_to(request.membership)
    form = SessionFilterForm(request.GET or None, sessions=visible)
    sessions = (
        visible.with_counts()
        # A cancelled session offers no seat (issue 18).
        .annotate(
            free_seats=Case(
                When(status=SessionStatus.CANCELLED, then=Value(0)),
                default=F("capacity") - F("seats_taken"),
            )
        )
        .select_related("directorate")
        .prefetch_related(Prefetch("staff", queryset=SessionStaff.objects.select_related("user")))
    )
    return form, form.apply(sessions)


def _staff_names(session) -> str:
    return ", ".join(
        member.user.get_full_name() or member.user.email for member in session.staff.all()
    )


@action_required(Action.VIEW_PERSON)
def session_list(request):
    """Every visible session, filtered and sorted, 25 a page."""
    form, sessions = _filtered(request)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for session in page.object_list:
        session.staff_names = _staff_names(session)
    return render(
        request,
        "reception/session_list.html",
        {"filters": form, "page": page, "query_string": form.query_string()},
    )


def export_rows(sessions):
    yield [
        _("Date"),
        _("Heure"),
        _("Demi-journée"),
        _("Direction territoriale"),
        _("Lieu"),
        _("Capacité"),
        _("Convoqués"),
        _("Places libres"),
        _("Présents"),
        _("État"),
        _("Équipe"),
    ]
    for session in sessions:
        yield [
            session.date,
            session.start_time.strftime("%H:%M"),
            session.get_half_day_display(),
            str(session.directorate),
            session.place,
            session.capacity,
            session.seats_taken,
            max(session.free_seats, 0),
            session.present_count,
            session.get_status_display(),
            _staff_names(session),
        ]


@action_required(Action.VIEW_PERSON)
def session_export(request):
    """The list as filtered, as an XLSX file. It names staff, not persons: no person is read."""
    _form, sessions = _filtered(request)
    rows = list(sessions[:EXPORT_MAX_ROWS])
    response = HttpResponse(
        xlsx_bytes(export_rows(rows), _("Sessions")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="sessions-accueil-{day}.xlsx"'
    return response
