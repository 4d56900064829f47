"""Template filters of the referrals area: DSFR badge tones for states and verdicts."""

from django import template

from parcours.referrals.states import ReferralStatus as S

register = template.Library()

STATUS_TONES = {
    S.DRAFT: "",
    S.SENT: "new",
    S.WAITLISTED: "warning",
    S.ACCEPTED: "success",
    S.REFUSED: "error",
    S.EXPIRED: "warning",
    S.ENTERED: "success",
    S.COMPLETED: "success",
    S.DROPPED_OUT: "warning",
    S.WITHDRAWN: "",
    S.TRANSFERRED: "info",
}
VERDICT_TONES = {
    "eligible": "success",
    "eligible_with_waiver": "info",
    "to_check": "warning",
    "not_eligible": "error",
}


@register.filter
def status_tone(status: str) -> str:
    """The DSFR badge modifier for a referral state ("" for a neutral badge)."""
    tone = STATUS_TONES.get(status, "")
    return f"fr-badge--{tone}" if tone else ""


@register.filter
def verdict_tone(status: str) -> str:
    tone = VERDICT_TONES.get(status, "")
    return f"fr-badge--{tone}" if tone else ""
