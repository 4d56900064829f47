"""Make the copies of 0003 required and index what the figures read (ADR 0007)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_person_retention'),
        ('reception', '0004_backfill_event_facts'),
        ('territories', '0002_load_reference_data'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='convocation',
            name='directorate',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territories.directorate', verbose_name='direction territoriale'),
        ),
        migrations.AlterField(
            model_name='convocation',
            name='session_date',
            field=models.DateField(editable=False, verbose_name='date de la session'),
        ),
        migrations.AlterField(
            model_name='employmentcheck',
            name='directorate',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='territories.directorate', verbose_name='direction territoriale'),
        ),
        migrations.AlterField(
            model_name='employmentcheck',
            name='person',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.person', verbose_name='personne'),
        ),
        migrations.AlterField(
            model_name='employmentcheck',
            name='session_date',
            field=models.DateField(editable=False, verbose_name='date de la session'),
        ),
        migrations.AddIndex(
            model_name='convocation',
            index=models.Index(fields=['directorate', 'session_date'], name='reception_convocation_dt_day'),
        ),
        migrations.AddIndex(
            model_name='employmentcheck',
            index=models.Index(fields=['directorate', 'session_date'], name='reception_check_dt_day'),
        ),
        migrations.AddIndex(
            model_name='contract',
            index=models.Index(fields=['signed_on'], name='reception_contract_signed'),
        ),
        migrations.AddIndex(
            model_name='employmentcheck',
            index=models.Index(condition=models.Q(('accompaniment_date__isnull', False)), fields=['accompaniment_date'], name='reception_check_accompanied'),
        ),
    ]
