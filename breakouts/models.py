"""Breakout rooms and what a room produces: step notes, items, votes.

A room's revision `rev` grows by one with every stored change; events carry it so a client
that misses one can ask for a fresh snapshot (see docs/protocol.md).
"""

from datetime import timedelta

from django.db import connection, models
from django.db.models import Count, F, Prefetch, Sum
from django.urls import reverse
from django.utils import timezone
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
    # A scribe's pending hand-over: the role moves only when this member accepts.
    scribe_offer_to = models.ForeignKey(
        "workshops.Participant", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
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

    @property
    def step_ends_at(self):
        """Returns when the current step's planned time runs out (None before it started)."""
        if self.step_started_at is None:
            return None
        return self.step_started_at + timedelta(minutes=self.workshop.step_minutes(self.step))

    @property
    def deadline(self):
        """Returns the countdown the room sees: a facilitator's timer wins over the step's."""
        return self.timer_ends_at or self.workshop.timer_ends_at or self.step_ends_at

    # -- who may do what --------------------------------------------------------------------
    # `actor` is a breakouts.ops.Actor: a member (participant id) or a facilitator who joined.

    def is_scribe(self, actor):
        """The scribe, or a facilitator who explicitly joined the room as facilitator."""
        if actor.acts_as_facilitator:
            return True
        return actor.participant_id is not None and actor.participant_id == self.scribe_id

    def can_edit_item(self, actor, item):
        """Members edit and delete their own items; the scribe edits and deletes any."""
        return self.is_scribe(actor) or (
            actor.participant_id is not None and item.author_id == actor.participant_id
        )

    # -- changes (each bumps `rev` and announces itself after commit) -----------------------

    def bump_rev(self):
        """Increments the room revision in the database and returns it (call in a transaction)."""
        now = timezone.now()
        Room.objects.filter(pk=self.pk).update(rev=F("rev") + 1, last_activity_at=now)
        self.rev = Room.objects.values_list("rev", flat=True).get(pk=self.pk)
        self.last_activity_at = now
        return self.rev

    def _changed(self, event_type, payload):
        from breakouts import events

        self.bump_rev()
        events.send_room_event(self, event_type, payload)
        return self.rev

    def move_to_step(self, step):
        """Moves the whole room to `step`; its countdown starts now. Returns the new rev."""
        if step == self.step:
            return self.rev
        self.step = step
        self.step_started_at = timezone.now()
        Room.objects.filter(pk=self.pk).update(step=step, step_started_at=self.step_started_at)
        return self._changed("step.changed", self.step_payload())

    def step_payload(self):
        ends_at = self.step_ends_at
        return {
            "step": self.step,
            "step_started_at": _iso(self.step_started_at),
            "step_ends_at": _iso(ends_at),
        }

    def choose_challenge(self, challenge):
        from workshops.live import challenge_public

        self.challenge = challenge
        fields = {"challenge": challenge}
        if self.step_started_at is None:
            # The room starts working when it has something to work on.
            self.step_started_at = fields["step_started_at"] = timezone.now()
        Room.objects.filter(pk=self.pk).update(**fields)
        return self._changed(
            "challenge.changed",
            {"challenge": challenge_public(challenge) if challenge else None,
             **self.step_payload()},
        )

    def select_alternative(self, item, rationale):
        self.selected_item = item
        self.selection_rationale = rationale
        Room.objects.filter(pk=self.pk).update(selected_item=item, selection_rationale=rationale)
        return self._changed(
            "selection.changed", {"item": item.pk if item else None, "rationale": rationale}
        )

    def offer_scribe(self, to, by_id):
        """Offers the scribe role to member `to` (None withdraws the offer)."""
        self.scribe_offer_to = to
        Room.objects.filter(pk=self.pk).update(scribe_offer_to=to)
        return self._changed("scribe.offered", {"to": to.pk if to else None, "by": by_id})

    def set_scribe(self, participant):
        """Makes `participant` the scribe at once and clears any pending offer."""
        previous = self.scribe_id
        self.scribe = participant
        self.scribe_offer_to = None
        Room.objects.filter(pk=self.pk).update(scribe=participant, scribe_offer_to=None)
        return self._changed("scribe.changed", {"scribe": participant.pk, "previous": previous})

    def add_item(self, step, fields, author_id):
        item = Item(room=self, step=step, author_id=author_id, **fields)
        item.save()
        return item, self._changed("item.added", {"item": item.public()})

    def update_item(self, item, fields):
        for name, value in fields.items():
            setattr(item, name, value)
        item.version += 1
        item.save()
        return self._changed("item.updated", {"item": item.public()})

    def delete_item(self, item):
        item_id, step = item.pk, item.step
        had_votes = item.votes.exists()
        item.delete()
        payload = {"item": item_id, "step": step}
        if had_votes:
            payload["votes"] = self.vote_summary()
        if self.selected_item_id == item_id:
            self.selected_item = None
            payload["selection_cleared"] = True
        return self._changed("item.deleted", payload)

    def set_vote(self, participant_id, item, count):
        Vote.objects.update_or_create(
            item=item, participant_id=participant_id, defaults={"count": count}
        )
        Vote.objects.filter(item=item, participant_id=participant_id, count=0).delete()
        return self._changed(
            "votes.changed",
            {**self.vote_summary(), "participant": participant_id,
             "votes": self.votes_of(participant_id)},
        )

    def votes_of(self, participant_id):
        """Returns {item id: dots} of one member in this room."""
        rows = Vote.objects.filter(item__room=self, participant_id=participant_id, count__gt=0)
        return {str(item_id): count for item_id, count in rows.values_list("item_id", "count")}

    def vote_summary(self):
        """Returns the live tallies {item id: dots} and who has used at least one dot."""
        votes = Vote.objects.filter(item__room=self, count__gt=0)
        tallies = votes.values("item_id").annotate(total=Sum("count")).order_by()
        voters = votes.values_list("participant_id", flat=True).distinct().order_by()
        return {
            "tallies": {str(row["item_id"]): row["total"] for row in tallies},
            "voters": sorted(voters),
        }

    def request_help(self, participant_id, message):
        request = HelpRequest.objects.create(
            room=self, participant_id=participant_id, message=message
        )
        return request, self._changed("help.requested", {"request": request.public()})

    def write_note(self, step, text, base_rev, writer_id):
        """Stores the scribe's note for `step` and returns the new room rev.

        The hot path of the live layer: plain SQL, no ORM objects (see DESIGN.md, group
        commit). `base_rev` is the note revision the writer's text was based on: a newer write
        by someone else raises NoteConflict with the current text instead of being overwritten.
        """
        from breakouts import events

        select = NOTE_SELECT_SQL
        if connection.features.has_select_for_update:
            select += " FOR UPDATE"  # another process's writer may race us (PostgreSQL)
        with connection.cursor() as cursor:
            cursor.execute(select, [self.pk, step])
            row = cursor.fetchone()
            if row is not None:
                current_rev, current_text, author = row
                same_writer = writer_id is not None and author == writer_id
                if current_rev > base_rev and not same_writer:
                    raise NoteConflict(current_text, current_rev)
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(ROOM_BUMP_SQL, [now, self.pk])
            rev = cursor.fetchone()[0]
            cursor.execute(NOTE_UPSERT_SQL, [self.pk, step, text, rev, writer_id, now])
        self.rev = rev
        events.send_room_event(
            self, "note.changed", {"step": step, "text": text, "note_rev": rev, "by": writer_id}
        )
        return rev


def _iso(value):
    return value.isoformat() if value else None


class NoteConflict(Exception):
    """A note write based on an older revision than someone else's newer change."""

    def __init__(self, text, rev):
        super().__init__("note changed meanwhile")
        self.text = text
        self.rev = rev


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
            "created_at": _iso(self.created_at),
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

    def public(self):
        return {
            "id": self.pk,
            "room": self.room.number,
            "participant": self.participant_id,
            "message": self.message,
            "created_at": _iso(self.created_at),
            "acknowledged_at": _iso(self.acknowledged_at),
        }


# The note hot path in plain SQL (Room.write_note). RETURNING needs SQLite >= 3.35 or PostgreSQL.
NOTE_SELECT_SQL = (
    "SELECT rev, text, updated_by_id FROM breakouts_note WHERE room_id = %s AND step = %s"
)
ROOM_BUMP_SQL = (
    "UPDATE breakouts_room SET rev = rev + 1, last_activity_at = %s WHERE id = %s RETURNING rev"
)
NOTE_UPSERT_SQL = (
    "INSERT INTO breakouts_note (room_id, step, text, rev, updated_by_id, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (room_id, step) DO UPDATE SET text = excluded.text, rev = excluded.rev, "
    "updated_by_id = excluded.updated_by_id, updated_at = excluded.updated_at"
)
