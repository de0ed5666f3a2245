"""The applied-op ids move to the live transport's own table (live.AppliedOp).

Rows are copied first, so an op resent right after the upgrade is still acked, not re-applied.
"""

from django.db import migrations


def copy_applied_ops(apps, schema_editor):
    Old = apps.get_model("breakouts", "AppliedOp")
    New = apps.get_model("live", "AppliedOp")
    New.objects.bulk_create(
        (New(scope=row.workshop_id, op_id=row.op_id, rev=row.rev, created_at=row.created_at)
         for row in Old.objects.iterator()),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('breakouts', '0002_initial'),
        ('live', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(copy_applied_ops, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='AppliedOp',
        ),
    ]
