"""Rooms that existed before rounds are round 1 (the field's default); their members get the
seats of round 1, so the network, met-before and repeat-pair avoidance see them."""

from django.db import migrations


def seat_current_members(apps, schema_editor):
    Participant = apps.get_model("workshops", "Participant")
    Seat = apps.get_model("breakouts", "Seat")
    rows = Participant.objects.filter(room__isnull=False).values_list("pk", "room_id", "room__round")
    Seat.objects.bulk_create(
        (Seat(participant_id=pk, room_id=room_id, round=round_number)
         for pk, room_id, round_number in rows.iterator()),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("breakouts", "0006_rounds")]

    operations = [migrations.RunPython(seat_current_members, migrations.RunPython.noop)]
