"""Breakout rooms and their rules: steps, the scribe, items, votes, timers, who sits where.

A room's revision `rev` grows by one with every stored change; each change ends in
`self.announce(...)` (live/revisions.py), so events carry the revision and leave after commit
(docs/protocol.md). These methods are what the op handlers (breakouts/ops.py,
breakouts/control_ops.py) and the services call.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakouts.models.content import Item, Vote
from breakouts.models.facilitation import HelpRequest
from breakouts.models.notes import NoteWriting
from breakouts.models.seats import Seat
from breakouts.models.steps import STEP_ORDER, Step
from live import events
from live.groups import control_group, room_group
from live.revisions import Announcing
from workshops.models import Participant


class RoomQuerySet(models.QuerySet):
    def current(self, workshop):
        """The rooms of the workshop's current round (earlier rounds' rooms are read-only)."""
        return self.filter(workshop=workshop, round=workshop.current_round)

    def with_members(self):
        return self.prefetch_related(
            Prefetch("members", queryset=Participant.objects.order_by("name", "pk"))
        ).select_related("scribe", "challenge")

    def with_member_counts(self):
        """Annotates `member_count`. A subquery, not a join: grouping 100 rooms by every
        column of the rooms and of what they select_related cost the control room ~10 ms."""
        members = (
            Participant.objects.filter(room=models.OuterRef("pk")).order_by()
            .values("room").annotate(n=Count("pk")).values("n")
        )
        return self.annotate(member_count=Coalesce(models.Subquery(members), 0))

    def set_workshop_timer(self, workshop, ends_at, label):
        """A countdown for every room of `workshop`: it replaces the rooms' own timers, so all
        rooms see the same one. Returns the workshop's revision."""
        for room in self.current(workshop).filter(timer_ends_at__isnull=False):
            room.workshop = workshop
            room.set_timer(None, "")
        return workshop.set_timer(ends_at, label)


class Room(NoteWriting, Announcing, models.Model):
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="rooms"
    )
    # Rooms belong to a round (1-5); numbers start at 1 in every round.
    round = models.PositiveSmallIntegerField(default=1)
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

    touch_on_bump = "last_activity_at"

    class Meta:
        ordering = ["workshop", "round", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "round", "number"], name="unique_room_number_per_round"
            )
        ]

    def __str__(self):
        return self.name_format() % {"number": self.number}

    def get_absolute_url(self):
        return reverse("breakouts:room", args=[self.workshop.join_code, self.number])

    @staticmethod
    def name_format():
        """Returns the translated "Room %(number)s" (a page of 100 rooms translates it once)."""
        return _("Room %(number)s")

    @staticmethod
    def url_format(workshop):
        """Returns (head, tail): a room's URL of `workshop` is head + its number + tail, what
        get_absolute_url returns (reversed once for a page of rooms)."""
        marker = "987654321"
        head, _marker, tail = reverse(
            "breakouts:room", args=[workshop.join_code, int(marker)]
        ).rpartition(marker)
        return head, tail

    @property
    def name(self):
        return str(self)

    @property
    def round_name(self):
        """Returns "Round 2 · Room 3" (the report and the network, where rounds mix)."""
        return self.round_name_format() % {"round": self.round, "number": self.number}

    @staticmethod
    def round_name_format():
        """Returns the translated "Round %(round)s · Room %(number)s"."""
        return _("Round %(round)s · Room %(number)s")

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
    # `actor` is a live.pipeline.Actor: a member (participant id) or a facilitator who joined.

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

    def public(self):
        """Returns what every view of a room shows (the room snapshot and the control room's
        card share these keys); `members` must be prefetched for more than one room.
        `online` is filled in by the socket from the hub's presence."""
        return {
            "id": self.pk,
            "number": self.number,
            "name": self.name,
            "rev": self.rev,
            "url": self.get_absolute_url(),
            "step": self.step,
            "step_started_at": events.iso(self.step_started_at),
            "step_ends_at": events.iso(self.step_ends_at),
            "timer": events.timer(self.timer_ends_at, self.timer_label),
            "scribe": self.scribe_id,
            "members": [member.public() for member in self.members.all()],
            "last_activity_at": events.iso(self.last_activity_at),
            "online": [],
        }

    # -- changes (each bumps `rev` and announces itself after commit) -----------------------

    def event_envelope(self):
        return {"scope": "room", "room": self.number}

    def event_groups(self):
        return (room_group(self.pk), control_group(self.workshop_id))

    def move_to_step(self, step):
        """Moves the whole room to `step`; its countdown starts now. Returns the new rev."""
        if step == self.step:
            return self.rev
        self.step = step
        self.step_started_at = timezone.now()
        Room.objects.filter(pk=self.pk).update(step=step, step_started_at=self.step_started_at)
        return self.announce("step.changed", self.step_payload())

    def step_payload(self):
        return {
            "step": self.step,
            "step_started_at": events.iso(self.step_started_at),
            "step_ends_at": events.iso(self.step_ends_at),
        }

    def choose_challenge(self, challenge):
        self.challenge = challenge
        fields = {"challenge": challenge}
        if self.step_started_at is None:
            # The room starts working when it has something to work on.
            self.step_started_at = fields["step_started_at"] = timezone.now()
        Room.objects.filter(pk=self.pk).update(**fields)
        return self.announce(
            "challenge.changed",
            {"challenge": challenge.public() if challenge else None, **self.step_payload()},
        )

    def select_alternative(self, item, rationale):
        self.selected_item = item
        self.selection_rationale = rationale
        Room.objects.filter(pk=self.pk).update(selected_item=item, selection_rationale=rationale)
        return self.announce(
            "selection.changed", {"item": item.pk if item else None, "rationale": rationale}
        )

    def set_timer(self, ends_at, label):
        """A facilitator's countdown for this room only (None clears it)."""
        self.timer_ends_at, self.timer_label = ends_at, label
        Room.objects.filter(pk=self.pk).update(timer_ends_at=ends_at, timer_label=label)
        return self.announce("timer.changed", {"timer": events.timer(ends_at, label)})

    # -- the scribe and the members -----------------------------------------------------------

    def offer_scribe(self, to, by_id):
        """Offers the scribe role to member `to` (None withdraws the offer)."""
        self.scribe_offer_to = to
        Room.objects.filter(pk=self.pk).update(scribe_offer_to=to)
        return self.announce("scribe.offered", {"to": to.pk if to else None, "by": by_id})

    def set_scribe(self, participant):
        """Makes `participant` the scribe at once and clears any pending offer."""
        previous = self.scribe_id
        self.scribe = participant
        self.scribe_offer_to = None
        Room.objects.filter(pk=self.pk).update(scribe=participant, scribe_offer_to=None)
        return self.announce("scribe.changed", {"scribe": participant.pk, "previous": previous})

    def seat(self, participant):
        """Moves `participant` into this room (from another room, or from the lobby) and
        returns the workshop's revision.

        The one rule of who sits where, for facilitators' moves and late joiners alike: a
        scribe who leaves hands the role to the first remaining member by name; a room without
        a scribe takes the newcomer. Both rooms hear `members.changed`; the workshop hears
        `room.assigned`, so the person's page follows them.
        """
        workshop = participant.workshop
        old = participant.room
        if old is not None and old.pk == self.pk:
            return workshop.rev
        participant.room = self
        participant.save(update_fields=["room"])
        Seat.objects.update_or_create(
            participant=participant, round=self.round, defaults={"room": self}
        )
        if old is not None:
            old.release(participant)
        if self.scribe_id is None:
            self.scribe = participant
            Room.objects.filter(pk=self.pk).update(scribe=participant)
        self.announce_members()
        return workshop.announce("room.assigned", {"assignments": [self.assignment(participant)]})

    def release(self, participant):
        """Lets a member who left go: the scribe role and any offer pass on."""
        updates = {}
        if self.scribe_id == participant.pk:
            successor = self.members.order_by("name", "pk").first()
            updates["scribe"] = self.scribe = successor
        if self.scribe_offer_to_id == participant.pk:
            updates["scribe_offer_to"] = self.scribe_offer_to = None
        if updates:
            Room.objects.filter(pk=self.pk).update(**updates)
        self.announce_members()

    def announce_members(self):
        """Tells the room who its members are now (and who the scribe is)."""
        members = self.members.order_by("name", "pk")
        return self.announce(
            "members.changed",
            {"members": [member.public() for member in members], "scribe": self.scribe_id},
        )

    def assignment(self, participant):
        """Returns the `room.assigned` entry that sends `participant` to this room."""
        return {"participant": participant.pk, "room": self.number, "url": self.get_absolute_url()}

    # -- items and votes ----------------------------------------------------------------------

    def add_item(self, step, fields, author_id):
        item = Item(room=self, step=step, author_id=author_id, **fields)
        item.save()
        return item, self.announce("item.added", {"item": item.public()})

    def update_item(self, item, fields):
        for name, value in fields.items():
            setattr(item, name, value)
        item.version += 1
        item.save()
        return self.announce("item.updated", {"item": item.public()})

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
        return self.announce("item.deleted", payload)

    def set_vote(self, participant_id, item, count):
        Vote.objects.update_or_create(
            item=item, participant_id=participant_id, defaults={"count": count}
        )
        Vote.objects.filter(item=item, participant_id=participant_id, count=0).delete()
        return self.announce(
            "votes.changed",
            {**self.vote_summary(), "participant": participant_id,
             "votes": self.votes_of(participant_id)},
        )

    def votes_of(self, participant_id):
        """Returns {item id: dots} of one member in this room."""
        rows = Vote.objects.filter(item__room=self, participant_id=participant_id, count__gt=0)
        return {str(item_id): count for item_id, count in rows.values_list("item_id", "count")}

    def vote_summary(self):
        """Returns the live tallies {item id: dots}, who has used at least one dot, and whether
        the tallies are hidden: with the workshop's `hide_tallies`, nobody sees them (they are
        not sent) until every member of the room has voted."""
        votes = Vote.objects.filter(item__room=self, count__gt=0)
        voters = sorted(votes.values_list("participant_id", flat=True).distinct().order_by())
        hidden = self.workshop.hide_tallies and len(voters) < self.members.count()
        tallies = {} if hidden else {
            str(row["item_id"]): row["total"]
            for row in votes.values("item_id").annotate(total=Sum("count")).order_by()
        }
        return {"tallies": tallies, "voters": voters, "hidden": hidden}

    def request_help(self, participant_id, message):
        request = HelpRequest.objects.create(
            room=self, participant_id=participant_id, message=message
        )
        return request, self.announce("help.requested", {"request": request.public()})
