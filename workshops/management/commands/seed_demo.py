"""Seeds a demo facilitator and a demo workshop; safe to run again (it changes nothing then)."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from workshops.models import Attribute, Challenge, Workshop

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "roundtable-demo"  # noqa: S105 - printed on purpose: it is a local demo login
DEMO_TITLE = "Peer problem-solving: challenges facing our industry"
DEMO_CHALLENGES = [
    (
        "Keeping talent in a tight labour market",
        "Experienced people leave within two years, and hiring replacements takes months.",
    ),
    (
        "Working across time zones without burning out",
        "Teams in different locations wait on each other and meetings land late at night.",
    ),
    (
        "Turning customer feedback into product decisions",
        "Feedback arrives through many channels and rarely reaches the people who decide.",
    ),
]


class Command(BaseCommand):
    help = "Creates the demo facilitator and demo workshop if they do not exist yet."

    @transaction.atomic
    def handle(self, *args, **options):
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        workshop = Workshop.objects.filter(owner=user, title=DEMO_TITLE).first()
        if workshop is None:
            workshop = Workshop.objects.create(
                owner=user,
                title=DEMO_TITLE,
                description="A demo session: open the lobby, join from another browser, and start.",
                starts_at=timezone.now().replace(minute=0, second=0, microsecond=0),
                departments="Sales\nFinance\nOperations\nEngineering\nHuman Resources\nMarketing",
                locations="Head office\nLyon\nToronto\nSingapore",
                phase=Workshop.Phase.LOBBY,
            )
            Attribute.objects.create(
                workshop=workshop, label="Level", choices="Manager\nSenior manager\nDirector"
            )
            for position, (title, description) in enumerate(DEMO_CHALLENGES):
                Challenge.objects.create(
                    workshop=workshop, title=title, description=description, position=position
                )
        password = DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else "(changed since)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo facilitator: username '{DEMO_USERNAME}', password '{password}'"
            )
        )
        self.stdout.write(f"Demo workshop: {workshop.title} — join code {workshop.join_code}")
