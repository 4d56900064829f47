"""Main menu entries: each module adds its own, shown to the roles whose action allows it.

Entries of a group share one drop-down menu of the header (DSFR "menu déroulant"), so that a
DT director with a dozen pages still reads a short menu; a group holding a single entry for
the role in use is shown as a plain link.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parcours.core.admin_site import is_national_admin
from parcours.organisations.permissions import Action, can
from parcours.organisations.roles import PARTNER_ROLES, Role


@dataclass(frozen=True)
class MenuGroup:
    label: str
    # Place in the header, whatever the order apps register in.
    position: int


# The header's groups, in the words of the people using them: the day's work first, then
# referrals, figures, and data and security settings last.
RECEPTION = MenuGroup(_("Journées d'accueil"), 10)
REFERRALS = MenuGroup(_("Orientations"), 20)
FIGURES_POSITION = 30
PARTNERSHIPS = MenuGroup(_("Partenariats"), 40)
DATA_AND_SECURITY = MenuGroup(_("Données et sécurité"), 90)


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    action: str
    url_prefix: str = ""
    group: MenuGroup | None = None
    # Place of an entry outside any group (a grouped entry takes its group's).
    position: int = 50
    # Narrower than the action, when the page would always be empty for some roles that
    # hold it (issue 16: menus show only what the role can use): membership -> bool.
    audience: Callable[[Any], bool] | None = None

    @property
    def place(self) -> int:
        return self.group.position if self.group else self.position


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
    items, menu, groups = [], [], {}
    for entry in _entries:
        if not can(membership, entry.action):
            continue
        if entry.audience is not None and not entry.audience(membership):
            continue
        url = reverse(entry.url_name)
        item = {
            "label": entry.label,
            "url": url,
            "current": request.path.startswith(entry.url_prefix or url),
            "position": entry.place,
        }
        items.append(item)
        if not entry.group:
            menu.append(item)
        elif entry.group in groups:
            groups[entry.group]["children"].append(item)
        else:
            groups[entry.group] = {
                "label": entry.group.label,
                "children": [item],
                "position": entry.place,
            }
            menu.append(groups[entry.group])
    items.sort(key=lambda item: item["position"])  # stable: registration order within a place
    menu.sort(key=lambda block: block["position"])
    for position, block in enumerate(menu):
        if "children" in block:
            if len(block["children"]) == 1:
                menu[position] = block["children"][0]
            else:
                block["current"] = any(child["current"] for child in block["children"])
                block["id"] = f"menu-{position}"
    return {
        "nav_items": items,  # every entry, flat (the home pages list them)
        "nav_menu": menu,  # the header's menu: links and groups
        # Partners reach people through their inbox of referrals, never the OFII list.
        "nav_can_view_person": can(membership, Action.VIEW_PERSON)
        and membership.role not in PARTNER_ROLES,
        # The admin opens to the national admin membership in use only (core.admin_site).
        "nav_is_national_admin": membership is not None
        and membership.role == Role.NATIONAL_ADMIN
        and is_national_admin(user),
    }
