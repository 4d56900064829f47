"""Template tags showing who was reached and how, without one query per row."""

from django import template

from parcours.messaging.models import ConvocationPage, Message

register = template.Library()


def _load(convocation_ids) -> dict:
    found = {pk: {"messages": [], "page": None} for pk in convocation_ids}
    for message in Message.objects.filter(convocation_id__in=convocation_ids).order_by(
        "created_at", "pk"
    ):
        found[message.convocation_id]["messages"].append(message)
    for page in ConvocationPage.objects.filter(convocation_id__in=convocation_ids):
        found[page.convocation_id]["page"] = page
    return found


@register.simple_tag(takes_context=True)
def reach(context, convocation):
    """Messages and answer of a convocation; those of its whole session are read at once
    (two queries per session on the day sheet, whatever the number of rows)."""
    # Kept on the request: each {% include %} of a row has its own render context.
    holder = context.get("request") or context.render_context
    cache = getattr(holder, "_messaging_reach", None)
    if cache is None:
        cache = {}
        holder._messaging_reach = cache
    session_id = convocation.session_id
    if session_id not in cache:
        found = {}
        for message in Message.objects.filter(convocation__session_id=session_id).order_by(
            "created_at", "pk"
        ):
            found.setdefault(message.convocation_id, {"messages": [], "page": None})
            found[message.convocation_id]["messages"].append(message)
        for page in ConvocationPage.objects.filter(convocation__session_id=session_id):
            found.setdefault(page.convocation_id, {"messages": [], "page": None})
            found[page.convocation_id]["page"] = page
        cache[session_id] = found
    return cache[session_id].get(convocation.pk) or {"messages": [], "page": None}


@register.simple_tag
def page_answers(convocations) -> dict:
    """The page answers of a list of convocations (one query), by convocation id."""
    ids = [c.pk for c in convocations]
    return {p.convocation_id: p for p in ConvocationPage.objects.filter(convocation_id__in=ids)}


@register.filter
def answer_of(answers: dict, convocation_id):
    return answers.get(convocation_id)


@register.simple_tag
def person_messages(person):
    return list(
        Message.objects.filter(person=person)
        .select_related("convocation")
        .order_by("-created_at", "-pk")[:50]
    )


@register.simple_tag
def reach_dashboard(perimeter, period):
    """The figures of the messages for the dashboard's perimeter and period (two queries)."""
    import datetime

    from parcours.messaging.figures import reach_figures

    names = {d.pk: d.name for d in perimeter.directorates}
    figures = reach_figures(
        perimeter.ids,
        period.start,
        period.end_exclusive - datetime.timedelta(days=1),
        exact=perimeter.exact,
    )
    for f in figures:
        f.directorate_name = names.get(f.directorate_id, "")
    return figures


@register.filter
def percent(value):
    return "s" if value is None else f"{value * 100:.1f} %".replace(".", ",")


@register.filter
def count_or_secret(value):
    return "s" if value is None else value


@register.inclusion_tag("messaging/_capacity.html")
def capacity_outlook(directorate_id, compact=False):
    """Free places of the coming weeks against the people waiting (four queries)."""
    from django.utils import timezone

    from parcours.messaging.capacity import DEFAULT_WEEKS, outlook

    if not directorate_id:
        return {"outlook": None}
    return {
        "outlook": outlook(directorate_id, timezone.localdate()),
        "weeks": DEFAULT_WEEKS,
        "compact": compact,
    }


@register.inclusion_tag("messaging/_reminder_days.html", takes_context=True)
def reminder_days_form(context, directorate_id):
    """The DT's reminder delay, and its form for those who plan sessions (one query)."""
    from parcours.messaging.services import reminder_days
    from parcours.organisations.permissions import Action, can

    request = context.get("request")
    if not directorate_id or request is None:
        return {"days": None}
    return {
        "days": reminder_days(directorate_id),
        "can_change": can(request.membership, Action.PLAN_SESSIONS),
        "csrf_token": context.get("csrf_token"),
    }
