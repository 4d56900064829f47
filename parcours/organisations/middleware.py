"""Attach the membership in use ("current organisation") to each request."""

SESSION_KEY = "parcours_membership_id"


def get_current_membership(request):
    """The membership the signed-in user acts through, or None.

    The session remembers the user's choice; a membership that was deactivated since, or that
    belongs to someone else, is ignored and the first active one is used instead.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    # One query for both: the chosen membership and the switcher's list (the context
    # processor reads request.active_memberships), in the model's order (organisation, role),
    # whose first is the default. Every page paid two or three before (issue 12).
    memberships = list(
        user.memberships.active().select_related(
            "organisation", "organisation__directorate", "organisation__region"
        )
    )
    request.active_memberships = (user.pk, memberships)
    chosen_id = request.session.get(SESSION_KEY)
    if chosen_id is not None:
        chosen = next((m for m in memberships if m.pk == chosen_id), None)
        if chosen is not None:
            return chosen
    return memberships[0] if memberships else None


class CurrentMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # One query per signed-in request; None for visitors and users without membership.
        request.membership = get_current_membership(request)
        return self.get_response(request)
