"""API permissions: the same role × action matrix as the web pages, and the token's scope."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from parcours.api.models import ApiToken
from parcours.organisations.permissions import can


class MatrixPermission(BasePermission):
    """Allow when the membership in use may perform the view's `required_action`, and, for a
    write through a token, when the token has the write scope (issue 17)."""

    message = _("Ce jeton est en lecture seule : il ne peut rien modifier.")

    def has_permission(self, request, view):
        action = getattr(view, "required_action", None)
        if action is None:  # denied by default: every API view must declare its action
            return False
        if not (request.user and request.user.is_authenticated):
            return False
        allowed = can(getattr(request._request, "membership", None), action)
        if not allowed:
            self.message = _("Votre rôle ne permet pas cette action.")
            return False
        token = request.auth
        if request.method not in SAFE_METHODS and isinstance(token, ApiToken):
            return token.can_write
        return True
