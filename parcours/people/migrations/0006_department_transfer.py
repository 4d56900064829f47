"""Issue 13: the log of départements attached to another DT (people.services.move_department)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_person_intended_title"),
        ("territories", "0002_load_reference_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DepartmentTransfer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="le")),
                ("reason", models.CharField(max_length=300, verbose_name="motif")),
                (
                    "persons_moved",
                    models.PositiveIntegerField(
                        verbose_name="personnes rattachées à la nouvelle DT"
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="par",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="territories.department",
                        verbose_name="département",
                    ),
                ),
                (
                    "from_directorate",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="territories.directorate",
                        verbose_name="ancienne DT",
                    ),
                ),
                (
                    "to_directorate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="territories.directorate",
                        verbose_name="nouvelle DT",
                    ),
                ),
            ],
            options={
                "verbose_name": "changement de DT d'un département",
                "verbose_name_plural": "changements de DT des départements",
                "ordering": ["-at", "-pk"],
            },
        ),
    ]
