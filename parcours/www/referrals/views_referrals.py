"""Referrer side: a person's eligibility panel, new referrals, the sent list and a referral page."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parcours.organisations.permissions import Action, can
from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES
from parcours.people.models import Person
from parcours.referrals import services
from parcours.referrals.eligibility import (
    EligibilityStatus,
    PersonFacts,
    SchemeRules,
    Verdict,
    evaluate,
)
from parcours.referrals.models import Referral, Scheme
from parcours.referrals.projection import (
    partner_fields,
    reasons_for,
    sees_full_file,
    sent_reasons_for,
)
from parcours.referrals.states import (
    CLOSED_STATES,
    Origin,
    ReferralStatus,
)
from parcours.www.decorators import action_required
from parcours.www.referrals import lists
from parcours.www.referrals.forms import (
    CommentForm,
    EntryDateChoiceForm,
    EntryForm,
    ExitForm,
    ReferralForm,
    RefuseForm,
    SendForm,
    TransferForm,
)

S = ReferralStatus


def _visible_person(request, pk):
    return get_object_or_404(
        Person.objects.visible_to(request.membership).select_related("department", "directorate"),
        pk=pk,
    )


def _schemes_for(person):
    return (
        Scheme.objects.for_person(person)
        .select_related("organisation")
        .prefetch_related("departments", "entry_dates")
        .order_by("organisation__name", "name")
    )


@dataclass
class PanelRow:
    scheme: Scheme
    verdict: Verdict
    entry_date: datetime.date
    open_referral: Referral | None
    reasons: list[str]


PANEL_GROUPS = [
    (EligibilityStatus.ELIGIBLE, "success"),
    (EligibilityStatus.ELIGIBLE_WITH_WAIVER, "info"),
    (EligibilityStatus.TO_CHECK, "warning"),
    (EligibilityStatus.NOT_ELIGIBLE, "error"),
]


@action_required(Action.REFER)
def person_eligibility(request, person_pk):
    """ "Orienter": the schemes of the perimeter, eligible or not, each with its reasons."""
    person = _visible_person(request, person_pk)
    date_form = EntryDateChoiceForm(request.GET or None)
    chosen = date_form.cleaned_data["date"] if date_form.is_valid() else None
    today = timezone.localdate()
    facts = PersonFacts.from_person(person)
    open_referrals = {
        r.scheme_id: r
        for r in Referral.objects.open().filter(person=person).only("pk", "scheme_id", "status")
    }
    groups = {status: [] for status, _tone in PANEL_GROUPS}
    for scheme in _schemes_for(person):
        entry_date = chosen or scheme.planned_entry_date(today)
        verdict = evaluate(SchemeRules.from_scheme(scheme), facts, entry_date)
        groups[verdict.status].append(
            PanelRow(
                scheme,
                verdict,
                entry_date,
                open_referrals.get(scheme.pk),
                # Issue 10: a partner reads the reasons phrased from its projection only.
                reasons_for(request.membership, verdict, scheme),
            )
        )
    referrals = (
        Referral.objects.visible_to(request.membership)
        .filter(person=person)
        .select_related("scheme__organisation")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "referrals/person_eligibility.html",
        {
            "person": person,
            "date_form": date_form,
            "groups": [
                (EligibilityStatus(status).label, tone, status, groups[status])
                for status, tone in PANEL_GROUPS
            ],
            "referrals": referrals,
        },
    )


@action_required(Action.REFER)
def referral_create(request, person_pk, scheme_pk):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    person = _visible_person(request, person_pk)
    scheme = get_object_or_404(_schemes_for(person), pk=scheme_pk)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        send = "send" in request.POST
        data = form.cleaned_data
        try:
            referral = services.create_referral(
                person,
                scheme,
                by=request.user,
                organisation=request.membership.organisation,
                origin=Origin.PERSON_FILE,
                planned_entry_date=data["planned_entry_date"],
                note=data["note"],
                waiver_justification=data["waiver_justification"],
                consent=data["consent"],
                send=send,
            )
        except services.ReferralError as error:
            _attach_error(form, error)
        else:
            if send:
                message = _("Orientation envoyée à %(organisation)s.")
            else:
                message = _(
                    "Brouillon enregistré : il n'est pas encore transmis à %(organisation)s."
                )
            messages.success(request, message % {"organisation": scheme.organisation.name})
            return redirect("referrals:detail", pk=referral.pk)
    entry_date = scheme.planned_entry_date(timezone.localdate())
    if form.is_bound and form.is_valid() and form.cleaned_data["planned_entry_date"]:
        entry_date = form.cleaned_data["planned_entry_date"]
    verdict = evaluate(SchemeRules.from_scheme(scheme), PersonFacts.from_person(person), entry_date)
    return render(
        request,
        "referrals/referral_form.html",
        {
            "person": person,
            "scheme": scheme,
            "form": form,
            "verdict": verdict,
            "reasons": reasons_for(request.membership, verdict, scheme),
            "entry_date": entry_date,
        },
        status=400 if form.errors else 200,
    )


FIELD_OF_ERROR = {
    "consent_needed": "consent",
    "waiver_needed": "waiver_justification",
}


def _attach_error(form, error):
    field = FIELD_OF_ERROR.get(error.code)
    form.add_error(field if field in form.fields else None, error.messages[0])


SENT_STATES = [
    ("brouillons", gettext_lazy("Brouillons"), {S.DRAFT}),
    ("en-attente", gettext_lazy("En attente de réponse"), {S.SENT}),
    ("acceptees", gettext_lazy("Acceptées"), {S.WAITLISTED, S.ACCEPTED, S.ENTERED}),
    ("closes", gettext_lazy("Closes"), set(CLOSED_STATES)),
]
SENT_TABS = lists.tab_conditions(SENT_STATES)


def _tabs(request, referrals, tabs, default, counts=None):
    """The current tab, the tabs with their counts (counted here unless given) and the current
    tab's condition."""
    if counts is None:
        counts = referrals.aggregate(**{key: Count("id", filter=q) for key, _label, q in tabs})
    current = request.GET.get("onglet", default)
    if current not in counts:
        current = default
    if "onglet" not in request.GET and not counts[current]:
        # Issue 16.5: open where the work is, not on an empty default tab while others hold
        # items (a tab asked for by name stays, even empty).
        current = next((key for key, _label, _q in tabs if counts[key]), default)
    condition = next(q for key, _label, q in tabs if key == current)
    return current, [(key, label, counts[key]) for key, label, _q in tabs], condition


@action_required(Action.REFER)
def sent_list(request):
    """The referrals the user's side has made, with the partners' answers."""
    membership = request.membership
    referrals = Referral.objects.visible_to(membership)
    directorate_id = None
    if membership.role in PARTNER_ROLES:
        referrals = referrals.filter(referrer_organisation_id=membership.organisation_id)
    elif membership.role in OFII_DT_ROLES and membership.organisation.directorate_id:
        # The referrals the DT made (their DT, kept when the person moves) of the persons it
        # still follows: its counts are kept by the database (SchemeStatusCount), where
        # counting them read some 90,000 referrals at a million persons (issue 12).
        directorate_id = membership.organisation.directorate_id
        referrals = referrals.filter(directorate_id=directorate_id)
    kept = {"directorate_id": directorate_id} if directorate_id else None
    filters = lists.ReferralFilterForm(
        request.GET or None,
        referrals=referrals,
        scheme_ids=lists.kept_schemes(**kept) if kept else None,
        # A DT's list holds its own referrals only.
        directorate_ids=[directorate_id] if directorate_id else None,
    )
    counts = lists.kept_counts(SENT_STATES, **kept) if kept and not filters.narrows() else None
    referrals = filters.apply(referrals)
    current, tabs, condition = _tabs(request, referrals, SENT_TABS, "en-attente", counts)
    rows = (
        referrals.filter(condition)
        .select_related("person", "scheme__organisation", "referred_by")
        .order_by(*filters.ordering(("-created_at", "-pk")))
    )
    if request.GET.get("export") == "xlsx":
        return lists.export(request, rows, lists.sent_rows, "orientations-envoyees")
    paginator = Paginator(rows, 50)
    if counts is not None:
        # The tab's count, kept: a referral of a person since moved to another DT is counted
        # there but not shown, at worst a last page shorter than the count says.
        paginator.count = counts[current]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/sent_list.html",
        {
            "page": page,
            "tabs": tabs,
            "current": current,
            "filters": filters,
            "filter_query": filters.query_string(),
        },
    )


def _detail_queryset(request):
    return Referral.objects.visible_to(request.membership).select_related(
        "person__department",
        "person__directorate",
        "scheme__organisation",
        "referred_by",
        "referrer_organisation",
        "consent_recorded_by",
        "transferred_from__scheme",
    )


def _is_receiver(membership, referral) -> bool:
    return (
        can(membership, Action.ANSWER_REFERRAL)
        and referral.scheme.organisation_id == membership.organisation_id
        and referral.status != S.DRAFT
    )


def _is_referrer(membership, referral) -> bool:
    return (
        can(membership, Action.REFER)
        and referral.referrer_organisation_id == membership.organisation_id
    )


def render_detail(request, referral, forms=None, status=200):
    """The referral page, with the action forms its reader may use in its current state."""
    membership = request.membership
    forms = forms or {}
    receiver = _is_receiver(membership, referral)
    referrer = _is_referrer(membership, referral)
    actions = {}
    if receiver:
        if referral.can("accept"):
            actions["accept"] = forms.get("accept") or CommentForm(prefix="accept")
        if referral.can("refuse"):
            actions["refuse"] = forms.get("refuse") or RefuseForm(prefix="refuse")
        if referral.can("enter"):
            actions["entry"] = forms.get("entry") or EntryForm(
                prefix="entry", initial={"entered_on": timezone.localdate()}
            )
        if referral.can("complete"):
            actions["exit"] = forms.get("exit") or ExitForm(
                prefix="exit", initial={"exited_on": timezone.localdate()}
            )
    if referrer:
        if referral.can("send"):
            actions["send"] = forms.get("send") or SendForm(
                prefix="send", initial={"waiver_justification": referral.waiver_justification}
            )
            actions["delete"] = True
        if referral.can("withdraw"):
            actions["withdraw"] = forms.get("withdraw") or CommentForm(prefix="withdraw")
        if referral.can("transfer"):
            actions["transfer"] = True
    waiting_position = None
    if referral.status == S.WAITLISTED:
        waiting_position = (
            Referral.objects.waiting_list(referral.scheme_id)
            .filter(
                Q(answered_at__lt=referral.answered_at)
                | Q(answered_at=referral.answered_at, pk__lt=referral.pk)
            )
            .count()
            + 1
        )
    full_file = sees_full_file(membership, referral)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "transitions": referral.transitions.select_related("by", "by_organisation"),
            "transferred_to": Referral.objects.filter(transferred_from=referral)
            .select_related("scheme")
            .first(),
            "full_file": full_file,
            "eligibility_reasons": sent_reasons_for(membership, referral),
            "person_fields": None
            if full_file
            else partner_fields(referral.person, referral.scheme),
            "actions": actions,
            "is_receiver": receiver,
            "can_record_situation": can(membership, Action.RECORD_SITUATION),
            "waiting_position": waiting_position,
        },
        status=status,
    )


@action_required(Action.VIEW_PERSON)
def referral_detail(request, pk):
    return render_detail(request, get_object_or_404(_detail_queryset(request), pk=pk))


def _referrer_referral(request, pk):
    referral = get_object_or_404(_detail_queryset(request), pk=pk)
    if not _is_referrer(request.membership, referral):
        # Visible but not theirs to act on (e.g. the receiving partner): nothing to do here.
        return referral, False
    return referral, True


def _refused(request, referral):
    messages.error(
        request, _("Cette action est réservée à la structure qui a orienté la personne.")
    )
    return redirect("referrals:detail", pk=referral.pk)


@action_required(Action.REFER)
@require_POST
def referral_send(request, pk):
    referral, allowed = _referrer_referral(request, pk)
    if not allowed:
        return _refused(request, referral)
    form = SendForm(request.POST, prefix="send")
    if form.is_valid():
        try:
            services.send_referral(
                referral,
                by=request.user,
                organisation=request.membership.organisation,
                consent=form.cleaned_data["consent"],
                waiver_justification=form.cleaned_data["waiver_justification"],
            )
        except services.ReferralError as error:
            _attach_error(form, error)
        else:
            messages.success(
                request,
                _("Orientation envoyée à %(organisation)s.")
                % {"organisation": referral.scheme.organisation.name},
            )
            return redirect("referrals:detail", pk=referral.pk)
    return render_detail(request, referral, {"send": form}, status=400)


@action_required(Action.REFER)
@require_POST
def referral_delete(request, pk):
    referral, allowed = _referrer_referral(request, pk)
    if not allowed:
        return _refused(request, referral)
    person_pk = referral.person_id
    try:
        services.delete_draft(referral)
    except services.ReferralError as error:
        messages.error(request, error.messages[0])
        return redirect("referrals:detail", pk=referral.pk)
    messages.success(request, _("Brouillon supprimé."))
    return redirect("referrals:person_eligibility", person_pk=person_pk)


@action_required(Action.REFER)
@require_POST
def referral_withdraw(request, pk):
    referral, allowed = _referrer_referral(request, pk)
    if not allowed:
        return _refused(request, referral)
    form = CommentForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            services.withdraw_referral(
                referral,
                by=request.user,
                organisation=request.membership.organisation,
                comment=form.cleaned_data["comment"],
            )
        except services.ReferralError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Orientation retirée ; le partenaire en est informé."))
        return redirect("referrals:detail", pk=referral.pk)
    return render_detail(request, referral, {"withdraw": form}, status=400)


@action_required(Action.REFER)
def referral_transfer(request, pk):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    referral, allowed = _referrer_referral(request, pk)
    if not allowed:
        return _refused(request, referral)
    schemes = _schemes_for(referral.person).exclude(pk=referral.scheme_id)
    form = TransferForm(request.POST or None, schemes=schemes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.transfer_referral(
                referral,
                data["scheme"],
                by=request.user,
                organisation=request.membership.organisation,
                note=data["note"],
                consent=data["consent"],
                waiver_justification=data["waiver_justification"],
            )
        except services.ReferralError as error:
            _attach_error(form, error)
        else:
            messages.success(
                request,
                _("Orientation transférée vers « %(scheme)s ».") % {"scheme": new.scheme.name},
            )
            return redirect("referrals:detail", pk=new.pk)
    return render(
        request,
        "referrals/referral_transfer.html",
        {"referral": referral, "form": form},
        status=400 if form.errors else 200,
    )
