"""Main menu entries: each module adds its own, shown to the roles whose action allows it."""

from dataclasses import dataclass

from django.urls import reverse

from parcours.core.admin_site import is_national_admin
from parcours.organisations.permissions import Action, can
from parcours.organisations.roles import PARTNER_ROLES


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    action: str
    url_prefix: str = ""


_entries: list[MenuEntry] = []


def add_entry(entry: MenuEntry) -> None:
    if entry not in _entries:
        _entries.append(entry)


def navigation(request):
    """Context processor: the menu for the membership in use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    items = []
    for entry in _entries:
        if can(membership, entry.action):
            url = reverse(entry.url_name)
            items.append(
                {
                    "label": entry.label,
                    "url": url,
                    "current": request.path.startswith(entry.url_prefix or url),
                }
            )
    return {
        "nav_items": items,
        # Partners reach people through their inbox of referrals, never the OFII list.
        "nav_can_view_person": can(membership, Action.VIEW_PERSON)
        and membership.role not in PARTNER_ROLES,
        "nav_is_national_admin": is_national_admin(user),
    }
