"""Requirements of each residence title, as dated information (never a decision on a person).

From 1 January 2026, first applications for a multi-year card need French at A2 and the civic
exam, for a resident card B1 and the exam, for naturalisation B2 (law n° 2024-42 of 26 January
2024 "CIAI", décrets n° 2025-647 and n° 2025-648 of 15 July 2025; the civic exam of the arrêté
of 10 October 2025: 40 questions in 45 minutes, pass mark 32). Renewals are not concerned.
These are public facts to re-check before they drive anything (DOMAIN.md): Parcours shows them
to the auditor and in the person file next to what it knows, and decides nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.people.models import LEVEL_ORDER, LanguageLevel, ResidenceTitle

CIVIC_EXAM_QUESTIONS = 40
CIVIC_EXAM_PASS_MARK = 32
CIVIC_EXAM_MINUTES = 45


@dataclass(frozen=True)
class TitleRequirement:
    """What a first application for one title requires, on [valid_from, valid_to]."""

    title: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    language_level: str
    civic_exam: bool
    exemptions: tuple[str, ...]
    texts: tuple[str, ...]

    def applies_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


CIAI_2026 = datetime.date(2026, 1, 1)
_CIAI_TEXTS = (
    "Loi n° 2024-42 du 26 janvier 2024 pour contrôler l'immigration, améliorer l'intégration",
    "Décret n° 2025-647 du 15 juillet 2025 (titres de séjour ; niveaux et examen civique "
    "applicables aux premières demandes à partir du 1er janvier 2026)",
    "Arrêté du 10 octobre 2025 relatif à l'examen civique (40 questions, 45 minutes, "
    "32 bonnes réponses pour réussir)",
)
_CARD_EXEMPTIONS = (
    gettext_lazy("Personnes de plus de 65 ans."),
    gettext_lazy(
        "Handicap ou état de santé qui empêche de passer le test ou l'examen (certificat médical)."
    ),
    gettext_lazy(
        "Ressortissants algériens, dont le séjour relève de l'accord franco-algérien de 1968."
    ),
    gettext_lazy("Renouvellement d'un titre de même nature : pas de nouvelle condition."),
    gettext_lazy(
        "Bénéficiaires de la protection internationale : titres délivrés de plein droit "
        "(CESEDA L. 424-1 et L. 424-9), à vérifier auprès de la préfecture."
    ),
)

REQUIREMENTS: tuple[TitleRequirement, ...] = (
    TitleRequirement(
        title=ResidenceTitle.MULTI_YEAR_CARD,
        valid_from=CIAI_2026,
        valid_to=None,
        language_level=LanguageLevel.A2,
        civic_exam=True,
        exemptions=_CARD_EXEMPTIONS + (gettext_lazy("Cartes « talent » : pas d'examen civique."),),
        texts=_CIAI_TEXTS,
    ),
    TitleRequirement(
        title=ResidenceTitle.RESIDENT_CARD,
        valid_from=CIAI_2026,
        valid_to=None,
        language_level=LanguageLevel.B1,
        civic_exam=True,
        exemptions=_CARD_EXEMPTIONS,
        texts=_CIAI_TEXTS,
    ),
    TitleRequirement(
        title=ResidenceTitle.NATURALISATION,
        valid_from=CIAI_2026,
        valid_to=None,
        language_level=LanguageLevel.B2_OR_ABOVE,
        civic_exam=True,
        exemptions=(
            gettext_lazy(
                "Handicap ou état de santé qui empêche de passer le test ou l'examen "
                "(certificat médical)."
            ),
        ),
        texts=(
            _CIAI_TEXTS[0],
            "Décret n° 2025-648 du 15 juillet 2025 (naturalisation : niveau B2, examen "
            "civique mention « naturalisation », à partir du 1er janvier 2026)",
            _CIAI_TEXTS[2],
        ),
    ),
)


def requirement(title: str, on: datetime.date) -> TitleRequirement | None:
    """The requirement of a title for a first application made on `on`, if Parcours has one."""
    return next((r for r in REQUIREMENTS if r.title == title and r.applies_on(on)), None)


@dataclass(frozen=True)
class Standing:
    """Where a person stands against the title they will apply for: facts, not a decision."""

    title_label: str
    requirement: TitleRequirement | None
    level_label: str
    level_date: datetime.date | None
    level_reached: bool | None  # None: no positioning yet
    lines: tuple[str, ...]


def standing(person, on: datetime.date, *, age: int | None = None) -> Standing | None:
    """What Parcours knows of the person against their intended title's requirement on `on`.

    None when no title is recorded. The language level is the last positioning's (the lower
    of written and oral): a positioning is not the certified test the prefecture asks for, so
    the lines say "according to the positioning". Parcours records no civic exam result.
    """
    title = getattr(person, "intended_title", "")
    if not title:
        return None
    found = requirement(title, on)
    title_label = str(ResidenceTitle(title).label)
    if found is None:
        return Standing(
            title_label,
            None,
            "",
            None,
            None,
            (
                _("Parcours ne connaît pas d'exigence datée pour ce titre au %(date)s.")
                % {"date": date_format(on, "SHORT_DATE_FORMAT")},
            ),
        )
    wanted = LanguageLevel(found.language_level)
    lines = [
        _("Première demande à partir du %(date)s : français niveau %(level)s%(exam)s.")
        % {
            "date": date_format(found.valid_from, "SHORT_DATE_FORMAT"),
            "level": wanted.label,
            "exam": _(
                " et examen civique (%(questions)s questions, %(mark)s bonnes réponses "
                "pour réussir)"
            )
            % {"questions": CIVIC_EXAM_QUESTIONS, "mark": CIVIC_EXAM_PASS_MARK}
            if found.civic_exam
            else "",
        }
    ]
    level = person.language_level
    reached = None
    level_label = ""
    if level:
        level_label = str(LanguageLevel(level).label)
        reached = LEVEL_ORDER[LanguageLevel(level)] >= LEVEL_ORDER[wanted]
        text = (
            _("Selon le positionnement, le niveau %(level)s atteint le niveau demandé.")
            if reached
            else _(
                "Selon le positionnement, le niveau %(level)s est en dessous du niveau "
                "demandé (%(wanted)s)."
            )
        )
        lines.append(text % {"level": level_label, "wanted": wanted.label})
    else:
        lines.append(_("Pas encore de positionnement linguistique."))
    if found.civic_exam:
        lines.append(
            _(
                "Examen civique : résultat non enregistré dans Parcours (attestation à "
                "demander à la personne)."
            )
        )
    if age is not None and age > 65 and found.title != ResidenceTitle.NATURALISATION:
        lines.append(_("Plus de 65 ans : la personne peut être dispensée."))
    lines.append(_("Information, pas une décision : c'est la préfecture qui instruit la demande."))
    return Standing(
        title_label, found, level_label, person.language_level_date, reached, tuple(lines)
    )
