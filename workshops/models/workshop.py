"""Workshops, their challenges and the people in them.

The rules of a workshop's life (which phase may follow which, who may join, how free-text
departments are normalised) live here as model methods, so views and consumers stay thin.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from live import events
from live.groups import control_group, workshop_group
from live.revisions import Announcing
from workshops.models.challenge import Challenge
from workshops.models.rounds import Rounds
from workshops.signals import phase_changed

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or from a shared screen is typed right.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6

DEFAULT_QUESTION_VALUE = "What value did you see in problem-solving with your peers?"
DEFAULT_QUESTION_CHANGE = (
    "What will you do differently now when you need to solve an organizational problem?"
)
DEFAULT_DEBRIEF_CHOICES = "\n".join(
    [
        "Different perspectives",
        "Trust and honesty",
        "Faster solutions",
        "Better solutions",
        "New connections",
        "Reach out for help",
        "Listen more",
        "Challenge my biases",
        "Gather perspectives",
    ]
)


def new_join_code():
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_secret_token():
    """Returns a long random URL-safe token for links that grant access on their own."""
    return secrets.token_urlsafe(32)


def normalise_label(value):
    """Returns the comparison key of a department or location: case- and space-insensitive."""
    return re.sub(r"\s+", " ", value or "").strip().casefold()


def tidy_label(value):
    return re.sub(r"\s+", " ", value or "").strip()


class PhaseError(ValueError):
    """Raised when a phase transition is not allowed from the workshop's current phase."""


class WorkshopQuerySet(models.QuerySet):
    def hosted_by(self, user):
        """Workshops the user owns or co-facilitates."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner=user) | Q(cofacilitators=user)).distinct()

    def open_for_joining(self):
        return self.filter(phase__in=Workshop.JOINABLE_PHASES)

    def not_closed(self):
        return self.exclude(phase=Workshop.Phase.CLOSED)


class Workshop(Rounds, Announcing, models.Model):
    class Phase(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LOBBY = "lobby", _("Lobby")
        BREAKOUTS = "breakouts", _("Breakouts")
        PLENARY = "plenary", _("Plenary")
        DEBRIEF = "debrief", _("Debrief")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("date and time"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_workshops"
    )
    cofacilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cofacilitated_workshops"
    )
    join_code = models.CharField(_("join code"), max_length=12, default=new_join_code)
    join_token = models.CharField(max_length=64, unique=True, default=new_secret_token)

    room_count = models.PositiveSmallIntegerField(_("number of rooms"), null=True, blank=True)
    target_room_size = models.PositiveSmallIntegerField(
        _("target room size"), null=True, blank=True, default=5
    )
    define_minutes = models.PositiveSmallIntegerField(_("define the problem (minutes)"), default=10)
    root_causes_minutes = models.PositiveSmallIntegerField(_("root causes (minutes)"), default=15)
    alternatives_minutes = models.PositiveSmallIntegerField(
        _("alternative solutions (minutes)"), default=15
    )
    selection_minutes = models.PositiveSmallIntegerField(
        _("select a solution (minutes)"), default=10
    )
    plan_minutes = models.PositiveSmallIntegerField(_("implementation plan (minutes)"), default=15)
    votes_per_member = models.PositiveSmallIntegerField(_("votes per member"), default=3)
    hide_tallies = models.BooleanField(
        _("hide the tallies until everyone in the room has voted"), default=False,
        help_text=_("Keeps early votes from anchoring the others."),
    )

    departments = models.TextField(
        _("departments"), blank=True, help_text=_("One per line. Leave empty for free text.")
    )
    locations = models.TextField(
        _("locations"), blank=True, help_text=_("One per line. Leave empty for free text.")
    )

    question_value = models.CharField(
        _("first debrief question"), max_length=300, default=DEFAULT_QUESTION_VALUE
    )
    question_change = models.CharField(
        _("second debrief question"), max_length=300, default=DEFAULT_QUESTION_CHANGE
    )
    debrief_choices = models.TextField(
        _("common answers"), blank=True, default=DEFAULT_DEBRIEF_CHOICES,
        help_text=_("One per line; participants can tick these as well as writing their own."),
    )

    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.DRAFT)
    phase_changed_at = models.DateTimeField(null=True, blank=True)
    # Workshop-wide revision: every workshop event carries it, so clients can spot a gap.
    rev = models.BigIntegerField(default=0)
    # Workshop-wide countdown set by a facilitator; clients render it from the deadline.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_label = models.CharField(max_length=200, blank=True)
    # Closing breakouts: every room counts down to this moment, then the workshop moves to
    # plenary (`finish_closing_if_due`). Any phase change clears it.
    closing_at = models.DateTimeField(null=True, blank=True)
    # Plenary: the room the presenter is showing; participants' pages follow it.
    # The facilitators' room plan before breakouts start (see breakouts/planning.py).
    draft_plan = models.JSONField(null=True, blank=True, editable=False)
    presenting_room = models.ForeignKey(
        "breakouts.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkshopQuerySet.as_manager()

    JOINABLE_PHASES = (Phase.LOBBY, Phase.BREAKOUTS)
    TRANSITIONS = {
        Phase.DRAFT: (Phase.LOBBY,),
        Phase.LOBBY: (Phase.BREAKOUTS, Phase.CLOSED),
        Phase.BREAKOUTS: (Phase.PLENARY,),
        Phase.PLENARY: (Phase.BREAKOUTS, Phase.DEBRIEF, Phase.CLOSED),
        Phase.DEBRIEF: (Phase.PLENARY, Phase.CLOSED),
        Phase.CLOSED: (),
    }

    class Meta:
        ordering = ["-starts_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["join_code"],
                condition=~Q(phase="closed"),
                name="unique_join_code_among_open_workshops",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.join_code})"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self._ensure_unique_join_code()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("workshops:detail", args=[self.join_code])

    def _ensure_unique_join_code(self):
        taken = Workshop.objects.not_closed().filter(join_code=self.join_code)
        while taken.exists():
            self.join_code = new_join_code()
            taken = Workshop.objects.not_closed().filter(join_code=self.join_code)

    # -- who is who -------------------------------------------------------------------------

    def is_facilitator(self, user):
        if not user.is_authenticated:
            return False
        if self.owner_id == user.pk:
            return True
        return self.cofacilitators.filter(pk=user.pk).exists()

    def is_owner(self, user):
        return user.is_authenticated and self.owner_id == user.pk

    def remove_cofacilitator(self, user):
        """Takes the workshop away from a co-facilitator, open sockets included."""
        self.cofacilitators.remove(user)
        events.access_changed(self.event_groups())

    def revoke_open_access(self):
        """Makes every open socket of the workshop re-check its rights after commit."""
        events.access_changed(self.event_groups())

    def delete(self, *args, **kwargs):
        """Deletes the workshop; its open sockets close (nobody has rights to it any more)."""
        self.revoke_open_access()
        return super().delete(*args, **kwargs)

    # -- settings ---------------------------------------------------------------------------

    @property
    def department_choices(self):
        return [tidy_label(line) for line in self.departments.splitlines() if line.strip()]

    @property
    def location_choices(self):
        return [tidy_label(line) for line in self.locations.splitlines() if line.strip()]

    @property
    def debrief_choice_list(self):
        return [tidy_label(line) for line in self.debrief_choices.splitlines() if line.strip()]

    def step_minutes(self, step):
        """Returns the minutes planned for one of the five steps."""
        return getattr(self, f"{step}_minutes")

    def canonical_label(self, field, value):
        """Returns the stored form of a department or location.

        With a fixed list, the list's spelling of a case/space-insensitive match (or None when
        there is no match). With free text, the spelling of the first participant who used it,
        so "Sales " and "sales" count as one department.
        """
        key = normalise_label(value)
        if not key:
            return None
        fixed = self.department_choices if field == "department" else self.location_choices
        if fixed:
            return next((label for label in fixed if normalise_label(label) == key), None)
        # Each spelling once, in order of first use (not every participant's label, per join).
        spellings = self.participants.order_by().values_list(field).annotate(
            first=models.Min("joined_at")).order_by("first", field).values_list(field, flat=True)
        for existing in spellings:
            if normalise_label(existing) == key:
                return existing
        return tidy_label(value)

    def planned_room_count(self, participant_count):
        """Returns how many rooms to open for that many people (at least one, at most one each)."""
        if participant_count <= 0:
            return 0
        if self.room_count:
            wanted = self.room_count
        else:
            size = self.target_room_size or 5
            wanted = max(1, round(participant_count / size))
        return max(1, min(wanted, participant_count))

    @property
    def is_joinable(self):
        return self.phase in self.JOINABLE_PHASES

    # -- phases -----------------------------------------------------------------------------

    def allowed_transitions(self):
        return self.TRANSITIONS[self.Phase(self.phase)]

    def can_move_to(self, phase):
        return phase in self.allowed_transitions()

    def event_envelope(self):
        return {"scope": "workshop"}

    def event_groups(self):
        return (workshop_group(self.pk), control_group(self.pk))

    @transaction.atomic
    def move_to(self, phase, *, extra=None):
        """Moves the workshop to `phase`, stores it, and broadcasts `phase.changed` after commit.

        Raises PhaseError when the transition is not allowed from the current phase (read under
        a row lock, so two facilitators clicking at once cannot skip a phase).
        """
        phase = self.Phase(phase)
        current = Workshop.objects.select_for_update().get(pk=self.pk)
        self.phase = current.phase
        if not self.can_move_to(phase):
            raise PhaseError(
                _("A workshop in phase “%(current)s” cannot move to “%(next)s”.")
                % {"current": self.get_phase_display(), "next": phase.label}
            )
        if phase == self.Phase.LOBBY and not self.challenges.exists():
            raise PhaseError(_("Add at least one challenge before opening the lobby."))
        self.phase = phase
        self.phase_changed_at = timezone.now()
        # Timers end with their phase: a "rooms closing" countdown, the facilitator's timer
        # (an expired "Starting soon" must not greet the rooms) and, through the signal, the
        # rooms' own timers.
        self.closing_at = None
        had_timer = self.timer_ends_at is not None or current.timer_ends_at is not None
        self.timer_ends_at, self.timer_label = None, ""
        Workshop.objects.filter(pk=self.pk).update(
            phase=self.phase, phase_changed_at=self.phase_changed_at, closing_at=None,
            timer_ends_at=None, timer_label="",
        )
        phase_changed.send(sender=Workshop, workshop=self, phase=self.phase)
        if had_timer:
            self.announce("timer.changed", {"timer": events.timer(None, "")})
        self.announce("phase.changed", {"phase": self.phase, **(extra or {})})
        return self

    def open_lobby(self):
        return self.move_to(self.Phase.LOBBY)

    def go_to_plenary(self):
        """The one way into plenary: a phase button, "skip" or the end of the closing countdown
        (`finish_closing_if_due`) all come here."""
        return self.move_to(self.Phase.PLENARY)

    def reopen_breakouts(self):
        return self.move_to(self.Phase.BREAKOUTS)

    def start_debrief(self):
        return self.move_to(self.Phase.DEBRIEF)

    def close(self):
        return self.move_to(self.Phase.CLOSED)

    # -- the facilitator's controls ----------------------------------------------------------

    def set_timer(self, ends_at, label):
        """A workshop-wide countdown (None clears it); returns the new revision. Rooms' own
        timers are cleared by `Room.objects.set_workshop_timer`, which calls this."""
        self.timer_ends_at, self.timer_label = ends_at, label
        Workshop.objects.filter(pk=self.pk).update(timer_ends_at=ends_at, timer_label=label)
        return self.announce("timer.changed", {"timer": events.timer(ends_at, label)})

    def start_closing(self, seconds):
        """Starts the "rooms closing" countdown; 0 moves to plenary at once. Returns the rev.

        While a countdown runs, closing again keeps the deadline everyone already sees.
        Raises PhaseError outside breakouts.
        """
        if self.phase != self.Phase.BREAKOUTS:
            raise PhaseError(_("Breakouts are not running."))
        if seconds == 0:
            return self.go_to_plenary().rev
        if self.closing_at is not None:
            return self.rev
        self.closing_at = timezone.now() + timedelta(seconds=seconds)
        Workshop.objects.filter(pk=self.pk).update(closing_at=self.closing_at)
        return self.announce("breakouts.closing", {"closing_at": events.iso(self.closing_at)})

    def cancel_closing(self):
        if self.closing_at is None:
            return self.rev
        self.closing_at = None
        Workshop.objects.filter(pk=self.pk).update(closing_at=None)
        return self.announce("breakouts.closing", {"closing_at": None})

    def finish_closing_if_due(self, now=None):
        """Moves the workshop to plenary when its closing deadline has passed; returns whether
        it changed anything. Cheap when no countdown runs (no query); safe to call from any
        trigger (the closing timer, a snapshot, a page load): under a row lock, several racing
        triggers move the workshop once."""
        now = now or timezone.now()
        if self.closing_at is None or self.closing_at > now:
            return False
        with transaction.atomic():
            current = Workshop.objects.select_for_update().get(pk=self.pk)
            if current.closing_at is None or current.closing_at > now:
                return False
            if current.phase == self.Phase.BREAKOUTS:
                current.go_to_plenary()  # clears closing_at
            else:
                Workshop.objects.filter(pk=current.pk).update(closing_at=None)
        self.refresh_from_db(fields=["phase", "phase_changed_at", "closing_at", "rev"])
        return True

    def present(self, room):
        """Shows one room (None: none) on the plenary screen; participants' pages follow."""
        if (room.pk if room else None) == self.presenting_room_id:
            return self.rev
        self.presenting_room = room
        Workshop.objects.filter(pk=self.pk).update(presenting_room=room)
        return self.announce("plenary.presenting", {"room": room.number if room else None})

    # -- running it again -------------------------------------------------------------------

    COPIED_FIELDS = (
        "description", "room_count", "target_room_size", "rounds", "define_minutes",
        "root_causes_minutes", "alternatives_minutes", "selection_minutes", "plan_minutes",
        "votes_per_member", "hide_tallies", "departments", "locations", "question_value",
        "question_change", "debrief_choices",
    )

    @transaction.atomic
    def duplicate(self, owner):
        """Returns a new draft workshop owned by `owner` with this one's settings, challenges and
        attributes.

        People (participants, co-facilitators) and everything the rooms produced stay behind;
        the copy gets its own join code and join link.
        """
        copy = Workshop(owner=owner, title=_("%(title)s (copy)") % {"title": self.title})
        copy.title = copy.title[: Workshop._meta.get_field("title").max_length]
        for field in self.COPIED_FIELDS:
            setattr(copy, field, getattr(self, field))
        copy.save()
        Challenge.objects.bulk_create(
            Challenge(
                workshop=copy, title=c.title, description=c.description, position=c.position
            )
            for c in self.challenges.all()
        )
        for attribute in self.attributes.all():
            attribute.copy_to(copy)
        return copy

    # -- challenges -------------------------------------------------------------------------

    def add_challenge(self, title, description=""):
        """Appends a challenge at the end of the list and returns it."""
        last = self.challenges.aggregate(last=models.Max("position"))["last"]
        return Challenge.objects.create(
            workshop=self, title=title, description=description,
            position=0 if last is None else last + 1,
        )

    @property
    def participants_can_edit_profile(self):
        """Participants may change name, department and location until breakouts start."""
        return self.phase in (self.Phase.DRAFT, self.Phase.LOBBY)
