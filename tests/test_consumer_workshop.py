"""Workshop events on the participant socket /ws/w/<code>/: filtered, followed, never leaked."""

import asyncio

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


async def move_from_lobby(workshop, room, person):
    """Opens `person`'s lobby socket, seats them in `room` and announces it, as a start does."""
    lobby = await open_socket(room_path(workshop, "?page=lobby"), person)
    await db(Participant.objects.filter(pk=person.pk).update)(room=room)
    assignment = {"participant": person.pk, "room": room.number, "url": room.get_absolute_url()}
    await workshop_event(workshop, "room.assigned", {"assignments": [assignment]})
    assert (await lobby.event("room.assigned"))["url"] == assignment["url"]
    return lobby


async def test_lobby_socket_brings_its_page_the_room_page_then_becomes_the_room_socket(setup):
    """`?page=lobby`: on room.assigned the socket draws the room page for this browser (a
    `page` frame: the page a load of the URL would show, whose embedded state is the socket's
    snapshot, with who is online) and carries the room's events from then on
    (static/js/page_swap.js keeps it)."""
    workshop, rooms, people = setup
    mover = people[1][1]
    lobby = await move_from_lobby(workshop, rooms[1], mover)
    page = await lobby.event("page")
    assert page["url"] == rooms[1].get_absolute_url()
    html = page["html"]
    assert html.startswith("<!doctype html>")
    assert f"<h1 class=\"h3 mb-0 me-2\">{rooms[1].name}</h1>" in html
    assert mover.name in html and 'id="room-state"' in html
    assert mover.pk in page["online"]
    lobby.state = {"room": {"number": 2}}  # presence news of room 2 is not news here
    assert await lobby.nothing(0.3)  # no state frame: the page's state is the snapshot
    two = await open_socket(room_path(workshop), people[2][0])
    await two.op("item.add", step="root_causes", fields={"text": "room 2 news"})
    assert (await lobby.event("item.added"))["item"]["text"] == "room 2 news"
    # It is the room's socket now: a later move follows the room as a room page's does.
    await db(Participant.objects.filter(pk=mover.pk).update)(room=rooms[0])
    assignment = {"participant": mover.pk, "room": 1, "url": rooms[0].get_absolute_url()}
    await workshop_event(workshop, "room.assigned", {"assignments": [assignment]})
    assert (await lobby.event("state"))["room"]["number"] == 1
    assert not [f for f in lobby.backlog if f.get("type") == "page"]
    await two.close()
    await lobby.close()


async def test_a_breakout_start_brings_every_lobby_its_own_room_page_drawing_each_once(
    make_workshop, monkeypatch
):
    """One `room.assigned` for everyone: each lobby gets its own room's page with its own name
    in it; a room's page is drawn for its scribe and once for all its other members
    (breakouts/page_moves.py, breakouts/room_page.py)."""
    from breakouts import room_page

    monkeypatch.setattr(room_page, "KEEP_FOR", 30.0)
    monkeypatch.setattr(room_page, "_kept", {})
    drawn = []
    original = room_page.draw_page
    monkeypatch.setattr(room_page, "draw_page",
                        lambda scope, path: drawn.append(path) or original(scope, path))
    workshop, rooms, people = await db(make_workshop)(members=4)
    everyone = [(person, room) for room, number in zip(rooms, (1, 2), strict=True)
                for person in people[number]]
    lobbies = [await open_socket(room_path(workshop, "?page=lobby"), person)
               for person, _room in everyone]
    assignments = [{"participant": person.pk, "room": room.number,
                    "url": room.get_absolute_url()} for person, room in everyone]
    await workshop_event(workshop, "room.assigned", {"assignments": assignments})
    for lobby, (person, room) in zip(lobbies, everyone, strict=True):
        page = await lobby.event("page")
        assert page["url"] == room.get_absolute_url()
        assert f"<h1 class=\"h3 mb-0 me-2\">{room.name}</h1>" in page["html"]
        assert f"Signed in as </span>{person.name}</span>" in page["html"]
        assert f'"participant": {{"id": {person.pk}, "name": "{person.name}"' in page["html"]
    assert sorted(drawn) == sorted([rooms[0].get_absolute_url()] * 2
                                   + [rooms[1].get_absolute_url()] * 2)
    for lobby in lobbies:
        await lobby.close()


async def test_a_lobby_whose_page_another_process_never_finishes_still_gets_it(
    setup, monkeypatch
):
    """A page another process claimed (breakouts/room_page.py) is waited for a few turns at the
    back of the queue, then drawn here: nobody is left in the lobby."""
    from breakouts import page_moves, room_page

    monkeypatch.setattr(room_page, "KEEP_FOR", 30.0)
    monkeypatch.setattr(room_page, "_kept", {})
    monkeypatch.setattr(page_moves, "TURNS", 3)
    monkeypatch.setattr(page_moves, "WAIT", 0.01)
    later = []
    original = room_page.room_page_for

    def counting(*args, **options):
        page = original(*args, **options)
        later.append(page is room_page.LATER)
        return page

    monkeypatch.setattr(page_moves, "room_page_for", counting)
    class Claimed:  # the cache of a site whose other process claimed every page, forever
        def add(self, *args):
            return False

        def get(self, *args):
            return None

        def set(self, *args):
            pass

    monkeypatch.setattr(room_page, "cache", Claimed())
    workshop, rooms, people = setup
    person = people[1][1]
    lobby = await move_from_lobby(workshop, rooms[0], person)
    page = await lobby.event("page")
    assert f"Signed in as </span>{person.name}</span>" in page["html"]
    assert later == [True, True, True, False]
    await lobby.close()


async def test_a_room_page_that_needs_a_page_load_is_not_sent(setup, settings):
    """A page whose load does more than a frame can (here a call: its Jitsi server widens
    the Content-Security-Policy) comes as a `page` frame without HTML: the page loads it."""
    from calls.models import CallSettings

    settings.JITSI_URL = "https://meet.example.org"
    workshop, rooms, people = setup
    await db(CallSettings.objects.update_or_create)(
        workshop=workshop, defaults={"mode": CallSettings.Mode.JITSI})
    lobby = await move_from_lobby(workshop, rooms[1], people[1][1])
    page = await lobby.event("page")
    assert page == {"type": "page", "url": rooms[1].get_absolute_url(), "html": None}
    await lobby.close()


async def test_the_page_frame_is_drawn_with_the_sockets_own_session(setup):
    """The room page is drawn as the socket's browser would load it: a participant whose
    session no longer names them (another browser's cookie cannot be borrowed) gets no HTML."""
    workshop, rooms, people = setup
    mover = people[1][1]
    lobby = await open_socket(room_path(workshop, "?page=lobby"), mover)
    await db(Participant.objects.filter(pk=mover.pk).update)(room=rooms[1])
    # The URL of a room that is not theirs: the page load would be refused (403).
    assignment = {"participant": mover.pk, "room": 1, "url": rooms[0].get_absolute_url()}
    await workshop_event(workshop, "room.assigned", {"assignments": [assignment]})
    page = await lobby.event("page")
    assert page["html"] is None and page["url"] == rooms[0].get_absolute_url()
    await lobby.close()


async def test_joins_in_a_storm_reach_participants_coalesced_and_the_control_room_at_once(
    setup, facilitator
):
    """The first join goes out at once; the joins within the next second leave together as
    one `participants.joined` (span_from: the first held revision); a different workshop
    event sends what is held first. The control room hears every join as it happens."""
    workshop, _rooms, people = setup
    control = await open_socket(control_path(workshop), user=facilitator)
    member = await open_socket(room_path(workshop), people[1][1])
    lobby = await open_socket(room_path(workshop, "?page=lobby"), people[2][1])
    joined = []
    for name in ("Ada", "Bo", "Cy"):
        person = await db(Participant.objects.create)(
            workshop=workshop, name=name, department="IT", location="Oslo")
        rev = await workshop_event(workshop, "participant.joined",
                                   {"participant": person.public()})
        joined.append((person.pk, rev))
    for socket in (member, lobby):
        first = await socket.event("participant.joined")
        assert (first["participant"]["id"], first["rev"]) == joined[0]
        batch = await socket.event("participants.joined")
        assert [p["id"] for p in batch["participants"]] == [pk for pk, _ in joined[1:]]
        assert (batch["span_from"], batch["rev"]) == (joined[1][1], joined[2][1])
    for _pk, rev in joined:
        assert (await control.event("participant.joined"))["rev"] == rev
    # A join held when another workshop event comes is sent before it.
    await asyncio.sleep(1.1)
    late = []
    for name in ("Di", "Ed"):
        person = await db(Participant.objects.create)(
            workshop=workshop, name=name, department="HR", location="Rome")
        late.append(await workshop_event(workshop, "participant.joined",
                                         {"participant": person.public()}))
    phase_rev = await workshop_event(workshop, "phase.changed", {"phase": "plenary"})
    kinds = ("participants.joined", "phase.changed")
    for socket in (member, lobby):
        assert (await socket.event("participant.joined"))["rev"] == late[0]
        frames = [await socket.receive_until(lambda f: f.get("type") in kinds)
                  for _ in range(2)]
        assert [(f["type"], f["rev"]) for f in frames] == [
            ("participants.joined", late[1]), ("phase.changed", phase_rev)]
    for socket in (control, member, lobby):
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
