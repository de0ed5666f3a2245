"""The participant socket /ws/w/<code>/, the room's work after its notes and items: votes,
steps, challenge, selection, scribe handover, help requests and typing."""

import pytest
from channels.db import database_sync_to_async
from live_helpers import close_all, open_socket, room_sockets, stop_hub  # noqa: F401

from breakouts.models import HelpRequest, Item, Room, Vote

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


# -- votes, steps, challenge, selection, scribe, help ---------------------------------------


async def test_dot_votes_are_spread_and_limited(setup):
    workshop, _rooms, people = setup
    scribe, member = await room_sockets(setup)
    await scribe.op("item.add", step="alternatives", fields={"text": "A"})
    await scribe.op("item.add", step="alternatives", fields={"text": "B"})
    items = await db(lambda: list(Item.objects.order_by("pk").values_list("pk", flat=True)))()
    assert (await member.op("vote.set", item=items[0], count=2))["type"] == "ack"
    event = await scribe.event("votes.changed")
    assert event["tallies"] == {str(items[0]): 2}
    assert event["voters"] == [people[1][1].pk]
    assert event["participant"] == people[1][1].pk and event["votes"] == {str(items[0]): 2}
    too_many = await member.op("vote.set", item=items[1], count=2)
    assert too_many["code"] == "limit_reached"
    assert (await member.op("vote.set", item=items[1], count=1))["type"] == "ack"
    assert (await member.op("vote.set", item=items[0], count=0))["type"] == "ack"
    assert (await member.op("vote.set", item=items[0], count=-1))["code"] == "invalid"
    assert await db(Vote.objects.count)() == 1
    await close_all(scribe, member)


async def test_only_alternatives_take_votes(setup):
    scribe, member = await room_sockets(setup)
    await scribe.op("item.add", step="root_causes", fields={"text": "A"})
    item = (await member.event("item.added"))["item"]["id"]
    assert (await member.op("vote.set", item=item, count=1))["code"] == "invalid"
    await close_all(scribe, member)


async def test_scribe_moves_steps_and_everyone_follows(setup):
    scribe, member = await room_sockets(setup)
    assert (await member.op("step.set", step="plan"))["code"] == "forbidden"
    assert (await scribe.op("step.set", step="bogus"))["code"] == "invalid"
    assert (await scribe.op("step.set", step="root_causes"))["type"] == "ack"
    event = await member.event("step.changed")
    assert event["step"] == "root_causes"
    assert event["step_ends_at"] > event["step_started_at"]
    room = await db(Room.objects.get)(pk=setup[1][0].pk)
    assert room.step == "root_causes"
    await close_all(scribe, member)


async def test_scribe_chooses_challenge_and_members_may_propose(setup):
    workshop = setup[0]
    scribe, member = await room_sockets(setup)
    challenges = scribe.state["workshop"]["challenges"]
    reply = await member.op("challenge.propose", challenge=challenges[1]["id"])
    assert reply["type"] == "ack" and reply["rev"] is None
    proposed = await scribe.event("challenge.proposed")
    assert proposed["challenge"] == challenges[1]["id"] and "rev" not in proposed
    assert (await member.op("challenge.set", challenge=challenges[1]["id"]))["code"] == "forbidden"
    assert (await scribe.op("challenge.set", challenge=999_999))["code"] == "not_found"
    assert (await scribe.op("challenge.set", challenge=challenges[1]["id"]))["type"] == "ack"
    event = await member.event("challenge.changed")
    assert event["challenge"]["title"] == "Churn"
    assert (await db(Room.objects.get)(number=1, workshop=workshop)).challenge_id
    await close_all(scribe, member)


async def test_scribe_records_selection(setup):
    scribe, member = await room_sockets(setup)
    await member.op("item.add", step="alternatives", fields={"text": "Rotate roles"})
    item = (await scribe.event("item.added"))["item"]["id"]
    assert (await member.op("selection.set", item=item, rationale="x"))["code"] == "forbidden"
    reply = await scribe.op("selection.set", item=item, rationale="Cheapest to try")
    assert reply["type"] == "ack"
    event = await member.event("selection.changed")
    assert event["item"] == item and event["rationale"] == "Cheapest to try"
    await close_all(scribe, member)


async def test_scribe_handover_needs_acceptance(setup):
    _workshop, _rooms, people = setup
    scribe, member = await room_sockets(setup)
    assert (await member.op("scribe.accept"))["code"] == "forbidden"
    assert (await scribe.op("scribe.handover", to=people[2][0].pk))["code"] == "invalid"
    assert (await scribe.op("scribe.handover", to=people[1][1].pk))["type"] == "ack"
    offered = await member.event("scribe.offered")
    assert offered["to"] == people[1][1].pk and offered["by"] == people[1][0].pk
    room = await db(Room.objects.get)(pk=setup[1][0].pk)
    assert room.scribe_id == people[1][0].pk  # not yet
    assert (await member.op("scribe.accept"))["type"] == "ack"
    changed = await scribe.event("scribe.changed")
    assert changed["scribe"] == people[1][1].pk and changed["previous"] == people[1][0].pk
    # Roles swapped: the old scribe can no longer write notes, the new one can.
    assert (await scribe.op("note.set", step="define", text="x", base_rev=0))["code"] == "forbidden"
    assert (await member.op("note.set", step="define", text="x", base_rev=0))["type"] == "ack"
    await close_all(scribe, member)


async def test_offered_member_may_decline(setup):
    _workshop, _rooms, people = setup
    scribe, member = await room_sockets(setup)
    await scribe.op("scribe.handover", to=people[1][1].pk)
    assert (await member.op("scribe.decline"))["type"] == "ack"
    assert await scribe.event("scribe.offered", to=None, by=setup[2][1][1].pk)
    await close_all(scribe, member)


async def test_help_request_is_stored_and_reaches_control_room(setup, facilitator):
    workshop = setup[0]
    scribe, member = await room_sockets(setup)
    control = await open_socket(f"/ws/w/{workshop.join_code}/control/", user=facilitator)
    assert (await member.op("help.request", message="We are stuck"))["type"] == "ack"
    event = await control.event("help.requested")
    assert event["request"]["message"] == "We are stuck" and event["room"] == 1
    assert await db(HelpRequest.objects.filter(message="We are stuck").exists)()
    await close_all(scribe, member, control)


async def test_typing_is_ephemeral_coalesced_and_never_acked(setup):
    scribe, member = await room_sockets(setup)
    for _ in range(5):
        await scribe.send("typing", step="define")
    event = await member.event("typing")
    assert event["participant"] == setup[2][1][0].pk and "rev" not in event
    assert await member.nothing(0.3)
    assert await scribe.event("typing")  # the typist hears it too, and nothing else
    assert await scribe.nothing()
    await close_all(scribe, member)
