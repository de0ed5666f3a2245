"""How the rooms of a workshop talk: a Jitsi call per room, the facilitator's own links, a
Zoom or Teams meeting with breakout rooms, or nothing (the default).

Calls are keyed by room *number*, not by `breakouts.Room` row: the facilitator sets the links
up while planning, before any room exists, and a room's call stays the same for the whole
workshop (the same number, the same token, the same link).
"""

import secrets
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 16  # 128 random bits per call name: unguessable


def new_token():
    # Lowercase hex: Jitsi lower-cases room names, so case could not carry entropy anyway.
    return secrets.token_hex(TOKEN_BYTES)


def jitsi_origin():
    """Returns the configured Jitsi server's origin (scheme://host[:port]), or "" when none."""
    return settings.JITSI_URL


def meeting_room_name(number):
    """Returns the name of room `number` inside a Zoom or Teams meeting: plain ASCII, short,
    no comma and nothing a spreadsheet reads as a formula, the same in every language (the
    pre-assignment file and the participant's page must name the room alike)."""
    return f"Room {number}"


class CallSettings(models.Model):
    class Mode(models.TextChoices):
        NONE = "none", _("No calls (people meet in person or elsewhere)")
        JITSI = "jitsi", _("A Jitsi Meet call built into every room")
        LINKS = "links", _("Our own meeting links, one per room")
        MEETING = "meeting", _("Breakout rooms of one Zoom or Teams meeting")

    workshop = models.OneToOneField(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="call_settings"
    )
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.NONE)
    # "https://meet.example.com/{room}": a room's own link wins over the pattern.
    link_pattern = models.CharField(max_length=500, blank=True)
    # Everyone together: the plenary's link (links mode) or the Zoom/Teams meeting (meeting).
    meeting_link = models.CharField(max_length=500, blank=True)
    plenary_token = models.CharField(max_length=32, unique=True, default=new_token)

    class Meta:
        verbose_name = _("call settings")
        verbose_name_plural = _("call settings")

    def __str__(self):
        return f"{self.workshop} · {self.get_mode_display()}"

    @classmethod
    def of(cls, workshop):
        """Returns the workshop's settings; an unsaved default (mode none) when there are none."""
        found = list(cls.objects.raw(  # plain SQL: every room page asks (2 ms by the ORM)
            "SELECT * FROM calls_callsettings WHERE workshop_id = %s", [workshop.pk]))
        return found[0] if found else cls(workshop=workshop)

    @property
    def jitsi_ready(self):
        """True when rooms get a Jitsi call: the mode asks for it and the server has one."""
        return self.mode == self.Mode.JITSI and bool(jitsi_origin())

    def link_for(self, number):
        """Returns room `number`'s meeting link (its own, else the pattern's), or ""."""
        own = RoomCall.objects.filter(workshop_id=self.workshop_id, number=number).first()
        if own and own.link:
            return own.link
        if self.link_pattern:
            return self.link_pattern.replace("{room}", str(number))
        return ""

    def links_for(self, numbers):
        """Returns {number: meeting link} of rooms `numbers`, as `link_for` finds them."""
        own = dict(
            RoomCall.objects.filter(workshop_id=self.workshop_id, number__in=numbers)
            .exclude(link="").values_list("number", "link")
        )
        return {
            number: own.get(number)
            or (self.link_pattern.replace("{room}", str(number)) if self.link_pattern else "")
            for number in numbers
        }

    def room_token(self, number):
        """Returns room `number`'s call name, made once and kept for the workshop."""
        call, _created = RoomCall.objects.get_or_create(workshop_id=self.workshop_id, number=number)
        return call.token

    def jitsi(self, token, display_name):
        """Returns what static/js/call.js needs to start the Jitsi call named `token`."""
        origin = jitsi_origin()
        parts = urlsplit(origin)
        return {
            "origin": origin,
            "domain": parts.netloc,
            "secure": parts.scheme == "https",
            "script": f"{origin}/external_api.js",
            "room": f"rt-{token}",
            "name": display_name,
            "tab_url": jitsi_tab_url(origin, f"rt-{token}", display_name),
        }


def jitsi_tab_url(origin, room, display_name):
    """Returns the call's address for a browser tab of its own, with the display name filled
    in through Jitsi's URL fragment (a fragment never reaches any server's logs)."""
    name = quote(f'"{display_name}"', safe="")
    return f"{origin}/{room}#userInfo.displayName={name}"


class RoomCall(models.Model):
    """One room's call: its Jitsi name (`token`) and, in links mode, the facilitator's link."""

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="room_calls"
    )
    number = models.PositiveSmallIntegerField()
    token = models.CharField(max_length=32, unique=True, default=new_token)
    link = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="unique_room_call")
        ]

    def __str__(self):
        return f"{self.workshop} · {meeting_room_name(self.number)}"
