"""Never trust the layer: lost events are repaired by `rev` + `sync`, and clients converge."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from live_helpers import open_socket, room_path, stop_hub  # noqa: F401

from breakouts.models import Item
from live.hub import get_hub
from workshops.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


class Client:
    """What static/js/live.js does with revisions: apply in order, sync on a gap."""

    def __init__(self, socket):
        self.socket = socket
        self.rev = socket.state["room"]["rev"]
        self.items = {item["id"]: item["text"] for item in socket.state["room"]["items"]}
        self.syncs = 0

    async def follow(self, until_rev):
        while self.rev < until_rev:
            frame = await self.socket.receive()
            if frame["type"] == "state":
                self.rev = frame["room"]["rev"]
                self.items = {item["id"]: item["text"] for item in frame["room"]["items"]}
            elif frame.get("scope") == "room" and frame.get("rev") is not None:
                if frame["rev"] <= self.rev:
                    continue  # already seen
                if frame["rev"] > self.rev + 1:
                    self.syncs += 1
                    await self.socket.send("sync")
                    continue
                self.rev = frame["rev"]
                if frame["type"] == "item.added":
                    self.items[frame["item"]["id"]] = frame["item"]["text"]


async def test_clients_converge_when_the_layer_drops_events(setup):
    workshop, _rooms, people = setup
    writer = await open_socket(room_path(workshop), people[1][0])
    readers = [Client(await open_socket(room_path(workshop), people[1][i])) for i in (1, 2)]
    hub = get_hub()
    dropped = []

    def lose_every_third(group, event):
        if event.get("type") == "item.added" and len(dropped) < 10 and event["rev"] % 3 == 0:
            dropped.append(event["rev"])
            return True
        return False

    hub.drop = lose_every_third
    last = None
    for index in range(12):
        last = await writer.op("item.add", step="root_causes", fields={"text": f"cause {index}"})
    hub.drop = None
    assert dropped, "the test must actually lose events"
    for reader in readers:
        await reader.follow(last["rev"])
        assert reader.syncs >= 1
        assert sorted(reader.items.values()) == sorted(f"cause {i}" for i in range(12))
    stored = await db(lambda: sorted(Item.objects.values_list("text", flat=True)))()
    assert sorted(readers[0].items.values()) == stored
    await writer.close()
    for reader in readers:
        await reader.socket.close()


async def test_a_lost_last_event_is_caught_by_the_next_one(setup):
    workshop, _rooms, people = setup
    writer = await open_socket(room_path(workshop), people[1][0])
    reader = Client(await open_socket(room_path(workshop), people[1][1]))
    hub = get_hub()
    hub.drop = lambda group, event: event.get("type") == "item.added"
    lost = await writer.op("item.add", step="root_causes", fields={"text": "lost"})
    hub.drop = None
    assert await reader.socket.nothing()
    found = await writer.op("item.add", step="root_causes", fields={"text": "found"})
    await reader.follow(found["rev"])
    assert lost["rev"] < found["rev"]
    assert sorted(reader.items.values()) == ["found", "lost"]
    await writer.close()
    await reader.socket.close()


async def test_a_lost_room_assignment_is_repaired_by_sync(setup):
    workshop, rooms, people = setup
    mover = people[1][1]
    socket = await open_socket(room_path(workshop), mover)
    hub = get_hub()
    hub.drop = lambda group, event: event.get("type") == "room.assigned"

    @db
    def move():
        with transaction.atomic():
            Participant.objects.filter(pk=mover.pk).update(room=rooms[1])
            workshop.announce(
                "room.assigned",
                {"assignments": [{"participant": mover.pk, "room": 2, "url": "/x/"}]},
            )

    await move()
    assert await socket.nothing()
    hub.drop = None
    state = await socket.op("sync")
    assert state["room"]["number"] == 2
    assert state["rev"] == workshop.rev  # bumped by move()
    await socket.close()


async def test_events_before_the_snapshot_are_not_lost(setup):
    """The socket subscribes before it reads the snapshot: a change in between arrives as an
    event after (or is part of) the state frame, never neither."""
    workshop, _rooms, people = setup
    writer = await open_socket(room_path(workshop), people[1][0])
    await writer.send("item.add", step="root_causes", fields={"text": "racing"})
    reader = await open_socket(room_path(workshop), people[1][1])
    texts = [item["text"] for item in reader.state["room"]["items"]]
    if "racing" not in texts:
        assert (await reader.event("item.added"))["item"]["text"] == "racing"
    await writer.close()
    await reader.close()
