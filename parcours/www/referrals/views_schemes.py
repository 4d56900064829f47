"""Partner directory: search schemes, read one, and maintain them (DT managers, partner admin)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.organisations.permissions import Action
from parcours.referrals.eligibility import describe_rules
from parcours.referrals.models import Referral, Scheme, SchemeEntryDate
from parcours.referrals.services import ReferralError, save_scheme
from parcours.www.decorators import action_required
from parcours.www.referrals.forms import EntryDateForm, SchemeForm, SchemeSearchForm


def _with_details(schemes):
    return schemes.select_related("organisation").prefetch_related("departments", "entry_dates")


@action_required(Action.REFER)
def scheme_list(request):
    """The directory, searchable by an auditor during an interview."""
    form = SchemeSearchForm(request.GET or None, membership=request.membership)
    schemes = Scheme.objects.in_perimeter_of(request.membership).active()
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        for word in text.split():
            schemes = schemes.filter(
                Q(name__icontains=word)
                | Q(organisation__name__icontains=word)
                | Q(description__icontains=word)
                | Q(target_public__icontains=word)
            )
        if form.cleaned_data["department"]:
            schemes = schemes.filter(departments=form.cleaned_data["department"])
        if form.cleaned_data["kind"]:
            schemes = schemes.filter(kind=form.cleaned_data["kind"])
    page = Paginator(_with_details(schemes).order_by("organisation__name", "name"), 30).get_page(
        request.GET.get("page")
    )
    for scheme in page.object_list:
        scheme.rule_lines = describe_rules(scheme.rules)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/scheme_list.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "searched": bool(request.GET),
        },
    )


@action_required(Action.REFER)
def scheme_detail(request, pk):
    scheme = get_object_or_404(
        _with_details(Scheme.objects.in_perimeter_of(request.membership)), pk=pk
    )
    return render(
        request,
        "referrals/scheme_detail.html",
        {
            "scheme": scheme,
            "rule_lines": describe_rules(scheme.rules),
            "waiting_count": Referral.objects.waiting_list(scheme.pk).count(),
            "can_manage": Scheme.objects.manageable_by(request.membership)
            .filter(pk=scheme.pk)
            .exists(),
        },
    )


@action_required(Action.MANAGE_SCHEMES)
def scheme_manage(request):
    schemes = _with_details(Scheme.objects.manageable_by(request.membership)).order_by(
        "organisation__name", "name"
    )
    page = Paginator(schemes, 50).get_page(request.GET.get("page"))
    return render(request, "referrals/scheme_manage.html", {"page": page})


@action_required(Action.MANAGE_SCHEMES)
def scheme_edit(request, pk=None):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    scheme = None
    if pk is not None:
        scheme = get_object_or_404(
            _with_details(Scheme.objects.manageable_by(request.membership)), pk=pk
        )
    form = SchemeForm(request.POST or None, instance=scheme, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        fields = [name for name in form.Meta.fields if name != "departments"]
        try:
            instance = save_scheme(
                instance, fields=fields, departments=form.cleaned_data["departments"]
            )
        except ReferralError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                (
                    _("Dispositif « %(name)s » créé.")
                    if scheme is None
                    else _("Dispositif « %(name)s » mis à jour.")
                )
                % {"name": instance.name},
            )
            return redirect("referrals:scheme_edit", pk=instance.pk)
    return render(
        request,
        "referrals/scheme_form.html",
        {"form": form, "scheme": scheme, "date_form": EntryDateForm() if scheme else None},
    )


@action_required(Action.MANAGE_SCHEMES)
@require_POST
def scheme_entry_dates(request, pk):
    """Add an entry date (cohort), or remove one (`delete` = its id)."""
    scheme = get_object_or_404(Scheme.objects.manageable_by(request.membership), pk=pk)
    if "delete" in request.POST:
        deleted, _rows = SchemeEntryDate.objects.filter(
            scheme=scheme, pk=request.POST.get("delete") or 0
        ).delete()
        if deleted:
            messages.success(request, _("Date d'entrée supprimée."))
        return redirect("referrals:scheme_edit", pk=scheme.pk)
    form = EntryDateForm(request.POST, instance=SchemeEntryDate(scheme=scheme))
    if form.is_valid():
        if SchemeEntryDate.objects.filter(
            scheme=scheme, starts_on=form.cleaned_data["starts_on"]
        ).exists():
            form.add_error("starts_on", _("Cette date d'entrée existe déjà."))
        else:
            form.save()
            messages.success(request, _("Date d'entrée ajoutée."))
            return redirect("referrals:scheme_edit", pk=scheme.pk)
    return render(
        request,
        "referrals/scheme_form.html",
        {
            "form": SchemeForm(instance=scheme, membership=request.membership),
            "scheme": scheme,
            "date_form": form,
        },
        status=400,
    )
