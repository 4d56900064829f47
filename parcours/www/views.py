"""Views of the foundation: sign-in, home per role, organisation switch, person files, health."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from parcours.accounts.two_factor import second_factor_exempt
from parcours.core import freshness
from parcours.organisations.middleware import SESSION_KEY
from parcours.organisations.permissions import Action, can
from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES, Role
from parcours.people import ages, titles
from parcours.people import services as people_services
from parcours.people.duplicates import find_candidates
from parcours.people.models import Person
from parcours.people.timeline import timeline_for
from parcours.privacy.access_log import Operation, log_access
from parcours.territories.models import Directorate
from parcours.www import home as home_page
from parcours.www.decorators import action_required
from parcours.www.forms import LoginForm, PersonForm, PersonSearchForm
from parcours.www.privacy.purposes import purpose_for_person_read
from parcours.www.privacy.views import person_file_context
from parcours.www.reception.views import sessions_with_seats

# The last person search, kept in the session so that a name never goes into a URL.
SEARCH_SESSION_KEY = "parcours_person_search"


class LoginView(auth_views.LoginView):
    template_name = "www/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context


@never_cache
@login_not_required
@require_GET
def health(request):
    """Liveness and database check for the load balancer; says nothing about people."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request):
    membership = request.membership
    context = {"membership": membership}
    if membership is None:
        return render(request, "www/home_no_membership.html", context)
    role = membership.role
    if role in OFII_DT_ROLES:
        persons = Person.objects.visible_to(membership)
        # The DT's persons, counted once per write in the DT (a quarter of a million at
        # national scale: the person list's cached count, issue 12).
        context["person_count"] = _list_cached(request, ("home_person_count",), persons.count)
        context["directorate"] = membership.organisation.directorate
        directorate_id = membership.organisation.directorate_id
        if directorate_id:
            # Issue 16: what to do now, before the menu's pages.
            context["sessions"] = home_page.sessions_of_the_day(directorate_id)
            context["worklists"] = home_page.worklist_counts(directorate_id)
        context["month_to_approve"] = home_page.month_to_approve(membership)
        context["reports_to_send"] = home_page.reports_to_send(membership)
        context["can_see_runs"] = can(membership, Action.MANAGE_PARTNERS)
        context["can_convoke"] = can(membership, Action.CONVOKE)
        context["can_edit"] = can(membership, Action.EDIT_PERSON)
        context["can_see_planning"] = can(membership, Action.VIEW_PERSON)
        template = "www/home_dt.html"
    elif role in PARTNER_ROLES:
        # The inbox's own count (issue 16: not every person ever referred).
        context["received"] = home_page.received_referrals(membership.organisation)
        context["can_answer"] = can(membership, Action.ANSWER_REFERRAL)
        if can(membership, Action.CIP_INTERVIEW):
            # Issue 16: the CIP's own sessions of today and tomorrow (those it is staff of).
            context["sessions"] = home_page.sessions_of_the_day(staff_user_id=request.user.pk)
            context["show_sessions"] = True
        context["can_see_planning"] = can(membership, Action.VIEW_PERSON)
        template = "www/home_partner.html"
    elif role == Role.REGIONAL_VIEWER:
        context["directorates"] = list(
            Directorate.objects.filter(region_id=membership.organisation.region_id)
            .prefetch_related("departments")
            .order_by("name")
        )
        # Issue 16: the months each DT of the region has approved (readable now) or not yet.
        context["approvals"] = home_page.months_by_directorate(context["directorates"])
        template = "www/home_regional.html"
    else:
        context["directorates"] = list(
            Directorate.objects.prefetch_related("departments").order_by("name")
        )
        # Issue 16: what needs the national admin's attention.
        context["attention"] = home_page.national_attention(context["directorates"])
        context["can_unlock"] = can(membership, Action.MANAGE_USERS)
        template = "www/home_national.html"
    return render(request, template, context)


@second_factor_exempt
@require_POST
def switch_membership(request):
    """Change the organisation the user acts for; only one of their own active memberships."""
    try:
        membership_id = int(request.POST.get("membership", ""))
    except ValueError:
        membership_id = None
    membership = request.user.memberships.active().filter(pk=membership_id).first()
    if membership is None:
        messages.error(request, _("Ce rattachement n'existe pas ou n'est plus actif."))
    else:
        request.session[SESSION_KEY] = membership.pk
        messages.success(
            request,
            _("Vous agissez maintenant pour %(organisation)s (%(role)s).")
            % {"organisation": membership.organisation, "role": membership.get_role_display()},
        )
    # Back to home: the page the user was on may not exist in the new perimeter.
    return redirect("home")


# A search shows at most this many persons, the closest first; past it the page says to
# refine (issue 12: HADDAD has 10,417 homonyms in DT Metz at a million persons, and ranking
# them all for a page of 50 took 244 ms of SQL; docs/benchmarks/2026-12-01-search-worklists.md).
SEARCH_MAX_RESULTS = 500


def filtered_persons(request):
    """The persons of the list as searched (session), filtered and sorted (address), and
    whether the search found more than SEARCH_MAX_RESULTS (only the closest are kept)."""
    from parcours.www.person_lists import PersonFilterForm

    form = PersonSearchForm({"q": request.session.get(SEARCH_SESSION_KEY, "")})
    persons = Person.objects.visible_to(request.membership).not_anonymised()
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
    filters = PersonFilterForm(request.GET or None, membership=request.membership)
    persons = filters.filter(persons)
    more = False
    if query:
        found = _list_cached(
            request,
            ("person_search", query, filters.query_string()),
            lambda: persons.found_count(query, SEARCH_MAX_RESULTS),
        )
        more = found > SEARCH_MAX_RESULTS
        persons = persons.ranked(query, cap=SEARCH_MAX_RESULTS if more else None)
    persons = filters.sort(persons, ranked=bool(query)).select_related("nationality", "department")
    return persons, query, filters, more


class _CountedPaginator(Paginator):
    """A paginator given its exact count (read from the figures' cache, see _list_count)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached property


def _list_cached(request, parts: tuple, compute):
    """A count of the person list, cached under the DT's generation (core/freshness.py):
    counting a DT's 250,000 persons on every page cost more than the page (issue 12); a write
    in the DT (a person added, moved, anonymised) counts again."""
    membership = request.membership
    directorate_id = None
    scope = f"m{membership.pk}"
    if membership.role in OFII_DT_ROLES and membership.organisation.directorate_id:
        # Every DT role sees the DT's persons (PersonQuerySet.visible_to): one count for all.
        directorate_id = membership.organisation.directorate_id
        scope = f"dt{directorate_id}"
    return freshness.cached(
        (parts[0], scope, *parts[1:]),
        compute,
        directorates=[directorate_id] if directorate_id else None,
    )


def _list_count(request, persons, query, filters) -> int:
    """The exact number of persons of the list (at most SEARCH_MAX_RESULTS for a search)."""
    return _list_cached(request, ("person_list", query, filters.query_string()), persons.count)


@action_required(Action.VIEW_PERSON)
def person_list(request):
    if request.membership.role in PARTNER_ROLES:
        # A partner's list of people is its inbox of referrals, with the partner's fields.
        return redirect("referrals:inbox")
    if request.method == "POST":
        # Post/redirect/get: the searched name stays out of the address bar, the browser
        # history and the server's request logs.
        posted = PersonSearchForm(request.POST)
        request.session[SEARCH_SESSION_KEY] = posted.cleaned_data["q"] if posted.is_valid() else ""
        return redirect("person_list")
    if "q" in request.GET:
        request.session[SEARCH_SESSION_KEY] = request.GET["q"][:100]
    persons, query, filters, more = filtered_persons(request)
    page = _CountedPaginator(persons, 50, _list_count(request, persons, query, filters)).get_page(
        request.GET.get("page")
    )
    if page.object_list:
        # Issue 6: every search or list that shows people is logged, with the persons shown.
        operation = Operation.PERSON_SEARCH if query else Operation.PERSON_LIST
        log_access(request, page.object_list, operation)
    return render(
        request,
        "www/person_list.html",
        {
            "form": PersonSearchForm({"q": query}),
            "filters": filters,
            "query_string": filters.query_string(),
            "page": page,
            "query": query,
            "more_than": SEARCH_MAX_RESULTS if more else None,
            "can_edit": can(request.membership, Action.EDIT_PERSON),
            "can_export": can(request.membership, Action.EXPORT),
        },
    )


def _visible_person(request, pk):
    return get_object_or_404(
        Person.objects.visible_to(request.membership).select_related(
            "nationality",
            "department",
            "directorate",
            "interpreter_language",
            # The file's employment section (issue 20): no statement when there is none.
            "professional_profile",
        ),
        pk=pk,
    )


@action_required(Action.VIEW_PERSON)
def person_detail(request, pk):
    if request.membership.role in PARTNER_ROLES:
        # Partners never see the OFII file: only what their schemes need (issue 4).
        return redirect("referrals:partner_person", person_pk=pk)
    person = _visible_person(request, pk)
    purpose = purpose_for_person_read(request, person)
    if purpose is None:
        # Roles that see every file of the DT say why they open this one (issue 6).
        return redirect("privacy:person_purpose", pk=person.pk)
    # Issue 6: each read of a person file writes exactly one access-log row.
    log_access(request, [person], Operation.PERSON_READ, purpose=purpose)
    return render(
        request,
        "www/person_detail.html",
        {
            "person": person,
            "languages": person.languages.all(),
            "timeline": timeline_for(person),
            "title_standing": titles.standing(
                person,
                timezone.localdate(),
                age=ages.age_on(person.birth_date, timezone.localdate()),
            ),
            "can_edit": can(request.membership, Action.EDIT_PERSON),
            "can_refer": can(request.membership, Action.REFER),
            "can_record_situation": can(request.membership, Action.RECORD_SITUATION),
            # Issue 16: « Convoquer » from the file, into a session with a free seat.
            "open_sessions": sessions_with_seats(request.membership)
            if person.anonymised_at is None
            else [],
            "can_convoke": can(request.membership, Action.CONVOKE) and person.anonymised_at is None,
            **person_file_context(request, person),
        },
    )


@action_required(Action.EDIT_PERSON)
def person_edit(request, pk=None):
    person = _visible_person(request, pk) if pk is not None else None
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if person is not None and person.anonymised_at is not None:
        messages.error(request, _("Ce dossier est anonymisé : il ne peut plus être modifié."))
        return redirect("person_detail", pk=person.pk)
    form = PersonForm(request.POST or None, instance=person, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        is_new = person is None
        # Issue 13: the person services are the one writer (history with actor and reason,
        # copies on events brought in line).
        values = form.person_values()
        languages = form.cleaned_data.get("languages") or []
        candidates = []
        if is_new:
            # Issue 16.4: the files that may be this person come first; the agent opens one
            # or confirms that this is somebody else. Only files of the agent's perimeter.
            candidates = find_candidates(
                first_name=values.get("first_names", ""),
                last_name=values.get("last_name", ""),
                birth_date=values.get("birth_date"),
                agdref=values.get("agdref_number"),
                within=Person.objects.visible_to(request.membership),
            )
            if candidates and request.POST.get("confirm_new_person") != "1":
                log_access(request, [c.person for c in candidates], Operation.PERSON_SEARCH)
                return render(
                    request,
                    "www/person_form.html",
                    {"form": form, "person": None, "candidates": candidates},
                )
        try:
            if is_new:
                person = people_services.create_person(
                    values, actor=request.user, languages=languages
                )
                # Created next to likely files: the pairs go to the review list.
                people_services.record_duplicates(person, candidates, actor=request.user)
            else:
                people_services.edit_person(
                    person,
                    values,
                    actor=request.user,
                    reason=form.cleaned_data.get("change_reason", ""),
                    languages=languages,
                )
        except ValidationError as error:
            # Fields of the form get their message; others (the DT) the form's.
            for name, messages_ in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(name if name in form.fields else None, messages_)
            return render(request, "www/person_form.html", {"form": form, "person": person})
        messages.success(
            request,
            (_("Dossier de %(name)s créé.") if is_new else _("Dossier de %(name)s mis à jour."))
            % {"name": person.display_name},
        )
        return redirect("person_detail", pk=person.pk)
    return render(request, "www/person_form.html", {"form": form, "person": person})
