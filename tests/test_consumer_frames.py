"""Frames that once ended a socket or looped forever: each now gets an error frame, the socket
stays open, and nothing is stored (docs/protocol.md, "Error codes")."""

import json

import pytest
from channels.db import database_sync_to_async
from live_helpers import open_socket, room_path, stop_hub  # noqa: F401

from breakouts import consumers
from breakouts.models import Broadcast, Item, Note
from live import pipeline
from live.models import AppliedOp

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async


@pytest.fixture
def setup(make_workshop):
    return make_workshop(rooms=1, members=2)


async def member_socket(setup):
    workshop, _rooms, people = setup
    return await open_socket(room_path(workshop), people[1][1])


async def test_deeply_nested_json_is_refused_and_the_socket_stays_open(setup):
    socket = await member_socket(setup)
    await socket.comm.send_to(text_data="[" * 1500 + "]" * 1500)
    assert (await socket.event("error"))["code"] == "invalid"
    nested = {"op": "item.add", "id": "deep", "step": "root_causes", "fields": {"text": "x"}}
    for _ in range(100):
        nested = {"op": "sync", "id": "n", "x": nested}
    await socket.comm.send_to(text_data=json.dumps(nested))
    assert (await socket.event("error"))["code"] == "invalid"
    assert (await socket.op("sync"))["type"] == "state"
    await socket.close()


async def test_lone_surrogates_are_invalid_wherever_they_are(setup):
    socket = await member_socket(setup)
    frames = [
        '{"op": "item.add", "id": "s1", "step": "root_causes", "fields": {"text": "\\ud800"}}',
        '{"op": "item.add", "id": "\\udfff", "step": "root_causes", "fields": {"text": "a"}}',
        '{"op": "item.\\ud800", "id": "s3"}',
    ]
    for text in frames:
        await socket.comm.send_to(text_data=text)
        error = await socket.event("error")
        assert error["code"] == "invalid"
    assert (await socket.op("item.add", step="root_causes", fields={"text": "fine"}))["type"] == (
        "ack"
    )
    assert await db(lambda: list(Item.objects.values_list("text", flat=True)))() == ["fine"]
    await socket.close()


async def test_a_nul_character_is_invalid_on_every_backend(setup):
    workshop, _rooms, people = setup
    scribe = await open_socket(room_path(workshop), people[1][0])
    reply = await scribe.op("note.set", step="define", text="a\x00b", base_rev=0)
    assert reply["code"] == "invalid"
    assert not await db(Note.objects.exists)()
    await scribe.close()


async def test_broadcast_with_a_lone_surrogate_is_invalid_on_the_control_socket(
    setup, facilitator
):
    workshop, _rooms, _people = setup
    control = await open_socket(f"/ws/w/{workshop.join_code}/control/", user=facilitator)
    await control.comm.send_to(
        text_data='{"op": "broadcast.send", "id": "b1", "message": "hi \\ud83d"}'
    )
    assert (await control.event("error"))["code"] == "invalid"
    assert (await control.op("timer.set", seconds=60, label="ok"))["type"] == "ack"
    assert not await db(Broadcast.objects.exists)()
    await control.close()


async def test_frames_that_do_not_parse_count_against_the_rate_limit(setup, monkeypatch):
    monkeypatch.setattr(consumers.ParticipantConsumer, "RATE_BURST", 3)
    monkeypatch.setattr(consumers.ParticipantConsumer, "RATE_PER_SECOND", 0.5)
    socket = await member_socket(setup)
    codes = []
    for _ in range(5):
        await socket.comm.send_to(text_data="{broken")
        codes.append((await socket.event("error"))["code"])
    assert codes == ["bad_json"] * 3 + ["rate_limited"] * 2
    await socket.close()


@pytest.mark.django_db
def test_an_op_id_claimed_by_another_transaction_is_acked_with_its_stored_rev(make_workshop):
    """Two processes with the same op id: the second finds the first's claim and acks it."""
    workshop, _rooms, _people = make_workshop(rooms=1, members=1)
    table = pipeline.OpTable("test")
    calls = []

    @table.register("count")
    def count(frame, actor):
        calls.append(frame["id"])
        return 41

    actor = pipeline.Actor(workshop_id=workshop.pk)
    AppliedOp.objects.create(scope=workshop.pk, op_id="twice", rev=7)
    assert pipeline.reply_to(table, "count", {"id": "twice"}, actor) == {
        "type": "ack", "id": "twice", "rev": 7
    }
    assert pipeline.reply_to(table, "count", {"id": "once"}, actor)["rev"] == 41
    assert calls == ["once"]


@pytest.mark.django_db
def test_a_refused_op_withdraws_its_claim_so_a_corrected_resend_runs(make_workshop):
    workshop, _rooms, _people = make_workshop(rooms=1, members=1)
    table = pipeline.OpTable("test")
    outcomes = [pipeline.OpError("invalid", "not yet"), 5]

    @table.register("flaky")
    def flaky(frame, actor):
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    actor = pipeline.Actor(workshop_id=workshop.pk)
    assert pipeline.reply_to(table, "flaky", {"id": "op"}, actor)["code"] == "invalid"
    assert not AppliedOp.objects.exists()
    assert pipeline.reply_to(table, "flaky", {"id": "op"}, actor) == {
        "type": "ack", "id": "op", "rev": 5
    }
