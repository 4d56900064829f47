"""Screenshots for the user guide (docs/guide/), taken by the journeys when asked to.

`make guide` sets PARCOURS_GUIDE_SCREENSHOTS to the folder of the guide's images; without it
(`make test`), `picture` does nothing, so the suite never writes into docs/.
"""

import os
from pathlib import Path

GUIDE_VARIABLE = "PARCOURS_GUIDE_SCREENSHOTS"
VIEWPORT = {"width": 1280, "height": 800}


def picture(page, name: str, *, show=None) -> Path | None:
    """The visible part of the page (not the full page) as docs/guide/images/<name>.png;
    `show`, a locator, is scrolled to the top of the window first (a form down the page)."""
    folder = os.environ.get(GUIDE_VARIABLE)
    if not folder:
        return None
    if show is not None:
        show.first.evaluate("element => element.scrollIntoView({block: 'start'})")
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
    return path
