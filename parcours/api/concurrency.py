"""Optimistic concurrency of the API (issue 17): every write names the version it was read at.

A resource answers with an `ETag`; a write must send it back in `If-Match`. The tag is
compared under the row lock the write takes, so of two writers holding the same tag one
succeeds and the other gets 412 Precondition Failed, never a silent overwrite. A write without
`If-Match` gets 428 Precondition Required (RFC 6585).
"""

import hashlib

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

# The fields a referral's transitions change: any transition changes at least its status.
REFERRAL_VERSION_FIELDS = (
    "status",
    "answered_at",
    "accepted_at",
    "refusal_reason",
    "entered_on",
    "exited_on",
    "drop_out_reason",
    "closed_at",
)


class PreconditionFailed(APIException):
    status_code = 412
    default_detail = _(
        "Cette ressource a changé depuis votre lecture : relisez-la, puis recommencez."
    )
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = _(
        "Envoyez l'en-tête If-Match avec l'ETag lu : une modification doit nommer la version "
        "qu'elle modifie."
    )
    default_code = "precondition_required"


class Conflict(APIException):
    status_code = 409
    default_detail = _("Cette action n'est pas possible dans l'état actuel.")
    default_code = "conflict"


def version_tag(obj, fields=REFERRAL_VERSION_FIELDS) -> str:
    """A strong ETag of `obj`'s version: a digest of its id and the fields writes change."""
    parts = [str(obj.pk), *(str(getattr(obj, name)) for name in fields)]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def check_if_match(request, current: str) -> None:
    """Refuse the write unless `If-Match` names `current` (or is `*`)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired
    if header == "*":
        return
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if current not in tags:
        raise PreconditionFailed
