"""The control socket /ws/w/<code>/control/: who gets in, every control op, coalescing."""

import asyncio
import datetime

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from live_helpers import HOST, ORIGIN, close_all, control_path, open_socket, room_path, stop_hub  # noqa: F401,E501

from breakouts.control_state import NOTE_PREVIEW_CHARS
from breakouts.models import Broadcast, HelpRequest, Room
from breakouts.previews import NotePreviews
from config.asgi import application
from live.models import AppliedOp
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def refresh(instance):
    instance.refresh_from_db()
    return instance


# -- who gets in ----------------------------------------------------------------------------


async def test_facilitator_gets_state_with_a_card_per_room(setup, facilitator):
    workshop, rooms, people = setup
    socket = await open_socket(control_path(workshop), user=facilitator)
    state = socket.state
    assert state["me"]["role"] == "control"
    assert [card["number"] for card in state["rooms"]] == [1, 2]
    card = state["rooms"][0]
    assert card["scribe"] == people[1][0].pk
    assert {m["id"] for m in card["members"]} == {p.pk for p in people[1]}
    assert card["counts"] == {s: 0 for s in ("define", "root_causes", "alternatives",
                                            "selection", "plan")}
    assert state["help"] == [] and state["broadcasts"] == []
    await socket.close()


async def test_cofacilitator_gets_in(setup, bob):
    workshop, _rooms, _people = setup
    await db(workshop.cofacilitators.add)(bob)
    socket = await open_socket(control_path(workshop), user=bob)
    assert socket.state["me"]["role"] == "control"
    await socket.close()


async def test_outsider_facilitator_is_refused(setup, outsider):
    workshop, _rooms, _people = setup
    socket = await open_socket(control_path(workshop), user=outsider, expect_state=False)
    assert await socket.comm.receive_output() == {"type": "websocket.close", "code": 4404}
    await socket.close()


async def test_participant_is_refused(setup):
    workshop, _rooms, people = setup
    socket = await open_socket(control_path(workshop), people[1][0], expect_state=False)
    assert await socket.comm.receive_output() == {"type": "websocket.close", "code": 4403}
    await socket.close()


async def test_stranger_is_refused(setup):
    workshop, _rooms, _people = setup
    communicator = WebsocketCommunicator(
        application, control_path(workshop), headers=[ORIGIN, HOST]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4404}
    await communicator.disconnect()


async def test_participants_cannot_send_control_ops(setup):
    workshop, _rooms, people = setup
    member = await open_socket(room_path(workshop), people[1][0])
    reply = await member.op("broadcast.send", message="hi")
    assert reply["code"] == "unknown_op"
    assert await db(Broadcast.objects.count)() == 0
    await member.close()


# -- bad frames -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "fields", "code"),
    [
        ("broadcast.send", {"message": "  "}, "invalid"),
        ("broadcast.send", {"message": "x" * 501}, "too_large"),
        ("broadcast.send", {"message": "hi", "room": 9}, "not_found"),
        ("timer.set", {"seconds": "600"}, "invalid"),
        ("timer.set", {"seconds": 0}, "invalid"),
        ("rooms.advance", {"step": "nowhere"}, "invalid"),
        ("help.acknowledge", {"request": 12345}, "not_found"),
        ("participant.move", {"participant": 1, "room": "one"}, "invalid"),
        ("scribe.set", {"room": 1, "participant": 999999}, "not_found"),
        ("breakouts.close", {"seconds": -5}, "invalid"),
        ("breakouts.reopen", {}, "invalid"),
        ("plenary.present", {"room": 77}, "not_found"),
        ("no.such.op", {}, "unknown_op"),
    ],
)
async def test_bad_ops_get_error_codes_and_change_nothing(setup, facilitator, op, fields, code):
    workshop, _rooms, _people = setup
    socket = await open_socket(control_path(workshop), user=facilitator)
    reply = await socket.op(op, **fields)
    assert reply["type"] == "error" and reply["code"] == code
    assert (await db(refresh)(workshop)).rev == workshop.rev
    assert await db(Broadcast.objects.count)() == 0
    # The socket stays open and answers.
    assert (await socket.op("sync"))["type"] == "state"
    await socket.close()


async def test_malformed_frames_get_error_frames_and_socket_stays_open(setup, facilitator):
    workshop, _rooms, _people = setup
    socket = await open_socket(control_path(workshop), user=facilitator)
    await socket.comm.send_to(text_data="{not json")
    assert (await socket.receive_until(lambda f: f["type"] == "error"))["code"] == "bad_json"
    await socket.comm.send_to(text_data="[1, 2]")
    assert (await socket.receive_until(lambda f: f["type"] == "error"))["code"] == "invalid"
    await socket.comm.send_json_to({"op": "broadcast.send", "message": "no id"})
    assert (await socket.receive_until(lambda f: f["type"] == "error"))["code"] == "invalid"
    assert (await socket.op("sync"))["type"] == "state"
    await socket.close()


async def test_resent_op_is_acked_again_not_applied_twice(setup, facilitator):
    workshop, _rooms, _people = setup
    socket = await open_socket(control_path(workshop), user=facilitator)
    first = await socket.op("broadcast.send", id="same-op", message="Once")
    again = await socket.op("broadcast.send", id="same-op", message="Once")
    assert first["type"] == again["type"] == "ack" and first["rev"] == again["rev"]
    assert await db(Broadcast.objects.count)() == 1
    assert await db(AppliedOp.objects.filter(op_id="same-op").count)() == 1
    await socket.close()


# -- broadcasts and timers ------------------------------------------------------------------


async def test_broadcast_to_all_reaches_every_room_and_is_kept(setup, facilitator):
    workshop, _rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    one = await open_socket(room_path(workshop), people[1][1])
    two = await open_socket(room_path(workshop), people[2][1])
    assert (await control_socket.op("broadcast.send", message="Five minutes left"))["type"] == "ack"
    for socket in (one, two, control_socket):
        event = await socket.event("broadcast")
        assert event["message"] == "Five minutes left" and event["scope"] == "workshop"
        assert event["broadcast"]["room"] is None
    stored = await db(Broadcast.objects.get)()
    assert stored.message == "Five minutes left" and stored.sent_by_id == facilitator.pk
    again = await open_socket(control_path(workshop), user=facilitator)
    assert [b["message"] for b in again.state["broadcasts"]] == ["Five minutes left"]
    await close_all(control_socket, one, two, again)


async def test_broadcast_to_one_room_reaches_only_that_room(setup, facilitator):
    workshop, _rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    one = await open_socket(room_path(workshop), people[1][1])
    two = await open_socket(room_path(workshop), people[2][1])
    assert (await control_socket.op("broadcast.send", message="Room 2, hurry", room=2))[
        "type"] == "ack"
    event = await two.event("broadcast")
    assert event["scope"] == "room" and event["room"] == 2
    assert await one.nothing()
    await close_all(control_socket, one, two)


async def test_timer_for_all_rooms_is_a_stored_deadline_replacing_room_timers(
    setup, facilitator
):
    workshop, rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    member = await open_socket(room_path(workshop), people[2][1])
    assert (await control_socket.op("timer.set", seconds=60, label="Own", room=2))[
        "type"] == "ack"
    own = await member.event("timer.changed", scope="room")
    assert own["timer"]["label"] == "Own"
    before = timezone.now()
    reply = await control_socket.op("timer.set", seconds=600, label="Root causes")
    assert reply["type"] == "ack"
    cleared = await member.event("timer.changed", scope="room")
    assert cleared["timer"] is None
    event = await member.event("timer.changed", scope="workshop")
    assert event["timer"]["label"] == "Root causes"
    stored = await db(refresh)(workshop)
    assert stored.timer_label == "Root causes"
    assert datetime.timedelta(seconds=599) < stored.timer_ends_at - before < datetime.timedelta(
        seconds=602)
    assert event["timer"]["ends_at"] == stored.timer_ends_at.isoformat()
    assert (await db(refresh)(rooms[1])).timer_ends_at is None
    # A reconnecting page sees the same deadline.
    again = await open_socket(room_path(workshop), people[1][1])
    assert again.state["workshop"]["timer"]["ends_at"] == stored.timer_ends_at.isoformat()
    assert (await control_socket.op("timer.clear"))["type"] == "ack"
    assert (await member.event("timer.changed", scope="workshop"))["timer"] is None
    await close_all(control_socket, member, again)


async def test_advance_all_rooms_moves_every_room_to_the_step(setup, facilitator):
    workshop, rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    one = await open_socket(room_path(workshop), people[1][1])
    two = await open_socket(room_path(workshop), people[2][1])
    assert (await control_socket.op("rooms.advance", step="alternatives"))["type"] == "ack"
    for socket in (one, two):
        assert (await socket.event("step.changed"))["step"] == "alternatives"
    steps = await db(lambda: list(Room.objects.values_list("step", flat=True)))()
    assert steps == ["alternatives", "alternatives"]
    await close_all(control_socket, one, two)


# -- help, moves, scribes -------------------------------------------------------------------


async def test_help_request_is_acknowledged_and_the_room_hears_it(setup, facilitator):
    workshop, _rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    member = await open_socket(room_path(workshop), people[1][1])
    assert (await member.op("help.request", message="We are stuck"))["type"] == "ack"
    requested = await control_socket.event("help.requested")
    request_id = requested["request"]["id"]
    again = await open_socket(control_path(workshop), user=facilitator)
    assert [r["id"] for r in again.state["help"]] == [request_id]
    assert again.state["rooms"][0]["help"][0]["message"] == "We are stuck"
    assert (await control_socket.op("help.acknowledge", request=request_id))["type"] == "ack"
    event = await member.event("help.acknowledged")
    assert event["request"]["acknowledged_at"]
    stored = await db(HelpRequest.objects.get)(pk=request_id)
    assert stored.acknowledged_by_id == facilitator.pk
    third = await open_socket(control_path(workshop), user=facilitator)
    assert third.state["help"] == []
    await close_all(control_socket, member, again, third)


async def test_moved_participant_follows_to_the_new_room(setup, facilitator):
    workshop, rooms, people = setup
    scribe = people[1][0]
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    moved = await open_socket(room_path(workshop), scribe)
    stays = await open_socket(room_path(workshop), people[1][1])
    arrives = await open_socket(room_path(workshop), people[2][1])
    reply = await control_socket.op("participant.move", participant=scribe.pk, room=2)
    assert reply["type"] == "ack"
    assigned = await moved.event("room.assigned")
    assert assigned["room"] == 2 and assigned["url"].endswith("/rooms/2/")
    state = await moved.event("state")
    assert state["room"]["number"] == 2
    left = await stays.event("members.changed")
    assert scribe.pk not in {m["id"] for m in left["members"]}
    assert left["scribe"] == min(people[1][1:], key=lambda p: (p.name, p.pk)).pk
    joined = await arrives.event("members.changed")
    assert scribe.pk in {m["id"] for m in joined["members"]}
    assert (await db(Participant.objects.get)(pk=scribe.pk)).room_id == rooms[1].pk
    await close_all(control_socket, moved, stays, arrives)


async def test_facilitator_changes_a_rooms_scribe(setup, facilitator):
    workshop, rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    member = await open_socket(room_path(workshop), people[1][2])
    reply = await control_socket.op("scribe.set", room=1, participant=people[1][2].pk)
    assert reply["type"] == "ack"
    assert (await member.event("scribe.changed"))["scribe"] == people[1][2].pk
    assert (await db(refresh)(rooms[0])).scribe_id == people[1][2].pk
    # Only a member of the room can become its scribe.
    reply = await control_socket.op("scribe.set", room=1, participant=people[2][0].pk)
    assert reply["code"] == "invalid"
    await close_all(control_socket, member)


# -- closing breakouts and the plenary ------------------------------------------------------


async def test_closing_counts_down_in_every_room_then_moves_to_plenary(setup, facilitator):
    workshop, _rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    member = await open_socket(room_path(workshop), people[2][1])
    assert (await control_socket.op("breakouts.close", seconds=1))["type"] == "ack"
    closing = await member.event("breakouts.closing")
    stored = await db(refresh)(workshop)
    assert closing["closing_at"] == stored.closing_at.isoformat()
    assert stored.phase == Workshop.Phase.BREAKOUTS
    # The server's timer moves everyone on when the deadline passes.
    changed = await member.event("phase.changed", wait=4)
    assert changed["phase"] == "plenary"
    stored = await db(refresh)(workshop)
    assert stored.phase == Workshop.Phase.PLENARY and stored.closing_at is None
    await close_all(control_socket, member)


async def test_skipping_the_countdown_moves_to_plenary_at_once(setup, facilitator):
    workshop, _rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    member = await open_socket(room_path(workshop), people[1][1])
    assert (await control_socket.op("breakouts.close"))["type"] == "ack"
    closing = await member.event("breakouts.closing")
    deadline = datetime.datetime.fromisoformat(closing["closing_at"])
    assert 55 < (deadline - timezone.now()).total_seconds() <= 60
    assert (await control_socket.op("closing.skip"))["type"] == "ack"
    assert (await member.event("phase.changed"))["phase"] == "plenary"
    # Back to the rooms, and the old countdown does not fire again.
    assert (await control_socket.op("breakouts.reopen"))["type"] == "ack"
    assert (await member.event("phase.changed"))["phase"] == "breakouts"
    assert (await db(refresh)(workshop)).closing_at is None
    await close_all(control_socket, member)


async def test_cancelled_closing_leaves_breakouts_running(setup, facilitator):
    workshop, _rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    member = await open_socket(room_path(workshop), people[1][1])
    await control_socket.op("breakouts.close", seconds=1)
    await member.event("breakouts.closing")
    assert (await control_socket.op("closing.cancel"))["type"] == "ack"
    assert (await member.event("breakouts.closing"))["closing_at"] is None
    await asyncio.sleep(1.3)
    assert (await db(refresh)(workshop)).phase == Workshop.Phase.BREAKOUTS
    await close_all(control_socket, member)


async def test_a_closing_that_ran_out_unwatched_is_finished_by_the_next_snapshot(
    setup, facilitator
):
    workshop, _rooms, _people = setup
    past = timezone.now() - datetime.timedelta(seconds=5)
    await db(Workshop.objects.filter(pk=workshop.pk).update)(closing_at=past)
    socket = await open_socket(control_path(workshop), user=facilitator)
    assert socket.state["workshop"]["phase"] == "plenary"
    assert socket.state["workshop"]["closing_at"] is None
    await socket.close()


async def test_presenting_a_room_reaches_every_participant(setup, facilitator):
    workshop, _rooms, people = setup
    await db(workshop.go_to_plenary)()
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    member = await open_socket(room_path(workshop), people[2][1])
    assert (await control_socket.op("plenary.present", room=1))["type"] == "ack"
    assert (await member.event("plenary.presenting"))["room"] == 1
    again = await open_socket(room_path(workshop), people[2][2])
    assert again.state["workshop"]["presenting_room"] == 1
    await close_all(control_socket, member, again)


# -- coalescing the rooms' typing -----------------------------------------------------------


async def test_note_keystrokes_reach_the_control_room_coalesced_and_in_order(
    setup, facilitator, monkeypatch
):
    monkeypatch.setattr(NotePreviews, "INTERVAL", 0.3)
    workshop, _rooms, people = setup
    control_socket = await open_socket(control_path(workshop), user=facilitator)
    scribe = await open_socket(room_path(workshop), people[1][0])
    started = asyncio.get_running_loop().time()
    base = 0
    for index in range(12):
        reply = await scribe.op("note.set", step="define", text=f"draft {index}", base_rev=base)
        base = reply["rev"]
    reply = await scribe.op("item.add", step="root_causes", fields={"text": "Silos"})
    item_rev = reply["rev"]
    frames = []
    while True:
        frame = await control_socket.receive()
        if frame.get("type") == "presence.changed":
            continue
        frames.append(frame)
        if frame.get("type") == "item.added":
            break
    elapsed = asyncio.get_running_loop().time() - started
    kinds = [frame["type"] for frame in frames]
    assert "note.changed" not in kinds
    previews = [frame for frame in frames if frame["type"] == "note.preview"]
    # At most one preview per interval, the first at once and the held one at the end (a
    # loaded machine stretches the 12 writes over more intervals, never over more previews).
    assert 1 <= len(previews) <= 2 + int(elapsed / NotePreviews.INTERVAL)
    assert previews[-1]["text"] == "draft 11"  # the held one goes out before the item
    # The revisions the client sees have no gap a coalesced preview does not explain.
    known = control_socket.state["rooms"][0]["rev"]
    for frame in frames:
        assert frame["rev"] == known + 1 or frame.get("span_from", frame["rev"]) <= known + 1
        known = frame["rev"]
    assert known == item_rev
    await close_all(control_socket, scribe)


def test_note_previews_send_the_first_at_once_and_hold_the_rest():
    now = [0.0]
    scheduled = []
    previews = NotePreviews(
        lambda room, delay: scheduled.append((room, delay)), clock=lambda: now[0]
    )

    def note(rev, step="define", text=None):
        return {"type": "note.changed", "room": 1, "rev": rev, "step": step,
                "text": text or f"t{rev}"}

    assert [f["rev"] for f in previews.note(note(5))] == [5]
    now[0] = 0.1
    assert previews.note(note(6)) == []
    assert scheduled == [(1, pytest.approx(0.4))]
    assert previews.note(note(7, "root_causes")) == []
    assert previews.note(note(8)) == []
    assert len(scheduled) == 1
    now[0] = 0.5
    frames = previews.flush(1)
    assert [(f["rev"], f["step"], f.get("span_from")) for f in frames] == [
        (7, "root_causes", 6), (8, "define", None)
    ]
    assert previews.flush(1) == []
    now[0] = 1.2
    long = "x" * 1000
    [frame] = previews.note(note(9, text=long))
    assert len(frame["text"]) == NOTE_PREVIEW_CHARS and frame["length"] == 1000
