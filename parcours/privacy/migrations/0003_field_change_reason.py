"""Issue 13: each change of a person's file states its reason."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_access_log_append_only")]

    operations = [
        migrations.AddField(
            model_name="fieldchange",
            name="reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="motif"),
        ),
    ]
