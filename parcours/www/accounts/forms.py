"""Forms of the sign-in security pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.api.models import Scope
from parcours.www.forms import DsfrForm


class TokenForm(DsfrForm):
    """The 6-digit code shown by the authenticator application."""

    token = forms.CharField(
        label=_("Code à 6 chiffres"),
        help_text=_(
            "Affiché par votre application d'authentification ; il change toutes les 30 secondes."
        ),
        max_length=10,
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.fields["token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        )

    def clean_token(self):
        token = "".join(ch for ch in self.cleaned_data["token"] if not ch.isspace())
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Saisissez les 6 chiffres du code, sans espace."))
        if self.device is None:
            raise forms.ValidationError(_("Aucune application d'authentification n'est associée."))
        allowed, _details = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                _("Trop de codes erronés : patientez quelques instants avant de réessayer.")
            )
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                _("Ce code n'est pas valable. Vérifiez l'heure de votre téléphone et réessayez.")
            )
        return token


class TwoFactorPolicyForm(DsfrForm):
    partners_required = forms.BooleanField(
        label=_("Exiger la double authentification des agents des structures partenaires"),
        help_text=_(
            "S'applique aux structures qui interviennent dans les départements de la DT, à "
            "leur prochaine connexion."
        ),
        required=False,
    )


class ApiTokenForm(DsfrForm):
    """A new API token for the membership in use (issue 17): who uses it, what it may do."""

    name = forms.CharField(
        label=_("Système qui utilisera le jeton"),
        help_text=_("Par exemple : logiciel de suivi de la structure."),
        max_length=100,
    )
    scope = forms.ChoiceField(label=_("Portée"), choices=Scope.choices, initial=Scope.READ)
    validity_days = forms.TypedChoiceField(
        label=_("Durée de validité"),
        choices=[(30, _("30 jours")), (90, _("90 jours")), (365, _("1 an"))],
        coerce=int,
        initial=90,
    )


class WebhookEndpointForm(DsfrForm):
    """An HTTPS address of the partner's system that will receive signed events."""

    url = forms.URLField(
        label=_("Adresse de réception (HTTPS)"),
        help_text=_("Par exemple : https://si.structure.example.org/parcours/evenements"),
        max_length=500,
        assume_scheme="https",
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.startswith("https://"):
            raise forms.ValidationError(_("L'adresse doit commencer par https://."))
        return url
