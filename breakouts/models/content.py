"""What a room produces: the scribe's notes, the members' items, their votes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from breakouts.models.steps import Step
from live.events import iso


class Note(models.Model):
    """The scribe's text for one step of one room."""

    room = models.ForeignKey("breakouts.Room", on_delete=models.CASCADE, related_name="notes")
    step = models.CharField(max_length=16, choices=Step.choices)
    text = models.TextField(blank=True)
    # The room revision at which this note was last written: the base a writer must cite.
    rev = models.BigIntegerField(default=0)
    updated_by = models.ForeignKey(
        "workshops.Participant", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # The browser tab it was written from (live.js's tab id), so two tabs are two writers.
    updated_via = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    # The latest edits, for transforming concurrent ones: JSON [since_rev, [[rev, op], …]]
    # ("" = none since `rev`); see breakouts/models/notes.py.
    edit_log = models.TextField(blank=True, default="")

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

    room = models.ForeignKey("breakouts.Room", on_delete=models.CASCADE, related_name="items")
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

    def public(self):
        """Returns the item as every member of the room sees it (JSON-ready)."""
        return {
            "id": self.pk,
            "step": self.step,
            "text": self.text,
            "category": self.category,
            "pros": self.pros,
            "cons": self.cons,
            "owner": self.owner_id,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "success_measure": self.success_measure,
            "status": self.status,
            "status_note": self.status_note,
            "author": self.author_id,
            "version": self.version,
            "created_at": iso(self.created_at),
        }


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
