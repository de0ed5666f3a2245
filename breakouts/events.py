"""The only module that broadcasts: every live event leaves Roundtable through here.

Events are sent after the transaction that stored them commits, so nobody hears of a change
that was rolled back. Each event type has one documented shape (docs/protocol.md).

Transport: the process-local hub (breakouts/hub.py) delivers to this process's sockets and,
with a multi-process channel layer, once to every other process. Callers may be sync code in
any thread (views, the writer thread) or a process with no sockets at all (a management
command): then the event goes straight to the channel layer.
"""

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

from breakouts.hub import LAYER_MESSAGE, PROCESS_ID, current_hub


def workshop_group(workshop_id):
    return f"ws.{workshop_id}"


def room_group(room_id):
    return f"room.{room_id}"


def control_group(workshop_id):
    return f"ctl.{workshop_id}"


def publish(group, event):
    """Sends an event now, from any thread. Prefer the two functions below (after commit)."""
    hub = current_hub()
    if hub is not None:
        hub.publish_threadsafe(group, event)
        return
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer) and not layer.groups.get(group):
        return  # nobody in this process listens, and the in-memory layer reaches no other
    message = {"type": LAYER_MESSAGE, "group": group, "event": event, "origin": PROCESS_ID}
    try:
        async_to_sync(layer.group_send)(group, message)
    except RuntimeError:
        # Called from inside a running event loop's thread (not through the hub): schedule it.
        import asyncio

        asyncio.get_running_loop().create_task(layer.group_send(group, message))


def _send_on_commit(groups, event):
    transaction.on_commit(lambda: [publish(group, event) for group in groups])


def send_workshop_event(workshop, event_type, payload):
    """Broadcasts a workshop-wide event to every participant and facilitator after commit.

    The caller has bumped `workshop.rev` in the same transaction; the event carries it.
    """
    event = {"type": event_type, "scope": "workshop", "rev": workshop.rev, **payload}
    _send_on_commit((workshop_group(workshop.pk), control_group(workshop.pk)), event)


def send_room_event(room, event_type, payload):
    """Broadcasts a room event to the room's members and to the workshop's control room.

    The caller has bumped `room.rev` in the same transaction; the event carries it.
    """
    event = {"type": event_type, "scope": "room", "room": room.number, "rev": room.rev, **payload}
    _send_on_commit((room_group(room.pk), control_group(room.workshop_id)), event)


def send_room_ephemeral(room_id, room_number, event_type, payload, *, workshop_id=None):
    """Sends an event that is not stored and carries no `rev` (typing, a proposal), now.

    With `workshop_id` it goes to the control room as well.
    """
    event = {"type": event_type, "scope": "room", "room": room_number, **payload}
    publish(room_group(room_id), event)
    if workshop_id is not None:
        publish(control_group(workshop_id), event)
