"""The coverage of shortage occupations, a report of the indicators (issue 20, ADR 0019).

People oriented toward an employer's position, and among them toward a position whose
occupation is in shortage in the employer's region (the order of 21 May 2025, as imported):
counted per DT and month of sending, by sex and age band, protected and released through the
same machinery as every report (definitions.Relation declares the subset, so a hidden cell is
not recovered by subtraction). Read by quarter: the periods of the release are whole months,
a quarter is three of them.
"""

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.indicators.definitions import (
    Indicator,
    Rate,
    Relation,
    RelationKind,
    ReportDefinition,
    Section,
    register_report,
)

EMPLOYMENT_REPORT = "employment"

_SENT_TO_POSITION = {
    "source": lambda: apps.get_model("referrals.Referral").objects.all(),
    "date_field": "sent_at",
    # The DT copied on the referral when it was made (ADR 0013): a move keeps it there.
    "directorate_field": "directorate",
    "person_field": "person",
}

INDICATORS = (
    Indicator(
        code="oriented_to_positions",
        label=_("Personnes orientées vers un poste chez un employeur"),
        help_text=_(
            "Personnes dont une orientation vers un poste ouvert par un employeur engagé a été "
            "envoyée dans le mois, quelle qu'en soit la suite. Une personne orientée deux fois "
            "dans le mois compte une fois."
        ),
        filters=Q(scheme__position__isnull=False, sent_at__isnull=False),
        **_SENT_TO_POSITION,
    ),
    Indicator(
        code="oriented_to_shortage",
        label=_("dont vers un métier en tension"),
        help_text=_(
            "Parmi elles, celles orientées vers un poste dont le métier (code ROME) figure, à "
            "la date d'ouverture du poste, sur la liste des métiers en tension de la région de "
            "l'employeur (arrêté du 21 mai 2025, publié le 22 mai 2025, tel qu'importé)."
        ),
        filters=Q(scheme__position__in_shortage=True, sent_at__isnull=False),
        **_SENT_TO_POSITION,
    ),
)

COVERAGE = Rate(
    code="shortage_coverage",
    label=_("Part des orientations vers les métiers en tension"),
    help_text=_(
        "Personnes orientées vers un métier en tension divisées par les personnes orientées "
        "vers un poste ; « non défini » quand personne n'a été orienté vers un poste."
    ),
    numerator="oriented_to_shortage",
    denominator="oriented_to_positions",
)

RELATIONS = (
    Relation(
        RelationKind.WITHIN,
        "oriented_to_positions",
        ("oriented_to_shortage",),
        "help texts: « dont » — the shortage positions are positions",
    ),
)

REPORT = register_report(
    ReportDefinition(
        code=EMPLOYMENT_REPORT,
        title=_("Emploi et métiers en tension (trimestriel)"),
        description=_(
            "Les orientations vers les postes des employeurs engagés et la part vers les "
            "métiers en tension, par trimestre (trois mois), par sexe et tranche d'âge à la "
            "date de l'orientation."
        ),
        indicators=INDICATORS,
        rates=(COVERAGE,),
        relations=RELATIONS,
        monthly=False,
        sections=(Section(_("Orientations vers l'emploi"), tuple(i.code for i in INDICATORS)),),
    )
)
