"""Issue 13 (ADR 0013): copies on the CIR (its DT, the France Travail registration) and the
age at the accompaniment, filled from their sources, then required where they must be.

Self-contained: the statements are written here, not imported from run-time code.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _age(birth, day):
    if birth is None or day is None:
        return None
    return day.year - birth.year - int((day.month, day.day) < (birth.month, birth.day))


def fill(apps, schema_editor):
    Contract = apps.get_model("reception", "Contract")
    Convocation = apps.get_model("reception", "Convocation")
    EmploymentCheck = apps.get_model("reception", "EmploymentCheck")
    Person = apps.get_model("people", "Person")
    person = Person.objects.filter(pk=OuterRef("person_id"))
    convocation = Convocation.objects.filter(pk=OuterRef("convocation_id"))
    Contract.objects.update(
        ft_registered=Subquery(person.values("ft_registered")[:1]),
        ft_registration_date=Subquery(person.values("ft_registration_date")[:1]),
    )
    Contract.objects.filter(convocation__isnull=False).update(
        directorate=Subquery(convocation.values("directorate")[:1])
    )
    Contract.objects.filter(convocation__isnull=True).update(
        directorate=Subquery(person.values("directorate")[:1])
    )
    # Ages at the accompaniment: few rows (the accompaniments done), from the birth date as
    # stored now (a file already anonymised keeps its month of birth: the best there is).
    stale = []
    for check in EmploymentCheck.objects.filter(accompaniment_date__isnull=False).select_related(
        "person"
    ):
        check.age_at_accompaniment = _age(check.person.birth_date, check.accompaniment_date)
        stale.append(check)
    EmploymentCheck.objects.bulk_update(stale, ["age_at_accompaniment"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0008_session_address_max_length"),
        ("people", "0006_department_transfer"),
        ("territories", "0002_load_reference_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="employmentcheck",
            name="age_at_accompaniment",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="âge à la date de l'accompagnement"
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="directorate",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.directorate",
                verbose_name="direction territoriale",
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="ft_registered",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="inscrit à France Travail"
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="ft_registration_date",
            field=models.DateField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="date d'inscription à France Travail",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contract",
            name="directorate",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.directorate",
                verbose_name="direction territoriale",
            ),
        ),
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(
                fields=["directorate", "signed_on"], name="reception_contract_dt_day"
            ),
        ),
    ]
