"""The person's own convocation page (public, no account), the SMS provider's delivery
callback, and the agent's switch for a person's consent to messages."""

import contextlib
import datetime
import json

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from parcours.messaging import services
from parcours.messaging.models import Answer, AnswerReason, ConvocationPage
from parcours.messaging.sms import SIGNATURE_HEADER, verify_signature
from parcours.messaging.texts import LANGUAGES, for_language
from parcours.organisations.permissions import Action
from parcours.people import services as people_services
from parcours.people.models import Person
from parcours.privacy.access_log import record_access, register_operation
from parcours.reception.letters import TRANSLATIONS as LETTER_TRANSLATIONS
from parcours.reception.letters import fr as letter_fr
from parcours.www.decorators import action_required

PAGE_READ = register_operation(
    "convocation_page_read", _("Consultation de sa convocation par la personne")
)
# Requests per device (IP address) in RATE_WINDOW seconds, whatever the link: enough for a
# person and a family member on one phone, too few to try links or birth dates at scale.
RATE_LIMIT = 30
RATE_WINDOW = 600
SESSION_KEY = "messaging_verified_pages"


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _over_rate_limit(request) -> bool:
    key = f"messaging:rate:{_client_ip(request)}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    return count > RATE_LIMIT


def _language(request, page: ConvocationPage) -> str:
    asked = request.GET.get("lang") or request.POST.get("lang") or ""
    if asked in LANGUAGES:
        return asked
    return services.compose.message_language(page.convocation)


def _languages(page: ConvocationPage) -> list:
    """French, and the person's language when Parcours has it (the switch of the page)."""
    own = services.compose.message_language(page.convocation)
    return [LANGUAGES[code] for code in dict.fromkeys(["fr", own]) if code in LANGUAGES]


def _contact(directorate) -> str:
    return " – ".join(p for p in (directorate.phone, directorate.email) if p) or str(
        directorate.name
    )


def _render(request, page, lang, state, *, status=200, **extra):
    texts = for_language(lang)
    context = {
        "t": texts.PAGE,
        "lang": texts.CODE,
        "direction": texts.DIRECTION,
        "state": state,
        "token": page.token if page else "",
        "languages": _languages(page) if page else [],
        **extra,
    }
    return render(request, "messaging/page.html", context, status=status)


def _details(page: ConvocationPage, lang: str) -> dict:
    session = page.convocation.session
    letter = LETTER_TRANSLATIONS.get(lang, letter_fr)
    address = " ".join(session.address.split())
    return {
        "day": letter.format_day(session.date),
        "time": letter.format_time(session.start_time),
        "address": address,
        "directions": "https://www.openstreetmap.org/search?" + urlencode({"query": address}),
    }


def _verified(request, page) -> bool:
    return page.pk in request.session.get(SESSION_KEY, [])


@login_not_required
def convocation_page(request, token):
    """Issue 18: the person's page. Nothing is shown before the check of the birth date."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    if _over_rate_limit(request):
        return _render(request, None, request.GET.get("lang", "fr"), "too_many", status=429)
    page = (
        ConvocationPage.objects.select_related(
            "convocation__session__directorate", "convocation__person"
        )
        .filter(token=token)
        .first()
    )
    if page is None:
        raise Http404
    now = timezone.now()
    lang = _language(request, page)
    texts = for_language(lang)
    directorate = page.convocation.session.directorate
    if not services.page_open(page, now):
        return _render(request, page, lang, "expired", status=410)
    if services.is_locked(page, now):
        return _render(
            request,
            page,
            lang,
            "locked",
            status=403,
            locked=texts.PAGE["locked"].format(
                hours=services.LOCK_HOURS, contact=_contact(directorate)
            ),
        )
    here = reverse("messaging:page", args=[page.token]) + "?" + urlencode({"lang": lang})
    if request.method == "POST" and request.POST.get("action") == "check":
        try:
            given = datetime.date(
                int(request.POST.get("year", "")),
                int(request.POST.get("month", "")),
                int(request.POST.get("day", "")),
            )
        except (ValueError, OverflowError):  # not a number, not a date, or a huge number
            return _render(request, page, lang, "check", status=400, error=texts.PAGE["invalid"])
        outcome = services.check_birth_date(page, given, now)
        if outcome == "ok":
            request.session.cycle_key()
            request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), page.pk]
            return redirect(here)
        if outcome == "locked":
            return redirect(here)
        left = services.MAX_FAILED_CHECKS - page.failed_checks
        return _render(
            request,
            page,
            lang,
            "check",
            status=400,
            error=texts.PAGE["wrong"].format(left=left),
        )
    if not _verified(request, page):
        return _render(request, page, lang, "check")
    person = page.convocation.person
    if request.method == "POST" and request.POST.get("action") == "answer":
        value = request.POST.get("answer", "")
        reason = request.POST.get("reason", "")
        if value == Answer.CANNOT_COME and reason not in AnswerReason.values:
            return _render(
                request,
                page,
                lang,
                "details",
                status=400,
                error=texts.PAGE["choose_reason"],
                details=_details(page, lang),
                reasons=texts.PAGE["reasons"].items(),
            )
        # The agent may already have recorded the attendance: the page then shows it as it is.
        with contextlib.suppress(ValidationError):
            services.answer(page, value, reason, now)
        return redirect(here)
    if request.method == "POST" and request.POST.get("action") == "stop":
        people_services.set_messages_consent(person, wanted=False, actor=None, now=now)
        return redirect(here + "&stopped=1")
    record_access(
        user=None,
        membership=None,
        persons=[person.pk],
        operation=PAGE_READ,
        path_name="messaging:page",
        purpose=_("La personne consulte sa convocation"),
    )
    page.refresh_from_db(fields=["answer", "reason"])
    return _render(
        request,
        page,
        lang,
        "details",
        details=_details(page, lang),
        reasons=texts.PAGE["reasons"].items(),
        answer=page.answer,
        stopped=request.GET.get("stopped") == "1" or person.messages_stopped_at is not None,
    )


@csrf_exempt  # called by the SMS provider, authenticated by the HMAC signature of its body
@login_not_required
@require_POST
def sms_status(request):
    """The provider's delivery report: {"id": ..., "status": ..., "reason": ...}, signed."""
    body = request.body
    if not verify_signature(body, request.headers.get(SIGNATURE_HEADER, "")):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        report = json.loads(body)
        provider_id, status = str(report["id"]), str(report["status"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad report"}, status=400)
    message = services.record_delivery(provider_id, status, str(report.get("reason") or ""))
    if message is None:
        return JsonResponse({"error": "unknown message or status"}, status=404)
    return JsonResponse({"status": message.status})


@require_POST
@action_required(Action.EDIT_PERSON)
def consent(request, pk):
    """The agent records that the person wants no more messages, or wants them again."""
    person = get_object_or_404(Person.objects.visible_to(request.membership), pk=pk)
    wanted = request.POST.get("wanted") == "1"
    try:
        people_services.set_messages_consent(
            person, wanted=wanted, actor=request.user, now=timezone.now()
        )
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        flash.success(
            request,
            _("La personne recevra de nouveau les messages.")
            if wanted
            else _("La personne ne recevra plus de courriels ni de SMS."),
        )
    return redirect("person_detail", pk=person.pk)


@require_POST
@action_required(Action.PLAN_SESSIONS)
def reminder_days(request):
    """The DT sets how many days before a session the reminder goes (from 1 to 14)."""
    directorate_id = getattr(request.membership.organisation, "directorate_id", None)
    if not directorate_id:
        raise PermissionDenied
    try:
        days = int(request.POST.get("reminder_days", ""))
        services.set_reminder_days(directorate_id, days)
    except (ValueError, ValidationError):
        flash.error(request, _("Choisissez un délai de 1 à 14 jours."))
    else:
        flash.success(request, _("Délai des rappels enregistré."))
    return redirect("reception:worklists")
