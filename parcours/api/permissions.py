"""API permissions: the same role × action matrix as the web pages."""

from rest_framework.permissions import BasePermission

from parcours.organisations.permissions import can


class MatrixPermission(BasePermission):
    """Allow when the membership in use may perform the view's `required_action`."""

    def has_permission(self, request, view):
        action = getattr(view, "required_action", None)
        if action is None:  # denied by default: every API view must declare its action
            return False
        return bool(request.user and request.user.is_authenticated) and can(
            getattr(request._request, "membership", None), action
        )
