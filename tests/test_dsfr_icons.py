"""Every DSFR icon a page uses exists in the DSFR that django-dsfr ships (issue 16, point 7).

« Orienter vers un dispositif » showed an empty square: its class, fr-icon-direction-line, is
not a DSFR icon. The icon classes written in templates and Python are read here and looked up
in the style sheets the pages load (dsfr/global_css.html: the DSFR and its utility classes).
"""

import re
from pathlib import Path

import dsfr
from django.conf import settings
from dsfr.constants import DsfrStaticAssets

ICON = re.compile(r"\bfr-icon-[a-z0-9-]*[a-z0-9]\b")
SOURCES = ("*.html", "*.py", "*.js")


def _shipped_icons() -> set[str]:
    static = Path(dsfr.__file__).resolve().parent / "static"
    defined = set()
    for name in (DsfrStaticAssets.DSFR_CSS, DsfrStaticAssets.DSFR_UTILITY_CSS):
        sheet = static / name
        # A class is defined when a selector names it: `.fr-icon-x:before` or `.fr-icon-x,`.
        defined |= {found[1:] for found in re.findall(r"\.fr-icon-[a-z0-9-]+", sheet.read_text())}
    return defined


def _used_icons() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    root = Path(settings.BASE_DIR) / "parcours"
    for pattern in SOURCES:
        for path in root.rglob(pattern):
            for name in ICON.findall(path.read_text(encoding="utf-8", errors="replace")):
                used.setdefault(name, set()).add(str(path.relative_to(root)))
    return used


def test_the_shipped_style_sheets_define_the_icons():
    shipped = _shipped_icons()
    assert "fr-icon-download-line" in shipped
    assert "fr-icon-direction-line" not in shipped  # the one that showed an empty square


def test_every_icon_used_in_parcours_exists_in_the_dsfr():
    shipped = _shipped_icons()
    used = _used_icons()
    assert "fr-icon-road-map-line" in used  # the test reads the templates
    missing = {name: sorted(files) for name, files in used.items() if name not in shipped}
    assert missing == {}


BUTTON_GROUP = re.compile(r'<ul class="(fr-btns-group[^"]*)"(.*?)</ul>', re.S)
ICON_BUTTON = re.compile(r'class="[^"]*\bfr-btn\b[^"]*fr-icon-|class="[^"]*fr-icon-[^"]*\bfr-btn\b')


def test_icon_buttons_in_a_button_group_keep_their_text():
    """In a DSFR button group an icon button shows its icon alone (its text is hidden) unless
    the group says where the icon goes: the access log's « Exporter (CSV) » showed no text."""
    root = Path(settings.BASE_DIR) / "parcours"
    silent = []
    for path in root.rglob("*.html"):
        if path.name == "header_tools.html":  # the header's tools show their text by design
            continue
        for match in BUTTON_GROUP.finditer(path.read_text(encoding="utf-8")):
            classes, body = match.groups()
            if "fr-btns-group--icon-" not in classes and ICON_BUTTON.search(body):
                silent.append(str(path.relative_to(root)))
    assert silent == []
