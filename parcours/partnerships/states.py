"""The partnership workflows declared as data: agreements, applications, actions, reports.

Plain values, testable without a database; services.move applies a transition only from one
of its sources and writes its log row (the house's pattern: referrals/states.py, issue 19).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.core.workflow import Transition
from parcours.core.workflow import allowed_transitions as _allowed


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Projet")
    SIGNED = "signed", _("Signée")
    RUNNING = "running", _("En cours")
    ENDED = "ended", _("Terminée")
    RENEWED = "renewed", _("Renouvelée")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Déposée")
    SELECTED = "selected", _("Retenue")
    NOT_SELECTED = "not_selected", _("Non retenue")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("À faire")
    DONE = "done", _("Faite")


class ReportStatus(models.TextChoices):
    SENT = "sent", _("Envoyé")
    REOPENED = "reopened", _("Correction demandée, rouvert pour la DT")
    CORRECTED = "corrected", _("Corrigé et renvoyé")


A = AgreementStatus
P = ApplicationStatus
R = ReportStatus

# An agreement in these states binds its parties (signed, with a signature date).
SIGNED_STATES = frozenset({A.SIGNED, A.RUNNING, A.ENDED, A.RENEWED})
# Reminders and reports are owed while the agreement is in force.
IN_FORCE_STATES = frozenset({A.SIGNED, A.RUNNING})
DECIDED_APPLICATION_STATES = frozenset({P.SELECTED, P.NOT_SELECTED})
# A report the DREETS may ask to correct: it has been sent (first time or corrected).
CORRECTABLE_REPORT_STATES = frozenset({R.SENT, R.CORRECTED})


AGREEMENT_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("create", frozenset({""}), A.DRAFT, _("Création")),
        Transition("sign", frozenset({A.DRAFT}), A.SIGNED, _("Signature")),
        Transition("start", frozenset({A.SIGNED}), A.RUNNING, _("Début d'exécution")),
        Transition("end", frozenset({A.SIGNED, A.RUNNING}), A.ENDED, _("Fin")),
        Transition("renew", frozenset({A.RUNNING, A.ENDED}), A.RENEWED, _("Renouvellement")),
    ]
}

APPLICATION_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", frozenset({""}), P.SUBMITTED, _("Dépôt")),
        Transition("select", frozenset({P.SUBMITTED}), P.SELECTED, _("Candidature retenue")),
        Transition(
            "reject", frozenset({P.SUBMITTED}), P.NOT_SELECTED, _("Candidature non retenue")
        ),
    ]
}

ACTION_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("create", frozenset({""}), ActionStatus.OPEN, _("Création")),
        Transition("complete", frozenset({ActionStatus.OPEN}), ActionStatus.DONE, _("Faite")),
        Transition("reopen", frozenset({ActionStatus.DONE}), ActionStatus.OPEN, _("Rouverte")),
    ]
}

REPORT_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("send", frozenset({""}), R.SENT, _("Envoi")),
        Transition(
            "request_correction",
            CORRECTABLE_REPORT_STATES,
            R.REOPENED,
            _("Demande de correction (DREETS)"),
        ),
        Transition("resend", frozenset({R.REOPENED}), R.CORRECTED, _("Envoi du rapport corrigé")),
    ]
}

WORKFLOWS = {
    "agreement": AGREEMENT_TRANSITIONS,
    "application": APPLICATION_TRANSITIONS,
    "action": ACTION_TRANSITIONS,
    "report": REPORT_TRANSITIONS,
}


def allowed_transitions(workflow: str, status: str) -> list[str]:
    """Names of the transitions of `workflow` possible from `status`, in declaration order."""
    return _allowed(WORKFLOWS[workflow], status)


def can_apply(workflow: str, name: str, status: str) -> bool:
    transition = WORKFLOWS[workflow].get(name)
    return transition is not None and status in transition.sources
