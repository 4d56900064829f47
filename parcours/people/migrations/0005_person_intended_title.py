"""The person file records the residence title the person intends to apply for (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_person_retention'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='intended_title',
            field=models.CharField(blank=True, choices=[('multi_year_card', 'Carte de séjour pluriannuelle'), ('resident_card', 'Carte de résident'), ('naturalisation', 'Naturalisation')], help_text="Le titre que la personne compte demander : son dossier montre les exigences datées de ce titre, à titre d'information.", max_length=20, verbose_name='titre envisagé'),
        ),
    ]
