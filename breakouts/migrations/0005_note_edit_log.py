from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('breakouts', '0004_note_updated_via'),
    ]

    operations = [
        migrations.AddField(
            model_name='note',
            name='edit_log',
            field=models.TextField(blank=True, default=''),
        ),
    ]
