"""Expose the membership in use and the user's other memberships to templates."""


def membership(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The list the middleware loaded for this request (same filter, same order); the query
    # only where the middleware did not run, or ran for another user (a sign-in under way).
    loaded_for, memberships = getattr(request, "active_memberships", (None, None))
    if loaded_for != user.pk:
        memberships = user.memberships.active().select_related("organisation")
    return {
        "current_membership": getattr(request, "membership", None),
        "user_memberships": memberships,
    }
