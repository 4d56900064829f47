"""Language training decisions gain their modality and pace; past decisions keep their figures.

Decisions recorded before this migration keep their rule version, level, hours, kind and
answer; their modality was never recorded, so it is "not_recorded" (never invented).
"""

from django.conf import settings
from django.db import migrations, models

NOT_RECORDED = "not_recorded"


def mark_past_decisions(apps, schema_editor):
    Prescription = apps.get_model("reception", "LanguagePrescription")
    Prescription.objects.exclude(kind="none").update(
        modality=NOT_RECORDED, proposed_modality=NOT_RECORDED
    )


def unmark_past_decisions(apps, schema_editor):
    Prescription = apps.get_model("reception", "LanguagePrescription")
    if Prescription.objects.filter(hours__isnull=True).exists():
        # The earlier schema has no way to say "no stated hour limit" (asynchronous platform).
        raise RuntimeError(
            "Asynchronous language training decisions exist: they have no hours and cannot be "
            "stored by the earlier schema. Migrating backwards would lose them."
        )


class Migration(migrations.Migration):

    dependencies = [
        ('reception', '0005_event_facts_required'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='languageprescription',
            name='reception_prescription_hours_fit_kind',
        ),
        migrations.AddField(
            model_name='languageprescription',
            name='modality',
            field=models.CharField(blank=True, choices=[('in_person', 'En présentiel'), ('asynchronous', 'En asynchrone (plateforme en ligne)'), ('not_recorded', 'Non enregistrée (décision antérieure)')], max_length=20, verbose_name='modalité'),
        ),
        migrations.AddField(
            model_name='languageprescription',
            name='modality_override_reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='motif du changement de modalité'),
        ),
        migrations.AddField(
            model_name='languageprescription',
            name='pace',
            field=models.CharField(blank=True, choices=[('extensive', 'Extensif (6 à 10 h par semaine)'), ('semi_intensive', 'Semi-intensif (11 à 19 h par semaine)'), ('intensive', 'Intensif (20 à 30 h par semaine)')], max_length=20, verbose_name='rythme'),
        ),
        migrations.AddField(
            model_name='languageprescription',
            name='proposed_modality',
            field=models.CharField(blank=True, choices=[('in_person', 'En présentiel'), ('asynchronous', 'En asynchrone (plateforme en ligne)'), ('not_recorded', 'Non enregistrée (décision antérieure)')], max_length=20, verbose_name='modalité proposée par la règle'),
        ),
        migrations.AddField(
            model_name='positioning',
            name='little_schooling',
            field=models.BooleanField(default=False, help_text='Cochez pour une personne peu ou pas scolarisée dans son pays.', verbose_name='peu ou pas scolarisée'),
        ),
        migrations.AlterField(
            model_name='languageprescription',
            name='hours',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='heures'),
        ),
        migrations.RunPython(mark_past_decisions, unmark_past_decisions),
        migrations.AddConstraint(
            model_name='languageprescription',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'none'), ('hours', 0)), models.Q(models.Q(('kind', 'none'), _negated=True), ('hours__gt', 0), ('hours__lte', 600)), models.Q(models.Q(('kind', 'none'), _negated=True), ('hours__isnull', True), ('modality', 'asynchronous')), _connector='OR'), name='reception_prescription_hours_fit_kind'),
        ),
        migrations.AddConstraint(
            model_name='languageprescription',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'none'), ('modality', ''), ('proposed_modality', '')), models.Q(models.Q(('kind', 'none'), _negated=True), models.Q(('modality', ''), _negated=True), models.Q(('proposed_modality', ''), _negated=True)), _connector='OR'), name='reception_prescription_modality_iff_training'),
        ),
        migrations.AddConstraint(
            model_name='languageprescription',
            constraint=models.CheckConstraint(condition=models.Q(('modality', models.F('proposed_modality')), models.Q(('modality_override_reason', ''), _negated=True), _connector='OR'), name='reception_prescription_override_has_reason'),
        ),
        migrations.AddConstraint(
            model_name='languageprescription',
            constraint=models.CheckConstraint(condition=models.Q(('pace', ''), ('modality', 'in_person'), _connector='OR'), name='reception_prescription_pace_in_person'),
        ),
    ]
