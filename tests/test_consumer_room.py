"""The participant socket /ws/w/<code>/: who gets in, every op, every error code."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from live_helpers import HOST, ORIGIN, close_all, open_socket, room_path, room_sockets, stop_hub  # noqa: F401,E501

from breakouts import consumers
from breakouts.models import Item, Note
from config.asgi import application
from workshops.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


# -- who gets in ----------------------------------------------------------------------------


async def test_participant_gets_state_of_workshop_and_own_room(setup):
    workshop, rooms, people = setup
    socket = await open_socket(room_path(workshop), people[1][1])
    state = socket.state
    assert state["rev"] == workshop.rev
    assert state["workshop"]["join_code"] == workshop.join_code
    assert state["room"]["number"] == 1
    assert state["room"]["scribe"] == people[1][0].pk
    assert {m["id"] for m in state["room"]["members"]} == {p.pk for p in people[1]}
    assert state["me"]["participant"]["id"] == people[1][1].pk
    assert state["me"]["role"] == "member"
    assert "token" not in json.dumps(state) and "email" not in json.dumps(state["room"])
    await socket.close()


async def test_stranger_is_refused_with_4404(setup):
    workshop, _rooms, _people = setup
    communicator = WebsocketCommunicator(application, room_path(workshop), headers=[ORIGIN, HOST])
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4404}
    await communicator.disconnect()


async def test_outsider_facilitator_is_refused(setup, outsider):
    workshop, _rooms, _people = setup
    socket = await open_socket(room_path(workshop, "?room=1"), user=outsider, expect_state=False)
    assert await socket.comm.receive_output() == {"type": "websocket.close", "code": 4404}
    await socket.close()


async def test_unknown_workshop_is_refused(setup):
    _workshop, _rooms, people = setup
    socket = await open_socket("/ws/w/NOSUCH/", people[1][0], expect_state=False)
    assert await socket.comm.receive_output() == {"type": "websocket.close", "code": 4404}
    await socket.close()


async def test_participant_of_room_2_cannot_open_room_1(setup):
    workshop, _rooms, people = setup
    socket = await open_socket(room_path(workshop, "?room=1"), people[2][0], expect_state=False)
    assert await socket.comm.receive_output() == {"type": "websocket.close", "code": 4403}
    await socket.close()


async def test_participant_of_another_workshop_is_a_stranger(setup, make_workshop):
    workshop, _rooms, _people = setup
    _other, _other_rooms, other_people = await db(make_workshop)(rooms=1)
    socket = await open_socket(room_path(workshop), other_people[1][0], expect_state=False)
    assert await socket.comm.receive_output() == {"type": "websocket.close", "code": 4404}
    await socket.close()


async def test_facilitator_views_any_room_read_only(setup, facilitator):
    workshop, _rooms, people = setup
    viewer = await open_socket(room_path(workshop, "?room=2"), user=facilitator)
    assert viewer.state["room"]["number"] == 2
    assert viewer.state["me"]["role"] == "observer"
    reply = await viewer.op("note.set", step="define", text="x", base_rev=0)
    assert reply["code"] == "forbidden"
    scribe = await open_socket(room_path(workshop), people[2][0])
    await scribe.op("note.set", step="define", text="Hello", base_rev=0)
    event = await viewer.event("note.changed")
    assert event["text"] == "Hello" and event["room"] == 2
    await close_all(viewer, scribe)


async def test_facilitator_who_joins_as_facilitator_acts_as_scribe(setup, facilitator):
    workshop, rooms, people = setup
    joined = await open_socket(room_path(workshop, "?room=1&as=facilitator"), user=facilitator)
    assert joined.state["me"]["role"] == "facilitator"
    assert (await joined.op("step.set", step="root_causes"))["type"] == "ack"
    assert (await joined.op("scribe.handover", to=people[1][2].pk))["type"] == "ack"
    event = await joined.event("scribe.changed")
    assert event["scribe"] == people[1][2].pk
    await joined.close()


# -- notes ----------------------------------------------------------------------------------


async def test_scribe_note_reaches_members_and_is_stored(setup):
    scribe, member = await room_sockets(setup)
    op_id = await scribe.send("note.set", step="define", text="Too many handovers", base_rev=0)
    event = await member.event("note.changed")
    assert event["text"] == "Too many handovers"
    assert event["rev"] == setup[1][0].rev + 1 == event["note_rev"]
    ack = await scribe.reply_to(op_id)
    assert ack == {"type": "ack", "id": op_id, "rev": event["rev"]}
    note = await db(Note.objects.get)(room=setup[1][0], step="define")
    assert note.text == "Too many handovers" and note.rev == event["rev"]
    await close_all(scribe, member)


async def test_only_the_scribe_writes_notes(setup):
    scribe, member = await room_sockets(setup)
    reply = await member.op("note.set", step="define", text="mine", base_rev=0)
    assert reply["type"] == "error" and reply["code"] == "forbidden"
    assert not await db(Note.objects.exists)()
    await close_all(scribe, member)


async def test_note_over_newer_change_by_someone_else_is_a_conflict(setup, facilitator):
    workshop = setup[0]
    scribe, member = await room_sockets(setup)
    fac = await open_socket(room_path(workshop, "?room=1&as=facilitator"), user=facilitator)
    first = await scribe.op("note.set", step="define", text="v1", base_rev=0)
    # The scribe types on (same writer, based on an older rev): allowed.
    second = await scribe.op("note.set", step="define", text="v2", base_rev=0)
    assert second["type"] == "ack"
    reply = await fac.op("note.set", step="define", text="facilitator fix", base_rev=first["rev"])
    assert reply["code"] == "conflict"
    assert reply["current"] == {"step": "define", "text": "v2", "note_rev": second["rev"]}
    assert (await db(Note.objects.get)(step="define")).text == "v2"
    await close_all(scribe, member, fac)


async def test_note_longer_than_limit_is_too_large(setup):
    scribe, member = await room_sockets(setup)
    reply = await scribe.op("note.set", step="define", text="x" * 20_001, base_rev=0)
    assert reply["code"] == "too_large"
    await close_all(scribe, member)


async def test_resent_op_is_acked_again_not_applied_twice(setup):
    scribe, member = await room_sockets(setup)
    fields = {"step": "root_causes", "fields": {"text": "No owner", "category": "process"}}
    first = await scribe.op("item.add", id="op-1", **fields)
    await member.event("item.added")
    again = await scribe.op("item.add", id="op-1", **fields)
    assert again == first
    assert await db(Item.objects.count)() == 1
    assert await member.nothing()
    await close_all(scribe, member)


# -- items ----------------------------------------------------------------------------------


async def test_member_adds_edits_and_deletes_own_item(setup):
    scribe, member = await room_sockets(setup)
    await member.op("item.add", step="root_causes", fields={"text": "Silo KPIs"})
    added = await scribe.event("item.added")
    item = added["item"]
    assert item["text"] == "Silo KPIs" and item["author"] == setup[2][1][1].pk
    reply = await member.op(
        "item.update", item=item["id"], base_version=1, fields={"category": "people"}
    )
    assert reply["type"] == "ack"
    updated = await scribe.event("item.updated")
    assert updated["item"]["category"] == "people" and updated["item"]["version"] == 2
    stale = await member.op("item.update", item=item["id"], base_version=1, fields={"text": "x"})
    assert stale["code"] == "conflict" and stale["current"]["version"] == 2
    assert (await member.op("item.delete", item=item["id"]))["type"] == "ack"
    deleted = await scribe.event("item.deleted")
    assert deleted["item"] == item["id"]
    await close_all(scribe, member)


async def test_member_cannot_edit_others_items_but_scribe_can(setup):
    workshop, _rooms, people = setup
    scribe, member = await room_sockets(setup)
    other = await open_socket(room_path(workshop), people[1][2])
    await other.op("item.add", step="alternatives", fields={"text": "Rotate", "pros": "fresh"})
    item = (await member.event("item.added"))["item"]
    denied = await member.op("item.update", item=item["id"], base_version=1, fields={"text": "x"})
    assert denied["code"] == "forbidden"
    assert (await member.op("item.delete", item=item["id"]))["code"] == "forbidden"
    fixed = await scribe.op("item.update", item=item["id"], base_version=1, fields={"cons": "slow"})
    assert fixed["type"] == "ack"
    assert (await scribe.op("item.delete", item=item["id"]))["type"] == "ack"
    await close_all(scribe, member, other)


async def test_action_item_owner_must_be_a_room_member(setup):
    _workshop, _rooms, people = setup
    scribe, member = await room_sockets(setup)
    fields = {"text": "Weekly sync", "owner": people[2][0].pk, "due_date": "2030-01-31"}
    assert (await scribe.op("item.add", step="plan", fields=fields))["code"] == "invalid"
    fields["owner"] = people[1][1].pk
    assert (await scribe.op("item.add", step="plan", fields=fields))["type"] == "ack"
    event = await member.event("item.added")
    assert event["item"]["owner"] == people[1][1].pk
    assert event["item"]["due_date"] == "2030-01-31"
    await close_all(scribe, member)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"step": "define", "fields": {"text": "x"}}, "invalid"),
        ({"step": "root_causes", "fields": {"text": ""}}, "invalid"),
        ({"step": "root_causes", "fields": {"text": "x", "owner": 1}}, "invalid"),
        ({"step": "root_causes", "fields": {"text": "x", "category": "magic"}}, "invalid"),
        ({"step": "root_causes", "fields": "text"}, "invalid"),
        ({"step": "root_causes", "fields": {"text": "x" * 501}}, "too_large"),
        ({"step": "plan", "fields": {"text": "x", "due_date": "soon"}}, "invalid"),
    ],
)
async def test_bad_item_fields_are_refused(setup, fields, code):
    scribe, member = await room_sockets(setup)
    assert (await member.op("item.add", **fields))["code"] == code
    assert not await db(Item.objects.exists)()
    await close_all(scribe, member)


async def test_items_per_step_are_limited(setup, monkeypatch):
    monkeypatch.setattr("breakouts.ops.ITEMS_PER_STEP", 2)
    scribe, member = await room_sockets(setup)
    for text in ("a", "b"):
        assert (await member.op("item.add", step="root_causes", fields={"text": text}))["rev"]
    reply = await member.op("item.add", step="root_causes", fields={"text": "c"})
    assert reply["code"] == "limit_reached"
    await close_all(scribe, member)


async def test_unknown_item_is_not_found(setup):
    scribe, member = await room_sockets(setup)
    assert (await member.op("item.delete", item=999_999))["code"] == "not_found"
    await close_all(scribe, member)


# -- bad frames: error frame, socket stays open, nothing stored -----------------------------


async def test_bad_frames_get_error_codes_and_socket_stays_open(setup):
    scribe, member = await room_sockets(setup)
    await member.comm.send_to(text_data="{not json")
    assert (await member.event("error"))["code"] == "bad_json"
    await member.comm.send_to(text_data="[1, 2]")
    assert (await member.event("error"))["code"] == "invalid"
    assert (await member.op("teleport"))["code"] == "unknown_op"
    assert (await member.op("item.add", step=3, fields={}))["code"] == "invalid"
    await member.comm.send_to(text_data=json.dumps({"op": "sync", "pad": "x" * 70_000}))
    assert (await member.event("error"))["code"] == "too_large"
    await member.comm.send_to(text_data=json.dumps({"op": "item.delete", "item": 1}))
    assert (await member.event("error"))["code"] == "invalid"  # a write op needs an id
    assert (await member.op("sync"))["type"] == "state"
    assert not await db(Item.objects.exists)()
    await close_all(scribe, member)


async def test_too_many_ops_per_second_are_rate_limited(setup, monkeypatch):
    monkeypatch.setattr(consumers.ParticipantConsumer, "RATE_BURST", 3)
    monkeypatch.setattr(consumers.ParticipantConsumer, "RATE_PER_SECOND", 0.5)
    scribe, member = await room_sockets(setup)
    codes = []
    for index in range(5):
        reply = await member.op("item.add", step="root_causes", fields={"text": f"{index}"})
        codes.append(reply.get("code", "ack"))
    assert codes == ["ack", "ack", "ack", "rate_limited", "rate_limited"]
    assert await db(Item.objects.count)() == 3
    await close_all(scribe, member)


# -- isolation and convergence --------------------------------------------------------------


async def test_other_rooms_receive_nothing(setup):
    workshop, _rooms, people = setup
    scribe, member = await room_sockets(setup)
    elsewhere = await open_socket(room_path(workshop), people[2][1])
    await scribe.op("note.set", step="define", text="secret of room 1", base_rev=0)
    await member.op("item.add", step="root_causes", fields={"text": "x"})
    await scribe.send("typing", step="define")
    await member.event("typing")
    assert await elsewhere.nothing(0.3)
    await close_all(scribe, member, elsewhere)


async def test_member_of_room_2_cannot_touch_room_1_items_by_crafting_frames(setup):
    workshop, _rooms, people = setup
    scribe, member = await room_sockets(setup)
    intruder = await open_socket(room_path(workshop), people[2][0])  # room 2's scribe
    await scribe.op("item.add", step="alternatives", fields={"text": "Ours"})
    item = (await member.event("item.added"))["item"]["id"]
    for op, fields in [
        ("item.update", {"item": item, "base_version": 1, "fields": {"text": "pwned"}}),
        ("item.delete", {"item": item}),
        ("vote.set", {"item": item, "count": 1}),
        ("selection.set", {"item": item, "rationale": ""}),
    ]:
        assert (await intruder.op(op, **fields))["code"] == "not_found"
    # Ops name no room: whatever it sends lands in its own room 2.
    await intruder.op("note.set", step="define", text="room 2 text", base_rev=0, room=1)
    assert await member.nothing(0.2)
    notes = await db(lambda: list(Note.objects.values_list("room__number", "text")))()
    assert notes == [(2, "room 2 text")]
    assert (await db(Item.objects.get)(pk=item)).text == "Ours"
    await close_all(scribe, member, intruder)


async def test_two_members_see_each_others_changes(setup):
    scribe, member = await room_sockets(setup)
    await member.op("item.add", step="root_causes", fields={"text": "from member"})
    assert await scribe.event("item.added", item_text="from member")
    await scribe.op("item.add", step="root_causes", fields={"text": "from scribe"})
    assert await member.event("item.added", item_text="from scribe")
    await close_all(scribe, member)


async def test_removed_member_cannot_write(setup):
    _workshop, _rooms, people = setup
    scribe, member = await room_sockets(setup)
    await db(Participant.objects.filter(pk=people[1][1].pk).update)(room=setup[1][1])
    reply = await member.op("item.add", step="root_causes", fields={"text": "x"})
    assert reply["code"] == "forbidden"
    await close_all(scribe, member)


async def test_simultaneous_writes_from_many_sockets_all_land_once(setup):
    scribe, member = await room_sockets(setup)
    ids = []
    for index in range(30):
        ids.append(await member.send("item.add", step="root_causes", fields={"text": f"{index}"}))
    acks = set()
    while len(acks) < 30:
        frame = await member.receive()
        if frame["type"] == "ack":
            acks.add(frame["id"])
    assert acks == set(ids)
    assert await db(Item.objects.count)() == 30
    revs = []
    while len(revs) < 30:
        frame = await scribe.receive()
        if frame["type"] == "item.added":
            revs.append(frame["rev"])
    assert revs == sorted(revs) and len(set(revs)) == 30
    await close_all(scribe, member)


async def test_sync_returns_state_with_the_same_id(setup):
    scribe, member = await room_sockets(setup)
    await scribe.op("note.set", step="define", text="kept", base_rev=0)
    state = await member.op("sync")
    assert state["type"] == "state"
    assert state["room"]["notes"]["define"]["text"] == "kept"
    await asyncio.sleep(0)
    await close_all(scribe, member)
