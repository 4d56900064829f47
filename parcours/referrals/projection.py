"""What a partner sees of a referred person: only what the partner needs (DESIGN.md).

Names, birth date, contact, language level, département; the residence status only when the
scheme's own rules use it (AGIR for refugees). Nationality, AGDREF number, accommodation,
RSA, employment and free-text notes of the DT are never shown to partners here.
"""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parcours.organisations.roles import OFII_DT_ROLES


@dataclass(frozen=True)
class Field:
    label: str
    value: str


def partner_fields(person, scheme=None, *, residence_status: bool | None = None) -> list[Field]:
    """The person's fields a partner of `scheme` may read (or, without a scheme, a partner
    whose schemes need the residence status when `residence_status` is true)."""
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
    if residence_status is None:
        residence_status = scheme is not None and scheme.uses_residence_status
    if residence_status:
        fields.append(Field(_("Catégorie de séjour"), person.get_residence_status_display()))
    return fields


def sees_full_file(membership, referral) -> bool:
    """DT staff of the person's directorate read the whole file; everyone else the projection."""
    return (
        membership is not None
        and membership.role in OFII_DT_ROLES
        and membership.organisation.directorate_id == referral.person.directorate_id
    )
