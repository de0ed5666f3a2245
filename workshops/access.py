"""Who may see what: every view and consumer asks here, one helper per role.

- `get_workshop_for_facilitator(request, code)` → the workshop, for its facilitators;
- `get_workshop_for_member(request, code)` → (workshop, participant), for its participants;
- `breakouts.access.get_room_for_member(request, code, number)` for room pages.

Strangers get 404 (they learn nothing about what exists); people who are in the workshop but
lack the right get 403.
"""

import hmac

from django.core.exceptions import PermissionDenied
from django.http import Http404

from workshops.models import Participant, Workshop

SESSION_KEY = "participants"


# Every participant page and socket starts here, so these are read with plain SQL: the ORM
# took 2–3 ms to build each query (bench/journey.py), the row a fifth of that.
WORKSHOP_BY_CODE_SQL = (
    "SELECT * FROM workshops_workshop WHERE join_code = %s "
    "ORDER BY (phase = 'closed'), CASE WHEN phase = 'closed' THEN updated_at END DESC, id "
    "LIMIT 1"
)
PARTICIPANT_SQL = "SELECT * FROM workshops_participant WHERE id = %s AND workshop_id = %s"
ROOM_SQL = "SELECT * FROM breakouts_room WHERE id = %s"


def get_workshop_by_code(code):
    """Returns the live (not closed) workshop with that join code, else the newest closed one."""
    code = (code or "").strip().upper()
    found = list(Workshop.objects.raw(WORKSHOP_BY_CODE_SQL, [code]))
    if not found:
        raise Http404("No workshop with this code")
    return found[0]


def get_workshop_for_facilitator(request, code, *, owner_only=False):
    """Returns the workshop if the signed-in user runs it; 404 for everyone else.

    With owner_only, a co-facilitator gets 403 (they may run it, not delete it).
    """
    workshop = get_workshop_by_code(code)
    if not workshop.is_facilitator(request.user):
        raise Http404("No workshop with this code")
    if owner_only and not workshop.is_owner(request.user):
        raise PermissionDenied("Only the workshop's owner can do this")
    return workshop



def remember_participant(session, participant):
    """Signs this browser session in as the participant for their workshop."""
    known = dict(session.get(SESSION_KEY, {}))
    known[str(participant.workshop_id)] = participant.pk
    session[SESSION_KEY] = known


def forget_participant(session, workshop):
    known = dict(session.get(SESSION_KEY, {}))
    known.pop(str(workshop.pk), None)
    session[SESSION_KEY] = known


def participant_from_session(session, workshop):
    """Returns the session's participant in this workshop, or None (works for HTTP and sockets)."""
    participant_id = (session or {}).get(SESSION_KEY, {}).get(str(workshop.pk))
    if participant_id is None:
        return None
    found = list(Participant.objects.raw(PARTICIPANT_SQL, [participant_id, workshop.pk]))
    if not found:
        return None
    participant = found[0]
    participant.workshop = workshop
    room = None
    if participant.room_id:
        room_model = Participant.room.field.related_model  # breakouts.Room (not imported here)
        room = next(iter(room_model.objects.raw(ROOM_SQL, [participant.room_id])), None)
    participant.room = room
    return participant


def get_participant_by_token(token):
    """Returns the participant whose personal link carries this token; 404 otherwise.

    The token is 256 random bits, so guessing is hopeless; the final comparison is still made
    in constant time so that no code path compares secrets with an early exit.
    """
    token = token or ""
    candidate = Participant.objects.filter(token=token).select_related("workshop").first()
    if candidate is None or not hmac.compare_digest(candidate.token, token):
        raise Http404("Unknown personal link")
    return candidate


def get_workshop_for_member(request, code):
    """Returns (workshop, participant) for the request's participant; 404 for anyone else."""
    workshop = get_workshop_by_code(code)
    return workshop, get_participant_for_workshop(request, workshop)


def get_participant_for_workshop(request, workshop):
    """Returns the request's participant in this workshop; 404 when the browser is not one."""
    participant = participant_from_session(request.session, workshop)
    if participant is None:
        raise Http404("Not a participant of this workshop")
    return participant
