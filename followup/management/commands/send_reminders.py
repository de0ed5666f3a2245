"""Reminds action-item owners of items due soon or overdue (run it daily from cron).

One e-mail per owner lists their items that are not done and are due within --days days (or
overdue). Each item is reminded at most once per day, even if the command runs again: the
ReminderLog row for (item, today) is written in the same transaction as the sending.
"""

import os
from datetime import timedelta

from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from breakouts.models import Item, Step
from followup.actions import is_overdue
from followup.models import ReminderLog


def due_items(today, days):
    """Returns the action items to remind of: owner with e-mail, not done, due by today+days,
    and not yet reminded today."""
    reminded_today = ReminderLog.objects.filter(sent_on=today).values("item_id")
    return (
        Item.objects.filter(
            step=Step.PLAN,
            due_date__isnull=False,
            due_date__lte=today + timedelta(days=days),
            owner__isnull=False,
        )
        .exclude(owner__email="")
        .exclude(status=Item.Status.DONE)
        .exclude(pk__in=reminded_today)
        .select_related("owner__workshop", "room")
        .order_by("owner_id", "due_date", "pk")
    )


class Command(BaseCommand):
    help = "E-mails owners of action items due within N days or overdue (once per item per day)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2, help="Remind this many days ahead.")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("ROUNDTABLE_BASE_URL", "http://localhost:8000"),
            help="Where Roundtable is served, for the links in the e-mail "
            "(default: $ROUNDTABLE_BASE_URL or http://localhost:8000).",
        )

    def handle(self, *args, days, base_url, **options):
        today = timezone.localdate()
        by_owner = {}
        for item in due_items(today, days):
            by_owner.setdefault(item.owner, []).append(item)
        sent = 0
        for owner, items in by_owner.items():
            sent += self.remind(owner, items, today, base_url.rstrip("/"))
        self.stdout.write(f"Sent {sent} reminder e-mail(s) about {sum(map(len, by_owner.values()))}"
                          " action item(s).")

    def remind(self, owner, items, today, base_url):
        """Sends one owner their e-mail; returns 1, or 0 when another run got there first."""
        with transaction.atomic():
            items = [item for item in items if ReminderLog.objects.claim(item, today)]
            if not items:
                return 0
            context = {
                "participant": owner,
                "items": items,
                "rows": [{"item": item, "overdue": is_overdue(item, today)} for item in items],
                "link": base_url + reverse("workshops:personal_link", args=[owner.token]),
                "actions_link": base_url
                + reverse("report:my_actions", args=[owner.workshop.join_code]),
            }
            subject = " ".join(
                render_to_string("report/email/reminder_subject.txt", context).split()
            )
            body = render_to_string("report/email/reminder.txt", context)
            # Sending inside the transaction: if it fails, the claims roll back and the
            # next run tries again.
            send_mail(subject, body, None, [owner.email])
        return 1
