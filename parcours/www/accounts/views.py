"""Sign-in security pages: TOTP enrolment and verification, ProConnect (OIDC), DT setting."""

import base64
import datetime
import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from parcours.accounts.models import TwoFactorPolicy
from parcours.accounts.throttling import (
    accounts_unlockable_by,
    cooloff_minutes,
    recent_failures,
    unlock,
)
from parcours.accounts.two_factor import is_verified, second_factor_exempt
from parcours.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from parcours.organisations.permissions import Action
from parcours.organisations.roles import Role
from parcours.territories.models import Directorate
from parcours.www.accounts.forms import (
    ApiTokenForm,
    TokenForm,
    TwoFactorPolicyForm,
    WebhookEndpointForm,
)
from parcours.www.decorators import action_required

logger = logging.getLogger(__name__)


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


def _with_next(view_name: str, request) -> str:
    from urllib.parse import urlencode

    return f"{reverse(view_name)}?{urlencode({'next': _next_url(request)})}"


def _confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _verified(request, device):
    """The second step is done: remember it in the session, under a fresh session key."""
    request.session.cycle_key()
    otp_login(request, device)


@second_factor_exempt
@never_cache
def totp_verify(request):
    """Second step of sign-in: the code of the authenticator application."""
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(_with_next("accounts:totp_enrol", request))
    if is_verified(request.user):
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        _verified(request, device)
        return redirect(_next_url(request))
    return render(request, "accounts/totp_verify.html", {"form": form, "next": _next_url(request)})


def _secret_for_display(device) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@second_factor_exempt
@never_cache
def totp_enrol(request):
    """Pair an authenticator application: scan the QR code, then type its first code."""
    if _confirmed_device(request.user) is not None:
        if is_verified(request.user):
            return render(request, "accounts/totp_active.html")
        return redirect(_with_next("accounts:totp_verify", request))
    # The same pending device across reloads, so the QR code stays the one scanned.
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by(
        "-pk"
    ).first() or TOTPDevice.objects.create(user=request.user, name="Parcours", confirmed=False)
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        _verified(request, device)
        messages.success(request, _("La double authentification est activée sur votre compte."))
        return redirect(_next_url(request))
    qr_code = segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        omitsize=True,  # a viewBox only: the stylesheet sets the size (no inline style)
        title=_("QR code à scanner avec votre application d'authentification"),
        svgclass="parcours-qrcode",
        lineclass=None,
    )
    return render(
        request,
        "accounts/totp_enrol.html",
        {
            "form": form,
            "qr_code": qr_code,
            "secret": _secret_for_display(device),
            "next": _next_url(request),
        },
    )


@action_required(Action.MANAGE_PARTNERS)
def two_factor_policy(request):
    """A DT requires (or not) two-factor authentication of its partners' staff."""
    directorate = request.membership.organisation.directorate
    if directorate is None:
        # Headquarters: every DT's choice, read only (each DT decides for its partners).
        directorates = Directorate.objects.select_related("two_factor_policy").order_by("name")
        return render(
            request, "accounts/two_factor_policy_list.html", {"directorates": directorates}
        )
    policy = TwoFactorPolicy.objects.filter(directorate=directorate).first()
    form = TwoFactorPolicyForm(
        request.POST or None,
        initial={"partners_required": policy.partners_required if policy else False},
    )
    if request.method == "POST" and form.is_valid():
        TwoFactorPolicy.objects.update_or_create(
            directorate=directorate,
            defaults={
                "partners_required": form.cleaned_data["partners_required"],
                "updated_by": request.user,
            },
        )
        messages.success(request, _("Règle de double authentification enregistrée."))
        return redirect("accounts:two_factor_policy")
    return render(
        request,
        "accounts/two_factor_policy.html",
        {"form": form, "directorate": directorate, "policy": policy},
    )


class ParcoursOIDCCallbackView(OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return reverse("login")

    def login_failure(self):
        messages.error(
            self.request,
            _(
                "La connexion par %(provider)s n'a pas abouti : votre adresse électronique "
                "n'est pas celle d'un compte actif de Parcours. Contactez l'administrateur de "
                "votre structure."
            )
            % {"provider": settings.OIDC_PROVIDER_NAME},
        )
        return super().login_failure()


def _oidc_enabled_or_404():
    if not settings.OIDC_ENABLED:
        raise Http404


@second_factor_exempt
@login_not_required
@never_cache
def oidc_start(request):
    """Send the visitor to the identity federation (authorisation code flow with PKCE)."""
    _oidc_enabled_or_404()
    return OIDCAuthenticationRequestView.as_view()(request)


@second_factor_exempt
@login_not_required
@never_cache
def oidc_callback(request):
    """Back from the identity federation: check the code and sign the account in."""
    _oidc_enabled_or_404()
    return ParcoursOIDCCallbackView.as_view()(request)


@action_required(Action.MANAGE_USERS)
@never_cache
def lockouts(request):
    """Accounts with recent failed sign-ins, and their unlocking by the structure's admin.

    Issue 10 (door 8): the documented unlock path for DT admins (docs/security.md); the same
    as `manage.py axes_reset_username`, scoped to the accounts the admin manages.
    """
    accounts = accounts_unlockable_by(request.membership)
    if request.method == "POST":
        try:
            user_id = int(request.POST.get("user", ""))
        except ValueError:
            user_id = None
        user = accounts.filter(pk=user_id).first()
        if user is None:
            raise Http404
        unlock(user)
        logger.warning("Sign-in lock lifted for user %s by user %s", user.pk, request.user.pk)
        messages.success(request, _("Le compte %(email)s est débloqué.") % {"email": user.email})
        return redirect("accounts:lockouts")
    return render(
        request,
        "accounts/lockouts.html",
        {
            "rows": recent_failures(accounts),
            "limit": settings.AXES_FAILURE_LIMIT,
            "minutes": cooloff_minutes(),
        },
    )


def _manages_webhooks(membership) -> bool:
    # Events concern the schemes a partner runs; its administrator wires its system to them.
    return membership is not None and membership.role == Role.PARTNER_ADMIN


def api_access(request):
    """The user's API tokens for the membership in use, and the partner's webhook endpoints.

    Issue 17: tokens are per membership, hashed, with an expiry and a scope, revocable here;
    a key or a secret is shown once, on the answer that created it, never again.
    """
    membership = request.membership
    if membership is None:
        raise Http404
    webhooks = _manages_webhooks(membership)
    token_form = ApiTokenForm(prefix="token")
    endpoint_form = WebhookEndpointForm(prefix="endpoint")
    shown_key = shown_secret = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create_token":
            token_form = ApiTokenForm(request.POST, prefix="token")
            if token_form.is_valid():
                data = token_form.cleaned_data
                expires = timezone.now() + datetime.timedelta(days=data["validity_days"])
                shown_key = ApiToken.issue(membership, data["name"], expires, data["scope"])[1]
        elif action == "revoke_token":
            token = _own(ApiToken.objects.filter(membership=membership, revoked_at=None), request)
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            messages.success(
                request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name}
            )
            return redirect("accounts:api_access")
        elif action == "add_endpoint" and webhooks:
            endpoint_form = WebhookEndpointForm(request.POST, prefix="endpoint")
            if endpoint_form.is_valid():
                shown_secret = WebhookEndpoint.new_secret()
                WebhookEndpoint.objects.create(
                    organisation=membership.organisation,
                    url=endpoint_form.cleaned_data["url"],
                    secret=shown_secret,
                    created_by=request.user,
                )
        elif action == "disable_endpoint" and webhooks:
            endpoints = WebhookEndpoint.objects.filter(
                organisation=membership.organisation, is_active=True
            )
            endpoint = _own(endpoints, request)
            endpoint.is_active = False
            endpoint.save(update_fields=["is_active"])
            messages.success(
                request, _("L'adresse %(url)s ne reçoit plus d'évènements.") % {"url": endpoint.url}
            )
            return redirect("accounts:api_access")
        else:
            raise Http404
    context = {
        "tokens": ApiToken.objects.filter(membership=membership),
        "token_form": token_form,
        "shown_key": shown_key,
        "webhooks": webhooks,
    }
    if webhooks:
        context.update(
            {
                "endpoint_form": endpoint_form,
                "shown_secret": shown_secret,
                "endpoints": WebhookEndpoint.objects.filter(organisation=membership.organisation),
                "deliveries": WebhookDelivery.objects.filter(
                    endpoint__organisation=membership.organisation
                ).select_related("endpoint")[:20],
            }
        )
    return render(request, "accounts/api_access.html", context)


def _own(queryset, request):
    """The row named by the form among `queryset` (the user's own), else 404."""
    try:
        pk = int(request.POST.get("id", ""))
    except ValueError:
        raise Http404 from None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row
