"""The only module that broadcasts: every live event leaves Roundtable through here.

Events are sent after the transaction that stored them commits, so nobody hears of a change
that was rolled back. Each event type has one documented shape (docs/protocol.md).
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def workshop_group(workshop_id):
    return f"ws.{workshop_id}"


def room_group(room_id):
    return f"room.{room_id}"


def control_group(workshop_id):
    return f"ctl.{workshop_id}"


def _send_on_commit(group, event):
    def send():
        async_to_sync(get_channel_layer().group_send)(group, {"type": "live.event", "event": event})

    transaction.on_commit(send)


def send_workshop_event(workshop, event_type, payload):
    """Broadcasts a workshop-wide event to every participant and facilitator after commit.

    The caller has bumped `workshop.rev` in the same transaction; the event carries it.
    """
    event = {"type": event_type, "scope": "workshop", "rev": workshop.rev, **payload}
    _send_on_commit(workshop_group(workshop.pk), event)
    _send_on_commit(control_group(workshop.pk), event)


def send_room_event(room, event_type, payload):
    """Broadcasts a room event to the room's members and to the workshop's control room."""
    event = {"type": event_type, "scope": "room", "room": room.number, "rev": room.rev, **payload}
    _send_on_commit(room_group(room.pk), event)
    _send_on_commit(control_group(room.workshop_id), event)
