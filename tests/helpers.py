"""Small helpers for reading responses as a user would."""

import html


def page_text(response) -> str:
    """The response body with HTML entities decoded (apostrophes, guillemets)."""
    return html.unescape(response.content.decode())


def behind_the_back(person, **values) -> None:
    """Change a person's columns by SQL, as a manual data fix would (no service, no signal)."""
    from django.db import connection

    from parcours.people.models import Person

    columns = ", ".join(f"{Person._meta.get_field(name).column} = %s" for name in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Person._meta.db_table} SET {columns} WHERE id = %s",  # noqa: S608
            [*values.values(), person.pk],
        )
