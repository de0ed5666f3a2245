"""Breakout rooms and what a room produces: step notes, items, votes.

A room's revision `rev` grows by one with every stored change; events carry it so a client
that misses one can ask for a fresh snapshot (see docs/protocol.md).
"""

from django.db import models
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    DEFINE = "define", _("Define the problem")
    ROOT_CAUSES = "root_causes", _("Root causes")
    ALTERNATIVES = "alternatives", _("Alternative solutions")
    SELECTION = "selection", _("Select a solution")
    PLAN = "plan", _("Implementation & accountability plan")


STEP_ORDER = [step.value for step in Step]


class RoomQuerySet(models.QuerySet):
    def with_members(self):
        from workshops.models import Participant

        return self.prefetch_related(
            Prefetch("members", queryset=Participant.objects.order_by("name", "pk"))
        ).select_related("scribe", "challenge")

    def with_member_counts(self):
        return self.annotate(member_count=Count("members"))


class Room(models.Model):
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="rooms"
    )
    number = models.PositiveSmallIntegerField()
    scribe = models.ForeignKey(
        "workshops.Participant", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    challenge = models.ForeignKey(
        "workshops.Challenge", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="rooms",
    )
    step = models.CharField(max_length=16, choices=Step.choices, default=Step.DEFINE)
    step_started_at = models.DateTimeField(null=True, blank=True)
    # A facilitator's countdown for this room only (overrides the step's own duration).
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_label = models.CharField(max_length=200, blank=True)
    selected_item = models.ForeignKey(
        "breakouts.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    selection_rationale = models.TextField(blank=True)
    rev = models.BigIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="unique_room_number")
        ]

    def __str__(self):
        return _("Room %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("breakouts:room", args=[self.workshop.join_code, self.number])

    @property
    def name(self):
        return str(self)

    @property
    def step_index(self):
        return STEP_ORDER.index(self.step)


class Note(models.Model):
    """The scribe's text for one step of one room."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="notes")
    step = models.CharField(max_length=16, choices=Step.choices)
    text = models.TextField(blank=True)
    # The room revision at which this note was last written: the base a writer must cite.
    rev = models.BigIntegerField(default=0)
    updated_by = models.ForeignKey(
        "workshops.Participant", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "step"], name="unique_note_per_room_step")
        ]

    def __str__(self):
        return f"{self.room} · {self.get_step_display()}"


class Item(models.Model):
    """A contribution inside a step: a root cause, an alternative, or an action item."""

    class Category(models.TextChoices):
        PEOPLE = "people", _("People")
        PROCESS = "process", _("Process")
        TECHNOLOGY = "technology", _("Technology")
        ENVIRONMENT = "environment", _("Environment")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="items")
    step = models.CharField(max_length=16, choices=Step.choices)
    # Root cause text, alternative title, or action item task.
    text = models.CharField(max_length=500)
    category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    pros = models.TextField(blank=True)
    cons = models.TextField(blank=True)
    owner = models.ForeignKey(
        "workshops.Participant", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_items",
    )
    due_date = models.DateField(null=True, blank=True)
    success_measure = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    status_note = models.TextField(blank=True)
    author = models.ForeignKey(
        "workshops.Participant", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="authored_items",
    )
    # Optimistic concurrency for item.update: a write must cite the version it was based on.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["room", "step"])]

    def __str__(self):
        return self.text


class Vote(models.Model):
    """A member's dots on one alternative (0..votes_per_member in total per member)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(
        "workshops.Participant", on_delete=models.CASCADE, related_name="votes"
    )
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "participant"], name="one_vote_row_per_member")
        ]

    def __str__(self):
        return f"{self.participant_id} → {self.item_id} × {self.count}"


class AppliedOp(models.Model):
    """A client op id already applied, so a resent op is acked again instead of applied twice."""

    workshop = models.ForeignKey("workshops.Workshop", on_delete=models.CASCADE, related_name="+")
    op_id = models.CharField(max_length=64)
    rev = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop", "op_id"], name="unique_op_per_workshop")
        ]

    def __str__(self):
        return self.op_id


class Broadcast(models.Model):
    """A facilitator's message to every room, or to one room."""

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="broadcasts"
    )
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.CASCADE)
    message = models.CharField(max_length=500)
    sent_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.message


class HelpRequest(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="help_requests")
    participant = models.ForeignKey(
        "workshops.Participant", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.message or str(_("Help requested"))
