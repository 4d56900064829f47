"""Forms of the web interface, rendered with the state design system (DSFR)."""

import datetime
import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from parcours.core import bounds
from parcours.people.models import Person
from parcours.people.validators import normalise_agdref, normalise_ft_identifier, normalise_phone
from parcours.territories.models import Country, Department


class DsfrForm(DsfrBaseForm):
    """A DSFR form that marks optional fields, as the design system now recommends.

    Every text field refuses control characters and every date field a date outside
    `core.bounds` (issue 14): checked as field validators, before any `clean_<field>` method
    does arithmetic on the value.
    """

    def full_clean(self):
        for field in self.fields.values():
            _bound_field(field)
        super().full_clean()

    def get_context(self):
        # Skip DsfrBaseForm.get_context: it only adds a transitional warning around this flag.
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


# A 32-bit integer: what every integer column holds on PostgreSQL (issue 14).
INTEGER_LIMIT = 2**31 - 1


def _bound_field(field) -> None:
    wanted = []
    if isinstance(field, forms.CharField | forms.ChoiceField):
        wanted.append(bounds.NoControlCharacters())
    if isinstance(field, forms.DateField | forms.DateTimeField):
        wanted.append(bounds.DateInRange())
    if isinstance(field, forms.IntegerField):
        if field.max_value is None:
            wanted.append(MaxValueValidator(INTEGER_LIMIT))
        if field.min_value is None:
            wanted.append(MinValueValidator(-INTEGER_LIMIT))
    for validator in wanted:
        if validator not in field.validators:
            field.validators.append(validator)
    if isinstance(field, forms.ModelChoiceField) and not hasattr(field, "_bounded_clean"):
        field._bounded_clean = field.clean
        field.clean = _overflow_as_invalid_choice(field)


def _overflow_as_invalid_choice(field):
    """An id beyond any integer column (`99999999999999999999`) is an invalid choice: SQLite
    raises OverflowError on it, which ModelChoiceField does not catch."""

    def clean(value):
        try:
            return field._bounded_clean(value)
        except OverflowError as error:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:20]},
            ) from error

    return clean


class DsfrModelForm(DsfrForm, forms.ModelForm):
    """A ModelForm rendered and annotated (aria-invalid, error ids) like a DSFR form."""


class LoginForm(DsfrForm, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez la saisie, "
            "majuscules comprises."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'administrateur de votre structure."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Adresse électronique")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        self.fields["password"].label = _("Mot de passe")


class PersonSearchForm(DsfrForm):
    q = forms.CharField(
        label=_("Rechercher une personne"),
        help_text=_("Nom, prénom ou numéro AGDREF."),
        required=False,
        max_length=100,
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _folded(text: str) -> str:
    """A name without accents or case, to sort French names as a reader expects."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _model_label(name):
    return Person._meta.get_field(name).verbose_name


class PersonForm(DsfrModelForm):
    # Typed with spaces or dots as printed on documents: longer than the stored value.
    agdref_number = forms.CharField(
        label=_model_label("agdref_number"),
        required=False,
        max_length=20,
        help_text=_("10 chiffres, inscrits sur le titre de séjour."),
    )
    ft_identifier = forms.CharField(
        label=_model_label("ft_identifier"),
        required=False,
        max_length=20,
        help_text=_("8 caractères (7 chiffres et une lettre) ou 11 chiffres."),
    )

    class Meta:
        model = Person
        fields = [
            "last_name",
            "usual_name",
            "first_names",
            "sex",
            "birth_date",
            "nationality",
            "residence_status",
            "agdref_number",
            "languages",
            "interpreter_needed",
            "interpreter_language",
            "phone",
            "email",
            "address",
            "postcode",
            "city",
            "department",
            "accommodation",
            "accommodation_name",
            "employment_status",
            "ft_registered",
            "ft_identifier",
            "ft_registration_date",
            "rsa_recipient",
            "agir_followed",
            "intended_title",
        ]
        widgets = {
            "birth_date": DateInput(),
            "ft_registration_date": DateInput(),
            # Rendered by person_form.html as a compact list with a filter field (issue 16).
            "languages": forms.CheckboxSelectMultiple,
        }

    # Issue 16: the form was one 4,900 px column; its fields go in titled groups laid out in
    # a grid. A field added to Meta.fields and left out here still shows, in the last group.
    GROUPS = (
        (
            _("Identité"),
            ("last_name", "usual_name", "first_names", "sex", "birth_date", "nationality"),
        ),
        (_("Séjour"), ("residence_status", "agdref_number", "intended_title")),
        (_("Langues"), ("languages", "interpreter_needed", "interpreter_language")),
        (
            _("Coordonnées et hébergement"),
            (
                "phone",
                "email",
                "address",
                "postcode",
                "city",
                "department",
                "accommodation",
                "accommodation_name",
            ),
        ),
        (
            _("Emploi et France Travail"),
            (
                "employment_status",
                "ft_registered",
                "ft_identifier",
                "ft_registration_date",
                "rsa_recipient",
                "agir_followed",
            ),
        ),
    )

    def field_groups(self):
        """(title, bound fields) in the order of GROUPS, then the fields no group names."""
        placed = {name for _title, names in self.GROUPS for name in names}
        groups = [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.GROUPS
        ]
        rest = [self[name] for name in self.fields if name not in placed]
        if rest:
            groups.append((_("Autres informations"), rest))
        return groups

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        if self.instance.pk is not None:
            # Issue 13: a correction of the sex or birth date states why (it can move figures).
            self.fields["change_reason"] = forms.CharField(
                label=_("Motif de la modification"),
                help_text=_(
                    "Obligatoire pour corriger le sexe ou la date de naissance ; par exemple : "
                    "« date mal lue sur le titre de séjour »."
                ),
                required=False,
                max_length=300,
            )
        self._offer_current_countries()
        departments = Department.objects.filter(directorate__isnull=False)
        if membership is not None and membership.organisation.directorate_id:
            departments = departments.filter(directorate_id=membership.organisation.directorate_id)
        self.fields["department"].queryset = departments
        self.fields["agdref_number"].widget.attrs["inputmode"] = "numeric"

    def _offer_current_countries(self):
        """Nationalities: the current INSEE countries by their French name, in French
        alphabetical order (« Égypte » with the E); a historical entry (« Viêt Nam du Nord »)
        only for a record that already holds it (issue 16)."""
        field = self.fields["nationality"]
        offered = Q(is_current=True)
        if self.instance.nationality_id:
            offered |= Q(pk=self.instance.nationality_id)
        field.queryset = Country.objects.exclude(group=Country.Group.FRANCE).filter(offered)
        countries = sorted(field.queryset, key=lambda country: _folded(str(country)))
        field.choices = [("", field.empty_label)] + [
            (
                country.pk,
                str(country)
                if country.is_current
                else _("%(country)s (ancienne dénomination)") % {"country": country},
            )
            for country in countries
        ]

    def person_values(self) -> dict:
        """The cleaned model fields, as the person services take them (languages aside)."""
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name != "languages" and name in self.cleaned_data
        }

    def clean_agdref_number(self):
        value = self.cleaned_data.get("agdref_number")
        return normalise_agdref(value) if value else None

    def clean_ft_identifier(self):
        value = self.cleaned_data.get("ft_identifier")
        return normalise_ft_identifier(value) if value else ""

    def clean_phone(self):
        value = self.cleaned_data.get("phone")
        return normalise_phone(value) if value else ""

    def clean_postcode(self):
        value = (self.cleaned_data.get("postcode") or "").strip()
        if value and not (value.isdigit() and len(value) == 5):
            raise ValidationError(_("Le code postal doit comporter 5 chiffres."))
        return value

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and not (datetime.date(1900, 1, 1) <= value <= datetime.date.today()):
            raise ValidationError(_("La date de naissance doit être passée et après 1900."))
        return value

    def clean(self):
        cleaned = super().clean()
        department = cleaned.get("department")
        if department is not None:
            self.instance.directorate_id = department.directorate_id
        if self.instance.pk is not None and not (cleaned.get("change_reason") or "").strip():
            stored = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values("sex", "birth_date")
                .first()
                or {}
            )
            for name in ("sex", "birth_date"):
                if name in cleaned and stored.get(name) != cleaned[name]:
                    self.add_error(
                        "change_reason",
                        _("Indiquez le motif de la correction du sexe ou de la date de naissance."),
                    )
                    break
        return cleaned
