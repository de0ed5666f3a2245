"""The access matrix of the sockets, generated from the op tables.

Every op of every socket × every role, against an explicit table: a new op without a row
fails `test_every_op_has_a_rule`. Roles who cannot open the socket at all (anonymous, another
facilitator, a participant of another workshop or room) are checked once per socket, since
they never get to send an op. The removed co-facilitator keeps an open socket (removed
without the `access.changed` announcement), so the per-op check is what refuses them.
"""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from live_helpers import HOST, ORIGIN, open_socket, session_cookie, stop_hub  # noqa: F401
from workshop_builder import build_workshop

from breakouts.consumers import ControlConsumer, ParticipantConsumer
from breakouts.control_ops import CONTROL_OPS
from breakouts.models import HelpRequest, Item, Room
from breakouts.ops import ROOM_OPS
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async

OK, NO = "ack", "forbidden"
# op → outcome for: member, scribe, facilitator looking on, facilitator acting in the room,
# removed co-facilitator acting in the room.
ROOM_RULES = {
    "note.set": (NO, OK, NO, OK, NO),
    "note.edit": (NO, OK, NO, OK, NO),
    "item.add": (OK, OK, NO, OK, NO),
    "item.update": (OK, OK, NO, OK, NO),  # the member's own item
    "item.delete": (OK, OK, NO, OK, NO),  # the member's own item
    "vote.set": (OK, OK, NO, NO, NO),  # only participants vote
    "step.set": (NO, OK, NO, OK, NO),
    "challenge.set": (NO, OK, NO, OK, NO),
    "selection.set": (NO, OK, NO, OK, NO),
    "scribe.handover": (NO, OK, NO, OK, NO),
    "scribe.accept": (OK, NO, NO, NO, NO),  # the role is offered to the member
    "scribe.decline": (OK, NO, NO, NO, NO),
    "help.request": (OK, OK, NO, OK, NO),
    "challenge.propose": (OK, OK, NO, OK, NO),
    "sync": ("state", "state", "state", "state", "state"),
}
ROOM_ROLES = ("member", "scribe", "observer", "acting", "removed")
# op → outcome for: owner, co-facilitator, removed co-facilitator.
CONTROL_RULES = {name: (OK, OK, NO) for name in CONTROL_OPS}
CONTROL_RULES["sync"] = ("state", "state", "state")
CONTROL_ROLES = ("owner", "cofacilitator", "removed")


def test_every_op_has_a_rule():
    room_ops = {*ROOM_OPS, *ParticipantConsumer.LOCAL_OPS} - {"typing"}  # typing: no reply
    assert set(ROOM_RULES) == room_ops
    assert set(CONTROL_RULES) == {*CONTROL_OPS, *ControlConsumer.LOCAL_OPS}


def room_frame(op, world):
    member, item, alternative = world["member"], world["item"], world["alternative"]
    return {
        "note.set": {"step": "define", "text": "text", "base_rev": 10**6},
        "note.edit": {"step": "define", "from": 0, "to": 0, "text": "hi", "base_rev": 0},
        "item.add": {"step": "root_causes", "fields": {"text": "a cause"}},
        "item.update": {"item": item.pk, "fields": {"text": "changed"}, "base_version": 1},
        "item.delete": {"item": item.pk},
        "vote.set": {"item": alternative.pk, "count": 1},
        "step.set": {"step": "alternatives"},
        "challenge.set": {"challenge": world["challenge"].pk},
        "selection.set": {"item": alternative.pk, "rationale": "because"},
        "scribe.handover": {"to": member.pk},
        "scribe.accept": {},
        "scribe.decline": {},
        "help.request": {"message": "stuck"},
        "challenge.propose": {"challenge": world["challenge"].pk},
        "sync": {},
    }[op]


def control_frame(op, world):
    room, member, request = world["room"], world["member"], world["help"]
    return {
        "broadcast.send": {"message": "hello"},
        "timer.set": {"seconds": 60, "label": "go"},
        "timer.clear": {},
        "rooms.advance": {"step": "plan"},
        "help.acknowledge": {"request": request.pk},
        "participant.move": {"participant": member.pk, "room": 2},
        "scribe.set": {"room": room.number, "participant": member.pk},
        "breakouts.close": {"seconds": 30},
        "closing.skip": {},
        "closing.cancel": {},
        "breakouts.reopen": {},
        "plenary.present": {"room": room.number},
        "sync": {},
    }[op]


def build_world(owner, op):
    workshop, rooms, people = build_workshop(owner, rooms=2, members=3)
    room = rooms[0]
    scribe, member = people[1][0], people[1][1]
    bob = User.objects.create_user(f"bob-{workshop.pk}", "", "pw-bob-123456")
    ivy = User.objects.create_user(f"ivy-{workshop.pk}", "", "pw-ivy-123456")
    workshop.cofacilitators.add(bob, ivy)
    Room.objects.filter(pk=room.pk).update(scribe_offer_to=member)
    if op == "breakouts.reopen":
        workshop.move_to(workshop.Phase.PLENARY)
    return {
        "workshop": workshop, "room": room, "scribe": scribe, "member": member,
        "bob": bob, "ivy": ivy,
        "challenge": workshop.challenges.first(),
        "item": Item.objects.create(room=room, step="root_causes", text="mine", author=member),
        "alternative": Item.objects.create(room=room, step="alternatives", text="alt"),
        "help": HelpRequest.objects.create(room=room, participant=member, message="help"),
    }


def outcome(reply):
    return reply["type"] if reply["type"] in ("ack", "state") else reply["code"]


@pytest.mark.parametrize("op", sorted(ROOM_RULES))
async def test_room_ops_follow_the_matrix(op, facilitator):
    seen = []
    for role in ROOM_ROLES:
        world = await db(build_world)(facilitator, op)
        code = world["workshop"].join_code
        if role in ("member", "scribe"):
            socket = await open_socket(f"/ws/w/{code}/", world[role])
        else:
            query = "?room=1" + ("" if role == "observer" else "&as=facilitator")
            user = world["ivy"] if role == "removed" else world["bob"]
            socket = await open_socket(f"/ws/w/{code}/{query}", user=user)
            if role == "removed":
                await db(world["workshop"].cofacilitators.remove)(user)
        seen.append(outcome(await socket.op(op, **room_frame(op, world))))
        await socket.close()
    assert dict(zip(ROOM_ROLES, seen, strict=True)) == dict(
        zip(ROOM_ROLES, ROOM_RULES[op], strict=True)
    )


@pytest.mark.parametrize("op", sorted(CONTROL_RULES))
async def test_control_ops_follow_the_matrix(op, facilitator):
    seen = []
    for role in CONTROL_ROLES:
        world = await db(build_world)(facilitator, op)
        user = {"owner": facilitator, "cofacilitator": world["bob"], "removed": world["ivy"]}
        socket = await open_socket(
            f"/ws/w/{world['workshop'].join_code}/control/", user=user[role]
        )
        if role == "removed":
            await db(world["workshop"].cofacilitators.remove)(world["ivy"])
        seen.append(outcome(await socket.op(op, **control_frame(op, world))))
        await socket.close()
    assert dict(zip(CONTROL_ROLES, seen, strict=True)) == dict(
        zip(CONTROL_ROLES, CONTROL_RULES[op], strict=True)
    )


async def refused_with(path, participant=None, user=None):
    cookie = await db(session_cookie)(participant, user)
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, HOST, cookie])
    connected, _ = await communicator.connect(timeout=5)
    assert connected  # accepted, then closed with a code
    message = await communicator.receive_output(timeout=5)
    await communicator.disconnect()
    return message.get("code")


async def test_who_cannot_open_the_sockets_at_all(facilitator, outsider):
    world = await db(build_world)(facilitator, "sync")
    other = await db(build_workshop)(outsider, rooms=1, members=1)
    code = world["workshop"].join_code
    stranger_in_other_workshop = other[2][1][0]
    in_other_room = await db(lambda: world["workshop"].participants.filter(
        room__number=2).first())()
    room, control = f"/ws/w/{code}/", f"/ws/w/{code}/control/"
    assert await refused_with(room) == 4404  # anonymous
    assert await refused_with(control) == 4404
    assert await refused_with(room, user=outsider) == 4404  # another facilitator
    assert await refused_with(control, user=outsider) == 4404
    assert await refused_with(room, stranger_in_other_workshop) == 4404
    assert await refused_with(control, stranger_in_other_workshop) == 4404
    assert await refused_with(room + "?room=1", in_other_room) == 4403  # another room
    assert await refused_with(control, world["member"]) == 4403  # a member, control socket
