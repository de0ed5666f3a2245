# DebriefAnswer and ReminderLog moved to the `followup` app. Their tables stay where they are
# (followup's models set db_table to these names), so this only removes them from the
# `workshops` state; followup/migrations/0001_initial.py adds them to `followup`'s.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workshops', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='DebriefAnswer'),
                migrations.DeleteModel(name='ReminderLog'),
            ],
            database_operations=[],
        ),
    ]
