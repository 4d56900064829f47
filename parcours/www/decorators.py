"""View decorators that apply the permission matrix to the membership in use."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from parcours.organisations.permissions import can


def action_required(action: str):
    """Refuse with 403 unless the current membership may perform `action`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(getattr(request, "membership", None), action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.parcours_action = action
        return wrapped

    return decorator
