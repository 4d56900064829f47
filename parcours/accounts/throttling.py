"""Throttling of failed sign-ins (django-axes): how an account and a client address are named,
the French lockout page.

A lockout counts failures per account and, separately, per client address
(issue 6, "Login": "throttling of failed logins per account and per address"). Behind reverse
proxies the socket's address is the proxy's, shared by every user: counted as is, anyone could
lock everybody out (issue 10, door 8). The client address is then the one the outermost of the
PARCOURS_TRUSTED_PROXIES proxies appended to X-Forwarded-For; what a client writes there itself
is further left and never read.
"""

import ipaddress

from django.conf import settings


def normalise_username(value) -> str:
    """One account whatever the case or spaces typed: e-mail addresses are matched that way."""
    return str(value or "").strip().lower()


def username_from_request(request, credentials=None) -> str:
    """The account named by a sign-in attempt (AXES_USERNAME_CALLABLE)."""
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None and request is not None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_username(value)


def client_ip(request) -> str | None:
    """The client's address as the trusted proxies saw it (AXES_CLIENT_IP_CALLABLE).

    Each of the N trusted proxies appends the address it was reached from, so the outermost
    one's is the N-th from the right of X-Forwarded-For (the same rule as Werkzeug's ProxyFix).
    A request that did not cross them all (too few entries) or a value that is no address is
    counted under the socket's address, which cannot be forged.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = trusted_proxies()
    if not proxies:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def trusted_proxies() -> int:
    """PARCOURS_TRUSTED_PROXIES; unset counts as none (check --deploy requires it, E004)."""
    return getattr(settings, "PARCOURS_TRUSTED_PROXIES", None) or 0


def lockout_parameters(request_or_attempt, credentials=None) -> list[str]:
    """Lock per account and per address; only per address when no account is named.

    An OpenID Connect callback names no account: counting its failures under an empty name
    would lock every such sign-in at once.
    """
    username = getattr(request_or_attempt, "username", None)
    if username is None:
        username = username_from_request(request_or_attempt, credentials)
    return ["username", "ip_address"] if username else ["ip_address"]


def cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def accounts_unlockable_by(membership):
    """The accounts a manager may unlock (issue 10, door 8: a documented unlock path).

    A DT admin: the members of its DT and of the partner organisations serving one of its
    départements; a partner admin: its organisation's members; a national admin: everyone.
    """
    from django.db.models import Q

    from parcours.accounts.models import User
    from parcours.organisations.roles import Role

    if membership is None:
        return User.objects.none()
    organisation = membership.organisation
    if membership.role == Role.NATIONAL_ADMIN:
        return User.objects.all()
    if membership.role == Role.DT_ADMIN and organisation.directorate_id:
        scope = Q(memberships__organisation=organisation) | Q(
            memberships__organisation__departments__directorate_id=organisation.directorate_id
        )
    elif membership.role == Role.PARTNER_ADMIN:
        scope = Q(memberships__organisation=organisation)
    else:
        return User.objects.none()
    return User.objects.filter(scope, memberships__is_active=True).distinct()


def recent_failures(users) -> list[tuple[object, int]]:
    """(user, failed sign-ins within the cool-off delay) for the accounts among `users` (a
    queryset) that have any, most failures first. Two queries whatever the number of users."""
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.db.models.functions import Lower
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    totals = dict(
        AccessAttempt.objects.filter(attempt_time__gte=since, username__gt="")
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .values_list("username", "failures")
    )
    if not totals:
        return []
    matched = users.annotate(normalised=Lower("email")).filter(normalised__in=sorted(totals))
    rows = [(user, totals[user.normalised]) for user in matched]
    return sorted(rows, key=lambda row: (-row[1], row[0].email))


def unlock(user) -> int:
    """Forget the failed sign-ins of an account (the same as `manage.py axes_reset_username`)."""
    from axes.utils import reset

    return reset(username=normalise_username(user.email))
