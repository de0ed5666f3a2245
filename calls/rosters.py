"""Who sits in which room, for meetings outside Roundtable: Zoom's breakout-room
pre-assignment CSV, and a per-room roster (CSV and printable) for Teams, where rooms are
filled by hand.

The rooms are the workshop's rooms once breakouts started (moves and late joiners included),
and the draft plan before: numbered as starting breakouts will number them (empty rooms of
the draft are not opened, so later rooms move up).
"""

import csv
import io
from dataclasses import dataclass, field

from breakouts.models import Room
from breakouts.planning import reconcile
from calls.models import CallSettings, meeting_room_name
from workshops.roster import csv_safe

ZOOM_HEADER = ("Pre-assign Room Name", "Email Address")


@dataclass
class MeetingRoom:
    number: int
    members: list
    # The room's own meeting link ("Our own links" mode; see `add_links`), else "".
    link: str = ""

    @property
    def name(self):
        return meeting_room_name(self.number)


@dataclass
class MeetingPlan:
    rooms: list
    from_draft: bool
    # Not in any room yet: joined after the draft was drawn (seated when breakouts start).
    unplaced: list = field(default_factory=list)

    @property
    def without_email(self):
        """Returns [(room, participant)] of the people Zoom cannot pre-assign."""
        return [(room, p) for room in self.rooms for p in room.members if not p.email]

    @property
    def people_count(self):
        return sum(len(room.members) for room in self.rooms)


def _by_name(participants):
    return sorted(participants, key=lambda p: (p.name.casefold(), p.pk))


def meeting_plan(workshop, participants=None):
    """Returns the MeetingPlan of the workshop now (None before anyone is planned): the draft
    of the round the facilitator is planning (the first, or the next one in plenary) if there
    is one, else the rooms people sit in. `participants`: the workshop's people, when the
    caller has them already (the plan page: 1,000 rows not fetched twice)."""
    draft = workshop.next_round_draft()
    if draft is None:
        draft = workshop.draft_plan
        rooms = Room.objects.current(workshop).with_members().order_by("number")
        seated = [MeetingRoom(room.number, list(room.members.all())) for room in rooms]
        seated = [room for room in seated if room.members]
        if seated:
            return MeetingPlan(seated, from_draft=False)
    if participants is None:
        participants = list(workshop.participants.arrived())  # as planned
    if not draft or not participants:
        return None
    by_id = {p.pk: p for p in participants}
    planned, unplaced = reconcile(draft, participants)
    planned = [ids for ids in planned if ids]
    return MeetingPlan(
        [MeetingRoom(number, _by_name(by_id[pid] for pid in ids))
         for number, ids in enumerate(planned, start=1)],
        from_draft=True,
        unplaced=_by_name(by_id[pid] for pid in unplaced),
    )


def zoom_csv(plan):
    """Returns Zoom's pre-assignment CSV: its header, then one row per person with an e-mail
    (Zoom matches people by the e-mail of their Zoom account; the others are listed on the
    page with a warning)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ZOOM_HEADER)
    for room in plan.rooms:
        for person in room.members:
            if person.email:
                writer.writerow([csv_safe(room.name), csv_safe(person.email)])
    return out.getvalue()


def add_links(plan, settings):
    """Gives each room of `plan` its meeting link when the workshop uses its own links;
    returns whether it does."""
    if settings.mode != CallSettings.Mode.LINKS:
        return False
    links = settings.links_for([room.number for room in plan.rooms])
    for room in plan.rooms:
        room.link = links.get(room.number, "")
    return True


def roster_csv(plan, no_email, attributes=(), with_links=False):
    """Returns the per-room roster as CSV text (with a BOM, so spreadsheets read UTF-8): one
    row per person with the workshop's `attributes` (headed by their labels) and, when
    `with_links`, their room's meeting link."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([
        "Room", "Name", "Department", "Location", *(a.label for a in attributes), "E-mail",
        *(["Call link"] if with_links else []),
    ])
    for room in plan.rooms:
        for person in room.members:
            writer.writerow([csv_safe(value) for value in (
                room.name, person.name, person.department, person.location,
                *(a.value_of(person) for a in attributes),
                person.email or no_email,
                *([room.link] if with_links else []),
            )])
    return "\ufeff" + out.getvalue()
