"""Countries get their French name as printed and a current/historical flag (issue 16)."""

from django.db import migrations, models

from parcours.territories.loaders import update_country_labels


def fill_labels(apps, schema_editor):
    update_country_labels(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('territories', '0002_load_reference_data'),
    ]

    operations = [
        migrations.AddField(
            model_name='country',
            name='is_current',
            field=models.BooleanField(default=True, verbose_name='en vigueur'),
        ),
        migrations.AddField(
            model_name='country',
            name='label',
            field=models.CharField(blank=True, max_length=100, verbose_name='nom usuel'),
        ),
        migrations.RunPython(fill_labels, migrations.RunPython.noop),
    ]
