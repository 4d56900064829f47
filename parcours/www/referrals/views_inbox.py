"""Partner inbox: the referrals sent to the organisation, and the answers it gives."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parcours.organisations.permissions import Action
from parcours.people.models import Person
from parcours.privacy.access_log import Operation, log_access
from parcours.referrals import services
from parcours.referrals.models import Referral
from parcours.referrals.projection import partner_fields
from parcours.referrals.states import CLOSED_STATES, ReferralStatus
from parcours.www.decorators import action_required
from parcours.www.referrals import lists
from parcours.www.referrals.forms import CommentForm, EntryForm, ExitForm, RefuseForm
from parcours.www.referrals.lists import ReferralFilterForm
from parcours.www.referrals.views_referrals import _detail_queryset, _tabs, render_detail

S = ReferralStatus

# The inbox's tabs and the states each one lists.
INBOX_STATES = [
    ("a-traiter", gettext_lazy("À traiter"), {S.SENT}),
    ("liste-attente", gettext_lazy("Liste d'attente"), {S.WAITLISTED}),
    ("acceptees", gettext_lazy("Acceptées, entrée à confirmer"), {S.ACCEPTED}),
    ("en-cours", gettext_lazy("Dans le dispositif"), {S.ENTERED}),
    ("closes", gettext_lazy("Closes"), set(CLOSED_STATES)),
]
INBOX_TABS = lists.tab_conditions(INBOX_STATES)


@action_required(Action.ANSWER_REFERRAL)
def inbox(request):
    """Only the people referred to this organisation, with only what the partner needs."""
    organisation = request.membership.organisation
    referrals = Referral.objects.received_by(organisation)
    filters = ReferralFilterForm(
        request.GET or None,
        referrals=referrals,
        scheme_ids=lists.kept_schemes(scheme__organisation_id=organisation.pk, without=[S.DRAFT]),
    )
    # Unfiltered, the tabs' counts are the kept ones; a filter counts the rows it keeps.
    counts = (
        None
        if filters.narrows()
        else lists.kept_counts(INBOX_STATES, scheme__organisation_id=organisation.pk)
    )
    referrals = filters.apply(referrals)
    current, tabs, condition = _tabs(request, referrals, INBOX_TABS, "a-traiter", counts)
    ordering = ("answered_at", "pk") if current == "liste-attente" else ("sent_at", "pk")
    rows = (
        referrals.filter(condition)
        .select_related("person", "scheme__organisation", "referrer_organisation")
        .order_by(*filters.ordering(ordering))
    )
    if request.GET.get("export") == "xlsx":
        # The partner's own inbox, with the inbox's columns only (the partner projection).
        return lists.export(request, rows, lists.received_rows, "orientations-recues")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    if page.object_list:
        log_access(request, [r.person_id for r in page.object_list], Operation.PERSON_LIST)
    return render(
        request,
        "referrals/inbox.html",
        {
            "page": page,
            "tabs": tabs,
            "current": current,
            "filters": filters,
            "filter_query": filters.query_string(),
        },
    )


@action_required(Action.ANSWER_REFERRAL)
def partner_person(request, person_pk):
    """A referred person as the partner sees them: the projection, not the OFII file."""
    person = get_object_or_404(
        Person.objects.visible_to(request.membership).select_related("department"), pk=person_pk
    )
    # Issue 6: each read of a person, in whatever projection, writes one access-log row.
    log_access(request, [person], Operation.PERSON_READ)
    referrals = list(
        Referral.objects.received_by(request.membership.organisation)
        .filter(person=person)
        .select_related("scheme")
        .order_by("-sent_at", "-pk")
    )
    return render(
        request,
        "referrals/partner_person.html",
        {
            "person": person,
            "fields": partner_fields(
                person,
                residence_status=any(r.scheme.uses_residence_status for r in referrals),
            ),
            "referrals": referrals,
        },
    )


def _received(request, pk):
    return get_object_or_404(
        _detail_queryset(request).received_by(request.membership.organisation), pk=pk
    )


def _answer(request, referral, form_key, form, call, success):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except services.ReferralError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, success)
        return redirect("referrals:detail", pk=referral.pk)
    return render_detail(request, referral, {form_key: form}, status=400)


def _who(request):
    return {"by": request.user, "organisation": request.membership.organisation}


@action_required(Action.ANSWER_REFERRAL)
@require_POST
def accept(request, pk):
    referral = _received(request, pk)
    form = CommentForm(request.POST, prefix="accept")

    def call(data):
        result = services.accept_referral(referral, comment=data["comment"], **_who(request))
        if result.status == S.WAITLISTED:
            messages.warning(
                request,
                _("Le dispositif est complet : la personne est inscrite en liste d'attente."),
            )

    return _answer(
        request, referral, "accept", form, call, _("Réponse enregistrée ; l'orienteur est prévenu.")
    )


@action_required(Action.ANSWER_REFERRAL)
@require_POST
def refuse(request, pk):
    referral = _received(request, pk)
    form = RefuseForm(request.POST, prefix="refuse")

    def call(data):
        services.refuse_referral(
            referral, reason=data["reason"], comment=data["comment"], **_who(request)
        )

    return _answer(
        request, referral, "refuse", form, call, _("Refus enregistré ; l'orienteur est prévenu.")
    )


@action_required(Action.ANSWER_REFERRAL)
@require_POST
def entry(request, pk):
    referral = _received(request, pk)
    form = EntryForm(request.POST, prefix="entry")

    def call(data):
        services.record_entry(referral, entered_on=data["entered_on"], **_who(request))

    return _answer(
        request, referral, "entry", form, call, _("Entrée dans le dispositif enregistrée.")
    )


@action_required(Action.ANSWER_REFERRAL)
@require_POST
def exit_scheme(request, pk):
    referral = _received(request, pk)
    form = ExitForm(request.POST, prefix="exit")

    def call(data):
        services.record_exit(
            referral,
            exited_on=data["exited_on"],
            completed=data["outcome"] == "completed",
            reason=data["reason"],
            comment=data["comment"],
            **_who(request),
        )

    return _answer(request, referral, "exit", form, call, _("Sortie du dispositif enregistrée."))
