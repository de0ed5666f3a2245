from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from report_helpers import make_workshop, member

from breakouts.models import Item, Step
from followup.management.commands import send_reminders as command
from followup.models import ReminderLog
from workshops.models import Participant

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def workshop(facilitator):
    # Owners R1 P0..P2 have tasks due 2026-12-01, 12-02, 12-03.
    return make_workshop(facilitator, rooms=1)


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_reminds_each_owner_of_items_due_within_n_days(workshop):
    run("--days", "2")
    assert sorted(m.to[0] for m in mail.outbox) == ["r1p0@example.com", "r1p1@example.com"]
    first = next(m for m in mail.outbox if m.to == ["r1p0@example.com"])
    assert "Task 1.0" in first.body and "Due 2026-12-01" in first.body
    assert "/p/" in first.body and "/my-actions/" in first.body
    assert "\n" not in first.subject


@time_machine.travel(date(2026, 12, 5), tick=False)
def test_overdue_items_are_reminded_and_done_ones_are_not(workshop):
    Item.objects.filter(text="Task 1.1").update(status=Item.Status.DONE)
    run()
    assert sorted(m.to[0] for m in mail.outbox) == ["r1p0@example.com", "r1p2@example.com"]
    assert "OVERDUE since 2026-12-01" in mail.outbox[0].body


@time_machine.travel(date(2026, 11, 30), tick=False)
def test_owners_without_email_and_undated_items_get_nothing(workshop):
    Participant.objects.filter(name="R1 P0").update(email="")
    Item.objects.filter(text="Task 1.1").update(due_date=None)
    run()
    assert mail.outbox == []


def test_one_email_per_owner_lists_all_their_items(workshop):
    owner = member(workshop, 1, 0)
    room = owner.room
    Item.objects.create(room=room, step=Step.PLAN, text="Extra task", owner=owner,
                        due_date=date(2026, 12, 2))
    with time_machine.travel(date(2026, 12, 1), tick=False):
        run("--days", "0")
    assert len(mail.outbox) == 1
    assert "Task 1.0" in mail.outbox[0].body
    with time_machine.travel(date(2026, 12, 2), tick=False):
        run("--days", "0")
    assert len(mail.outbox) == 3  # R1 P0 (both items) and R1 P1
    body = next(m for m in mail.outbox[1:] if m.to == ["r1p0@example.com"]).body
    assert "Task 1.0" in body and "Extra task" in body


def test_reminders_are_idempotent_per_item_per_day(workshop):
    with time_machine.travel(date(2026, 12, 1), tick=False):
        run()
        sent = len(mail.outbox)
        assert sent == 3
        assert "Sent 0 reminder" in run()
        assert len(mail.outbox) == sent
    assert ReminderLog.objects.count() == 3
    with time_machine.travel(date(2026, 12, 2), tick=False):
        run()
    assert len(mail.outbox) == sent + 3


def test_a_failed_send_is_retried_on_the_next_run(workshop, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    with time_machine.travel(date(2026, 12, 1), tick=False):
        monkeypatch.setattr(command, "send_mail", broken)
        with pytest.raises(OSError):
            run()
        assert not ReminderLog.objects.exists()
        monkeypatch.undo()
        run()
    assert len(mail.outbox) == 3
