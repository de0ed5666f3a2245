"""The people in a workshop: participants join without an account."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from live import events
from workshops.models.workshop import new_secret_token, normalise_label

# Who has arrived (Participant.has_arrived): joined by code or link, or imported and has
# opened their personal link at least once.
ARRIVED = models.Q(imported=False) | models.Q(last_seen_at__isnull=False)


class ParticipantQuerySet(models.QuerySet):
    def in_room(self, room):
        return self.filter(room=room)

    def arrived(self):
        """Returns the participants who are here: not someone imported from a roster who has
        never opened their personal link."""
        return self.filter(ARRIVED)

    def not_arrived(self):
        """Returns the imported participants who have never opened their personal link."""
        return self.exclude(ARRIVED)

    def matching(self, query):
        """Returns the participants whose name, department, location or e-mail contains every
        word of `query` (case-insensitively); all of them for a blank query."""
        rows = self
        for word in query.split():
            rows = rows.filter(
                models.Q(name__icontains=word) | models.Q(department__icontains=word)
                | models.Q(location__icontains=word) | models.Q(email__icontains=word)
            )
        return rows

    def label_counts(self, field):
        """Returns {label: number of participants} for `department` or `location`, sorted by
        label, empty labels left out: one grouped query, whatever the size of the roster."""
        rows = (
            self.exclude(**{field: ""}).order_by().values_list(field)
            .annotate(n=models.Count("pk"))
        )
        return dict(sorted(rows, key=lambda row: row[0].casefold()))

    def possibly_same_person(self, name, email=""):
        """Returns the participants who may be the person joining as `name` (and `email`).

        Names match case- and space-insensitively (in Python, so that "ÉLODIE" is "élodie" on
        SQLite too); when both sides gave an e-mail, the addresses must match as well.
        """
        key, email = normalise_label(name), (email or "").strip().casefold()
        same = [
            pk
            for pk, other_name, other_email in self.order_by().values_list("pk", "name", "email")
            if normalise_label(other_name) == key
            and not (email and other_email and other_email.casefold() != email)
        ]
        return list(self.filter(pk__in=same)) if same else []


class Participant(models.Model):
    class Sharing(models.TextChoices):
        NOTHING = "nothing", _("Nothing")
        EMAIL = "email", _("My e-mail")
        HANDLE = "handle", _("My chat handle")

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(_("name"), max_length=100)
    department = models.CharField(_("department"), max_length=100)
    location = models.CharField(_("location"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    # Values of the workshop's own attributes (workshops.models.attribute), by attribute key.
    attributes = models.JSONField(default=dict, blank=True)
    # Personal link /p/<token>/: long, random, compared in constant time (see views).
    token = models.CharField(max_length=64, unique=True, default=new_secret_token)
    room = models.ForeignKey(
        "breakouts.Room", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="members",
    )
    imported = models.BooleanField(default=False)
    share = models.CharField(
        _("share with my room-mates"), max_length=10, choices=Sharing.choices,
        default=Sharing.NOTHING,
    )
    chat_handle = models.CharField(_("chat handle"), max_length=100, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "pk"]

    def __str__(self):
        return f"{self.name} ({self.department}, {self.location})"

    def get_absolute_url(self):
        return reverse("workshops:personal_link", args=[self.token])

    def public(self):
        """Returns what everyone in the workshop may see of this person (never the e-mail or
        the personal token)."""
        return {
            "id": self.pk,
            "name": self.name,
            "department": self.department,
            "location": self.location,
            "joined_at": events.iso(self.joined_at),
        }

    @property
    def needs_profile(self):
        """True for an imported participant whose roster row left department, location or a
        required attribute of the workshop empty."""
        return not (self.department and self.location) or bool(self.missing_attributes())

    def missing_attributes(self):
        """Returns the workshop's required attributes this participant has no value for."""
        values = self.attributes or {}
        return [
            a for a in self.workshop.attributes.filter(required=True)
            if not str(values.get(a.key, "")).strip()
        ]

    @property
    def has_arrived(self):
        """False for an imported participant who has never opened their personal link."""
        return not self.imported or self.last_seen_at is not None

    @property
    def shared_contact(self):
        """Returns what this person chose to show room-mates, or an empty string."""
        if self.share == self.Sharing.EMAIL:
            return self.email
        if self.share == self.Sharing.HANDLE:
            return self.chat_handle
        return ""
