"""From an orientation decided at the diagnostic interview to the schemes that can carry it.

The reception day records orientation targets (France Travail, Mission locale, AGIR, Epide,
ADIE, training, other: `reception.models.OrientationTarget`); a referral needs a scheme. This
maps each target to scheme kinds, so the interview can offer the schemes of the person's
perimeter and call `services.create_referral(..., origin=Origin.INTERVIEW)`.
"""

from parcours.referrals.models import Scheme, SchemeKind

TARGET_KINDS: dict[str, frozenset[str]] = {
    "france_travail": frozenset({SchemeKind.FT_REGISTRATION}),
    "mission_locale": frozenset({SchemeKind.YOUTH_SUPPORT}),
    "agir": frozenset({SchemeKind.AGIR}),
    "epide": frozenset({SchemeKind.EPIDE}),
    "adie": frozenset({SchemeKind.MICROCREDIT}),
    "training": frozenset(
        {SchemeKind.VOCATIONAL_TRAINING, SchemeKind.LANGUAGE_COURSE, SchemeKind.VAE_ADVICE}
    ),
}


def schemes_for_orientation(person, target: str):
    """The active schemes of the person's perimeter that fit an interview's orientation
    target; every scheme of the perimeter for "other" or an unknown target."""
    schemes = Scheme.objects.for_person(person)
    kinds = TARGET_KINDS.get(target)
    if kinds is not None:
        schemes = schemes.filter(kind__in=sorted(kinds))
    return schemes.select_related("organisation").order_by("organisation__name", "name")
