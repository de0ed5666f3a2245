# DebriefAnswer and ReminderLog, moved here from `workshops` without touching their data: the
# tables keep their names (workshops_debriefanswer, workshops_reminderlog), so the models are
# created in the migration state only. On a fresh database workshops/0001_initial created the
# tables; on an existing one they are already there with their rows.
#
# The content types are renamed too, so admin history and permissions follow the models.

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("debriefanswer", "reminderlog")


def _relabel(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not types.filter(app_label=target, model=model).exists():
            types.filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "workshops", "followup")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "followup", "workshops")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('breakouts', '0002_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('workshops', '0002_move_debrief_and_reminders_to_followup'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DebriefAnswer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('answer_value', models.TextField(blank=True)),
                        ('answer_change', models.TextField(blank=True)),
                        ('choices', models.JSONField(blank=True, default=list)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('participant', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='debrief_answer', to='workshops.participant')),
                        ('workshop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='debrief_answers', to='workshops.workshop')),
                    ],
                    options={
                        'db_table': 'workshops_debriefanswer',
                        'ordering': ['created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ReminderLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sent_on', models.DateField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='breakouts.item')),
                    ],
                    options={
                        'db_table': 'workshops_reminderlog',
                        'constraints': [models.UniqueConstraint(fields=('item', 'sent_on'), name='one_reminder_per_item_per_day')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
