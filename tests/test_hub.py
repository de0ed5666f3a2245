"""The process hub: one layer subscription per group per process, one encode per event,
cross-process delivery and presence (two hubs on one shared layer stand for two processes)."""

import asyncio
import json

from channels.layers import InMemoryChannelLayer

from live.hub import Hub


class SharedLayer:
    """A multi-process-style layer (not the in-memory class, so hubs use it) for tests."""

    def __init__(self):
        self.inner = InMemoryChannelLayer()
        self.group_adds = []
        self.sent = []
        self.messages = []

    async def new_channel(self, prefix="specific."):
        return await self.inner.new_channel(prefix)

    async def receive(self, channel):
        return await self.inner.receive(channel)

    async def group_add(self, group, channel):
        self.group_adds.append(group)
        await self.inner.group_add(group, channel)

    async def group_discard(self, group, channel):
        await self.inner.group_discard(group, channel)

    async def group_send(self, group, message):
        self.sent.append(group)
        self.messages.append(message)
        await self.inner.group_send(group, message)


class Sink:
    def __init__(self):
        self.frames = []
        self.texts = []

    async def hub_deliver(self, group, event, text):
        self.texts.append(text)
        self.frames.append(json.loads(text))


async def settle():
    for _ in range(20):
        await asyncio.sleep(0.01)


async def test_one_layer_subscription_per_group_per_process():
    layer = SharedLayer()
    hub = Hub(asyncio.get_running_loop(), layer)
    sinks = [Sink() for _ in range(10)]
    for sink in sinks:
        await hub.subscribe("room.1", sink)
    assert layer.group_adds == ["room.1"]
    hub.close()


async def test_event_reaches_local_and_remote_sockets_exactly_once():
    layer = SharedLayer()
    loop = asyncio.get_running_loop()
    first, second = Hub(loop, layer), Hub(loop, layer)
    local, remote, elsewhere = Sink(), Sink(), Sink()
    await first.subscribe("room.1", local)
    await second.subscribe("room.1", remote)
    await second.subscribe("room.2", elsewhere)
    event = {"type": "note.changed", "scope": "room", "room": 1, "rev": 7, "text": "hi"}
    first.publish("room.1", event)
    await settle()
    assert local.frames == [event]
    assert remote.frames == [event]
    assert elsewhere.frames == []
    assert layer.sent == ["room.1"]  # one layer message for the whole room
    first.close()
    second.close()


async def test_an_event_is_encoded_once_for_all_local_sockets():
    hub = Hub(asyncio.get_running_loop(), SharedLayer())
    sinks = [Sink() for _ in range(5)]
    for sink in sinks:
        await hub.subscribe("room.1", sink)
    hub.publish("room.1", {"type": "typing", "scope": "room", "room": 1})
    await settle()
    texts = [sink.texts[0] for sink in sinks]
    assert all(text is texts[0] for text in texts)
    hub.close()


async def test_presence_is_the_union_of_all_processes_and_expires():
    layer = SharedLayer()
    loop = asyncio.get_running_loop()
    first, second = Hub(loop, layer), Hub(loop, layer)
    watcher_one, watcher_two = Sink(), Sink()
    await first.presence.watch(1, watcher_one)
    await second.presence.watch(1, watcher_two)
    await first.subscribe("room.10", watcher_one)
    await second.subscribe("room.10", watcher_two)
    first.presence.join(1, 10, 3, participant_id=100)
    second.presence.join(1, 10, 3, participant_id=200)
    second.presence.join(1, 10, 3, participant_id=200)  # two tabs of one person
    await asyncio.sleep(0.2)
    assert first.presence.online(1, 10) == [100, 200]
    assert second.presence.online(1, 10) == [100, 200]
    assert watcher_one.frames[-1] == {
        "type": "presence.changed", "scope": "room", "room": 3, "online": [100, 200]
    }
    second.presence.leave(1, 10, 200)
    await asyncio.sleep(0.2)
    assert first.presence.online(1, 10) == [100, 200]  # one tab still open
    second.presence.leave(1, 10, 200)
    await asyncio.sleep(0.2)
    assert first.presence.online(1, 10) == [100]
    # A process that dies stops refreshing; its people expire on the others.
    second.presence.join(1, 10, 3, participant_id=300)
    await asyncio.sleep(0.2)
    assert 300 in first.presence.online(1, 10)
    second.close()
    for origin, (_expires, rooms) in list(first.presence.remote[1].items()):
        first.presence.remote[1][origin] = (0, rooms)
    assert first.presence.online(1, 10) == [100]
    first.close()


async def test_a_join_announces_only_its_room_and_the_others_keep_the_rest():
    # 1,000 rooms with people on the other process: a connect must not resend (or make every
    # process recompute) the whole workshop, or connects get slower as the workshop grows.
    layer = SharedLayer()
    loop = asyncio.get_running_loop()
    first, second = Hub(loop, layer), Hub(loop, layer)
    watcher = Sink()
    await first.presence.watch(1, watcher)
    await second.presence.watch(1, Sink())
    await first.subscribe("room.5", watcher)
    for room in range(1, 1001):
        second.presence.join(1, room, room, participant_id=room)
    await asyncio.sleep(0.2)
    assert first.presence.online(1, 999) == [999]
    layer.messages.clear()
    watcher.frames.clear()

    second.presence.join(1, 5, 5, participant_id=5000)
    await asyncio.sleep(0.2)
    announced = [m for m in layer.messages if m["type"] == "hub.presence"]
    assert [list(m["rooms"]) for m in announced] == [["5"]]
    assert watcher.frames == [
        {"type": "presence.changed", "scope": "room", "room": 5, "online": [5, 5000]}
    ]
    assert first.presence.online(1, 999) == [999]  # the rooms not announced are kept

    second.presence.leave(1, 5, 5)
    second.presence.leave(1, 5, 5000)
    await asyncio.sleep(0.2)
    assert first.presence.online(1, 5) == []
    assert watcher.frames[-1]["online"] == []
    # The heartbeat's whole set replaces the process's earlier one.
    second.presence.leave(1, 7, 7)
    second.presence.dirty.clear()  # as if the partial update had been lost on the way
    second.presence._announce(1)
    await asyncio.sleep(0.2)
    assert first.presence.online(1, 7) == []
    assert first.presence.online(1, 8) == [8]
    first.close()
    second.close()


async def test_a_new_process_learns_presence_from_the_others():
    layer = SharedLayer()
    loop = asyncio.get_running_loop()
    first = Hub(loop, layer)
    await first.presence.watch(1, Sink())
    first.presence.join(1, 10, 3, participant_id=100)
    await asyncio.sleep(0.2)
    late = Hub(loop, layer)
    await late.presence.watch(1, Sink())  # asks the others
    await asyncio.sleep(0.2)
    assert late.presence.online(1, 10) == [100]
    first.close()
    late.close()


async def test_a_frame_to_a_socket_that_closed_meanwhile_is_dropped_quietly(caplog):
    # A page move (lobby → room → plenary) closes a socket while events are on their way:
    # Daphne refuses the send; that is not a failure worth a traceback in the server log.
    from autobahn.exception import Disconnected

    from live.consumer import LiveConsumer

    class LeftSocket(LiveConsumer):
        def __init__(self):
            self.closed = False
            self.sends = 0

        async def base_send(self, message):
            self.sends += 1
            raise Disconnected("Attempt to send on a closed protocol")

    hub = Hub(asyncio.get_running_loop(), SharedLayer())
    gone, staying = LeftSocket(), Sink()
    await hub.subscribe("room.1", gone)
    await hub.subscribe("room.1", staying)
    for rev in (1, 2):
        hub.publish("room.1", {"type": "typing", "scope": "room", "room": 1, "rev": rev})
    await settle()
    assert gone.sends == 1 and gone.closed  # tried once, then known to be closed
    assert len(staying.frames) == 2
    assert "delivery failed" not in caplog.text
    hub.close()
