"""Copies of the session's directorate and date and of the person's sex on events (ADR 0007)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_person_retention'),
        ('reception', '0002_metz_cip_experiment'),
        ('territories', '0002_load_reference_data'),
    ]

    operations = [
        migrations.AddField(
            model_name='convocation',
            name='directorate',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territories.directorate', verbose_name='direction territoriale'),
        ),
        migrations.AddField(
            model_name='convocation',
            name='session_date',
            field=models.DateField(editable=False, null=True, verbose_name='date de la session'),
        ),
        migrations.AddField(
            model_name='convocation',
            name='sex',
            field=models.CharField(choices=[('F', 'Femme'), ('H', 'Homme'), ('X', 'Non renseigné')], default='X', editable=False, max_length=1, verbose_name='sexe'),
        ),
        migrations.AddField(
            model_name='employmentcheck',
            name='directorate',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territories.directorate', verbose_name='direction territoriale'),
        ),
        migrations.AddField(
            model_name='employmentcheck',
            name='person',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.person', verbose_name='personne'),
        ),
        migrations.AddField(
            model_name='employmentcheck',
            name='session_date',
            field=models.DateField(editable=False, null=True, verbose_name='date de la session'),
        ),
        migrations.AddField(
            model_name='employmentcheck',
            name='sex',
            field=models.CharField(choices=[('F', 'Femme'), ('H', 'Homme'), ('X', 'Non renseigné')], default='X', editable=False, max_length=1, verbose_name='sexe'),
        ),
    ]
