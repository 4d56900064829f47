"""The CIP interview records why a person already registered at France Travail is registered again."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_person_retention'),
        ('reception', '0006_fle_modality_and_pace'),
        ('territories', '0002_load_reference_data'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='employmentcheck',
            name='reregistration_reason',
            field=models.CharField(blank=True, choices=[('removed', "Radiée de la liste des demandeurs d'emploi"), ('other', 'Autre motif')], help_text='Pour une personne déjà enregistrée comme inscrite à France Travail.', max_length=10, verbose_name="motif d'une nouvelle inscription"),
        ),
        migrations.AddConstraint(
            model_name='employmentcheck',
            constraint=models.CheckConstraint(condition=models.Q(('reregistration_reason', ''), ('registered_today', True), _connector='OR'), name='reception_check_reregistration_needs_registration'),
        ),
    ]
