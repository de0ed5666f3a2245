"""Workshops, their challenges and the people in them.

The rules of a workshop's life (which phase may follow which, who may join, how free-text
departments are normalised) live here as model methods, so views and consumers stay thin.
"""

import re
import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class Workshop(models.Model):
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
    # plenary (breakouts/control.py). Any phase change clears it.
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
        for existing in self.participants.values_list(field, flat=True).distinct():
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

    def bump_rev(self):
        """Increments the workshop revision in the database and returns the new value.

        Call inside the transaction that stores the change the revision describes.
        """
        Workshop.objects.filter(pk=self.pk).update(rev=F("rev") + 1)
        self.rev = Workshop.objects.values_list("rev", flat=True).get(pk=self.pk)
        return self.rev

    @transaction.atomic
    def move_to(self, phase, *, extra=None):
        """Moves the workshop to `phase`, stores it, and broadcasts `phase.changed` after commit.

        Raises PhaseError when the transition is not allowed from the current phase (read under
        a row lock, so two facilitators clicking at once cannot skip a phase).
        """
        from breakouts import events

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
        self.closing_at = None  # a "rooms closing" countdown ends with any phase change
        Workshop.objects.filter(pk=self.pk).update(
            phase=self.phase, phase_changed_at=self.phase_changed_at, closing_at=None
        )
        self.bump_rev()
        events.send_workshop_event(
            self, "phase.changed", {"phase": self.phase, **(extra or {})}
        )
        return self

    def open_lobby(self):
        return self.move_to(self.Phase.LOBBY)

    def go_to_plenary(self):
        return self.move_to(self.Phase.PLENARY)

    def reopen_breakouts(self):
        return self.move_to(self.Phase.BREAKOUTS)

    def start_debrief(self):
        return self.move_to(self.Phase.DEBRIEF)

    def close(self):
        return self.move_to(self.Phase.CLOSED)

    # -- running it again -------------------------------------------------------------------

    COPIED_FIELDS = (
        "description", "room_count", "target_room_size", "define_minutes",
        "root_causes_minutes", "alternatives_minutes", "selection_minutes", "plan_minutes",
        "votes_per_member", "departments", "locations", "question_value", "question_change",
        "debrief_choices",
    )

    @transaction.atomic
    def duplicate(self, owner):
        """Returns a new draft workshop owned by `owner` with this one's settings and challenges.

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


class Challenge(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="challenges")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title

    @transaction.atomic
    def move(self, offset):
        """Swaps this challenge with the one above (-1) or below (+1); returns whether it moved.

        Positions are renumbered 0..n-1 first, so gaps or ties left by deletions never block it.
        """
        siblings = list(self.workshop.challenges.select_for_update().order_by("position", "pk"))
        for index, challenge in enumerate(siblings):
            challenge.position = index
        index = next(i for i, c in enumerate(siblings) if c.pk == self.pk)
        target = index + offset
        if not 0 <= target < len(siblings):
            return False
        siblings[index], siblings[target] = siblings[target], siblings[index]
        for position, challenge in enumerate(siblings):
            challenge.position = position
        Challenge.objects.bulk_update(siblings, ["position"])
        self.position = target
        return True


class ParticipantQuerySet(models.QuerySet):
    def in_room(self, room):
        return self.filter(room=room)

    def possibly_same_person(self, name, email=""):
        """Returns the participants who may be the person joining as `name` (and `email`).

        Names match case- and space-insensitively (in Python, so that "ÉLODIE" is "élodie" on
        SQLite too); when both sides gave an e-mail, the addresses must match as well.
        """
        key, email = normalise_label(name), (email or "").strip().casefold()
        same = [
            pk
            for pk, other_name, other_email in self.values_list("pk", "name", "email")
            if normalise_label(other_name) == key
            and not (email and other_email and other_email.casefold() != email)
        ]
        return list(self.filter(pk__in=same)) if same else []


class Participant(models.Model):
    class Sharing(models.TextChoices):
        NOTHING = "nothing", _("Nothing")
        EMAIL = "email", _("My e-mail")
        HANDLE = "handle", _("My chat handle")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("name"), max_length=100)
    department = models.CharField(_("department"), max_length=100)
    location = models.CharField(_("location"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
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

    @property
    def needs_profile(self):
        """True for an imported participant whose roster row left department or location empty."""
        return not (self.department and self.location)

    @property
    def shared_contact(self):
        """Returns what this person chose to show room-mates, or an empty string."""
        if self.share == self.Sharing.EMAIL:
            return self.email
        if self.share == self.Sharing.HANDLE:
            return self.chat_handle
        return ""


# Models of the debrief and follow-up live in their own module; importing them here registers
# them with the app.
from workshops.debrief import *  # noqa: E402, F403
