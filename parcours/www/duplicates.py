"""Pages of the duplicate review list: pairs of files that may be one person (issue 17.5).

Pairs come from the person form (a file created next to likely ones) and, later, imports; an
agent compares the two files, then merges them (people.services.merge_persons) or marks them
distinct (the finder stops proposing them). Only pairs whose two files are in the agent's
perimeter are listed; every file shown is access-logged.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parcours.organisations.permissions import Action
from parcours.people import services as people_services
from parcours.people.duplicates import score_pair
from parcours.people.models import DuplicatePair, DuplicateStatus, Person
from parcours.privacy.access_log import Operation, log_access
from parcours.www.decorators import action_required

# What the comparison shows, in this order.
COMPARED_FIELDS = (
    "last_name",
    "usual_name",
    "first_names",
    "sex",
    "birth_date",
    "nationality",
    "agdref_number",
    "address",
    "postcode",
    "city",
    "phone",
    "email",
    "residence_status",
    "created_at",
)


def _open_pairs(membership):
    visible = Person.objects.visible_to(membership).not_anonymised()
    return (
        DuplicatePair.objects.filter(status=DuplicateStatus.OPEN)
        .filter(Exists(visible.filter(pk=OuterRef("low_id"))))
        .filter(Exists(visible.filter(pk=OuterRef("high_id"))))
        .select_related("low", "high")
    )


@action_required(Action.EDIT_PERSON)
def duplicate_list(request):
    page = Paginator(_open_pairs(request.membership), 25).get_page(request.GET.get("page"))
    persons = [p for pair in page.object_list for p in (pair.low, pair.high)]
    if persons:
        log_access(request, persons, Operation.PERSON_LIST)
    return render(request, "www/duplicate_list.html", {"page": page})


def _value(person, name):
    field = Person._meta.get_field(name)
    if field.choices:
        return getattr(person, f"get_{name}_display")()
    value = getattr(person, name)
    return "—" if value in (None, "") else value


@action_required(Action.EDIT_PERSON)
@require_http_methods(["GET", "POST"])
def duplicate_review(request, pk):
    pair = _open_pairs(request.membership).select_related("low__nationality", "high__nationality")
    pair = get_object_or_404(pair, pk=pk)
    low, high = pair.low, pair.high
    error = None
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "distinct":
                people_services.mark_distinct(low, high, actor=request.user)
                messages.success(request, _("Les deux dossiers sont notés comme deux personnes."))
                return redirect("duplicate_list")
            if decision in ("keep_low", "keep_high"):
                kept, absorbed = (low, high) if decision == "keep_low" else (high, low)
                people_services.merge_persons(
                    kept, absorbed, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request,
                    _("Dossiers fusionnés dans celui de %(name)s.") % {"name": kept.display_name},
                )
                return redirect("person_detail", pk=kept.pk)
            raise Http404
        except ValidationError as exc:
            error = " ".join(exc.messages)
    log_access(request, [low, high], Operation.PERSON_READ)
    rows = [
        (Person._meta.get_field(name).verbose_name, _value(low, name), _value(high, name))
        for name in COMPARED_FIELDS
    ]
    now = score_pair(
        last_name=low.last_name,
        first_names=low.first_names,
        birth_date=low.birth_date,
        agdref=low.agdref_number,
        person=high,
    )
    return render(
        request,
        "www/duplicate_review.html",
        {"pair": pair, "low": low, "high": high, "rows": rows, "now": now, "error": error},
    )
