"""The process-local room hub: one subscription per group per process, not per socket.

Stock Channels gives every socket its own layer channel, so an event to a room of ten costs
ten layer messages, ten wake-ups and ten JSON encodes (DESIGN.md, "Known limits"). The hub
keeps `group → local sockets` itself:

- an event published in this process is delivered to the local sockets of its group straight
  away, encoded to JSON once; with a multi-process layer (Redis) it is also sent once to the
  layer (everything queued in one pipeline: `publish_many`), where every *other* process with
  local sockets in that group receives it once;
- all deliveries go through one queue, so each socket sees events (and its own acks) in
  the order they were committed in this process.

The layer may lose messages (Redis pub/sub delivers at most once); clients repair that with
`rev` + `sync`. Presence (who is online in which room) is kept per process and exchanged
through the layer with heartbeats, so it stays right across processes and heals after a lost
message or a dead process.

A "sink" is anything with `async hub_deliver(group, event, text)`: the socket consumers.
"""

import asyncio
import gc
import json
import logging
import os
import sys
import threading
import uuid

from channels.layers import InMemoryChannelLayer, get_channel_layer

from live.handoff import deferred_batch
from live.presence import Presence

logger = logging.getLogger(__name__)

# Marks messages sent by code of this process that runs without a hub (e.g. a command).
SWITCH_INTERVAL = float(os.environ.get("ROUNDTABLE_SWITCH_INTERVAL", "0.001"))
PROCESS_ID = uuid.uuid4().hex[:16]
LAYER_MESSAGE = "live.event"


# Events published to the layer in one pipeline at most.
REMOTE_BATCH = 200


def encode(frame):
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class Hub:
    def __init__(self, loop, layer=None):
        self.loop = loop
        # Identifies this hub's messages on the layer, so it skips its own echoes.
        self.origin = uuid.uuid4().hex[:16]
        self.groups = {}  # group → set of local sinks
        self.layer = layer if layer is not None else get_channel_layer()
        # The in-memory layer cannot reach other processes: then the hub alone delivers.
        self.remote = self.layer is not None and not isinstance(self.layer, InMemoryChannelLayer)
        self.channel = None
        self.queue = asyncio.Queue()
        self.layer_ops = asyncio.Queue()
        self.outgoing = asyncio.Queue()
        self.presence = Presence(self)
        self.drop = None  # tests: callable(group, event) → True loses the delivery on purpose
        self.delivered = 0
        self._memo = (None, None)
        self._tasks = [
            loop.create_task(self._dispatch()),
            loop.create_task(self.presence.run()),
        ]
        if self.remote:
            self._tasks += [
                loop.create_task(self._layer_maintenance()),
                loop.create_task(self._send_remote()),
            ]

    # -- subscriptions ----------------------------------------------------------------------

    async def subscribe(self, group, sink):
        """Adds a local sink to a group; the first one subscribes this process to the layer."""
        sinks = self.groups.get(group)
        if sinks is None:
            sinks = self.groups[group] = set()
            if self.remote:
                done = self.loop.create_future()
                self.layer_ops.put_nowait(("add", group, done))
                sinks.add(sink)
                await done
                return
        sinks.add(sink)

    def unsubscribe(self, group, sink):
        sinks = self.groups.get(group)
        if sinks is None:
            return
        sinks.discard(sink)
        if not sinks:
            del self.groups[group]
            if self.remote:
                self.layer_ops.put_nowait(("discard", group, None))

    async def _layer_maintenance(self):
        """Creates this process's layer channel, applies subscription changes in order, and
        reads what other processes publish."""
        self.channel = await self.layer.new_channel(prefix="hub.")
        reader = self.loop.create_task(self._read_layer())
        self._tasks.append(reader)
        try:
            while True:
                action, group, done = await self.layer_ops.get()
                try:
                    if action == "add":
                        if group in self.groups:
                            await self.layer.group_add(group, self.channel)
                    elif group not in self.groups:
                        await self.layer.group_discard(group, self.channel)
                except Exception:
                    logger.exception("hub: layer %s %s failed", action, group)
                if done is not None and not done.done():
                    done.set_result(None)
        finally:
            reader.cancel()

    async def _read_layer(self):
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub: layer receive failed")
                await asyncio.sleep(0.5)
                continue
            if message.get("origin") == self.origin:
                continue
            if message.get("type") == LAYER_MESSAGE:
                self.queue.put_nowait((message["group"], message["event"], None))
            elif message.get("type") == "hub.presence":
                self.presence.merge(message)

    # -- publishing -------------------------------------------------------------------------

    def publish_threadsafe(self, group, event):
        """Publishes from any thread (e.g. after a commit on the writer or a view's thread)."""
        batch = deferred_batch()
        if batch is not None:
            batch.append((self.loop, self.publish, (group, event)))
        else:
            self.loop.call_soon_threadsafe(self.publish, group, event)

    def publish(self, group, event, *, remote=True):
        """Delivers to this process's sockets in `group` and, once, to other processes."""
        self.queue.put_nowait((group, event, None))
        if remote and self.remote:
            self.outgoing.put_nowait((group, event))
        elif self.layer is not None and not self.remote and self.layer.groups.get(group):
            # Someone listens on the in-memory layer directly (a test, a foreign consumer).
            self.outgoing_inmemory(group, event)

    def outgoing_inmemory(self, group, event):
        message = {"type": LAYER_MESSAGE, "group": group, "event": event, "origin": self.origin}
        self.loop.create_task(self.layer.group_send(group, message))

    def send_direct(self, sink, frame, text=None):
        """Queues a frame for one socket behind the events already queued (acks, errors).

        `text` is the frame already encoded, when the caller has it.
        """
        self.queue.put_nowait((text, frame, sink))

    async def _send_remote(self):
        """Sends this process's events to the layer, everything queued at once: a batch's
        commit publishes all its events in one pipeline (`publish_many`)."""
        while True:
            queued = [await self.outgoing.get()]
            while len(queued) < REMOTE_BATCH and not self.outgoing.empty():
                queued.append(self.outgoing.get_nowait())
            messages = [
                (group, {"type": LAYER_MESSAGE, "group": group, "event": event,
                         "origin": self.origin})
                for group, event in queued
            ]
            try:
                await publish_many(self.layer, messages)
            except Exception:
                # Lost for other processes; their clients will see the rev gap and sync.
                logger.exception("hub: layer send of %s events failed", len(messages))

    async def _dispatch(self):
        while True:
            group, event, sink = await self.queue.get()
            try:
                if sink is not None:  # a direct frame: `group` holds its text, if encoded
                    await sink.hub_deliver(None, event, group or encode(event))
                    continue
                sinks = self.groups.get(group)
                if not sinks:
                    continue
                if self.drop is not None and self.drop(group, event):
                    continue
                # One encode per event per process; an event sent to a room and to the
                # control group is the same object, so it is encoded once for both.
                memo_event, text = self._memo
                if memo_event is not event:
                    text = encode(event)
                    self._memo = (event, text)
                for target in list(sinks):
                    try:
                        await target.hub_deliver(group, event, text)
                    except Exception:
                        logger.exception("hub: delivery failed")
                self.delivered += len(sinks)
            except Exception:
                logger.exception("hub: dispatch failed")

    def close(self):
        for task in self._tasks:
            task.cancel()

    async def aclose(self):
        """Stops the hub and lets the layer's per-loop connections go (before a loop closes:
        tests). A task whose clean-up is itself cancelled is cancelled again."""
        pending = [task for task in self._tasks if not task.done()]
        for _attempt in range(3):
            for task in pending:
                task.cancel()
            if not pending:
                break
            _done, pending = await asyncio.wait(pending, timeout=0.5)
        if self.remote and hasattr(self.layer, "flush"):
            try:
                await asyncio.wait_for(self.layer.flush(), 2)
            except Exception:
                logger.warning("hub: layer flush failed at close", exc_info=True)


async def publish_many(layer, messages):
    """Sends each `(group, message)` to its group, in order.

    On channels-redis's pub/sub layer the messages of one shard go in one pipeline: one
    write and one read for all instead of a round trip each (at 1,000 events a second, a
    tenth of a Daphne process's loop was these writes: docs/scale.md). This uses the
    layer's own channel names, serializer and per-shard lock, which are not public API:
    channels-redis is pinned (requirements/constraints.txt) and tests/test_redis_layer.py
    checks the messages arrive. Any other layer: one `group_send` each.
    """
    if len(messages) == 1 or not hasattr(layer, "_get_layer"):
        for group, message in messages:
            await layer.group_send(group, message)
        return
    loop_layer = layer._get_layer()
    by_shard = {}
    for group, message in messages:
        channel = loop_layer._get_group_channel_name(group)
        shard = loop_layer._get_shard(channel)
        by_shard.setdefault(shard, []).append((channel, layer.serialize(message)))
    for shard, publishes in by_shard.items():
        async with shard._lock:
            shard._ensure_redis()
            pipe = shard._redis.pipeline(transaction=False)
            for channel, payload in publishes:
                pipe.publish(channel, payload)
            await pipe.execute()


_hub = None
_hub_lock = threading.Lock()


def get_hub():
    """Returns this process's hub for the running event loop (creating it on first use)."""
    global _hub
    loop = asyncio.get_running_loop()
    with _hub_lock:
        if _hub is None or _hub.loop is not loop:
            if _hub is not None and not _hub.loop.is_closed():
                _hub.loop.call_soon_threadsafe(_hub.close)
            else:
                # First socket of the process: everything alive now (Django, the app, Daphne)
                # lives for good. Freezing it keeps the garbage collector's full passes from
                # walking it again and again: those passes were 40-100 ms pauses under load.
                gc.freeze()
                # The database thread (snapshots at connect) and the writer share the GIL
                # with this loop: with the default 5 ms switch interval every query of a
                # connecting socket could wait that long to get it back (live/writer.py).
                if SWITCH_INTERVAL:
                    sys.setswitchinterval(SWITCH_INTERVAL)
            _hub = Hub(loop)
        return _hub


def current_hub():
    """Returns the running hub, or None when no socket lives in this process (any thread)."""
    hub = _hub
    if hub is None or hub.loop.is_closed() or not hub.loop.is_running():
        return None
    return hub
