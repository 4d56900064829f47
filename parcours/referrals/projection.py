"""What each audience may read of a person: one declaration used by pages, API, exports, e-mails.

DESIGN.md ("People are shown on a need-to-know basis") and issue 10 ("one projection per
audience"): DT staff of the person's directorate read the whole file; a partner reads names,
birth date, contact, language level and département, and the residence category only when the
scheme's own rules use it (AGIR for refugees); aggregate-only roles (DREETS, national admin)
read no person. Nationality, AGDREF number, accommodation, RSA, employment, France Travail
details and the DT's free-text notes are never shown to partners. Eligibility reasons are
phrased from the same projection: a condition on a field the reader may not see is named,
never quoted («Condition de séjour non remplie.», without the category).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES


class Audience(models.TextChoices):
    DT_STAFF = "dt_staff", gettext_lazy("Agents de la direction territoriale")
    PARTNER = "partner", gettext_lazy("Partenaires")
    AGGREGATES = "aggregates", gettext_lazy("Chiffres seulement")


# The person's fields a partner reads, by model field name (issue 10, deliverable 1). Adding a
# name here is a decision: tests/test_security_projections.py lists every channel's fields.
PARTNER_FIELDS = (
    "last_name",
    "usual_name",
    "first_names",
    "birth_date",
    "phone",
    "email",
    "postcode",
    "city",
    "department",
    "language_level",
)
# Only for a scheme whose rules use it (AGIR is reserved to international protection, seed 001).
PARTNER_RESIDENCE_FIELD = "residence_status"

# Which person field each eligibility rule reads (eligibility.py, Check.rule).
RULE_FIELDS = {
    "department": "department",
    "age": "birth_date",
    "residence_status": "residence_status",
    "language_level": "language_level",
    "rsa": "rsa_recipient",
    "employment": "employment_status",
}


def audience_of(membership) -> str:
    """The audience a membership reads persons as (its role decides; denied by default)."""
    if membership is None:
        return Audience.AGGREGATES
    if membership.role in OFII_DT_ROLES and membership.organisation.directorate_id:
        return Audience.DT_STAFF
    if membership.role in PARTNER_ROLES:
        return Audience.PARTNER
    return Audience.AGGREGATES


def partner_field_names(scheme=None, *, residence_status: bool | None = None) -> tuple[str, ...]:
    """The field names a partner of `scheme` reads (with the residence category if it uses it)."""
    if residence_status is None:
        residence_status = scheme is not None and scheme.uses_residence_status
    return PARTNER_FIELDS + ((PARTNER_RESIDENCE_FIELD,) if residence_status else ())


@dataclass(frozen=True)
class Field:
    label: str
    value: str


def partner_fields(person, scheme=None, *, residence_status: bool | None = None) -> list[Field]:
    """The person's fields a partner of `scheme` may read, labelled for a page or an e-mail
    (or, without a scheme, a partner whose schemes need the residence status when
    `residence_status` is true). Built from `partner_field_names`, never wider."""
    names = partner_field_names(scheme, residence_status=residence_status)
    fields = [
        Field(_("Nom"), person.usual_name or person.last_name),
        Field(_("Prénoms"), person.first_names),
        Field(
            _("Date de naissance"),
            date_format(person.birth_date, "DATE_FORMAT")
            if person.birth_date
            else _("Non renseignée"),
        ),
        Field(_("Téléphone"), person.phone or "—"),
        Field(_("Adresse électronique"), person.email or "—"),
        Field(_("Commune"), " ".join(filter(None, [person.postcode, person.city])) or "—"),
        Field(_("Département"), str(person.department)),
        Field(
            _("Niveau de français"),
            person.get_language_level_display() if person.language_level else _("Non positionné"),
        ),
    ]
    if PARTNER_RESIDENCE_FIELD in names:
        fields.append(Field(_("Catégorie de séjour"), person.get_residence_status_display()))
    return fields


def sees_full_file(membership, referral) -> bool:
    """DT staff of the person's directorate read the whole file; everyone else the projection."""
    return (
        audience_of(membership) == Audience.DT_STAFF
        and membership.organisation.directorate_id == referral.person.directorate_id
    )


def _neutral_messages():
    # Evaluated at call time, so that the reader's language applies.
    return {
        "residence_status": {
            "pass": _("Condition de séjour remplie."),
            "fail": _("Condition de séjour non remplie."),
            "unknown": _("Condition de séjour à vérifier."),
        },
        "rsa": {
            "pass": _("Condition de ressources remplie."),
            "fail": _("Condition de ressources non remplie."),
            "unknown": _("Condition de ressources à vérifier."),
        },
        "employment": {
            "pass": _("Condition de situation professionnelle remplie."),
            "fail": _("Condition de situation professionnelle non remplie."),
            "unknown": _("Condition de situation professionnelle à vérifier."),
        },
    }


def reasons_within(checks, visible_fields) -> list[str]:
    """The reasons of `checks` (eligibility.Check) phrased for a reader of `visible_fields`:
    a rule on a field outside them says only whether its condition holds."""
    neutral = _neutral_messages()
    reasons = []
    for check in checks:
        field = RULE_FIELDS.get(check.rule)
        if field is None or field in visible_fields:
            reasons.append(check.message)
        elif check.rule in neutral:
            reasons.append(neutral[check.rule].get(check.outcome, neutral[check.rule]["unknown"]))
        else:  # a rule added later without a neutral phrasing: say nothing of its value
            reasons.append(_("Condition d'accès à vérifier auprès de la direction territoriale."))
    return reasons


def partner_reasons(verdict, scheme=None, *, organisation=None) -> list[str]:
    """The reasons of `verdict` as a partner reads them. The residence category is quoted only
    to the organisation running a scheme that uses it (`organisation` is the reader's)."""
    own = scheme is not None and organisation is not None
    own = own and scheme.organisation_id == organisation.pk
    names = partner_field_names(scheme if own else None)
    return reasons_within(verdict.checks, names)


def reasons_for(membership, verdict, scheme=None) -> list[str]:
    """The reasons of `verdict` for the membership in use: whole for DT staff, projected else."""
    if audience_of(membership) == Audience.DT_STAFF:
        return verdict.reasons
    return partner_reasons(verdict, scheme, organisation=membership.organisation)


def sent_reasons_for(membership, referral) -> list[str]:
    """The reasons stored when `referral` was sent, as the membership in use may read them.

    A referral sent before the rules were stored with their reasons shows none to a partner.
    """
    if sees_full_file(membership, referral):
        return list(referral.eligibility_reasons)
    from parcours.referrals.eligibility import Check  # eligibility imports nothing from here

    pairs = referral.eligibility_checks or []
    if len(pairs) != len(referral.eligibility_reasons):
        return []
    checks = [
        Check(rule, outcome, message)
        for (rule, outcome), message in zip(pairs, referral.eligibility_reasons, strict=True)
    ]
    own = membership is not None and referral.scheme.organisation_id == membership.organisation_id
    return reasons_within(checks, partner_field_names(referral.scheme if own else None))
