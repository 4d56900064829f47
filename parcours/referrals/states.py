"""The referral workflow declared as data: states, named groups, transitions and reasons.

Plain values, testable without a database. Services apply a transition only when the current
state is one of its sources (DESIGN.md, "Every state change is a row"; STYLE.md, les-emplois).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.core.workflow import Transition
from parcours.core.workflow import allowed_transitions as _allowed


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SENT = "sent", _("Envoyée")
    WAITLISTED = "waitlisted", _("Acceptée, en liste d'attente")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    EXPIRED = "expired", _("Expirée sans réponse")
    ENTERED = "entered", _("Entrée dans le dispositif")
    COMPLETED = "completed", _("Parcours terminé")
    DROPPED_OUT = "dropped_out", _("Sortie anticipée")
    WITHDRAWN = "withdrawn", _("Retirée par l'orienteur")
    TRANSFERRED = "transferred", _("Transférée vers un autre dispositif")


S = ReferralStatus

# A seat of the scheme is held in these states (one per person and scheme, database constraint).
ACTIVE_SEAT_STATES = frozenset({S.ACCEPTED, S.ENTERED})
# Still open: the person cannot be referred to the same scheme again meanwhile.
OPEN_STATES = frozenset({S.DRAFT, S.SENT, S.WAITLISTED, S.ACCEPTED, S.ENTERED})
# The partner has answered (accepted, put on the waiting list or refused) at some point.
ANSWERED_STATES = frozenset(
    {S.WAITLISTED, S.ACCEPTED, S.REFUSED, S.ENTERED, S.COMPLETED, S.DROPPED_OUT}
)
ENTERED_STATES = frozenset({S.ENTERED, S.COMPLETED, S.DROPPED_OUT})
EXITED_STATES = frozenset({S.COMPLETED, S.DROPPED_OUT})
CLOSED_STATES = frozenset(
    {S.REFUSED, S.EXPIRED, S.COMPLETED, S.DROPPED_OUT, S.WITHDRAWN, S.TRANSFERRED}
)
# The partner sees a referral once it is sent; drafts stay with the referrer.
SENT_STATES = frozenset(set(S) - {S.DRAFT})
# Waiting for the partner: the ones the inbox puts first and expiry looks at.
AWAITING_ANSWER_STATES = frozenset({S.SENT})


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("create", frozenset({""}), S.DRAFT, _("Création")),
        Transition("send", frozenset({S.DRAFT}), S.SENT, _("Envoi au partenaire")),
        Transition("accept", frozenset({S.SENT}), S.ACCEPTED, _("Acceptation")),
        Transition("waitlist", frozenset({S.SENT}), S.WAITLISTED, _("Mise en liste d'attente")),
        Transition("promote", frozenset({S.WAITLISTED}), S.ACCEPTED, _("Place libérée")),
        Transition("refuse", frozenset({S.SENT, S.WAITLISTED}), S.REFUSED, _("Refus")),
        Transition("expire", frozenset({S.SENT}), S.EXPIRED, _("Expiration sans réponse")),
        Transition("enter", frozenset({S.ACCEPTED}), S.ENTERED, _("Entrée")),
        Transition("complete", frozenset({S.ENTERED}), S.COMPLETED, _("Fin de parcours")),
        Transition("drop_out", frozenset({S.ENTERED}), S.DROPPED_OUT, _("Sortie anticipée")),
        Transition(
            "withdraw",
            frozenset({S.SENT, S.WAITLISTED, S.ACCEPTED}),
            S.WITHDRAWN,
            _("Retrait par l'orienteur"),
        ),
        Transition(
            "transfer",
            frozenset({S.SENT, S.WAITLISTED, S.ACCEPTED}),
            S.TRANSFERRED,
            _("Transfert vers un autre dispositif"),
        ),
    ]
}


def allowed_transitions(status: str) -> list[str]:
    """Names of the transitions possible from `status`, in declaration order."""
    return _allowed(TRANSITIONS, status)


def can_apply(name: str, status: str) -> bool:
    transition = TRANSITIONS.get(name)
    return transition is not None and status in transition.sources


class RefusalReason(models.TextChoices):
    # Structured, so the funnel can count refusals by reason; details go in the comment.
    NOT_ELIGIBLE = "not_eligible", _("Ne remplit pas les conditions d'accès")
    NO_PLACE = "no_place", _("Pas de place ni de session prévue")
    PERSON_DECLINED = "person_declined", _("La personne ne souhaite pas entrer")
    UNREACHABLE = "unreachable", _("Personne injoignable")
    NOT_ADAPTED = "not_adapted", _("Dispositif non adapté au besoin")
    OTHER = "other", _("Autre motif")


class DropOutReason(models.TextChoices):
    # No health or family detail here (GDPR art. 9, DOMAIN.md "Privacy facts").
    EMPLOYMENT = "employment", _("Accès à un emploi")
    TRAINING = "training", _("Entrée en formation")
    MOVED = "moved", _("Déménagement")
    ABSENCES = "absences", _("Absences répétées")
    PERSONAL = "personal", _("Raisons personnelles")
    EXCLUDED = "excluded", _("Exclusion par la structure")
    OTHER = "other", _("Autre motif")


class Origin(models.TextChoices):
    """Where a referral was decided (the three patterns of the seeds)."""

    INTERVIEW = "interview", _("Entretien (journée d'accueil)")
    PERSON_FILE = "person_file", _("Dossier de la personne")
    INFORMATION_SESSION = "information_session", _("Séance d'information")
    TRANSFER = "transfer", _("Transfert depuis un autre dispositif")
