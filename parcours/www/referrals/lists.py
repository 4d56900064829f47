"""Filters, sort and XLSX export of the referral lists, sent and received (issue 16.5).

The filters are in the address, so that tabs, pagination and the export keep them. The
received list's export holds the partner's fields only (the columns of its inbox, from the
partner projection's person fields); each person exported is access-logged (issue 6).
"""

import datetime

from django import forms
from django.db.models import Exists, OuterRef, Q, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core.spreadsheets import xlsx_bytes
from parcours.privacy.access_log import Operation, log_access
from parcours.referrals.models import Scheme, SchemeStatusCount
from parcours.territories.models import Directorate
from parcours.www.forms import DsfrForm

SORTS = {
    "anciennes": (gettext_lazy("Les plus anciennes d'abord"), ("sent_at", "created_at", "pk")),
    "recentes": (gettext_lazy("Les plus récentes d'abord"), ("-sent_at", "-created_at", "-pk")),
}
EXPORT_MAX_ROWS = 10_000


class ReferralFilterForm(DsfrForm):
    dispositif = forms.ModelChoiceField(
        label=gettext_lazy("Dispositif"),
        queryset=Scheme.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tous"),
    )
    dt = forms.ModelChoiceField(
        label=gettext_lazy("DT"),
        queryset=Directorate.objects.none(),
        required=False,
        empty_label=gettext_lazy("Toutes"),
        to_field_name="code",
    )
    depuis = forms.DateField(
        label=gettext_lazy("Envoyée depuis le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tri = forms.ChoiceField(
        label=gettext_lazy("Trier par"),
        choices=[(key, label) for key, (label, _o) in SORTS.items()],
        required=False,
    )

    def __init__(self, data, *, referrals, scheme_ids=None, directorate_ids=None):
        super().__init__(data)
        # Only the schemes and DTs the list holds: one query each, on the list's perimeter
        # (`scheme_ids`: the schemes' keys when the caller knows them without the referrals;
        # `directorate_ids`: the keys of the DTs the list holds, when the caller knows them).
        if scheme_ids is None:
            scheme_ids = referrals.values("scheme_id")
        schemes = list(
            Scheme.objects.filter(pk__in=scheme_ids)
            .select_related("organisation")  # a scheme is labelled with its organisation
            .order_by("name")
        )
        ids = [scheme.pk for scheme in schemes]
        # The choices from the list read above; the queryset, for the chosen one's validation.
        dispositif = self.fields["dispositif"]
        dispositif.queryset = Scheme.objects.filter(pk__in=ids).order_by("name")
        dispositif.choices = [("", dispositif.empty_label)] + [
            (scheme.pk, dispositif.label_from_instance(scheme)) for scheme in schemes
        ]
        # A DT is offered when one referral of the list is in it: a probe per DT of the
        # (scheme, DT) index with the schemes written out. Through the list's join, PostgreSQL
        # read every referral of the partner instead (a quarter of a second at a million
        # persons for France Travail's inbox, make bench, issue 12).
        if directorate_ids is None:
            held = referrals.filter(scheme_id__in=ids, directorate_id=OuterRef("pk"))
            directorates = Directorate.objects.filter(Exists(held.order_by().values("pk")))
        else:
            directorates = Directorate.objects.filter(pk__in=directorate_ids if ids else [])
        self.fields["dt"].queryset = directorates.order_by("name")

    def narrows(self) -> bool:
        """Whether `apply` keeps fewer referrals than it is given."""
        if not self.is_bound or not self.is_valid():
            return False
        return any(self.cleaned_data.get(name) for name in ("dispositif", "dt", "depuis"))

    def apply(self, referrals):
        if not self.is_bound or not self.is_valid():
            return referrals
        data = self.cleaned_data
        if data.get("dispositif"):
            referrals = referrals.filter(scheme=data["dispositif"])
        if data.get("dt"):
            referrals = referrals.filter(directorate=data["dt"])
        if data.get("depuis"):
            start = timezone.make_aware(
                datetime.datetime.combine(data["depuis"], datetime.time.min)
            )
            referrals = referrals.filter(sent_at__gte=start)
        return referrals

    def ordering(self, default):
        if self.is_bound and self.is_valid() and SORTS.get(self.cleaned_data.get("tri") or ""):
            return SORTS[self.cleaned_data["tri"]][1] or default
        return default

    def query_string(self) -> str:
        if not self.is_bound:
            return ""
        kept = self.data.copy()
        for name in ("page", "onglet", "export"):
            kept.pop(name, None)
        return kept.urlencode()


def tab_conditions(tabs) -> list:
    """(key, label, condition) of tabs given as (key, label, states)."""
    return [(key, label, Q(status__in=sorted(states))) for key, label, states in tabs]


def kept_schemes(*, without=(), **where):
    """The keys of the schemes holding a referral, in a state other than `without`, among the
    counts selected by `where` (the filter's choices; SchemeStatusCount, ADR 0027)."""
    return (
        SchemeStatusCount.objects.filter(number__gt=0, **where)
        .exclude(status__in=without)
        .values("scheme_id")
    )


def kept_counts(tabs, **where) -> dict[str, int]:
    """The tabs' counts, (key, label, states) each, from the counts the database keeps per
    scheme, DT and state (SchemeStatusCount) selected by `where`: one indexed read, not a
    count of every referral of a partner's or a DT's history (issue 12, ADR 0027)."""
    by_state = dict(
        SchemeStatusCount.objects.filter(**where).values_list("status").annotate(Sum("number"))
    )
    return {key: sum(by_state.get(state, 0) for state in states) for key, _label, states in tabs}


def _day(value):
    return timezone.localtime(value).date() if value else None


def received_rows(referrals):
    yield [
        _("Référence"),
        _("Personne"),
        _("Date de naissance"),
        _("Niveau de français"),
        _("Dispositif"),
        _("Orientée par"),
        _("Envoyée le"),
        _("État"),
    ]
    for referral in referrals:
        yield [
            referral.reference,
            referral.person.display_name,
            referral.person.birth_date,
            referral.person.get_language_level_display(),
            referral.scheme.name,
            referral.referrer_organisation.name,
            _day(referral.sent_at),
            referral.get_status_display(),
        ]


def sent_rows(referrals):
    yield [
        _("Référence"),
        _("Personne"),
        _("Numéro AGDREF"),
        _("Dispositif"),
        _("Partenaire"),
        _("Orientée par"),
        _("Envoyée le"),
        _("État"),
    ]
    for referral in referrals:
        yield [
            referral.reference,
            referral.person.display_name,
            referral.person.agdref_number or "",
            referral.scheme.name,
            referral.scheme.organisation.name,
            str(referral.referred_by or ""),
            _day(referral.sent_at),
            referral.get_status_display(),
        ]


def export(request, referrals, rows, name: str) -> HttpResponse:
    """The list as an XLSX file; every person in it is access-logged."""
    referrals = list(referrals[:EXPORT_MAX_ROWS])
    log_access(request, [r.person_id for r in referrals], Operation.EXPORT)
    response = HttpResponse(
        xlsx_bytes(rows(referrals), _("Orientations")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{day}.xlsx"'
    return response


class SessionFilterForm(DsfrForm):
    """The information sessions: upcoming or past, since a date, in date order."""

    quand = forms.ChoiceField(
        label=gettext_lazy("Séances"),
        choices=[
            ("", gettext_lazy("Toutes")),
            ("a-venir", gettext_lazy("À venir")),
            ("passees", gettext_lazy("Passées")),
        ],
        required=False,
    )
    depuis = forms.DateField(
        label=gettext_lazy("Depuis le"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tri = forms.ChoiceField(
        label=gettext_lazy("Trier par"),
        choices=[
            ("", gettext_lazy("Les plus récentes d'abord")),
            ("date", gettext_lazy("Les plus anciennes d'abord")),
        ],
        required=False,
    )

    def apply(self, sessions):
        if not self.is_bound or not self.is_valid():
            return sessions
        data = self.cleaned_data
        today = timezone.localdate()
        if data.get("quand") == "a-venir":
            sessions = sessions.filter(date__gte=today)
        elif data.get("quand") == "passees":
            sessions = sessions.filter(date__lt=today)
        if data.get("depuis"):
            sessions = sessions.filter(date__gte=data["depuis"])
        if data.get("tri") == "date":
            sessions = sessions.order_by("date", "start_time", "pk")
        return sessions

    def query_string(self) -> str:
        if not self.is_bound:
            return ""
        kept = self.data.copy()
        for name in ("page", "export"):
            kept.pop(name, None)
        return kept.urlencode()


def session_export(sessions) -> HttpResponse:
    """The sessions with their counts (no person in it: nothing to access-log)."""

    def rows():
        yield [
            _("Date"),
            _("Heure"),
            _("Centre"),
            _("Participants"),
            _("Volontaires"),
            _("Orientations"),
        ]
        for session in sessions[:EXPORT_MAX_ROWS]:
            yield [
                session.date,
                session.start_time.strftime("%H:%M"),
                session.venue.name,
                session.attendee_count,
                session.volunteer_count,
                session.referral_count,
            ]

    response = HttpResponse(
        xlsx_bytes(rows(), _("Séances")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="seances-{day}.xlsx"'
    return response
