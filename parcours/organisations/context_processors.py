"""Expose the membership in use and the user's other memberships to templates."""


def membership(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_membership": getattr(request, "membership", None),
        "user_memberships": user.memberships.active().select_related("organisation"),
    }
