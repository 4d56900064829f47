"""Issue 12 (ADR 0022): the CIR copies the person's employment situation, so the CIR -> France
Travail delays read no person. Filled with one UPDATE (… FROM on PostgreSQL).

Self-contained: the statements are written here, not imported from run-time code.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE reception_contract AS c SET employment_status = p.employment_status "
            "FROM people_person AS p WHERE p.id = c.person_id "
            "AND c.employment_status <> p.employment_status"
        )
        return
    Contract = apps.get_model("reception", "Contract")
    Person = apps.get_model("people", "Person")
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Contract.objects.update(employment_status=Subquery(person.values("employment_status")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0012_session_cancellation"),
        ("people", "0014_person_list_index_on_upper_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="employment_status",
            field=models.CharField(
                choices=[
                    ("cdi", "En emploi – CDI"),
                    ("cdd", "En emploi – CDD"),
                    ("interim", "En emploi – intérim"),
                    ("vocational_training", "En formation professionnelle"),
                    ("student", "Étudiant"),
                    ("job_seeker", "Demandeur d'emploi"),
                    ("inactive", "Inactif"),
                    ("unknown", "Non renseigné"),
                ],
                default="unknown",
                editable=False,
                max_length=20,
                verbose_name="situation professionnelle",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
