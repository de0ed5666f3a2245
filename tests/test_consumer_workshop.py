"""Workshop events on the participant socket /ws/w/<code>/: filtered, followed, never leaked."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from live_helpers import control_path, open_socket, room_path, stop_hub  # noqa: F401

from workshops.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


@db
def workshop_event(workshop, event_type, payload):
    """What a view does: bump the workshop's rev and announce, in one transaction."""
    with transaction.atomic():
        workshop.announce(event_type, payload)
    return workshop.rev


async def test_workshop_events_reach_every_participant_and_the_control_room(setup, facilitator):
    workshop, _rooms, people = setup
    control = await open_socket(control_path(workshop), user=facilitator)
    one = await open_socket(room_path(workshop), people[1][1])
    two = await open_socket(room_path(workshop), people[2][1])
    rev = await workshop_event(workshop, "phase.changed", {"phase": "plenary"})
    for socket in (control, one, two):
        assert await socket.event("phase.changed") == {
            "type": "phase.changed", "scope": "workshop", "rev": rev, "phase": "plenary"
        }
    for socket in (control, one, two):
        await socket.close()


async def test_room_assigned_is_filtered_to_own_entry_and_switches_room(setup, facilitator):
    workshop, rooms, people = setup
    mover, stayer = people[1][1], people[1][2]
    moving = await open_socket(room_path(workshop), mover)
    staying = await open_socket(room_path(workshop), stayer)
    old_room = await open_socket(room_path(workshop), people[1][0])
    control = await open_socket(control_path(workshop), user=facilitator)
    await db(Participant.objects.filter(pk=mover.pk).update)(room=rooms[1])
    assignment = {"participant": mover.pk, "room": 2, "url": rooms[1].get_absolute_url()}
    rev = await workshop_event(workshop, "room.assigned", {"assignments": [assignment]})
    assert await moving.event("room.assigned") == {
        "type": "room.assigned", "scope": "workshop", "rev": rev, "room": 2,
        "url": assignment["url"],
    }
    # Others only learn that the revision moved on, not who went where.
    assert await staying.event("room.assigned") == {
        "type": "room.assigned", "scope": "workshop", "rev": rev
    }
    assert (await control.event("room.assigned"))["assignments"] == [assignment]
    state = await moving.event("state")
    assert state["room"]["number"] == 2
    # The mover now hears room 2 and no longer room 1.
    await old_room.op("item.add", step="root_causes", fields={"text": "room 1 only"})
    two = await open_socket(room_path(workshop), people[2][0])
    await two.op("item.add", step="root_causes", fields={"text": "room 2 news"})
    added = await moving.event("item.added")
    assert added["item"]["text"] == "room 2 news" and added["room"] == 2
    for socket in (moving, staying, old_room, control, two):
        await socket.close()


async def test_removed_participant_is_disconnected(setup):
    workshop, _rooms, people = setup
    member = await open_socket(room_path(workshop), people[1][1])
    await workshop_event(workshop, "participant.left", {"participant_id": people[1][1].pk})
    assert (await member.event("participant.left"))["participant_id"] == people[1][1].pk
    assert await member.comm.receive_output() == {"type": "websocket.close", "code": 4404}
    await member.close()


async def test_facilitator_without_a_room_hears_the_workshop_only(setup, facilitator):
    workshop, _rooms, people = setup
    watcher = await open_socket(room_path(workshop), user=facilitator)
    assert watcher.state["room"] is None and watcher.state["me"]["role"] == "observer"
    scribe = await open_socket(room_path(workshop), people[1][0])
    await scribe.op("note.set", step="define", text="x", base_rev=0)
    assert await watcher.nothing()
    reply = await watcher.op("item.add", step="root_causes", fields={"text": "x"})
    assert reply["code"] == "not_found"
    await watcher.close()
    await scribe.close()


async def test_lobby_participant_gets_state_without_a_room(setup, facilitator):
    workshop, _rooms, _people = setup
    newcomer = await db(Participant.objects.create)(
        workshop=workshop, name="Late", department="IT", location="Oslo"
    )
    socket = await open_socket(room_path(workshop), newcomer)
    assert socket.state["room"] is None
    assert socket.state["me"]["participant"]["id"] == newcomer.pk
    assert (await socket.op("note.set", step="define", text="x", base_rev=0))["code"] == (
        "not_found"
    )
    await socket.close()


async def test_presence_follows_sockets_in_and_out_of_the_room(setup, facilitator):
    workshop, _rooms, people = setup
    control = await open_socket(control_path(workshop), user=facilitator)
    first = await open_socket(room_path(workshop), people[1][0])
    assert (await first.event("presence.changed", room=1))["online"] == [people[1][0].pk]
    second = await open_socket(room_path(workshop), people[1][1])
    both = sorted([people[1][0].pk, people[1][1].pk])
    assert (await first.event("presence.changed", online=both))["room"] == 1
    assert (await control.event("presence.changed", online=both))["room"] == 1
    await second.close()
    assert await first.event("presence.changed", online=[people[1][0].pk])
    await first.close()
    assert await control.event("presence.changed", room=1, online=[])
    await control.close()


async def test_state_holds_no_private_fields(setup):
    workshop, _rooms, people = setup
    member = await open_socket(room_path(workshop), people[1][1])
    text = str(member.state)
    assert people[1][0].token not in text and "'email'" not in text
    await member.close()
