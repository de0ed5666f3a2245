import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_models_and_migrations_agree():
    # The suite runs with --nomigrations for speed, which hides the migration files from this
    # process; a separate process sees them as `manage.py migrate` would.
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


# Runs in its own process on its own SQLite file (the suite's --nomigrations hides the
# migration files). It builds the database as it was before `followup` existed, stores rows
# through the historical models, then migrates forwards and back.
MOVE_CHECK = """
import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("workshops", "0001_initial"),
    ("breakouts", "0002_initial"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
]
AFTER = [("followup", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


old = migrate(BEFORE)
User = old.get_model("auth", "User")
Workshop = old.get_model("workshops", "Workshop")
Participant = old.get_model("workshops", "Participant")
Room = old.get_model("breakouts", "Room")
Item = old.get_model("breakouts", "Item")
ContentType = old.get_model("contenttypes", "ContentType")
owner = User.objects.create(username="old")
workshop = Workshop.objects.create(title="Before the move", owner=owner, join_code="OLD123",
                                   join_token="t" * 20)
person = Participant.objects.create(workshop=workshop, name="Ada", department="Ops",
                                    location="Oslo", token="p" * 20)
room = Room.objects.create(workshop=workshop, number=1)
item = Item.objects.create(room=room, step="plan", text="Write it down")
old.get_model("workshops", "DebriefAnswer").objects.create(
    workshop=workshop, participant=person, answer_value="Kept", choices=["Trust"])
old.get_model("workshops", "ReminderLog").objects.create(
    item=item, sent_on=datetime.date(2026, 1, 2))
ContentType.objects.create(app_label="workshops", model="debriefanswer")

new = migrate(AFTER)
answer = new.get_model("followup", "DebriefAnswer").objects.get()
assert (answer.participant.name, answer.answer_value, answer.choices) == ("Ada", "Kept", ["Trust"])
log = new.get_model("followup", "ReminderLog").objects.get()
assert (log.item.text, log.sent_on) == ("Write it down", datetime.date(2026, 1, 2))
types = new.get_model("contenttypes", "ContentType").objects
assert types.filter(app_label="followup", model="debriefanswer").exists()
assert not types.filter(app_label="workshops", model="debriefanswer").exists()

# The model classes the app uses read the same row (once every later migration has run: they
# have the latest columns).
migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
from followup.models import DebriefAnswer
assert DebriefAnswer.objects.get().participant.debrief_answer.answer_value == "Kept"

back = migrate([("workshops", "0001_initial")])
assert back.get_model("workshops", "DebriefAnswer").objects.get().answer_value == "Kept"
assert ContentType.objects.filter(app_label="workshops", model="debriefanswer").exists()
print("moved and back")
"""


def test_debrief_answers_and_reminder_logs_survive_the_move_to_followup(tmp_path):
    env = {**os.environ, "DEBUG": "1", "ROUNDTABLE_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", MOVE_CHECK],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "moved and back" in result.stdout


# Rooms from before rounds: round 1, and their members get round-1 seats.
ROUNDS_CHECK = """
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


old = migrate([("breakouts", "0005_note_edit_log"), ("workshops", "0003_hide_tallies")])
owner = old.get_model("auth", "User").objects.create(username="old")
workshop = old.get_model("workshops", "Workshop").objects.create(
    title="Before rounds", owner=owner, join_code="OLD123", join_token="t" * 20)
Room = old.get_model("breakouts", "Room")
rooms = [Room.objects.create(workshop=workshop, number=n) for n in (1, 2)]
Participant = old.get_model("workshops", "Participant")
for i, room in enumerate([rooms[0], rooms[0], rooms[1], None]):
    Participant.objects.create(workshop=workshop, name=f"P{i}", department="D", location="L",
                               token=f"p{i}" * 10, room=room)

new = migrate([("breakouts", "0007_seats_of_round_one")])
seats = new.get_model("breakouts", "Seat").objects.order_by("participant__name")
assert [(s.participant.name, s.room.number, s.round) for s in seats] == [
    ("P0", 1, 1), ("P1", 1, 1), ("P2", 2, 1)], list(seats.values())
assert set(new.get_model("breakouts", "Room").objects.values_list("round", flat=True)) == {1}
workshop = new.get_model("workshops", "Workshop").objects.get()
assert (workshop.rounds, workshop.current_round) == (1, 1)
migrate([("breakouts", "0005_note_edit_log"), ("workshops", "0003_hide_tallies")])
print("seated and back")
"""


def test_rooms_before_rounds_become_round_one_with_seats(tmp_path):
    env = {**os.environ, "DEBUG": "1", "ROUNDTABLE_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", ROUNDS_CHECK],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seated and back" in result.stdout
