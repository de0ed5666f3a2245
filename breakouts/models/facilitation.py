"""What facilitators and rooms say to each other: broadcasts and help requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from live.events import iso


class BroadcastQuerySet(models.QuerySet):
    def recent(self, workshop, limit=20):
        """Returns the workshop's latest broadcasts, newest first, with their rooms."""
        rows = self.filter(workshop=workshop).select_related("room")
        return rows.order_by("-created_at", "-pk")[:limit]


class Broadcast(models.Model):
    """A facilitator's message to every room, or to one room."""

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="broadcasts"
    )
    room = models.ForeignKey("breakouts.Room", null=True, blank=True, on_delete=models.CASCADE)
    message = models.CharField(max_length=500)
    sent_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BroadcastQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.message

    @classmethod
    def send(cls, workshop, room, message, sent_by_id):
        """Stores a message to every room (`room` None) or one room and announces it there.

        Returns the revision of what announced it (the workshop's or the room's).
        """
        broadcast = cls.objects.create(
            workshop=workshop, room=room, message=message, sent_by_id=sent_by_id
        )
        payload = {"message": message, "broadcast": broadcast.public()}
        return (room or workshop).announce("broadcast", payload)

    def public(self):
        return {
            "id": self.pk,
            "message": self.message,
            "room": self.room.number if self.room_id else None,
            "created_at": iso(self.created_at),
        }


class HelpRequestQuerySet(models.QuerySet):
    def open_in(self, workshop):
        """The unacknowledged requests of the workshop's current round, oldest first, with their
        rooms (an earlier round's rooms have closed, and their numbers are taken again)."""
        rows = self.filter(
            room__workshop=workshop, room__round=workshop.current_round,
            acknowledged_at__isnull=True,
        )
        return rows.select_related("room").order_by("created_at", "pk")


class HelpRequest(models.Model):
    room = models.ForeignKey(
        "breakouts.Room", on_delete=models.CASCADE, related_name="help_requests"
    )
    participant = models.ForeignKey(
        "workshops.Participant", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.message or str(_("Help requested"))

    def acknowledge(self, user_id, now):
        """Tells the room the facilitator is on the way; returns the room's revision.

        Acknowledging twice changes nothing.
        """
        room = self.room
        if self.acknowledged_at is not None:
            return room.rev
        self.acknowledged_at = now
        self.acknowledged_by_id = user_id
        self.save(update_fields=["acknowledged_at", "acknowledged_by"])
        return room.announce("help.acknowledged", {"request": self.public()})

    def public(self):
        return {
            "id": self.pk,
            "room": self.room.number,
            "participant": self.participant_id,
            "message": self.message,
            "created_at": iso(self.created_at),
            "acknowledged_at": iso(self.acknowledged_at),
        }
