"""The purpose a user gave for opening a person file, remembered for the session."""

from parcours.privacy.access_log import Operation
from parcours.privacy.rules import purpose_required

SESSION_KEY = "parcours_purposes"
# Enough for a working day; the oldest purposes are forgotten first.
MAX_REMEMBERED = 200


def purpose_for_person_read(request, person) -> str | None:
    """ "" when the role needs no purpose; the purpose given; None when one is still owed."""
    membership = getattr(request, "membership", None)
    role = membership.role if membership is not None else ""
    if not purpose_required(role, Operation.PERSON_READ):
        return ""
    return request.session.get(SESSION_KEY, {}).get(_key(request, person.pk))


def remember_purpose(request, person_pk: int, purpose: str) -> None:
    purposes = dict(request.session.get(SESSION_KEY, {}))
    purposes.pop(_key(request, person_pk), None)
    purposes[_key(request, person_pk)] = purpose
    while len(purposes) > MAX_REMEMBERED:
        purposes.pop(next(iter(purposes)))
    request.session[SESSION_KEY] = purposes


def _key(request, person_pk) -> str:
    # Per membership: a purpose given as director of one DT does not serve another role.
    membership = getattr(request, "membership", None)
    return f"{membership.pk if membership is not None else 0}:{person_pk}"
