"""Fill the copies added by 0003 from their source (ADR 0007); one UPDATE per table.

PostgreSQL gets `UPDATE … FROM` joins (a million convocations in seconds); other databases
get the portable correlated subqueries. The next migration makes the columns required.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

POSTGRESQL = [
    """
    UPDATE reception_convocation AS c
    SET directorate_id = s.directorate_id, session_date = s.date, sex = p.sex
    FROM reception_receptionsession AS s, people_person AS p
    WHERE s.id = c.session_id AND p.id = c.person_id
    """,
    """
    UPDATE reception_employmentcheck AS e
    SET person_id = c.person_id, directorate_id = c.directorate_id,
        session_date = c.session_date, sex = c.sex
    FROM reception_convocation AS c
    WHERE c.id = e.convocation_id
    """,
]


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)
        return
    Convocation = apps.get_model("reception", "Convocation")
    EmploymentCheck = apps.get_model("reception", "EmploymentCheck")
    ReceptionSession = apps.get_model("reception", "ReceptionSession")
    Person = apps.get_model("people", "Person")
    session = ReceptionSession.objects.filter(pk=OuterRef("session_id"))
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Convocation.objects.update(
        directorate=Subquery(session.values("directorate")[:1]),
        session_date=Subquery(session.values("date")[:1]),
        sex=Subquery(person.values("sex")[:1]),
    )
    convocation = Convocation.objects.filter(pk=OuterRef("convocation_id"))
    EmploymentCheck.objects.update(
        person=Subquery(convocation.values("person")[:1]),
        directorate=Subquery(convocation.values("directorate")[:1]),
        session_date=Subquery(convocation.values("session_date")[:1]),
        sex=Subquery(convocation.values("sex")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("reception", "0003_event_facts")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
