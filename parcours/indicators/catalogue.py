"""The built-in reports: the experiment's monthly figures (seed 001) and PFA attendance.

Each indicator's help text is the definition printed with the report (on screen, in the PDF
and the spreadsheets), so that a reader at the DREETS knows what a number means.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.indicators.definitions import (
    Counted,
    Indicator,
    Rate,
    Relation,
    RelationKind,
    ReportDefinition,
    Section,
    register_report,
)

MONTHLY_REPORT = "monthly"


def _model(label: str):
    return lambda: apps.get_model(label).objects.all()


# The CIP interview is recorded per convocation, on the session's day and at its DT; it carries
# copies of the session's directorate and date and of the person's sex (ADR 0007), so these
# indicators read the interviews alone, in one scan (queries.families); age at the session's
# day, stored on the interview.
_CHECK = {
    "source": _model("reception.EmploymentCheck"),
    "date_field": "session_date",
    "directorate_field": "directorate",
    "person_field": "person",
    "sex_field": "sex",
    "age_field": "age_at_event",
}

EXPERIMENT_INDICATORS = (
    Indicator(
        code="accompanied",
        label=_("Personnes accompagnées"),
        help_text=_(
            "Personnes reçues en entretien individuel par le conseiller en insertion "
            "professionnelle (CIP) lors d'une plateforme d'accueil du mois, qu'elles soient "
            "concernées par l'expérimentation ou non (personnes en emploi, en formation, "
            "étudiants compris). Une personne reçue deux fois dans le mois compte une fois. "
            "Cet indicateur garde la définition du cadre de l'expérimentation : les personnes "
            "concernées sont comptées à la ligne suivante."
        ),
        **_CHECK,
    ),
    Indicator(
        code="concerned",
        label=_("Personnes concernées"),
        help_text=_(
            "Parmi les personnes accompagnées, celles que l'expérimentation concerne : ni en "
            "emploi (CDI, CDD, intérim), ni en formation professionnelle, ni étudiantes, "
            "situation relevée par le CIP à l'entretien (cadre de l'expérimentation, DREETS "
            "Grand Est). Une personne reçue deux fois dans le mois compte une fois."
        ),
        filters=Q(in_scope=True),
        **_CHECK,
    ),
    Indicator(
        code="already_ft",
        label=_("Déjà inscrites à France Travail"),
        help_text=_(
            "Parmi les personnes accompagnées concernées par l'expérimentation, celles déjà "
            "inscrites à France Travail à l'entretien, hors allocataires du RSA et personnes "
            "suivies par AGIR (comptées à la ligne suivante), pour que chaque personne ne "
            "compte que dans une seule de ces catégories."
        ),
        filters=Q(
            in_scope=True,
            already_ft=True,
            rsa_recipient=False,
            agir_followed=False,
        ),
        **_CHECK,
    ),
    Indicator(
        code="rsa_or_agir",
        label=_("Allocataires du RSA ou orientées vers AGIR"),
        help_text=_(
            "Parmi les personnes accompagnées concernées par l'expérimentation, celles qui "
            "perçoivent le RSA (inscrites automatiquement à France Travail) ou qui sont ou "
            "seront suivies par un opérateur AGIR ; une personne dans les deux cas compte une fois."
        ),
        filters=Q(in_scope=True) & (Q(rsa_recipient=True) | Q(agir_followed=True)),
        **_CHECK,
    ),
    Indicator(
        code="to_register",
        label=_("Personnes concernées à inscrire"),
        help_text=_(
            "Parmi les personnes concernées, celles qui n'étaient pas déjà inscrites à France "
            "Travail à l'entretien et ne sont ni allocataires du RSA ni orientées vers AGIR : "
            "celles que le CIP doit inscrire. C'est le dénominateur du taux d'inscription."
        ),
        filters=Q(in_scope=True, already_ft=False, rsa_recipient=False, agir_followed=False),
        **_CHECK,
    ),
    Indicator(
        code="registered_by_cip",
        label=_("Inscrites à France Travail par le CIP"),
        help_text=_(
            "Personnes que le CIP a inscrites à France Travail pendant l'entretien du mois "
            "(ni inscrites auparavant, ni allocataires du RSA, ni suivies par AGIR)."
        ),
        filters=Q(registered_today=True),
        **_CHECK,
    ),
    Indicator(
        code="first_appointment_accompanied",
        label=_("Accompagnements au premier rendez-vous France Travail réalisés"),
        help_text=_(
            "Accompagnements au premier rendez-vous avec le conseiller référent France Travail "
            "effectivement réalisés, comptés le mois où l'accompagnement a eu lieu (et non le "
            "mois de l'entretien). L'âge est celui à la date de l'accompagnement."
        ),
        source=_model("reception.EmploymentCheck"),
        date_field="accompaniment_date",
        directorate_field="directorate",
        person_field="person",
        sex_field="sex",
        # The age at the accompaniment, stored when it was recorded (issue 13): never
        # recomputed from a birth date that the retention task truncates.
        age_field="age_at_accompaniment",
        # The accompaniment date is set exactly when the accompaniment was carried out (a
        # constraint of reception.EmploymentCheck): filtering on the date alone keeps the
        # planner's row estimate right (the two conditions are one).
        filters=Q(accompaniment_date__isnull=False),
    ),
)

# Convocations are counted (not persons): a person convoked again after an absence counts in
# each session. Rescheduled convocations are left out: the person holds a seat in the other
# session, where they count.
_CONVOCATION = {
    "source": _model("reception.Convocation"),
    "date_field": "session_date",
    "directorate_field": "directorate",
    "person_field": "person",
    "sex_field": "sex",
    "age_field": "age_at_event",
    "counted": Counted.EVENTS,
}

# Language training decisions of the diagnostic interview, counted in the month of the PFA
# where they were taken; directorate and sex are those copied on the convocation (ADR 0007).
_PRESCRIPTION = {
    "source": _model("reception.LanguagePrescription"),
    "date_field": "decided_on",
    "directorate_field": "convocation__directorate",
    "person_field": "person",
    "sex_field": "convocation__sex",
    "age_field": "convocation__age_at_event",
    "counted": Counted.EVENTS,
}

LANGUAGE_INDICATORS = (
    Indicator(
        code="fle_in_person",
        label=_("Formations linguistiques en présentiel"),
        help_text=_(
            "Formations linguistiques prescrites ou proposées à la plateforme d'accueil du mois, "
            "en présentiel (depuis le 18 juillet 2025 : 600 h pour les personnes qui ne lisent "
            "ni n'écrivent ou sont peu scolarisées), qu'elles aient été acceptées ou refusées. "
            "Les décisions enregistrées avant que Parcours n'en note la modalité ne sont "
            "comptées dans aucune des deux lignes."
        ),
        filters=Q(modality="in_person"),
        **_PRESCRIPTION,
    ),
    Indicator(
        code="fle_asynchronous",
        label=_("Formations linguistiques en asynchrone"),
        help_text=_(
            "Formations linguistiques proposées à la plateforme d'accueil du mois sur la "
            "plateforme en ligne asynchrone (depuis le 18 juillet 2025, pour les personnes "
            "sous le niveau A2 qui lisent et écrivent), qu'elles aient été acceptées ou refusées."
        ),
        filters=Q(modality="asynchronous"),
        **_PRESCRIPTION,
    ),
)

REGISTRATION_RATE = Rate(
    code="registration_rate",
    label=_("Taux d'inscription par le CIP"),
    help_text=_(
        "Personnes inscrites à France Travail par le CIP, divisées par les personnes "
        "concernées à inscrire (concernées, pas déjà inscrites, ni au RSA ni orientées vers "
        "AGIR). « Non défini » quand personne n'est à inscrire : le taux n'est alors pas 0 %."
    ),
    numerator="registered_by_cip",
    denominator="to_register",
)

ATTENDANCE_INDICATORS = (
    Indicator(
        code="convoked",
        label=_("Convocations"),
        help_text=_(
            "Convocations à une plateforme d'accueil (PFA) tenue dans le mois, hors convocations "
            "reportées à une autre session (comptées dans celle-ci). C'est la somme des quatre "
            "lignes suivantes."
        ),
        filters=~Q(status="rescheduled"),
        **_CONVOCATION,
    ),
    Indicator(
        code="present",
        label=_("Présents"),
        help_text=_("Convocations du mois où la personne était présente."),
        filters=Q(status="present"),
        **_CONVOCATION,
    ),
    Indicator(
        code="absent",
        label=_("Absents"),
        help_text=_("Convocations du mois où la personne était absente sans excuse."),
        filters=Q(status="absent"),
        **_CONVOCATION,
    ),
    Indicator(
        code="excused",
        label=_("Excusés"),
        help_text=_("Convocations du mois où la personne a prévenu de son absence."),
        filters=Q(status="excused"),
        **_CONVOCATION,
    ),
    Indicator(
        code="attendance_unrecorded",
        label=_("Présence non renseignée"),
        help_text=_(
            "Convocations du mois dont la présence n'a pas encore été pointée : à compléter "
            "avant de valider le mois."
        ),
        filters=Q(status="pending"),
        **_CONVOCATION,
    ),
)


# What a reader knows from the definitions printed with the report (issue 11): these hold cell
# by cell, and the protection of a release is chosen over them (release.py).
MONTHLY_RELATIONS = (
    Relation(
        RelationKind.SUM,
        "convoked",
        ("present", "absent", "excused", "attendance_unrecorded"),
        "help text of « Convocations »: the sum of the four following lines (one status each)",
    ),
    Relation(
        RelationKind.WITHIN,
        "present",
        ("accompanied",),
        "a person is received by the CIP at a PFA they attended (reception.EmploymentCheck "
        "belongs to a convocation); persons are counted once, convocations each",
    ),
    Relation(
        RelationKind.WITHIN,
        "accompanied",
        ("concerned", "registered_by_cip"),
        "help texts: « Parmi les personnes accompagnées »",
    ),
    Relation(
        RelationKind.WITHIN,
        "concerned",
        ("already_ft", "rsa_or_agir", "to_register"),
        "help texts: « Parmi les personnes concernées »",
    ),
    Relation(
        RelationKind.SUM,
        "concerned",
        ("already_ft", "rsa_or_agir", "to_register"),
        "help text of « Déjà inscrites »: each concerned person counts in one category only",
    ),
    Relation(
        RelationKind.COVERED,
        "concerned",
        ("already_ft", "rsa_or_agir", "to_register"),
        "the same, when a person received twice in the month in two situations counts in two "
        "lines (the sum above is then false and left out, release.month_system): at most",
    ),
    Relation(
        RelationKind.WITHIN,
        "to_register",
        ("registered_by_cip",),
        "help texts: registered by the CIP = neither registered before, nor RSA, nor AGIR",
    ),
)


def register_builtin_reports() -> None:
    """Register the reports whose records exist in this installation (called from ready())."""
    if not apps.is_installed("parcours.reception"):
        return
    register_report(
        ReportDefinition(
            code=MONTHLY_REPORT,
            title=_("Rapport mensuel"),
            description=_(
                "Les chiffres mensuels de l'expérimentation d'inscription à France Travail par "
                "le CIP (transmis à la DT et à la DREETS), et la présence aux plateformes "
                "d'accueil. Chaque chiffre est donné par sexe et par tranche d'âge à la date de "
                "l'événement, avec les totaux."
            ),
            indicators=EXPERIMENT_INDICATORS + ATTENDANCE_INDICATORS + LANGUAGE_INDICATORS,
            rates=(REGISTRATION_RATE,),
            relations=MONTHLY_RELATIONS,
            sections=(
                Section(
                    _("Expérimentation CIP – inscription à France Travail"),
                    tuple(indicator.code for indicator in EXPERIMENT_INDICATORS),
                    _(
                        "Expérimentation de la DREETS Grand Est (convention du 8 décembre 2025 "
                        "au 30 novembre 2026 pour la DT de Metz) : le CIP reçoit en entretien "
                        "les signataires du CIR présents à la plateforme d'accueil, vérifie leur "
                        "inscription à France Travail et les inscrit si besoin."
                    ),
                ),
                Section(
                    _("Présence aux plateformes d'accueil (PFA)"),
                    tuple(indicator.code for indicator in ATTENDANCE_INDICATORS),
                ),
                Section(
                    _("Formation linguistique (FLE)"),
                    tuple(indicator.code for indicator in LANGUAGE_INDICATORS),
                    _(
                        "Décisions de formation linguistique par modalité, selon la version de "
                        "la règle en vigueur le jour de la plateforme d'accueil."
                    ),
                ),
            ),
        )
    )


# ---------------------------------------------------------------------------------------------
# Impact of the experiment (issue 20 part 5, indicators.impact): a family of its own, one
# release per DT and cohort month. Not a monthly report (no approval, no sending): declared
# for the protection of its releases and the definitions printed with the figures.
# ---------------------------------------------------------------------------------------------

IMPACT_REPORT_CODE = "impact"

_COHORT_SOURCE = {
    "source": _model("reception.Convocation"),
    "date_field": "session_date",
    "directorate_field": "directorate",
    "sex_field": "sex",
    "age_field": "age_at_event",
}

IMPACT_COHORT = Indicator(
    code="cohort",
    label=_("Personnes reçues"),
    help_text=_(
        "Personnes dont la première plateforme d'accueil à laquelle elles étaient présentes a "
        "eu lieu dans le mois (la cohorte), comptées dans la DT de cette plateforme, par sexe "
        "et tranche d'âge à cette date."
    ),
    **_COHORT_SOURCE,
)

_MEASURE_HELP = {
    "employed": _(
        "Parmi les personnes reçues, celles en emploi (tout contrat) à cette date : en emploi "
        "à l'entretien CIP ou ayant un nouvel emploi enregistré depuis, sans fin de contrat "
        "enregistrée après lui."
    ),
    "training": _(
        "Parmi les personnes reçues, celles en formation à cette date : en formation "
        "professionnelle à l'entretien CIP ou entrées en formation depuis, sans fin de "
        "formation enregistrée après."
    ),
    "ft": _(
        "Parmi les personnes reçues, celles inscrites à France Travail à cette date : déjà "
        "inscrites, inscrites par le CIP ou allocataires du RSA le jour de l'accueil, ou dont "
        "l'inscription est datée depuis (CIR ou changement de situation)."
    ),
    "shortage": _(
        "Parmi les personnes en emploi à cette date, celles dont le métier (code ROME) figure "
        "sur la liste des métiers en tension de la région en vigueur à cette date (arrêté du "
        "22 mai 2025)."
    ),
}


def _impact_indicator(measure: str, label, months: int) -> Indicator:
    return Indicator(
        code=f"{measure}_{months}m",
        label=_("%(label)s à %(months)s mois") % {"label": label, "months": months},
        help_text=_MEASURE_HELP[measure],
        **_COHORT_SOURCE,
    )


def impact_definition(horizons) -> ReportDefinition:
    """The impact family for the horizons a cohort has reached: its tables and relations (each
    share is among the persons received; the shortage count among those in work)."""
    from parcours.indicators.impact import MEASURES

    indicators = [IMPACT_COHORT]
    relations = []
    for months in horizons:
        codes = {measure: f"{measure}_{months}m" for measure, _label in MEASURES}
        indicators += [_impact_indicator(m, label, months) for m, label in MEASURES]
        relations.append(
            Relation(
                RelationKind.WITHIN,
                "cohort",
                tuple(codes.values()),
                "help texts of the impact: « Parmi les personnes reçues »",
            )
        )
        relations.append(
            Relation(
                RelationKind.WITHIN,
                codes["employed"],
                (codes["shortage"],),
                "help text of « métier en tension »: « Parmi les personnes en emploi »",
            )
        )
    return ReportDefinition(
        code=IMPACT_REPORT_CODE,
        title=_("Impact de l'expérimentation"),
        description=_(
            "Part des personnes en emploi, en formation, inscrites à France Travail et en "
            "emploi dans un métier en tension, 3, 6 et 12 mois après leur première plateforme "
            "d'accueil, par cohorte (mois de l'accueil)."
        ),
        indicators=tuple(indicators),
        monthly=False,
        relations=tuple(relations),
    )


IMPACT_REPORT = impact_definition((3, 6, 12))
